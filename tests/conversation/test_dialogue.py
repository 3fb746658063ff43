"""Conversations with the trained model in-process: the flow, real conversation, safety at any turn."""

import pytest

pytestmark = pytest.mark.asyncio

ANSWERS = {
    "nation": "England",
    "funding": "NHS",
    "stage": "not yet",
    "outcomes": "an apology",
    "months_since": "two weeks ago",
    "risk_now": "no",
    "on_behalf": "it's about me",
    "professional": "no, not one person",
    "confirm": "yes that's right",
    "consent": "yes they agree",
    "advocacy": "no thanks",
    "anonymity": "with my name",
    "feedback": "4",
    "contact": "no thanks",
    "letter": "no thanks",
    "service": "my GP",
    "issues": "they were rude to me",
    "postcode": "no thanks",
}


def asks(messages):
    return [m["custom"]["ask"] for m in messages if isinstance(m.get("custom"), dict) and "ask" in m["custom"]]


def marker(messages, key):
    return next((m["custom"] for m in messages if isinstance(m.get("custom"), dict) and key in m["custom"]), None)


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


async def run_to_advice(talk, opening, answers=None, limit=14):
    answers = {**ANSWERS, **(answers or {})}
    out = await talk.say(opening)
    turns = 1
    while turns <= limit:
        rec = marker(out, "routes")
        if rec:
            return rec, turns, out
        a = asks(out)
        assert a, f"no question and no advice: {texts(out)}"
        out = await talk.say(answers[a[0]])
        turns += 1
    raise AssertionError("no advice")


async def test_story_to_advice_asks_only_what_is_missing(talk):
    rec, turns, _ = await run_to_advice(talk, "My GP receptionist was rude to me and I never got my blood results")
    assert rec["routes"][0]["id"] == "provider"
    assert rec["facts"]["service"] == "gp" and rec["facts"]["nation"] == "england"
    assert turns <= 6


async def test_several_facts_in_one_message_save_questions(talk):
    rec, turns, _ = await run_to_advice(
        talk,
        "I'm in Glasgow and unhappy with how the hospital handled my operation last month. "
        "I already got their final reply and I want an apology. It's about me.",
    )
    assert rec["routes"][0]["id"] == "spso"
    assert turns <= 6


async def test_the_welcome_has_the_privacy_notice_and_reassurance(talk):
    out = await talk.say("hello")
    t = texts(out).lower()
    assert "private" in t and "will not affect your care" in t


async def test_a_correction_after_the_summary_is_kept(talk):
    out = await talk.say("my GP refused to refer me")
    for _ in range(10):
        if "Here is what I have understood" in texts(out):
            break
        out = await talk.say(ANSWERS[asks(out)[0]])
    assert asks(out) == ["confirm"] and "your GP practice" in texts(out)  # the summary is a check, alone
    out = await talk.say("actually it was the dentist not the GP")
    tracker = await talk.tracker()
    assert tracker.get_slot("service") == "dentist"
    assert "I have changed that" in texts(out) and "catch that" not in texts(out)
    assert asks(out) == ["funding"]  # a dentist may be NHS or private: that decides the path
    out = await talk.say("NHS")
    rec = marker(out, "routes")  # the correction was the check: no second summary
    assert rec and rec["facts"]["service"] == "dentist"
    assert "dental practice" in texts(out) and "GP" not in texts(out)


async def test_saying_the_summary_is_wrong_asks_what_to_change(talk):
    out = await talk.say("my GP refused to refer me")
    for _ in range(10):
        if "Here is what I have understood" in texts(out):
            break
        out = await talk.say(ANSWERS[asks(out)[0]])
    out = await talk.say("no, that's wrong")
    assert asks(out) == ["confirm"] and "What did I get wrong" in texts(out)
    out = await talk.say("it was in Wales")
    assert (await talk.tracker()).get_slot("nation") == "wales"
    assert "in Wales" in texts(out)


async def test_dont_know_moves_on(talk):
    out = await talk.say("I want to complain about a care home")
    first = asks(out)[0]
    out = await talk.say("I don't know")
    assert asks(out) and asks(out)[0] != first


async def test_an_aside_is_answered_and_the_question_asked_again(talk):
    out = await talk.say("my dentist botched my filling")
    first = asks(out)[0]
    out = await talk.say("what is the ombudsman?")
    assert "Ombudsman" in texts(out)
    assert asks(out)[0] == first


@pytest.mark.parametrize(
    "aside,expected",
    [("is this confidential?", "kept private"), ("will this affect my treatment", "not affect your care")],
)
async def test_a_question_that_names_a_choice_is_an_aside_not_an_answer(talk, aside, expected):
    out = await talk.say("my dentist botched my filling")
    first = asks(out)[0]
    out = await talk.say(aside)
    assert expected in texts(out)
    assert asks(out)[0] == first
    assert (await talk.tracker()).get_slot("anonymity") is None


async def test_an_answer_that_looks_like_an_aside_never_loops(talk):
    out = await talk.say("I want to complain, they cancelled it with a day's notice")
    first = asks(out)[0]
    seen = [first]
    for _ in range(5):
        out = await talk.say("what is the ombudsman?")
        seen.append(asks(out)[0] if asks(out) else None)
    assert seen[-1] != first, seen  # after two asides in a row the question moves on


async def test_starting_again_clears_the_case(talk):
    await talk.say("my GP was rude to me")
    out = await talk.say("can we start again please")
    assert "start again" in texts(out).lower()
    tracker = await talk.tracker()
    assert tracker.get_slot("service") is None


async def test_asking_for_a_person_is_handed_off(talk):
    out = await talk.say("can I talk to a real person")
    assert "someone who can help" in texts(out)


