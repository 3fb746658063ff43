"""Personal data requests (CONTRACT section 8): `bot data find` lists, `bot data erase` deletes, both audited."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

PHONE = "+447700900321"
EMAIL = "Sam.Jones@example.org"


def make_tracker(path, senders):
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
        "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
    )
    for sender in senders:
        for _ in range(3):
            con.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                (sender, time.time()),
            )
    con.commit()
    con.close()


@pytest.fixture()
def held(tmp_data_dir):
    """A named SMS referral (number and email sealed), its conversation's record and tracker events, a live
    SMS conversation, an opt-out, and someone else's conversation that must survive."""
    from bot.privacy import pseudonym
    from bot.record import get_store
    from bot.record import store as store_module

    store_module._store = None
    store = get_store()
    sender = "sms-aaaabbbbccccddddeeeeffff"
    conv = pseudonym(sender)
    ref = store.create_referral(
        conversation=conv,
        channel="sms",
        idempotency_key="k1",
        summary="s",
        facts={},
        routes=[],
        outcomes=[],
        anonymity="named",
        contact={"phone": PHONE, "email": EMAIL},
        transcript_consent=True,
        transcript=[("person", "my GP was rude")],
    )
    store.record_interactions([(conv, "sms", "utter_greet", None), (conv, "sms", "action_advice", None)])
    store.add_feedback(conv, "sms", next(iter(__import__("bot.record.catalogue", fromlist=["x"]).statements())), 4)
    store.record_interactions([("someone-else", "rest", "utter_greet", None)])
    live = f"sms-{store.sms_conversation(PHONE)}"
    store.sms_set_opt_out(PHONE, True)
    make_tracker(tmp_data_dir / "tracker.db", [sender, live, "someone-else-sender"])
    yield {"ref": ref, "conv": conv, "sender": sender, "live": live}
    store_module._store = None


def run(capsys, *argv):
    from bot.cli import main

    assert main(list(argv)) == 0
    return capsys.readouterr().out


def kinds(out):
    return {h["kind"]: h["count"] for h in json.loads(out)["held"]}


def test_find_by_phone_lists_kinds_counts_and_dates_never_content(held, capsys):
    out = run(capsys, "data", "find", "--phone", "07700 900321", "--json")
    assert kinds(out) == {
        "referral": 1,
        "transcript": 1,
        "feedback": 1,
        "interaction": 2,
        "conversation_events": 6,
        "sms_conversation": 1,
        "sms_opt_out": 1,
    }
    row = json.loads(out)["held"][0]
    assert set(row) == {"kind", "count", "first", "last"} and len(row["first"]) == 10
    assert "rude" not in out and PHONE not in out and held["ref"] not in out


def test_find_by_email_and_by_reference(held, capsys):
    by_email = kinds(run(capsys, "data", "find", "--email", " sam.jones@EXAMPLE.org", "--json"))
    assert by_email == {"referral": 1, "transcript": 1, "feedback": 1, "interaction": 2, "conversation_events": 3}
    by_ref = kinds(run(capsys, "data", "find", "--reference", held["ref"].lower().replace("-", " "), "--json"))
    assert by_ref == by_email


def test_nothing_held_is_an_empty_list(held, capsys):
    assert json.loads(run(capsys, "data", "find", "--phone", "+447700900999", "--json")) == {"held": []}
    assert "nothing held" in run(capsys, "data", "find", "--email", "nobody@example.org")


def test_a_dry_run_deletes_nothing_then_erase_deletes_everything_find_listed(held, capsys, tmp_data_dir):
    before = run(capsys, "data", "find", "--phone", PHONE, "--json")
    dry = json.loads(run(capsys, "data", "erase", "--phone", PHONE, "--dry-run", "--json"))
    assert dry["dry_run"] and dry["held"] == json.loads(before)["held"]
    assert run(capsys, "data", "find", "--phone", PHONE, "--json") == before
    done = json.loads(run(capsys, "data", "erase", "--phone", PHONE, "--json", "--by", "alex"))
    assert done["deleted"] == {h["kind"]: h["count"] for h in done["held"]}
    assert json.loads(run(capsys, "data", "find", "--phone", PHONE, "--json")) == {"held": []}
    assert json.loads(run(capsys, "data", "find", "--email", EMAIL, "--json")) == {"held": []}
    con = sqlite3.connect(tmp_data_dir / "tracker.db")
    assert {r[0] for r in con.execute("SELECT DISTINCT sender_id FROM events")} == {"someone-else-sender"}
    rec = sqlite3.connect(tmp_data_dir / "record.db")
    assert rec.execute("SELECT count(*) FROM rec_interactions WHERE conversation='someone-else'").fetchone() == (1,)
    audit = rec.execute("SELECT staff_name, action, target, detail FROM rec_audit ORDER BY id").fetchall()
    assert [a[1] for a in audit] == [
        "data_find",
        "data_erase_dry_run",
        "data_find",
        "data_erase",
        "data_find",
        "data_find",
    ]
    assert audit[3][0] == "alex" and audit[3][2] == "phone"
    dump = "\n".join(repr(r) for r in audit)
    assert PHONE not in dump and PHONE[3:] not in dump and EMAIL.lower() not in dump.lower()
    # And a grep: no form of the number or the email is in any file of the data folder (they were only ever
    # held sealed; the second `find` above shows the sealed rows are gone too).
    rec.close()
    con.close()
    forms = {PHONE, PHONE[3:], "0" + PHONE[3:], EMAIL, EMAIL.lower()}
    for path in tmp_data_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for form in forms:
                assert form.encode() not in raw and form.encode("utf-16-le") not in raw, (path.name, form)


def test_erase_by_reference_leaves_the_opt_out_of_the_number(held, capsys):
    run(capsys, "data", "erase", "--reference", held["ref"])
    assert kinds(run(capsys, "data", "find", "--phone", PHONE, "--json")) == {
        "sms_conversation": 1,
        "sms_opt_out": 1,
        "conversation_events": 3,
    }


def test_a_bad_phone_is_one_line(held, capsys):
    from bot.cli import main

    assert main(["data", "find", "--phone", "abc"]) == 2
