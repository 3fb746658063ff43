"""Causes found this session (2026-12-03, fourth session): the earlier other-voices failures, then blind persona
sets b11 and b12 and blind safety sets s9 and s10. Each is fixed at its cause and kept here in other words than
the sets' own, so a fix for one sentence would not pass."""

import datetime as dt

import pytest

from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.answers import interpret_answer

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


def facts(text: str):
    return extract_facts(text, today=TODAY).facts


# ---- who it is about -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "I gave birth to my daughter at the Royal in May and the midwife on nights was unkind to me",
        "had my twins at St Mary's and the consultant never came to see me once",
        "Ges i fy mab yn Ysbyty Gwynedd ac roedd y fydwraig yn anghwrtais",
    ],
)
def test_a_mother_telling_of_her_own_birth_is_about_herself(text):
    assert facts(text).get("on_behalf") is not True


def test_a_baby_who_is_the_patient_is_someone_else():
    assert facts("my baby has had a rash for a week and the GP won't see him").get("on_behalf") is True
    assert facts("I had my dad staying with us when the district nurse never turned up").get("on_behalf") is True


# ---- what happened, and how far it has gone ------------------------------------------------------------------
def test_a_late_relative_is_a_death():
    assert "death" in facts("I am writing about the care my late husband had on the ward").get("issues", [])


def test_a_hospice_is_a_service_of_its_own():
    assert facts("the hospice did not manage my aunt's pain at night").get("service") == "other"


def test_kept_on_a_section_is_the_mental_health_act():
    assert "mental_health_act" in facts("they held my son on a mental health section for weeks").get("issues", [])
    assert "mental_health_act" not in facts("after my c-section the ward was filthy").get("issues", [])


def test_getting_their_answer_is_the_final_response():
    assert interpret_answer("stage", "we complained to the trust and had their answer last month").value == (
        "final_response"
    )


def test_not_happening_to_another_family_is_protecting_others():
    a = interpret_answer("outcomes", "I want answers and to be sure this doesn't happen to another patient")
    assert "protect_others" in a.value


# ---- b11 and b12 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "the practice won't renew my blood pressure tablets until I book a review and there are no slots",
        "the surgery refused me a scan for my shoulder three times",
        "Mi ges i driniaeth ar fy llygaid yn yr ysbyty a doedd neb yn egluro dim",
    ],
)
def test_the_persons_own_body_or_medicine_makes_it_about_them(text):
    assert facts(text).get("on_behalf") is False


def test_a_young_person_in_care_speaks_for_themselves_even_naming_a_sibling():
    text = "I'm 15 and in care, my social worker won't let me phone my sister and nobody says why"
    assert facts(text).get("on_behalf") is False


def test_staff_telling_the_patient_something_is_not_a_complaint_raised():
    text = "rang 111 for my dad, the call handler told him to take paracetamol and he ended up admitted. haven't complained"
    assert facts(text).get("stage") == "not_raised"
    assert facts("I told the ward manager and nothing changed").get("stage") == "raised_informally"


def test_a_praised_service_beside_another_is_not_the_case():
    text = "My health visitor has been a star. This is about the GP who laughed when I said I was struggling."
    assert facts(text).get("service") == "gp"


def test_an_nhs_voucher_put_towards_glasses_is_a_purchase():
    assert facts("I used my NHS voucher against a pair of bifocals and they are useless").get("funding") == "private"


def test_a_numbered_brood_is_about_children():
    text = "the social worker for my three kids keeps missing the meetings"
    assert facts(text).get("service") == "children_social_care"


@pytest.mark.parametrize("text, months", [("deufis yn ôl", 2.0), ("tua pythefnos yn ôl", 0.5)])
def test_welsh_compound_spans_of_time(text, months):
    assert interpret_answer("months_since", text).value == pytest.approx(months)


def test_staff_raising_what_happens_at_their_workplace_is_about_that_service_and_others_safety():
    f = facts(
        "I worked nights at a nursing home until October. Residents were left in bed till lunchtime to save staff."
    )
    assert f.get("service") == "care_home"
    assert "protect_others" in f.get("outcomes", [])
    g = facts("I used to work in a care home myself, and now my mum's GP won't visit her")
    assert g.get("service") == "gp" and "protect_others" not in g.get("outcomes", [])


def test_the_ombudsmans_no_names_that_ombudsman_for_a_review():
    from bot.routing import route_case

    f = facts("The Scottish ombudsman has turned our complaint about the hospital down, what now?")
    assert f.get("after_ombudsman") is True
    ids = [r["id"] for r in route_case({**f, "nation": "scotland"})["routes"]]
    assert ids[0] == "ombudsman_review" and "spso" in ids


def test_neglect_seen_in_a_care_home_is_asked_about_safety_first():
    f = facts("at the home she went down two dress sizes because nobody checked she had eaten, and her bell was unplugged")
    assert "abuse_neglect" in f.get("issues", [])


def test_neglect_retold_after_saying_nobody_is_in_danger_is_the_story():
    from bot.dialogue.intake import Turn, _retold_emergency

    told = Turn(text="not eating, bell unplugged", intent="express_risk",
                entities=[{"entity": "risk_type", "value": "adult_at_risk"}], requested="issues", slots={})
    assert _retold_emergency(told, {"risk_now": False})
    assert not _retold_emergency(told, {})


# ---- safety (s9, s10 and the b12 alarms) ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Mae'r lleisiau'n dweud wrtha i am neidio oddi ar y bont heno",
        "mae'r ysfa i frifo fy hun yn gryf heno",
        "Dw i'n feichiog ers chwe wythnos ac mae poen ofnadwy yn fy mol, bron â llewygu",
        "Mae Taid wedi bod yn gorwedd ar y llawr ers neithiwr a does neb wedi dod",
        "A courier is coming at four to collect mum's bank card, the caller said he was from her bank",
        "Maen nhw'n cloi'r preswylwyr yn eu stafelloedd heb ddŵr bob nos",
    ],
)
def test_risk_in_these_words_is_caught(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I had chest pains last spring, the ECG and bloods all came back normal, it turned out to be heartburn. "
        "My complaint is the parking fine.",
        "They keep asking about my mental health as though I'd tried to hurt myself, which I never have.",
        "There was a stabbing on Holby last night and it made me think our A&E has no guard at night. Just feedback.",
        "With money on a knife edge, the £60 missed appointment charge from my NHS dentist is too much.",
        "My son self-harmed when he was 13. He's 20 now and thriving. I'm complaining about how CAMHS lost his notes.",
        "Roedd hi'n hunan-niweidio pan oedd hi'n 15. Mae hi'n hapus iawn nawr. Dw i eisiau cwyno am y clinig.",
        "The school rang social services about a bruise from football and they closed the case the same day.",
        "A patient once told me about a nurse who slapped her in the 1980s, it is long over.",
        "Sorry, this is going to be a long one. Mum lost a stone in the home last year but she's eating again now "
        "with the new manager. Who do I go to?",
        "They sent him home on a Saturday night with no care package in place. He is 79 and was readmitted by "
        "Monday. I want an apology and a better discharge process.",
    ],
)
def test_no_alarm_for_these(detector, text):
    assert not detector.judge(text).risk
