"""Limits shared across servers (issue 14, point 4): two Rasa servers and two web processes on one Redis
and one PostgreSQL record. A number texting both Rasa servers in turn, and sign-ins spread over both web
processes, are limited at the configured number in total, not once per server."""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from html import unescape
from typing import Dict, List, Tuple
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.integration.conftest import fresh_pg_database
from tests.integration.helpers import query
from tests.stack.conftest import SMS
from tests.support.stack import Stack, http

SMS_PER_MINUTE = 4
SIGNIN_ATTEMPTS = 6
PATH = "/webhooks/sms/webhook"
SLOW_DOWN = "You are sending messages very fast"
PASSWORD = "a long enough password 1"


@pytest.fixture(scope="module")
def shared(pg, redis_server, tmp_path_factory):
    """Two Rasa servers and a web process (one stack), and a second web process, all on one Redis."""
    from cryptography.fernet import Fernet

    record, tracker = fresh_pg_database(pg, "limits_record"), fresh_pg_database(pg, "limits_tracker")
    env = {
        **SMS,
        "DATABASE_URL": record,
        "TRACKER_DATABASE_URL": tracker,
        "REDIS_URL": redis_server.url,
        "PSEUDONYM_KEY": secrets.token_hex(32),
        "CONTACT_KEY": Fernet.generate_key().decode(),
        "INBOX_SESSION_KEY": Fernet.generate_key().decode(),
        "INBOX_TRUST_PROXY": "1",
        "SMS_RATE_PER_MINUTE": str(SMS_PER_MINUTE),
        "INBOX_SIGNIN_ATTEMPTS": str(SIGNIN_ATTEMPTS),
        "RETENTION_AUTO": "0",
    }
    stack = Stack(tmp_path_factory.mktemp("shared-limits"), rasa_servers=2, env=env)
    stack.record_url = record
    second = None
    try:
        stack.start(timeout=420)
        # The second web process: its own data folder and port, the same Rasa servers, record and Redis.
        second = Stack(tmp_path_factory.mktemp("shared-limits-web2"), rasa_servers=2, env={**env, "RUN_ONLY": "web"})
        second.env.update(RASA_PORT=str(stack.rasa_port), ACTION_PORT=str(stack.action_port))
        second.start(timeout=120)
        from bot.staff import add_staff

        add_staff("Alice Admin", "admin", PASSWORD, url=record)
        add_staff("Bob Reviewer", "reviewer", PASSWORD, url=record)
        stack.webs = [stack.web, second.web]
        yield stack
    finally:
        if second is not None:
            second.stop()
        stack.stop()


def text(stack: Stack, server: int, frm: str, body: str) -> List[str]:
    params = {
        "From": frm,
        "To": SMS["TWILIO_NUMBER"],
        "Body": body,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": SMS["TWILIO_ACCOUNT_SID"],
    }
    signature = RequestValidator(SMS["TWILIO_AUTH_TOKEN"]).compute_signature(SMS["PUBLIC_URL"] + PATH, params)
    status, xml = http(
        "POST",
        stack.rasa_url(server) + PATH,
        urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    assert status == 200, (status, xml)
    return [unescape(m) for m in re.findall(r"<Message>(.*?)</Message>", xml, re.S)]


def test_one_number_texting_both_servers_is_limited_once_in_total(shared):
    frm = "+4477009" + str(uuid.uuid4().int)[:5]
    replies = [text(shared, i % 2, frm, "hello" if i == 0 else "what can you do") for i in range(12)]
    answered = [r for r in replies if r and not r[0].startswith(SLOW_DOWN)]
    told = [r for r in replies if r and r[0].startswith(SLOW_DOWN)]
    print(f"\nsms: {len(answered)} answered of {len(replies)} sent to two servers in turn, limit {SMS_PER_MINUTE}")
    assert len(answered) == SMS_PER_MINUTE and replies[:SMS_PER_MINUTE] == answered  # not twice the limit
    assert len(told) == 1 and replies[SMS_PER_MINUTE] == told[0]  # told once, by either
    assert all(r == [] for r in replies[SMS_PER_MINUTE + 1 :])
    assert text(shared, 1, "+4477009" + str(uuid.uuid4().int)[:5], "hello")  # other numbers go on


def _login_form(web: str) -> Tuple[str, str]:
    status, page = http("GET", f"{web}/inbox/login")
    assert status == 200
    token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)
    return token, f"inbox_login_csrf={token}"


def sign_in(web: str, name: str, password: str, address: str) -> int:
    """The status of one sign-in (302 on success: redirects are not followed)."""
    import http.client

    token, cookie = _login_form(web)
    host, port = web.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request(
            "POST",
            "/inbox/login",
            urlencode({"login_token": token, "name": name, "password": password}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "X-Forwarded-For": address},
        )
        return conn.getresponse().status
    finally:
        conn.close()


def test_sign_ins_from_one_address_over_two_web_processes_stop_at_the_configured_number(shared):
    statuses = [sign_in(shared.webs[i % 2], f"Nobody {i}", "a wrong password", "203.0.113.50") for i in range(12)]
    print(
        f"\nsign-in: {statuses.count(401)} checked of {len(statuses)} over two web processes, "
        f"limit {SIGNIN_ATTEMPTS}"
    )
    assert statuses == [401] * SIGNIN_ATTEMPTS + [429] * (12 - SIGNIN_ATTEMPTS)
    assert sign_in(shared.webs[1], "Alice Admin", PASSWORD, "198.51.100.20") == 302  # another address is not


def _audits(record: str, name: str) -> List[str]:
    rows = query(
        record,
        "SELECT detail FROM rec_audit WHERE action = 'sign_in_failed' AND staff_name = :n " "ORDER BY id",
        n=name,
    )
    return [d for (d,) in rows]


def test_the_account_wait_counts_failures_from_both_web_processes(shared):
    from bot.staff import FREE_FAILURES

    for i in range(FREE_FAILURES):
        assert sign_in(shared.webs[i % 2], "Bob Reviewer", f"wrong password {i}", f"192.0.2.{10 + i}") == 401
    details = _audits(shared.record_url, "Bob Reviewer")
    # The fifth failure in a row, counted together, starts the wait, though each process saw two or three.
    assert details[: FREE_FAILURES - 1] == ["wrong password"] * (FREE_FAILURES - 1)
    assert details[FREE_FAILURES - 1].startswith("wrong password; next attempt in"), details


def test_concurrent_failures_on_one_account_are_each_counted(shared):
    results: Dict[int, int] = {}

    def attempt(i: int) -> None:
        results[i] = sign_in(shared.webs[i % 2], "Alice Admin", f"wrong password {i}", f"192.0.2.{100 + i}")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results.values()) == [401] * 6
    checked = [d for d in _audits(shared.record_url, "Alice Admin") if d.startswith("wrong password")]
    (count,) = query(shared.record_url, "SELECT failed_logins FROM rec_staff WHERE name = 'Alice Admin'")[0]
    assert count == len(checked), (count, checked)  # no failure lost between the two processes