async def test_risk_at_the_start_is_answered_first(talk):
    out = await talk.say("I just want it all to end")
    assert marker(out, "safety")
    assert "116 123" in texts(out)


async def test_risk_mid_intake_comes_first_and_the_intake_carries_on(talk):
    out = await talk.say("I want to complain about my mum's home care agency")
    out = await talk.say("the carer hit her yesterday and she's scared he's coming back tonight")
    customs = [m["custom"] for m in out if isinstance(m.get("custom"), dict)]
    assert customs[0].get("safety")
    assert any("ask" in c for c in customs)
    tracker = await talk.tracker()
    assert tracker.get_slot("risk_now") is True


@pytest.mark.parametrize(
    "opening,line",
    [
        ("my GP in Glasgow keeps refusing to see me", "NHS 24 on 111"),
        ("the hospital in Cardiff lost my scans", "111 and press 2"),
        ("my dentist in Belfast botched my filling", "Lifeline"),
        ("my GP in Leeds keeps refusing to see me", "mental health option"),
    ],
)
async def test_crisis_help_names_the_line_of_the_persons_nation(talk, opening, line):
    await talk.say(opening)
    out = await talk.say("honestly I can't go on, I want to end it all")
    assert marker(out, "safety") and line in texts(out)


async def test_risk_after_the_advice_is_answered(talk):
    await run_to_advice(talk, "My GP receptionist was rude to me last week")
    out = await talk.say("to be honest I've been saving up my tablets and I don't want to be here anymore")
    assert marker(out, "safety")


async def test_ordinary_sentences_that_sound_alarming_do_not_raise_the_alarm(talk):
    out = await talk.say("My dad died in hospital last month and nobody will tell us what happened to him")
    assert not marker(out, "safety")
    assert asks(out)


async def test_gibberish_gets_a_plain_fallback(talk):
    out = await talk.say("zxqv blorp")
    assert texts(out)
    assert "sorry" in texts(out).lower() or asks(out)


async def test_the_website_default_nation_is_used(talk):
    out = await talk.say("My GP was rude to me", metadata={"default_nation": "wales"})
    assert "nation" not in asks(out)
    tracker = await talk.tracker()
    assert tracker.get_slot("nation") == "wales"


async def test_unknown_reference_reveals_nothing(talk):
    out = await talk.say("what's happening with my referral KX7-4PQ-2M")
    t = texts(out)
    assert "can't find" in t or "reference" in t.lower()


async def test_status_by_reference(talk, data_dir):
    from bot.record import get_store

    ref = get_store().create_referral(
        conversation="c1",
        channel="rest",
        idempotency_key="k-status",
        summary="s",
        facts={},
        routes=[],
        outcomes=[],
        anonymity="named",
    )
    out = await talk.say(ref)
    assert ref in texts(out)
    assert "waiting" in texts(out)


@pytest.mark.parametrize("share", ["yes that's fine", "no, just the summary"])
async def test_advocacy_with_contact_creates_a_referral_once(talk, data_dir, share):
    rec, _, out = await run_to_advice(talk, "my GP was rude to me last week, I'm Jo Bloggs")
    assert "advocate" in texts(out)  # offered inside the advice, one word away
    out = await talk.say("yes please, I'd like an advocate")
    assert asks(out)[-1] == "anonymity"
    out = await talk.say("with my name")
    assert asks(out)[-1] == "consent"  # may staff read this chat?
    out = await talk.say(share)
    assert asks(out)[-1] == "contact"
    out = await talk.say("you can email me at jo@example.org or ring 07700 900123")
    tracker = await talk.tracker()
    ref = tracker.get_slot("referral_ref")
    assert ref and ref in texts(out)
    from sqlalchemy import func, select

    from bot.record.db import session_scope
    from bot.record.models import Referral, Transcript

    with session_scope() as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one()
        assert "jo@example.org" not in (r.contact_sealed or "")
        assert (
            s.execute(
                select(func.count()).select_from(Referral).where(Referral.conversation == r.conversation)
            ).scalar()
            == 1
        )
        lines = [
            t.text for t in s.execute(select(Transcript).where(Transcript.conversation == r.conversation)).scalars()
        ]
    if share.startswith("yes"):
        assert r.transcript_consent and any("rude" in t for t in lines)
        joined = " ".join(lines)
        assert "jo@example.org" not in joined and "900123" not in joined and "Bloggs" not in joined
    else:
        assert not r.transcript_consent and lines == []


async def test_an_aside_with_part_of_a_case_is_answered_and_the_case_begins(talk):
    out = await talk.say(
        "i want to report my gp practice but im scared they'll take me off their list. "
        "can i do it without giving my name?"
    )
    assert "must not affect your care" in texts(out)
    assert asks(out), "the first question of the intake comes in the same turn"
    assert (await talk.tracker()).get_slot("service") == "gp"


@pytest.mark.parametrize("aside", ["is this confidential?", "will complaining affect my treatment?"])
async def test_an_aside_before_any_story_invites_the_story(talk, aside):
    out = await talk.say(aside)
    assert asks(out) == ["issues"] and "Tell me what happened" in texts(out)
    out = await talk.say("my dentist botched my filling and won't give me a refund")
    assert asks(out) and (await talk.tracker()).get_slot("service") == "dentist"


async def test_risk_told_with_part_of_a_case_is_answered_then_the_case_begins(talk):
    out = await talk.say("i want to end it all, my GP took me off my antidepressants and won't listen")
    assert marker(out, "safety")
    assert asks(out), "the intake's next question comes after the safety help"
    assert (await talk.tracker()).get_slot("service") == "gp"
