"""Faults in the production topology, each on the shared topology stack, which each test must leave whole.

The person is always told the truth: never an empty reply or a 500, never told that something failed
to save was saved; /healthz names what is wrong while it is wrong; and nothing they were answered on
is silently lost once the fault is over.
"""

from __future__ import annotations

import re
import time

from bot.privacy import redact
from tests.integration.helpers import (
    ANSWERS,
    ASK_FOR_ADVOCATE,
    OPENING,
    SAVED,
    Conversation,
    children,
    healthz,
    kill,
    pseudonym_of,
    query,
    slots,
    tracker_events,
    user_texts,
    wait_for,
    wait_health,
)

#: A plain statement that nothing was saved (the message of an outage, or of a referral not saved).
NOT_SAVED = re.compile(r"\bnot\b[^.]{0,40}\bsaved\b|\bnothing\b[^.]{0,60}\bsaved\b|\bNOT been passed on\b", re.I)
KIND_ERROR = re.compile(r"\b(sorry|try again)\b", re.I)


def told_not_kept(turn) -> bool:
    """The person was told this message was not taken in (so it must not be in the tracker either)."""
    return (
        turn.status == 503
        and any((m.get("custom") or {}).get("error") == "store_unavailable" for m in turn.messages)
        and NOT_SAVED.search(turn.said)
    )


def assert_honest(turn) -> None:
    assert turn.status in (200, 503), turn
    assert turn.said.strip(), f"empty reply: {turn}"
    assert "Traceback" not in turn.said and "Exception" not in turn.said, turn


def assert_tracker_matches(stack, talk) -> None:
    """Every turn the person was answered on is stored, once, in order; the ones they were told
    were not kept are not."""
    stored = user_texts(tracker_events(stack.tracker_url, talk.sender))
    kept = [redact(t.text) for t in talk.turns if not told_not_kept(t)]
    assert stored == kept, f"tracker has {stored}\nperson was answered on {kept}\nturns: {talk.turns}"


def refs_in_record(stack) -> dict:
    rows = query(stack.record_url, "SELECT ref, count(*) FROM rec_referrals GROUP BY ref")
    return dict(rows)


# ------------------------------------------------------------------ a. actions
def test_the_action_server_killed_mid_conversation(healthy):
    talk = Conversation(healthy, servers=(0, 1))
    first = talk.say(OPENING)
    ask = first.asks[-1]
    answer = ANSWERS[ask]
    old = children(healthy)["actions"]
    kill(old)

    turn = talk.say(answer)
    assert_honest(turn)
    assert turn.status == 200 and KIND_ERROR.search(turn.said), turn
    status, body = healthz(healthy)
    assert status == 503 and "action_server" in body["not_ready"], body

    wait_health(healthy, 200, timeout=180)  # the supervisor restarted it
    assert children(healthy)["actions"] != old
    again = talk.say(answer)
    assert again.status == 200 and again.asks and again.asks[-1] != ask, f"did not resume: {talk.turns}"
    talk.answer_until("routes")
    state = slots(tracker_events(healthy.tracker_url, talk.sender))
    assert state.get("recommended") is True and state.get("nation") == "england"


# ------------------------------------------------------------ b. PostgreSQL
def test_postgresql_stopped_and_restarted_mid_conversation(healthy, pg):
    advocacy = {"advocacy": "yes please"}
    # Before: one person has a referral confirmed, one is at the contact question, one is mid-intake.
    done = Conversation(healthy, servers=(0, 1))
    done.answer_until("contact", advocacy)
    done.say("email me at done.person@example.org")
    assert len(done.confirmed_refs()) == 1, done.turns
    waiting = Conversation(healthy, servers=(1, 0))
    waiting.answer_until("contact", advocacy)
    middle = Conversation(healthy, servers=(0, 1))
    middle.say(OPENING)

    pg.stop()
    try:
        during = [
            waiting.say("email me at waiting.person@example.org"),
            middle.say("England"),
            waiting.say("you can email me at waiting.person@example.org", server=0),
        ]
        for turn in during:
            assert_honest(turn)
            assert not SAVED.search(turn.said), f"told a failed save succeeded: {turn}"
            assert NOT_SAVED.search(turn.said), f"not told plainly that nothing was saved: {turn}"
        status, body = healthz(healthy)
        assert status == 503, body
        assert "database" in body["not_ready"], body
        assert all(not r["tracker_store"]["ok"] for r in body["rasa"] if r.get("tracker_store")), body
    finally:
        pg.start()

    wait_health(healthy, 200, timeout=120)
    middle.say("England")
    retry = waiting.say("email me at waiting.person@example.org")
    assert SAVED.search(retry.said), f"the referral was not made after the outage: {waiting.turns}"
    middle.answer_until("routes")

    # Every reference confirmed to a person exists exactly once, and each person has one referral.
    record = refs_in_record(healthy)
    for talk in (done, waiting, middle):
        for ref in talk.confirmed_refs():
            assert record.get(ref) == 1, (ref, record)
    per_person = dict(
        query(healthy.record_url, "SELECT conversation, count(*) FROM rec_referrals GROUP BY conversation")
    )
    assert per_person.get(pseudonym_of(healthy, done.sender)) == 1
    assert per_person.get(pseudonym_of(healthy, waiting.sender)) == 1
    assert len(set(done.confirmed_refs() + waiting.confirmed_refs())) == 2
    # No tracker event silently dropped.
    for talk in (done, waiting, middle):
        assert_tracker_matches(healthy, talk)


