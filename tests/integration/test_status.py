"""Status by reference on the REST channel (informed-1), against the PostgreSQL record.

A person's own reference gives the current status and the last update; a reference nobody has and a
malformed one get a clear answer that says nothing about anybody's referral.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.record import db
from bot.record.store import REF_ALPHABET, new_reference
from tests.integration.helpers import REF_SHAPE, Conversation, query, wait_health

EXAMPLE_REF = "KX7-4PQ-2M"  # the example the bot gives in its questions
STATUS_WORDS = re.compile(
    r"waiting for someone|looking at your request|passed on|is now closed|latest update|" r"Last changed", re.I
)


@pytest.fixture(scope="module")
def referral(topo):
    wait_health(topo, 200, timeout=300)
    talk = Conversation(topo, servers=(0, 1))
    talk.answer_until("contact", {"advocacy": "yes please"})
    talk.say("email me at status.person@example.org")
    refs = talk.confirmed_refs()
    assert len(refs) == 1, talk.turns
    return talk, refs[0]


@pytest.fixture()
def staff(topo, monkeypatch):
    """The inbox's own functions, on the stack's record."""
    monkeypatch.setenv("DATABASE_URL", topo.record_url)
    db.reset_engines()
    from bot import notify
    from bot.web.inbox import queries

    yield queries, notify
    db.reset_engines()


def other_refs(said: str):
    return {r for r in REF_SHAPE.findall(said) if r != EXAMPLE_REF}


def test_the_persons_own_reference_gives_its_status(healthy, referral):
    talk, ref = referral
    # In the same conversation, in a sentence, on either server.
    for server in (0, 1):
        turn = talk.say(f"what's happening with {ref}?", server=server)
        assert turn.status == 200
        assert ref in turn.said and "waiting for someone to look at it" in turn.said, turn
        today = dt.datetime.utcnow()
        assert f"Last changed on {today.day} {today:%B %Y}" in turn.said, turn
    # Coming back later, from another device: the reference alone, however it is typed.
    for typed in (ref, ref.lower(), ref.replace("-", " ")):
        turn = Conversation(healthy, servers=(1,)).say(typed)
        assert turn.status == 200 and ref in turn.said and "waiting for someone" in turn.said, (typed, turn)


def test_a_change_by_staff_and_their_update_are_what_the_person_hears(healthy, referral, staff):
    queries, notify = staff
    _, ref = referral
    queries.change_status(ref, "in_review", "", "new", None, dt.datetime.utcnow())
    notify.send_update(ref, "An advocate will phone you on Monday morning.", url=healthy.record_url)
    turn = Conversation(healthy, servers=(0,)).say(f"any news on my request {ref}")
    assert turn.status == 200
    assert f"Someone is looking at your request {ref} now." in turn.said, turn
    assert "The latest update: An advocate will phone you on Monday morning." in turn.said, turn
    assert other_refs(turn.said) == {ref}


def _with_the_stacks_key(topo, monkeypatch, make):
    """Something made with the stack's PSEUDONYM_KEY (references carry a keyed check character)."""
    from bot import privacy

    monkeypatch.setenv("PSEUDONYM_KEY", topo.keys["PSEUDONYM_KEY"])
    privacy._pseudonym_key.cache_clear()
    try:
        return make()
    finally:
        monkeypatch.undo()
        privacy._pseudonym_key.cache_clear()


def test_an_unknown_reference_gets_a_clear_answer_that_reveals_nothing(healthy, referral, monkeypatch):
    known = {r for (r,) in query(healthy.record_url, "SELECT ref FROM rec_referrals")}
    unknown = _with_the_stacks_key(healthy, monkeypatch, new_reference)  # well-formed, and nobody's
    while unknown in known:
        unknown = _with_the_stacks_key(healthy, monkeypatch, new_reference)
    for text in (unknown, f"what's happening with {unknown}"):
        turn = Conversation(healthy, servers=(1,)).say(text)
        assert turn.status == 200, turn
        assert "can't find that reference" in turn.said, turn
        assert not STATUS_WORDS.search(turn.said), turn
        assert not other_refs(turn.said) - {unknown}, turn
        assert not other_refs(turn.said) & known, turn


@pytest.mark.parametrize(
    "text",
    [
        "what's happening with KX7-4PQ",
        "status of ABC-DEF-GH please",
        "what's happening with {wrong_check}",
        "my reference is {too_short}",
    ],
)
def test_a_malformed_reference_gets_a_clear_answer_that_reveals_nothing(healthy, referral, text):
    _, ref = referral
    wrong_check = ref[:-1] + next(c for c in REF_ALPHABET if c != ref[-1])
    text = text.format(wrong_check=wrong_check, too_short=ref[:-2])
    known = {r for (r,) in query(healthy.record_url, "SELECT ref FROM rec_referrals")}
    turn = Conversation(healthy, servers=(0,)).say(text)
    assert turn.status == 200, turn
    assert re.search(r"What is your reference\?|can't find that reference", turn.said), turn
    assert not STATUS_WORDS.search(turn.said), turn
    assert not other_refs(turn.said) & known, turn
