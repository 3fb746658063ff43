"""The conversation a good advocate would have (issue 12), on the in-process agent."""

import re

import pytest

from tests.conversation.test_dialogue import ANSWERS, asks, marker, run_to_advice, texts

pytestmark = pytest.mark.asyncio


def bot_texts(messages):
    return [m.get("text") or "" for m in messages if m.get("text")]


async def test_advice_comes_before_any_survey_advocacy_or_anonymity_question(talk):
    seen = []
    out = await talk.say("My GP receptionist was rude to me on Monday and I want an apology")
    for _ in range(8):
        if marker(out, "routes"):
            break
        seen += asks(out)
        out = await talk.say(ANSWERS[asks(out)[0]])
    assert marker(out, "routes")
    assert not set(seen) & {"feedback", "advocacy", "anonymity", "consent"}, seen
    assert "advocate" in texts(out)  # offered inside the advice


async def test_the_advice_fits_a_phone_screen(talk):
    _, _, out = await run_to_advice(talk, "The hospital sent my dad home too early and he fell the same night")
    advice = [t for t in bot_texts(out) if t]
    assert len([t for t in advice if "First:" in t or "try these" in t or "independent help" in t]) <= 3
    first = next(t for t in advice if "First:" in t)
    assert "How:" in first and "By when:" in first  # the first step with how and by when, in one message


async def test_a_plain_request_is_not_met_with_sympathy_for_harm(talk):
    out = await talk.say("I want to complain about the care agency")
    assert "I can help with that" in texts(out)
    assert "sorry this happened" not in texts(out).lower()


async def test_a_death_is_met_with_condolence(talk):
    out = await talk.say("My wife died in the hospital in March and nobody has explained why")
    assert "sorry for your loss" in texts(out).lower()


async def test_praise_with_a_concern_hears_the_praise(talk):
    out = await talk.say("The nurses on the ward were brilliant but the discharge was a shambles")
    assert "some of it went well" in texts(out)


async def test_the_summary_waits_for_a_yes_when_facts_were_read_from_the_story(talk):
    out = await talk.say("I'm in Leeds and I complained to the hospital in writing a month ago, still no reply")
    for _ in range(6):
        if "Here is what I have understood" in texts(out):
            break
        out = await talk.say(ANSWERS[asks(out)[0]])
    assert asks(out) == ["confirm"]  # the summary alone, a check
    assert not marker(out, "routes")
    out = await talk.say("yes that's right")
    assert marker(out, "routes")


async def test_an_answer_to_another_question_is_taken_without_an_apology(talk):
    out = await talk.say("my dentist botched my filling")
    first = asks(out)[0]
    out = await talk.say("it was last Tuesday")
    assert "catch that" not in texts(out)
    assert (await talk.tracker()).get_slot("months_since") is not None
    assert asks(out)  # and the question it did not answer comes again
    assert first in asks(out) or asks(out)[0] != "months_since"


async def test_no_question_is_asked_three_times_in_the_same_words(talk):
    out = await talk.say("I want to complain about my care")
    questions = []
    for _ in range(6):
        if marker(out, "routes") or not asks(out):
            break
        questions.append(" ".join(t for t in bot_texts(out) if "?" in t))
        out = await talk.say("bananas")
    counts = {q: questions.count(q) for q in questions}
    assert max(counts.values()) <= 2, counts


async def test_after_a_safety_reply_the_form_does_not_apologise(talk):
    await talk.say("I want to complain about my mum's home care agency")
    out = await talk.say("honestly I can't go on, I want to end it all")
    assert marker(out, "safety")
    assert "catch that" not in texts(out) and "did not quite get" not in texts(out)


@pytest.mark.parametrize(
    "opening, line",
    [
        ("my husband hits me when he drinks and I'm scared to go home tonight, I'm in Manchester", "0808 2000 247"),
        ("my partner hits me and I'm scared of what he'll do tonight, I live in Cardiff", "0808 80 10 800"),
        ("mum's carer has taken her bank card and pin and money keeps going out of her account", "safeguarding"),
    ],
)
async def test_each_kind_of_risk_gets_its_own_help(talk, opening, line):
    out = await talk.say(opening)
    assert marker(out, "safety") and line in texts(out)
    assert "Samaritans" not in texts(out)


