"""The examples of issue 11, each from a real run, read for what they mean (not their keywords)."""

import datetime as dt

import pytest

from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.language import detect

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


@pytest.mark.parametrize(
    "text",
    [
        "I had a miscarriage in October and the early pregnancy unit left me on a trolley for 6 hours. Since then I "
        "just don't see the point of anything anymore. I want to complain but I don't even know if I can be bothered",
        "she's being neglected and nobody is helping her, I'm really worried she'll die",
        "Dw i wedi bod yn meddwl am ladd fy hun",
    ],
)
def test_risk_in_any_sentence_and_in_welsh_is_recognised(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I've never taken drugs in my life",
        "The paramedic who came was drunk",
        "this receptionist is going to be the death of me",
        "I'm dying to know why they did it",
        "To be clear I'm not suicidal, I'm just livid.",
    ],
)
def test_negations_and_idioms_are_not_risk(detector, text):
    assert not detector.judge(text).risk


def test_a_private_xray_is_a_hint_to_check_not_the_cases_funding():
    ex = extract_facts("My GP in Belfast missed it. In the end we paid for a private xray ourselves.", today=TODAY)
    assert ex.facts.get("service") == "gp"
    assert "funding" not in ex.facts
    assert ex.hints["funding"]["value"] == "private" and "x" in ex.hints["funding"]["about"]


def test_paying_for_a_nursing_home_in_a_continuing_healthcare_case_is_checked():
    ex = extract_facts("The ICB refused her continuing healthcare so we paid for her nursing home ourselves")
    assert ex.facts.get("service") == "continuing_healthcare"
    assert ex.facts.get("funding") is None and "funding" in ex.hints


def test_too_exhausted_to_say_anything_is_not_a_final_answer():
    ex = extract_facts("no I haven't said anything, I was too exhausted")
    assert ex.facts.get("stage") == "not_raised"


@pytest.mark.parametrize(
    "text, absent",
    [
        ("after my c-section 3 weeks ago the midwife ignored me", ("issues", "mental_health_act")),
        ("this receptionist is going to be the death of me", ("issues", "death")),
        ("I'm dying to know why they cancelled", ("issues", "death")),
        ("the surgeon nicked my bile duct during the operation", ("issues", "crime")),
    ],
)
def test_words_that_only_look_like_a_fact(text, absent):
    key, value = absent
    assert value not in (extract_facts(text).facts.get(key) or [])


def test_a_story_is_not_a_reference():
    from bot.record.store import normalise_reference

    assert normalise_reference("Hospital has made a mess of my mum's discharge") is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("Dw i wedi bod yn meddwl am ladd fy hun", "cy"),
        ("Mae fy mam yn yr ysbyty ers wythnos a does neb yn gwrando", "cy"),
        ("My GP was rude to me and I want an apology", "en"),
        ("ok", None),
    ],
)
def test_the_language_is_recognised(text, code):
    assert detect(text) == code


def test_negation_reaches_only_its_own_clause(detector):
    assert detector.judge("if nobody helps me I will kill myself").risk
    ex = extract_facts("I'm not after compensation, just an apology")
    assert ex.facts.get("outcomes") == ["apology"]


@pytest.mark.parametrize(
    "text",
    [
        "I am Bartholomew Quigley, my email is bart.quigley@example.org",
        "my name is Gwyneth Llewellyn and I live in Llanfairpwllgwyngyll",
    ],
)
def test_a_welsh_looking_name_or_place_does_not_make_a_message_welsh(text):
    from bot.understand.language import detect

    assert detect(text) == "en"
