"""Naming the person's own local organisation (issue 15), on the in-process agent.

A place said anywhere ("I live in Cardiff", a postcode) names the health board, ICB or council in
the advice; without one, the place question comes once, after the advice and before the letter
offer, and "no thanks" leaves the full general answer. Only area codes are kept, never a postcode.
"""

import pytest

from tests.conversation.test_dialogue import ANSWERS, asks, run_to_advice, texts

pytestmark = pytest.mark.asyncio

CARDIFF_VALE = "Cardiff and Vale University Health Board"
WEST_YORKSHIRE = "NHS West Yorkshire Integrated Care Board"


def organisations(rec):
    return {r["id"]: r["organisation"]["name"] for r in rec["routes"] if r.get("organisation")}


async def answer_until(talk, out, stop, answers=None, limit=8):
    """Answer the follow-up questions until one in `stop` is asked; the questions seen."""
    answers = {**ANSWERS, **(answers or {})}
    seen = []
    for _ in range(limit):
        a = asks(out)
        if not a or a[0] in stop:
            return seen, out
        seen.append(a[0])
        out = await talk.say(answers[a[0]])
    return seen, out


async def test_a_town_in_the_story_names_the_health_board_in_the_advice(talk):
    rec, _, out = await run_to_advice(
        talk,
        "I live in Cardiff and the hospital cancelled my operation twice without telling me why",
        answers={"funding": "NHS"},
    )
    assert rec["facts"]["nation"] == "wales"
    assert organisations(rec).get("provider") == CARDIFF_VALE
    assert CARDIFF_VALE in texts(out)
    assert "https://cavuhb.nhs.wales" in texts(out)  # its confirmed contact (a website only)
    assert "postcode" not in asks(out)  # known already: not asked


async def test_the_place_question_comes_after_the_advice_and_a_postcode_names_the_board(talk):
    rec, _, out = await run_to_advice(
        talk, "The hospital cancelled my operation twice without telling me why", answers={"nation": "Wales"}
    )
    assert not organisations(rec)
    assert asks(out) == ["postcode"]  # with the advice, not before it
    assert "postcode or your town, I can give you the name and complaints contact of your local health board" in texts(
        out
    )
    out = await talk.say("CF10 1EP")
    assert CARDIFF_VALE in texts(out)
    assert "postcode" not in asks(out)
    tracker = await talk.tracker()
    assert tracker.get_slot("place") == {"areas": ["W06000015"], "nation": "wales", "kind": "postcode"}
    assert tracker.get_slot("postcode") is None


async def test_an_english_postcode_names_the_icb_with_its_complaints_page(talk):
    _, _, out = await run_to_advice(talk, "My GP receptionist was rude to me on Monday and I want an apology")
    seen, out = await answer_until(talk, out, {"postcode"})
    assert asks(out) == ["postcode"], seen
    out = await talk.say("it's LS1 4AP")
    t = texts(out)
    assert WEST_YORKSHIRE in t
    assert "https://www.westyorkshire.icb.nhs.uk/contact/comments-concerns-complaints" in t


async def test_declining_keeps_the_general_answer_and_is_never_asked_again(talk):
    rec, _, advice = await run_to_advice(
        talk, "The hospital cancelled my operation twice without telling me why", answers={"nation": "Wales"}
    )
    assert asks(advice) == ["postcode"]
    assert "First:" in texts(advice) and "How:" in texts(advice)  # the full general answer came already
    out = await talk.say("no thanks")
    assert "That's fine" in texts(out)
    seen, out = await answer_until(talk, out, set(), limit=8)
    assert "postcode" not in seen + asks(out)
    assert CARDIFF_VALE not in texts(out)


async def test_not_sure_is_let_go_gracefully(talk):
    _, _, out = await run_to_advice(
        talk, "The hospital cancelled my operation twice without telling me why", answers={"nation": "Wales"}
    )
    assert asks(out) == ["postcode"]
    out = await talk.say("not sure")
    assert "postcode" not in asks(out)
    assert "sorry" not in texts(out).lower()
