"""The production topology: PostgreSQL tracker store and record (separate databases), Redis locks,
two Rasa servers sharing one conversation."""

from __future__ import annotations

import yaml

from bot.privacy import redact
from tests.integration.helpers import (
    ANSWERS,
    Conversation,
    healthz,
    pseudonym_of,
    query,
    slots,
    tracker_events,
    user_texts,
)


def test_health_names_every_part_of_the_topology(healthy):
    status, body = healthz(healthy)
    assert status == 200, body
    assert [r["url"] for r in body["rasa"]] == [healthy.rasa_url(0), healthy.rasa_url(1)]
    assert all(r["ready"] and r["model_loaded"] and r["tracker_store"]["ok"] for r in body["rasa"])
    assert body["action_server"]["ready"] and body["database"]["ready"]
    assert body.get("lock_store", {}).get("ready") is True, body
    assert body["not_ready"] == []


def test_each_rasa_server_uses_postgresql_and_the_redis_lock_store(healthy):
    for instance in ("rasa-1", "rasa-2"):
        ep = yaml.safe_load((healthy.data_dir / "run" / instance / "endpoints.yml").read_text())
        assert ep["tracker_store"]["dialect"] == "postgresql"
        assert ep["tracker_store"]["db"] == healthy.tracker_url.rsplit("/", 1)[1]
        assert ep["lock_store"]["type"] == "redis"
    # Separate databases: Rasa's `events` only in the tracker's, our rec_* tables only in the record's.
    tables = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    record_tables = {t for (t,) in query(healthy.record_url, tables)}
    tracker_tables = {t for (t,) in query(healthy.tracker_url, tables)}
    assert "rec_referrals" in record_tables and "events" not in record_tables
    assert "events" in tracker_tables and not any(t.startswith("rec_") for t in tracker_tables)
    assert not list((healthy.data_dir).glob("*.db")), "nothing should fall back to SQLite"


def test_one_conversation_alternating_between_two_servers_keeps_its_state(healthy):
    talk = Conversation(healthy, servers=(0, 1))
    asked = []
    turn = talk.say("my GP receptionist was rude to me")
    for _ in range(16):
        assert turn.status == 200, turn
        if any("routes" in c for c in [m.get("custom") or {} for m in turn.messages]):
            break
        assert turn.asks, turn
        ask = turn.asks[-1]
        # State carries over between servers: nothing already answered is asked again.
        assert ask not in asked or ask == "feedback", f"{ask} asked again: {talk.turns}"
        asked.append(ask)
        turn = talk.say(ANSWERS[ask])
    rec = next(m["custom"] for m in turn.messages if "routes" in (m.get("custom") or {}))
    assert rec["routes"][0]["id"] == "provider" and rec["routes"][0]["role"] == "primary"
    assert rec["facts"]["service"] == "gp" and rec["facts"]["nation"] == "england"
    assert rec["facts"]["stage"] == "not_raised" and rec["facts"]["outcomes"] == ["apology"]
    assert {t.server for t in talk.turns} == {0, 1}

    # Both servers wrote to the one tracker in PostgreSQL, every turn in order, once.
    events = tracker_events(healthy.tracker_url, talk.sender)
    assert user_texts(events) == [redact(t.text) for t in talk.turns]
    state = slots(events)
    assert state["nation"] == "england" and state["recommended"] is True
    # And the record has its interactions under the conversation's pseudonym, not its id.
    rows = dict(query(healthy.record_url, "SELECT conversation, count(*) FROM rec_interactions GROUP BY conversation"))
    assert rows.get(pseudonym_of(healthy, talk.sender), 0) >= len(talk.turns)
    assert not any(talk.sender in c for c in rows)
