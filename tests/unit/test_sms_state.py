"""What the SMS channel keeps (bot/record/sms_state.py): no number unless a referral asked to be texted,
an opt-out list of keyed hashes that fails closed, and conversations that cannot be traced to a number."""

from __future__ import annotations

import logging
import sqlite3

import pytest

PHONE = "+447700900123"


@pytest.fixture()
def store(tmp_data_dir):
    from bot.record import Store

    return Store()


def _db(tmp_data_dir):
    return sqlite3.connect(tmp_data_dir / "record.db")


def _everything(tmp_data_dir) -> str:
    con = _db(tmp_data_dir)
    out = []
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        out += [repr(r) for r in con.execute(f"SELECT * FROM {table}")]
    return "\n".join(out)


def test_an_opt_out_is_a_keyed_hash_and_start_removes_it(store, tmp_data_dir):
    from bot.privacy import pseudonym

    assert store.sms_opted_out(PHONE) is False
    assert store.sms_set_opt_out(PHONE, True) and store.sms_opted_out(PHONE) is True
    assert store.sms_set_opt_out(PHONE, True)  # twice is once
    rows = _db(tmp_data_dir).execute("SELECT number_hash FROM rec_sms_opt_outs").fetchall()
    assert rows == [(pseudonym(PHONE),)]
    assert PHONE not in _everything(tmp_data_dir) and PHONE[1:] not in _everything(tmp_data_dir)
    assert store.sms_set_opt_out(PHONE, False) and store.sms_opted_out(PHONE) is False
    assert _db(tmp_data_dir).execute("SELECT count(*) FROM rec_sms_opt_outs").fetchone() == (0,)


def test_an_unreadable_opt_out_list_means_do_not_text_and_is_logged(store, tmp_data_dir, caplog):
    store.sms_opted_out(PHONE)
    con = _db(tmp_data_dir)
    con.execute("ALTER TABLE rec_sms_opt_outs RENAME TO broken")  # the read fails from now on
    con.commit()
    logger = logging.getLogger("bot.record.sms_state")  # our loggers may not propagate (bot.observability)
    logger.addHandler(caplog.handler)
    try:
        assert store.sms_opted_out(PHONE) is None
    finally:
        logger.removeHandler(caplog.handler)
    assert "cannot read the opt-out state" in caplog.text


def test_no_text_is_sent_when_the_opt_out_read_fails(store, tmp_data_dir):
    from channels.sms import SmsSender

    class Client:
        def __init__(self):
            self.sent = []
            self.messages = self

        def create(self, **kw):
            self.sent.append(kw)
            return type("Msg", (), {"sid": "SM1"})()

    sender = SmsSender("ACtest", "token", "+447700900000")
    sender.client = Client()
    assert sender.send({"phone": PHONE}, "An update") and len(sender.client.sent) == 1  # readable: sent
    con = _db(tmp_data_dir)
    con.execute("ALTER TABLE rec_sms_opt_outs RENAME TO broken")
    con.commit()
    assert sender.send({"phone": PHONE}, "Another update") is False
    assert len(sender.client.sent) == 1  # nothing more


def test_a_conversation_id_is_random_and_the_number_leads_to_it_only_while_it_lasts(store, tmp_data_dir):
    from bot.privacy import keyed_digest, pseudonym

    first = store.sms_conversation(PHONE)
    assert store.sms_conversation(PHONE) == first  # the same conversation goes on
    assert first not in (pseudonym(PHONE), keyed_digest("sms-conversation", PHONE).hex()[:24])
    assert store.sms_conversation("+447700900124") != first
    assert store.sms_end_conversation(PHONE)
    second = store.sms_conversation(PHONE)
    assert second != first  # a new case, not traceable to the old
    store.sms_end_conversation(PHONE)
    store.sms_end_conversation("+447700900124")
    assert _db(tmp_data_dir).execute("SELECT count(*) FROM rec_sms_conversations").fetchone() == (0,)


def test_an_idle_conversation_is_purged(store, tmp_data_dir):
    store.sms_conversation(PHONE)
    con = _db(tmp_data_dir)
    con.execute("UPDATE rec_sms_conversations SET updated_at = '2020-01-01 00:00:00'")
    con.commit()
    assert store.purge(365)["sms_conversations"] == 1


def _referral(store, anonymity, contact, conversation="c1", channel="sms"):
    return store.create_referral(
        conversation=conversation,
        channel=channel,
        idempotency_key=f"k-{conversation}",
        summary="s",
        facts={},
        routes=[],
        outcomes=[],
        anonymity=anonymity,
        contact=contact,
    )


def test_the_number_is_kept_only_on_a_referral_that_asked_to_be_texted_here(store, tmp_data_dir):
    from sqlalchemy import select

    from bot.privacy import unseal
    from bot.record.db import session_scope
    from bot.record.models import Referral
    from bot.record.sms_state import THIS_NUMBER

    here = _referral(store, "confidential", {"phone": THIS_NUMBER, "email": None}, "c1")
    anonymous = _referral(store, "anonymous", {"phone": THIS_NUMBER}, "c2")
    declined = _referral(store, "named", None, "c3")
    assert PHONE not in _everything(tmp_data_dir)
    assert store.keep_sms_number("c1", PHONE) == 1
    assert store.keep_sms_number("c2", PHONE) == 0 and store.keep_sms_number("c3", PHONE) == 0
    assert store.keep_sms_number("c1", PHONE) == 0  # once
    with session_scope() as s:
        rows = {r.ref: r for r in s.execute(select(Referral)).scalars()}
    assert rows[here].contact_pref == "sms" and unseal(rows[here].contact_sealed) == {"phone": PHONE}
    assert rows[anonymous].contact_sealed is None and rows[declined].contact_sealed is None
    assert PHONE not in _everything(tmp_data_dir)  # sealed, never in clear


def test_this_number_means_nothing_off_sms(store):
    from bot.record.sms_state import THIS_NUMBER

    ref = _referral(store, "named", {"phone": THIS_NUMBER}, "web1", channel="rest")
    assert store.keep_sms_number("web1", PHONE) == 0
    assert ref


def test_the_migration_keeps_opt_outs_and_drops_the_numbers(tmp_path, monkeypatch):
    from alembic import command

    from bot.record import db

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db.reset_engines()
    cfg = db.alembic_config()
    with db.get_engine().begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    con = sqlite3.connect(tmp_path / "record.db")
    con.execute("INSERT INTO rec_sms_state VALUES ('aaa', 1, 'sealed-number', '2026-01-01 00:00:00')")
    con.execute("INSERT INTO rec_sms_state VALUES ('bbb', 0, 'sealed-number', '2026-01-01 00:00:00')")
    con.commit()
    db.upgrade()
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "rec_sms_state" not in tables
    assert con.execute("SELECT number_hash FROM rec_sms_opt_outs").fetchall() == [("aaa",)]
    db.reset_engines()
