"""Causes found by the sixth blind persona set and the fifth blind safety set (2026-12-03), each fixed at its
cause and kept here in other words than the sets' own, so a fix for one sentence would not pass."""

import datetime as dt

import pytest

from bot.dialogue.intake import next_question
from bot.routing import parse_facts
from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.answers import interpret_answer

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


def service_of(text: str):
    return extract_facts(text, today=TODAY).facts.get("service")


# ---- who a sentence is about ---------------------------------------------------------------------------------
def test_a_service_that_only_told_the_person_is_not_the_case():
    assert service_of("Our GP never sent the referral off. The hospital told us when we rang last week.") == "gp"
    # alone, it is still the case
    assert service_of("The hospital told me they had lost my biopsy results") == "hospital"
    # "let" is not always telling
    assert service_of("The care home let my grandad wander out. He ended up having an op.") == "care_home"


def test_an_adult_assessed_is_not_childrens_services_because_a_child_helps_them():
    text = (
        "Social services reassessed me after my stroke and cut my hours. My 14 year old son helps me get dressed now."
    )
    assert service_of(text) == "council_social_care"
    assert service_of("Social services want to take my 4 year old into care") == "children_social_care"


def test_kinship_care_is_childrens_services():
    assert service_of("We're kinship carers for our grandson and the social worker never returns calls") == (
        "children_social_care"
    )


@pytest.mark.parametrize(
    "text, service",
    [
        ("My knee operation at Glangwili went wrong", "hospital"),
        ("I had hernia surgery in May and the wound opened", "hospital"),
        ("My GP surgery won't give me an appointment", "gp"),
    ],
)
def test_an_operation_or_a_named_hospital_is_the_hospital(text, service):
    assert service_of(text) == service


# ---- who paid ------------------------------------------------------------------------------------------------
def test_the_nhs_wait_someone_did_not_sit_out_is_not_who_paid():
    facts = extract_facts(
        "The NHS waiting list was 18 months so we paid for his knee at an independent hospital.", today=TODAY
    ).facts
    assert facts.get("service") == "private_hospital" and facts.get("funding") == "private"


def test_glasses_bought_with_a_voucher_are_a_private_purchase_but_the_sight_test_is_nhs():
    bought = extract_facts("The optician sold me contact lenses for 200 pounds with my NHS voucher and they hurt").facts
    assert bought.get("service") == "optician" and bought.get("funding") == "private"
    test = extract_facts("The optician missed a detached retina at my NHS eye test").facts
    assert test.get("funding") == "nhs"


def test_a_side_payment_is_checked_even_where_the_service_is_nhs_by_default():
    facts = parse_facts({"nation": "england", "service": "hospital", "stage": "not_raised", "on_behalf": False})
    slots = {
        "service": "hospital",
        "nation": "england",
        "stage": "not_raised",
        "outcomes": ["apology"],
        "months_since": 1.0,
        "hints": {"funding": {"value": "private", "about": "chiropodist"}},
    }
    assert next_question(facts, slots, []) == "funding"
    slots["funding"] = "nhs"
    assert next_question(facts, slots, []) != "funding"


# ---- where and when ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["Mae Dad yn yr ysbyty yng Nghaerdydd ers wythnos", "Dw i'n byw ger Wrecsam", "cartref gofal ym Merthyr"]
)
def test_a_welsh_place_after_a_welsh_word_is_wales(text):
    assert extract_facts(text).facts.get("nation") == "wales"


def test_a_mutated_form_alone_is_not_a_place():
    assert extract_facts("I fold the letters and post them myself").facts.get("nation") is None


@pytest.mark.parametrize(
    "text",
    [
        "the complaint went in back in March and we still haven't had a reply",
        "it's being handled under their new process",
    ],
)
def test_a_complaint_sent_and_not_answered_is_in_progress(text):
    assert interpret_answer("stage", text).value == "in_progress"


@pytest.mark.parametrize("text", ["Dw i ddim yn gwybod", "sa i'n gwybod", "dim syniad"])
def test_i_dont_know_in_welsh(text):
    assert interpret_answer("months_since", text).status == "unknown"


# ---- safety --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The chemist gave her twice the dose of her heart tablets and she felt faint for days. She's much better again now.",
        "The pharmacist laughed and said 'a couple of those and you'll not wake up for a week'. I want to complain about him.",
        "The hospital took away my nan's knife and fork at meal times and gave her a plastic spoon",
        "I'm going to kill the practice manager with kindness and ask nicely one more time",
        "The nurse sighed and said to me 'some days I could kill myself working here'. Is that professional?",
        "I run a group that helps people who self-harm and want to complain about the crisis team's waits",
        "Rydw i'n ddiogel nawr ac mae gen i gymorth. Ces i fy ngham-drin mewn cartref gofal flynyddoedd yn ôl.",
        "The carers are booked for an hour and leave after fifteen minutes, they have her in bed by six",
        "He's been on the list to see the prison GP about a lump on his back for two months",
    ],
)
def test_ordinary_messages_in_the_new_forms_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk, detector.judge(text)


@pytest.mark.parametrize(
    "text",
    [
        "Dad got a call from someone saying they were his bank and he's heading to the bank now to withdraw his savings",
        "The nurse told me 'don't worry' but my son is going blue and he isn't breathing properly",
        "My manager said 'leave it'. The resident told me today her husband hits her and he's visiting tonight.",
    ],
)
def test_risk_beside_quoted_staff_words_or_a_scam_under_way_is_recognised(detector, text):
    assert detector.judge(text).risk


def test_a_death_told_as_why_someone_is_alone_is_not_the_complaint():
    text = "My partner passed away in the spring so I have nobody to help me, and the district nurses keep missing me"
    assert "death" not in (extract_facts(text, today=TODAY).facts.get("issues") or [])
    assert "death" in extract_facts("My dad died after the nurses missed his visits", today=TODAY).facts["issues"]


def test_a_voucher_with_money_paid_on_top_is_a_purchase():
    assert interpret_answer("funding", "the NHS voucher covered some and we paid the rest").value == "private"
    assert interpret_answer("funding", "all on the NHS").value == "nhs"