async def test_chest_pain_of_the_writer_is_not_told_to_stay_with_them(talk):
    out = await talk.say("I've got crushing chest pain right now and I want to complain about my GP")
    assert marker(out, "safety")
    assert "999" in texts(out) and "stay with them" not in texts(out)


async def test_a_child_at_risk_is_not_sent_to_adult_safeguarding(talk):
    out = await talk.say("my 6 year old comes home from her dad's with bruises and says he hits her")
    assert marker(out, "safety")
    assert "adult safeguarding" not in texts(out).lower() and "children" in texts(out).lower()


async def test_welsh_is_answered_in_welsh_and_english(talk):
    out = await talk.say("Dw i eisiau cwyno am y meddyg teulu, mae'r derbynnydd yn anghwrtais bob tro")
    assert any(isinstance(m.get("custom"), dict) and m["custom"].get("language") == "cy" for m in out)
    assert "Diolch" in texts(out) and "English" in texts(out)


async def test_a_welsh_story_the_english_classifier_cannot_read_starts_the_intake(talk):
    # A Welsh place after a Welsh word ("yng Nghaerfyrddin") and the Welsh words for a complaint: the story, not
    # "I can't help with that".
    out = await talk.say("Mae gen i gŵyn am y deintydd yng Nghaerfyrddin, mae'r dannedd gosod yn brifo ers mis")
    assert "can't help" not in texts(out)
    assert asks(out), out
    tracker = await talk.tracker()
    assert tracker.get_slot("nation") == "wales"


async def test_unclear_words_in_answer_to_tell_me_what_happened_are_the_story(talk):
    await talk.say("hello")
    out = await talk.say("methu cael gweld neb o gwbl")
    assert "did you mean" not in texts(out).lower()
    assert asks(out), out
    assert (await talk.tracker()).active_loop_name == "intake_form"


async def test_the_invitation_is_not_said_a_third_time(talk):
    said = []
    for _ in range(3):
        out = await talk.say("what can you do?")
        said.append(asks(out))
    assert said[0] == ["issues"] and said[1] == ["issues"]
    assert said[2] == ["service"]  # choices to start from instead


async def test_welsh_risk_is_recognised(talk):
    out = await talk.say("Dw i wedi bod yn meddwl am ladd fy hun")
    assert marker(out, "safety") and "999" in texts(out)


async def test_the_ombudsman_said_no_is_not_a_dead_end(talk):
    out = await talk.say("My complaint to the ombudsman was rejected, what can I do?")
    assert asks(out) or marker(out, "routes")
    tracker = await talk.tracker()
    assert tracker.get_slot("after_ombudsman") is True


async def test_no_sentence_is_repeated_in_a_conversation(talk):
    _, _, out = await run_to_advice(talk, "the optician sold me glasses that don't work")
    events = (await talk.tracker()).events
    said = [e.text for e in events if getattr(e, "type_name", "") == "bot" and e.text]
    sentences = [s.strip() for t in said for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) > 4]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, repeated


async def test_feedback_comes_after_the_advice_and_asks_about_what_was_served(talk):
    _, _, out = await run_to_advice(talk, "My GP was rude to me last week")
    for _ in range(3):
        if "feedback" in asks(out):
            break
        out = await talk.say("no thanks")
    assert "feedback" in asks(out)


async def test_risk_after_two_asides_in_a_row_is_still_answered_first(talk):
    # (blind set b13) after two questions aside, the third message is read as an answer: a risk must stay a risk
    await talk.say("my mental health team keep cancelling my appointments")
    await talk.say("England")
    await talk.say("is this confidential?")
    await talk.say("is this confidential?")
    out = await talk.say("honestly I've been saving up my tablets and I think tonight is the night")
    assert marker(out, "safety") and "999" in texts(out)
