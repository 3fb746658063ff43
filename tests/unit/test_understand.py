"""Understanding people in their own words: facts from stories, answers in context, dates, places."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.understand import extract_facts, interpret_answer
from bot.understand.dates import months_since
from bot.understand.normalise import normalise

TODAY = dt.date(2026, 11, 22)
PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "my mum pays for her care home and they keep losing her hearing aids",
            {"service": "care_home", "funding": "self_funded", "on_behalf": True},
        ),
        (
            "Hi, I want to complain about my GP. The receptionist was really rude to me",
            {"service": "gp", "stage": "not_raised"},
        ),
        (
            "My dad died in hospital last month and nobody will tell us what happened to him",
            {"service": "hospital", "on_behalf": True, "issues": ["death"], "months_since": 1.0},
        ),
        ("I'm in Glasgow and got their final reply 2 months ago", {"nation": "scotland", "stage": "final_response"}),
        ("I live in Cardiff and my GP keeps refusing to refer me", {"nation": "wales", "service": "gp"}),
        ("we're near Newry, the trust has been awful", {"nation": "northern_ireland"}),
        (
            "My private dentist botched a filling and charged me 400 pounds. I want my money back.",
            {"service": "dentist", "funding": "private", "outcomes": ["put_right"]},
        ),
        (
            "I was sectioned earlier this year and they forced medication on me",
            {"service": "mental_health", "issues": ["mental_health_act", "medication"]},
        ),
        (
            "A nurse at the hospital falsified my records and should not be allowed to practise",
            {"professional": "nurse", "outcomes": ["accountability"]},
        ),
        ("my nan's carer nicked her purse", {"service": "home_care", "issues": ["crime"], "on_behalf": True}),
        ("gp surgry wont give me an appt, been ringing for 2 wks", {"service": "gp", "issues": ["access_waiting"]}),
        ("I just want someone to know the toilets were filthy", {"outcomes": ["concern_only"], "issues": ["dignity"]}),
        ("I want compensation for what they did", {"outcomes": ["compensation"]}),
        ("I'm not after compensation, just an apology", {"outcomes": ["apology"]}),
        ("my son is in HMP Durham and healthcare stopped his meds", {"service": "prison_healthcare"}),
        (
            "The NHS sent me to a private hospital for my cataract operation",
            {"service": "private_hospital", "funding": "nhs"},
        ),
    ],
)
def test_facts_from_stories(text, expected):
    found = extract_facts(text, today=TODAY).facts
    for key, value in expected.items():
        if isinstance(value, list):
            assert set(value) <= set(found.get(key, [])), (key, found)
        elif key == "months_since":
            assert abs(found[key] - value) < 0.6, found
        else:
            assert found.get(key) == value, (key, found)
    if "compensation" in text and "not after" in text:
        assert "compensation" not in found.get("outcomes", [])


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("stage", "no, not yet", "not_raised"),
        ("stage", "I told the ward manager but nothing happened", "raised_informally"),
        ("stage", "we got their final answer in writing", "final_response"),
        ("stage", "I sent a formal complaint and I'm still waiting", "in_progress"),
        ("funding", "she pays for it herself", "self_funded"),
        ("funding", "the council", "council"),
        ("funding", "health service, free", "nhs"),
        ("funding", "not sure who pays", None),
        ("months_since", "about 3 weeks ago", 0.69),
        ("months_since", "last march", 8.2),
        ("months_since", "two years ago", 24.0),
        ("risk_now", "no, nobody is in danger", False),
        ("risk_now", "yes", True),
        ("on_behalf", "it's about me", False),
        ("on_behalf", "it's for my dad, he passed away", True),
        ("nation", "England", "england"),
        ("nation", "we're in Swansea", "wales"),
        ("professional", "a nurse", "nurse"),
        ("professional", "no, not one person", "other"),
        ("outcomes", "I just want an explanation and an apology", ["explanation", "apology"]),
        ("outcomes", "for the carers to actually come when they should", ["put_right"]),
        ("issues", "they lost her clothes and never answer the phone", None),
        ("consent", "yes, they're happy for me to do this", "yes"),
        ("consent", "she has dementia so can't decide", "cannot_give"),
        ("consent", "he died last year", "deceased"),
        ("advocacy", "yes please", True),
        ("advocacy", "no thanks", False),
        ("anonymity", "I'd rather stay anonymous", "anonymous"),
        ("anonymity", "I'm happy to give my name", "named"),
        ("anonymity", "keep it confidential please", "confidential"),
        ("feedback", "4", 4),
        ("feedback", "strongly agree", 5),
        ("feedback", "three", 3),
    ],
)
def test_answers_in_context(slot, text, value):
    a = interpret_answer(slot, text, today=TODAY)
    if value is None:
        assert a.status in ("unknown", "ok")
        return
    assert a.status == "ok", (slot, text, a)
    if isinstance(value, float):
        assert abs(a.value - value) < 0.5
    elif isinstance(value, list):
        assert set(value) <= set(a.value)
    else:
        assert a.value == value


def test_dont_know_is_understood_as_unknown():
    for slot in ("stage", "funding", "months_since", "nation"):
        assert interpret_answer(slot, "no idea, sorry").status == "unknown"


def test_contact_details_are_read_and_nothing_else():
    a = interpret_answer("contact", "you can text me on 07700 900123")
    assert a.status == "ok" and a.value["phone"] == "07700900123"
    a = interpret_answer("contact", "jo@example.com")
    assert a.value["email"] == "jo@example.com"
    assert interpret_answer("contact", "no thanks").value is None


@pytest.mark.parametrize(
    "text, months",
    [
        ("yesterday", 0),
        ("last week", 0.25),
        ("a couple of months ago", 2),
        ("18 months ago", 18),
        ("over a year ago", 14),
        ("in January", 10.2),
        ("since christmas", 11.2),
        ("in 2023", 40.5),
    ],
)
def test_relative_dates(text, months):
    assert abs(months_since(text, TODAY) - months) < 0.6


@pytest.mark.parametrize("text", ["my 4 year old", "20 hours a week", "may I ask something", "hi there"])
def test_no_date_where_there_is_none(text):
    assert months_since(text, TODAY) is None


def test_text_speak_and_typos_are_normalised():
    assert normalise("gp surgry wont give me an appt") == "gp surgery will not give me an appointment"
    assert normalise("the hosptal recpetionist") == "the hospital receptionist"
    assert "career" in normalise("career advice")  # real words are never "corrected"
    assert normalise("a breach of confidentiality") == "a breach of confidentiality"  # nor longer forms


def test_a_question_about_privacy_is_not_read_as_a_records_complaint():
    from bot.understand.matcher import get_matcher

    _, hits = get_matcher().find(normalise("is this confidential?"))
    assert {h.fact for h in hits} == {"anonymity"}
    _, hits = get_matcher().find(normalise("they broke confidentiality and told my neighbour"))
    assert ("issues", "records_data") in {(h.fact, h.value) for h in hits}


def test_every_persona_answer_is_understood():
    """The independent personas' answers, in their own words, are all read (or recognised as unknown)."""
    personas = yaml.safe_load((PROJECT / "tests" / "eval" / "personas_extra.yaml").read_text())
    personas += yaml.safe_load((PROJECT.parent / "shared" / "eval" / "personas_dev.yaml").read_text())
    unclear = []
    for p in personas:
        for slot, text in (p.get("answers") or {}).items():
            if isinstance(text, bool):
                text = "yes" if text else "no"
            if interpret_answer(slot, str(text), today=TODAY).status == "unclear":
                unclear.append((p["id"], slot, text))
    assert len(unclear) <= 3, unclear


def test_a_story_told_with_a_fear_for_care_starts_the_intake_without_repeating_the_reassurance():
    """actions/asides.py has answered 'will they take me off the list?'; the intake starts from the story."""
    from bot.dialogue.intake import Turn, step

    out = step(
        Turn(
            text="scared they'll take me off the list if I complain about my GP",
            intent="fear_repercussions",
            entities=[{"entity": "service", "value": "gp"}],
            requested=None,
            slots={},
        )
    )
    names = [m.get("response") for m in out.messages]
    assert any(n.startswith("utter_open_") for n in names)
    assert "utter_privacy_short" not in names  # the full answer already said it
    assert out.requested is not None and out.slots.get("service") == "gp"
