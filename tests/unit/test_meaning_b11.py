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
