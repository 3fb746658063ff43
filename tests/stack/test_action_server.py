"""The action server accepts only Rasa (issue 10, fault 4).

Before: it listened on every interface with no authentication, and one unauthenticated POST to
/webhook with `next_action: validate_followup_form` created a referral with whatever summary it was
given. Now it listens on loopback by default, every request but the health check needs the shared
token, and it refuses to listen elsewhere without one.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import uuid

from tests.support.stack import PROJECT, http


def _forged_call():
    """What the attacker sent: the follow-up form, a wish for advocacy, a made-up summary, an email."""
    slots = {
        "advocacy": True,
        "anonymity": "named",
        "case_summary": "FORGED SUMMARY",
        "requested_slot": "contact",
        "recommended": True,
        "transcript_consent": False,
    }
    return {
        "next_action": "validate_followup_form",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "forged-" + uuid.uuid4().hex[:6],
            "slots": slots,
            "events": [],
            "latest_message": {"text": "forged@example.org", "intent": {"name": "inform"}, "entities": []},
            "active_loop": {"name": "followup_form"},
            "latest_action_name": "action_listen",
        },
    }


def _referrals(stack):
    con = sqlite3.connect(stack.data_dir / "record.db")
    try:
        return con.execute("SELECT count(*) FROM rec_referrals WHERE summary LIKE '%FORGED%'").fetchone()[0]
    finally:
        con.close()


def test_the_forged_call_is_refused_and_creates_nothing(stack):
    url = f"http://127.0.0.1:{stack.action_port}"
    status, body = http("POST", f"{url}/webhook", _forged_call())
    assert status == 401 and body == {"error": "not authorised"}
    for header in ("Bearer wrong-token", "Basic abc", "Bearer ", "bearer"):
        assert http("POST", f"{url}/webhook", _forged_call(), headers={"Authorization": header})[0] == 401
    assert http("GET", f"{url}/actions")[0] == 401
    assert _referrals(stack) == 0
    assert http("GET", f"{url}/health")[0] == 200  # the health check stays open (it says nothing)
    # Rasa itself, with the token from its environment, still runs the actions.
    assert stack.say("as-" + uuid.uuid4().hex[:8], "my GP receptionist was rude to me")


def _outside_address():
    """An address of this machine that is not loopback, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_the_action_server_listens_on_loopback_only(stack):
    address = _outside_address()
    if address is None:
        import pytest

        pytest.skip("this machine has no address but loopback")
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((address, stack.action_port)) != 0  # not reachable from outside
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", stack.action_port)) == 0


def test_it_refuses_to_listen_on_other_interfaces_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    env.update(ACTION_HOST="0.0.0.0", DATA_DIR=str(tmp_path))
    p = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", "1"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2 and "ACTION_SERVER_TOKEN" in p.stderr
    p = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=PROJECT,
        env={**env, "RUN_ONLY": "actions"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2 and "ACTION_SERVER_TOKEN" in p.stderr and len(p.stderr.strip().splitlines()) == 1
