"""Privacy at rest: contact details a person types never lie in clear anywhere under DATA_DIR.

One stack on the embedded defaults (SQLite record and tracker store under DATA_DIR). Two people
type their phone number and email during the conversation: one chooses to stay anonymous, one
confidential. The stack is then stopped (so every log line is written and every file closed) and
every byte under DATA_DIR is searched: SQLite files, their WAL and journal files, the tracker
journal, logs, keys, run configuration.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Dict, List

import pytest

from tests.integration.helpers import Conversation, children
from tests.support.stack import Stack

ANON = {"phone": "07700 900456", "email": "anon.person@example.org"}
CONF = {"phone": "07700 900789", "email": "conf.person@example.org"}


def patterns(contact: Dict[str, str]) -> List[re.Pattern]:
    digits = re.sub(r"\D", "", contact["phone"])[1:]  # 7700900456: with or without 0 / +44
    phone = rb"\D{0,3}".join(re.escape(d.encode()) for d in (digits[:4], digits[4:7], digits[7:]))
    user = contact["email"].split("@")[0].encode()
    return [re.compile(phone), re.compile(re.escape(user), re.I)]


def found(data_dir: Path, contact: Dict[str, str]) -> List[str]:
    hits = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for pat in patterns(contact):
            for m in pat.finditer(data):
                hits.append(f"{path.relative_to(data_dir)}: ...{data[max(0, m.start() - 60):m.end() + 20]!r}")
    return hits


@pytest.fixture(scope="module")
def conversations(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("privacy")
    stack = Stack(data_dir).start(timeout=300)
    try:
        anon = Conversation(stack)
        anon.say(f"my GP receptionist was rude to me. Call me on {ANON['phone']} or email {ANON['email']}")
        anon.answer_until(
            "feedback",
            {"advocacy": "yes please", "anonymity": f"anonymously please, even though my email is {ANON['email']}"},
        )
        anon.say(f"my mobile is {ANON['phone']} if the advocate needs it")
        conf = Conversation(stack)
        conf.say(f"The hospital lost my test results. My number is {CONF['phone']}")
        conf.answer_until(
            "contact",
            {
                "advocacy": "yes please",
                "anonymity": "confidentially",
                "nation": "England",
                "service": "hospital",
                "issues": "they lost my results",
            },
        )
        conf.say(f"my number is {CONF['phone']} and my email is {CONF['email']}")
        assert children(stack)  # still whole at the end
    finally:
        stack.stop()
    return data_dir, anon, conf


def referral(data_dir: Path, ref: str):
    con = sqlite3.connect(data_dir / "record.db")
    try:
        return con.execute(
            "SELECT anonymity, contact_pref, contact_sealed FROM rec_referrals WHERE ref = ?", (ref,)
        ).fetchone()
    finally:
        con.close()


def test_an_anonymous_referral_leaves_no_phone_number_or_email_anywhere(conversations):
    data_dir, anon, _ = conversations
    refs = anon.confirmed_refs()
    assert len(refs) == 1, anon.turns
    assert "not kept any contact details" in " ".join(t.said for t in anon.turns)
    assert referral(data_dir, refs[0]) == ("anonymous", "none", None)
    assert (data_dir / "tracker.db").exists() and (data_dir / "logs").is_dir()  # the places searched exist
    hits = found(data_dir, ANON)
    assert not hits, "contact details of an anonymous person stored:\n" + "\n".join(hits[:20])


def test_a_confidential_referral_keeps_contact_details_only_encrypted(conversations):
    from cryptography.fernet import Fernet

    data_dir, _, conf = conversations
    refs = conf.confirmed_refs()
    assert len(refs) == 1, conf.turns
    anonymity, pref, sealed = referral(data_dir, refs[0])
    assert anonymity == "confidential" and sealed
    hits = found(data_dir, CONF)
    assert not hits, "contact details stored in clear:\n" + "\n".join(hits[:20])
    # They are there, encrypted with the contact key, for the staff who need them.
    key = (data_dir / "keys" / "contact.key").read_bytes().strip()
    contact = json.loads(Fernet(key).decrypt(sealed.encode()))
    assert contact["email"] == CONF["email"]
    assert re.sub(r"\D", "", contact.get("phone") or "").endswith("7700900789")