def _set_read_only(pg, database: str, on: bool) -> None:
    """Make a database refuse writes (as after a fail-over to a replica, or a full disk), or accept them."""
    admin = pg.url("postgres")
    setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
    import sqlalchemy as sa

    engine = sa.create_engine(admin, future=True, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{database}" {setting}'))
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :d AND pid <> pg_backend_pid()"
                ),
                {"d": database},
            )
    finally:
        engine.dispose()


def test_writes_refused_mid_conversation_are_journalled_and_written_back(healthy, pg):
    """PostgreSQL answers reads but refuses writes: conversations carry on from the journal, on either
    server, referrals are plainly not saved, and every turn is written back when writes return."""
    tracker_db = healthy.tracker_url.rsplit("/", 1)[1]
    record_db = healthy.record_url.rsplit("/", 1)[1]
    talk = Conversation(healthy, servers=(0, 1))
    talk.answer_until("routes")
    ask = None  # after the advice, the person asks for an advocate in words (it is offered, not asked)
    answers = {**ANSWERS, "advocacy": "yes please", "anonymity": "confidentially"}
    answered = []
    _set_read_only(pg, tracker_db, True)
    _set_read_only(pg, record_db, True)
    try:
        for _ in range(20):
            turn = talk.say(answers[ask] if ask else ASK_FOR_ADVOCATE)
            assert_honest(turn)
            assert not SAVED.search(turn.said), f"told a failed save succeeded: {turn}"
            if turn.status == 503:
                assert told_not_kept(turn), turn
                time.sleep(1)
                continue  # the person is told; they send it again a little later
            assert turn.asks, turn
            if ask:
                answered.append(ask)
            ask = turn.asks[-1]
            # Whichever server answers, the conversation goes on from the journal: nothing is asked twice.
            assert ask not in answered or ask == "feedback", f"{ask} asked again: {talk.turns}"
            if ask == "contact":
                break
        else:
            raise AssertionError(f"never reached the contact question: {talk.turns}")
        turn = talk.say("email me at readonly.person@example.org")
        assert_honest(turn)
        assert not SAVED.search(turn.said) and NOT_SAVED.search(turn.said), turn
        status, body = healthz(healthy)
        assert status == 503, body
    finally:
        _set_read_only(pg, tracker_db, False)
        _set_read_only(pg, record_db, False)

    wait_health(healthy, 200, timeout=120)
    wait_for(
        lambda: all(r["tracker_store"]["pending_conversations"] == 0 for r in healthz(healthy)[1]["rasa"]),
        60,
        "the journal to be written back",
    )
    assert_tracker_matches(healthy, talk)
    # The conversation carries on from where it was, and the person can now ask for help again.
    state = slots(tracker_events(healthy.tracker_url, talk.sender))
    assert state.get("recommended") is True and state.get("referral_ref") in (None, "")
    assert not refs_in_record(healthy).keys() & set(talk.confirmed_refs())


# ---------------------------------------------------------------- d. Redis
def test_redis_down_degrades_clearly_and_corrupts_nothing(healthy, redis_server):
    talk = Conversation(healthy, servers=(0, 1))
    first = talk.say(OPENING)
    ask = first.asks[-1]
    answer = ANSWERS[ask]
    redis_server.stop()
    try:
        turn = talk.say(answer)
        assert_honest(turn)
        assert KIND_ERROR.search(turn.said), turn
        assert not turn.asks, f"a turn was processed without the lock: {turn}"
        status, body = healthz(healthy)
        assert status == 503 and "lock_store" in body["not_ready"], body
    finally:
        redis_server.start()
    wait_health(healthy, 200, timeout=120)

    again = talk.say(answer)
    assert again.status == 200 and again.asks and again.asks[-1] != ask, talk.turns
    talk.answer_until("routes")
    events = tracker_events(healthy.tracker_url, talk.sender)
    # The turn refused during the outage is not in the tracker; every other one is, once, in order.
    assert user_texts(events) == [redact(t.text) for t in talk.turns if t is not turn]
    assert slots(events).get("recommended") is True


# ------------------------------------------------------------ c. one Rasa down
def test_one_rasa_server_killed_the_other_carries_on(healthy):
    talk = Conversation(healthy, servers=(0, 1))
    talk.say(OPENING)
    talk.say("England")
    asked = talk.turns[-1].asks
    old = children(healthy)["rasa-2"]
    kill(old)
    time.sleep(0.5)
    talk.servers = [0]
    status, body = healthz(healthy)
    assert status == 503 and f"rasa ({healthy.rasa_url(1)})" in body["not_ready"], body
    turn = talk.answer_until("routes")
    assert asked and talk.turns[2].asks != asked, f"the other server did not carry on: {talk.turns}"
    rec = next(m["custom"] for m in turn.messages if "routes" in (m.get("custom") or {}))
    assert rec["facts"]["nation"] == "england"

    wait_health(healthy, 200, timeout=300)  # the supervisor started it again
    assert children(healthy)["rasa-2"] != old
    after = talk.say("thank you", server=1)
    assert after.status == 200 and after.said
    assert user_texts(tracker_events(healthy.tracker_url, talk.sender)) == [redact(t.text) for t in talk.turns]
