"""Causes found by the fourth blind persona set and the third blind safety set (2026-12-03), each fixed at
its cause and kept here in other words than the sets' own, so a fix for one sentence would not pass."""

import datetime as dt

import pytest

from bot.dialogue.intake import facts_from_slots
from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.answers import interpret_answer
from bot.understand.dates import months_since
from bot.understand.normalise import normalise

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


@pytest.mark.parametrize("answer, months", [("a month", 1.0), ("About a week.", 0.23), ("a year or so", 12.0)])
def test_a_bare_span_answering_when_is_when_it_happened(answer, months):
    assert months_since(answer, TODAY) == months


@pytest.mark.parametrize("text", ["3 hours a week", "we see her once a month", "a day centre"])
def test_a_rate_is_still_not_when_it_happened(text):
    assert months_since(text, TODAY) is None


def test_english_the_language_is_not_england():
    facts = extract_facts("Dad only speaks Urdu, my English is not so good. The hospital in Omagh sent him home.").facts
    assert facts.get("nation") == "northern_ireland"
    assert interpret_answer("nation", "English").value == "england"


@pytest.mark.parametrize(
    "text",
    [
        "we went through stage one and stage two of their complaints process and they still say no",
        "the board looked at it again and said the original decision still stands",
    ],
)
def test_both_stages_done_or_a_decision_that_stands_is_a_final_answer(text):
    assert extract_facts(text, today=TODAY).facts.get("stage") == "final_response"


def test_the_reason_for_paying_is_not_who_pays():
    a = interpret_answer("funding", "we pay it all ourselves, the council told us she had too much in savings")
    assert a.value == "self_funded"


def test_paying_an_agency_is_home_care_paid_for_yourself():
    facts = extract_facts("My husband and I pay an agency to come round each morning and they are always late").facts
    assert facts.get("service") == "home_care" and facts.get("funding") == "self_funded"


@pytest.mark.parametrize(
    "text, service",
    [
        ("our daughter is 9 and social services never did the assessment they promised", "children_social_care"),
        ("social services will not reassess my dad, he is 88", "council_social_care"),
        ("my son is 40 and has autism, social services cut his support", "council_social_care"),
    ],
)
def test_social_services_for_a_child_are_childrens_services(text, service):
    assert extract_facts(text, today=TODAY).facts.get("service") == service


def test_a_welsh_inquest_and_death_are_read():
    facts = extract_facts("Bu farw mam yn yr ysbyty a bydd cwest gan y crwner y flwyddyn nesaf.", today=TODAY).facts
    assert facts.get("legal") == "inquest" and "death" in facts.get("issues", [])


def test_welsh_outcomes_are_read():
    assert set(interpret_answer("outcomes", "eglurhad, a gwneud yn siŵr bod neb arall yn dioddef").value) == {
        "explanation",
        "protect_others",
    }


def test_nhs_care_is_assumed_for_a_hospital_unless_a_payment_was_mentioned():
    def funding(slots):
        return facts_from_slots(slots).get("funding")

    assert funding({"service": "hospital", "nation": "england"}) == "nhs"
    assert funding({"service": "dentist", "nation": "england"}) is None
    assert (
        funding({"service": "continuing_healthcare", "hints": {"funding": {"value": "private", "about": "home"}}})
        is None
    )
    assert funding({"service": "hospital", "funding": "private"}) == "private"


def test_had_been_is_past_not_would():
    assert normalise("she'd been asking for help") == "she had been asking for help"
    assert normalise("I'd like an apology") == "i would like an apology"


@pytest.mark.parametrize(
    "text",
    [
        "To be clear my mum is not being abused, I just want her laundry to stop going missing",
        "I could kill them — they've lost the repeat prescription AGAIN. Nobody's hurt, it's just maddening.",
        "My brother died in custody in May. He'd complained of chest pains for a week. There is going to be an inquest.",
        "The practice said a man had threatened staff earlier in the day, which is why the clinic ran late. Not my concern.",
        "At 17 I took an overdose and CAMHS did nothing. When I was 17. I'm 40 now and doing really well.",
        "My uncle's carer cancelled the visits twice this month and there's no staff to take him to the day centre, he's gutted",
    ],
)
def test_ordinary_messages_in_the_new_forms_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "my dad has been fitting for over ten minutes now and the home says wait for the out of hours doctor",
        "she hit her head on the radiator at the care home and now she keeps being sick and is really drowsy",
        "his breath smells of pear drops, he's drowsy and been vomiting all afternoon",
        "I've written my note and I've put it in the drawer. I just want someone to know the clinic failed me.",
        "the baby is staying at his dad's flat tonight and his dad's mate is a registered sex offender",
        "Grandad's new lodger has his bank card, the cupboards are bare and nobody visits him any more",
        "Mae'r plant wedi cael eu gadael ar eu pennau eu hunain drwy'r nos",
    ],
)
def test_risk_in_the_new_forms_is_recognised(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "my ex told me next time he'll finish the job. The health visitor wrote 'no issues' and I want my notes fixed",
        "The agency carer keeps all of my gran's pension and she only gets fed when he remembers",
        "Mum hasn't been turned since Sunday and her lips are cracked, the nurses say they're short",
        "Mae Dad wedi bod yn yr un pad ers neithiwr a neb wedi rhoi diod iddo",
    ],
)
def test_risk_beside_a_disputed_record_or_told_as_neglect_is_recognised(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "What should you do if you think a nursing home is neglecting someone? It's for my nursing course.",
        "What happens if a doctor won't see a patient who is suicidal? Asking for a volunteer training day.",
        "The receptionist said I looked like I wanted to murder someone, which was rude.",
        "the waiting list for physio makes me want to jump off a bridge tbh",
        "The nurse asked if I'd thought of harming myself. I said no but the notes say yes. I want it corrected.",
    ],
)
def test_questions_sayings_and_disputed_notes_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk


# ------------------------------------------------------------------ causes found by b5 (first look 38/48)
def test_a_question_about_where_to_go_is_not_who_paid():
    facts = extract_facts(
        "I paid £900 for veneers at a private practice in Perth and they've chipped. Should I go to the NHS?"
    ).facts
    assert facts.get("funding") == "private"


def test_quoted_words_are_still_read():
    facts = extract_facts(
        "We got their so-called 'final response' last week and it answered nothing.", today=TODAY
    ).facts
    assert facts.get("stage") == "final_response"


def test_a_continuing_healthcare_decision_is_the_case_even_in_a_nursing_home():
    text = (
        "Dad lives in a nursing home. The ICB says he is not eligible for continuing healthcare and the review agreed."
    )
    assert extract_facts(text, today=TODAY).facts.get("service") == "continuing_healthcare"


def test_a_small_contribution_to_council_care_is_council_funded():
    assert interpret_answer("funding", "social services pay for it, he pays a weekly contribution").value == "council"
