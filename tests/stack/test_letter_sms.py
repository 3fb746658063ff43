"""A drafted letter over SMS, end to end (issue 16): texted as a link that works, stops working when it
expires, and is gone from the database after the purge."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess

from tests.integration.helpers import ANSWERS
from tests.stack.test_referrals import _sms_until
from tests.stack.test_sms import number
from tests.support.stack import PROJECT, http

LINK = re.compile(r"/l/([A-Za-z0-9_-]{20,})")


def _rows(stack):
    con = sqlite3.connect(stack.data_dir / "record.db")
    try:
        return con.execute("SELECT token_hash, expires_at FROM rec_letter_links").fetchall()
    finally:
        con.close()


def test_a_letter_over_sms_is_a_link_that_works_expires_and_is_purged(stack):
    answers = {**ANSWERS, "letter": "yes please", "advocacy": "no thanks"}
    said = _sms_until(
        stack,
        number(),
        "my GP receptionist was rude to me and shouted at me in front of everyone",
        answers,
        lambda t: bool(LINK.search(t)),
    )
    token = LINK.search(said).group(1)
    assert "7 days" in said

    status, page = http("GET", f"{stack.web}/l/{token}")
    assert status == 200 and "Your draft letter" in page and "receptionist" in page

    # A week later (moved on in the database, as the clock cannot be): refused before any purge.
    before = len(_rows(stack))
    con = sqlite3.connect(stack.data_dir / "record.db")
    try:
        past = (dt.datetime.utcnow() - dt.timedelta(minutes=1)).isoformat(sep=" ")
        con.execute("UPDATE rec_letter_links SET expires_at = ?", (past,))
        con.commit()
    finally:
        con.close()
    status, gone = http("GET", f"{stack.web}/l/{token}")
    assert status == 404 and "receptionist" not in gone

    # The daily purge deletes it for good.
    env = dict(os.environ, DATA_DIR=str(stack.data_dir))
    out = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "python"), "-m", "bot", "purge"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert before >= 1 and _rows(stack) == []
