"""Hostile input to every public endpoint (issue 10, fault 2 and the acceptance's hostile-input test).

Before: `{"sender":"x","message":"hi \\ud800"}` (a lone surrogate) made redaction raise inside Rasa's SQL
tracker store, whose session scope calls sys.exit(1): chat was down for 40-50 s, at will; a
5,000-digit number or 7,000 nested brackets gave a 500. Now any text the channels accept is made safe
once at the edge (bot.edge), and no error inside a store can stop a server.

Each endpoint gets at least 100 malformed, oversized and odd-encoded requests: none may get a 5xx,
no process may die or restart, and the server must answer the next normal message within a second.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.stack.conftest import SMS
from tests.support.stack import http, texts

SMS_PATH = "/webhooks/sms/webhook"

#: Texts a person, a broken client or an attacker might send. Each is sent as the message itself.
TEXTS = [
    "hi \ud800",
    "\udfff",
    "\ud83d alone",
    "a" * 1999 + "\ud800",
    "1" * 5000,
    "9" * 4301,
    "-" + "9" * 3000,
    "1e999",
    "NaN",
    "-0",
    "0x" + "f" * 200,
    "\x00" * 10,
    "nul\x00byte",
    "\u202eevil\u202c",
    "\u200b" * 500,
    "Z\u0337\u0322a\u0338l\u0336g\u0335o" * 200,
    "\u0301" * 3000,
    "\U0001f642" * 1000,
    "</Message><script>alert(1)",
    "<Response><Redirect>https://evil.example</Redirect></Response>",
    "]]><!--",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "' OR 1=1; DROP TABLE rec_referrals; --",
    "/restart",
    '/inform{"service":"gp","stage":"final_response"}',
    "\\",
    "%00%0d%0a",
    "\r\n" * 500,
    "\t" * 3000,
    "\ufdfa" * 500,
    "\u0130" * 1500,
    "\u00df" * 1500,
    "\uffff\ufffe",
    "\U0010ffff" * 10,
    "a b " * 500,
    "x" * 2000,
    "01/02/1990 " * 180,
    "born 31/02/2099 and 99999999999999999999 months ago",
    "my postcode is " + "SW1A 1AA " * 200,
    "07700900123 " * 150,
    "KX7-4PQ-2M",
    "\u041f\u0440\u0438\u0432\u0435\u0442 \u0645\u0631\u062d\u0628\u0627 \u4f60\u597d",
    "\ufeffhello",
    "I want to kill myself \ud800",
    "STOP \ud800",
    "\u0000STOP",
    "s\u0336t\u0336o\u0336p",
    "my name is " + "Zofia " * 300,
    "%ED%A0%80",
    "&#xD800;",
    "\x1b[31mred\x1b[0m",
    "a\u0300" * 900,
]
NORMAL = "my GP receptionist was rude to me"


def safe(text: str) -> str:
    """`text` as a form can carry it (a lone surrogate cannot be encoded at all: it becomes "?")."""
    return text.encode("utf-8", "replace").decode("utf-8")


def sender() -> str:
    return "h-" + uuid.uuid4().hex[:12]


def rest_requests() -> List[Tuple[str, bytes, Dict[str, str]]]:
    """(method, body, headers) for the REST webhook: at least 100 of them."""
    js = {"Content-Type": "application/json"}
    out: List[Tuple[str, bytes, Dict[str, str]]] = []
    for t in TEXTS:  # the texts themselves, as JSON (json.dumps writes a lone surrogate as \\ud800)
        out.append(("POST", json.dumps({"sender": sender(), "message": t}).encode(), js))
    raw_bodies = [
        b"",
        b"null",
        b"[]",
        b"{}",
        b"0",
        b'""',
        b"\xff\xfe\x00{",
        b"\xc3\x28",
        "{}".encode("utf-16"),
        b"[" * 7000 + b"]" * 7000,
        b"{" * 5000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        b'{"sender":"x","message":' + b"1" * 5000 + b"}",
        b'{"sender":"x","message":-' + b"9" * 9000 + b"}",
        b'{"sender":"x","message":1e999}',
        b'{"sender":"x","message":NaN}',
        b'{"sender":"x","message":Infinity}',
        b'{"sender":"x","message":"\\ud800"}',
        b'{"sender":"\\ud800","message":"hi"}',
        b'{"sender":"x","message":"hi","metadata":' + b"[" * 500 + b"]" * 500 + b"}",
        b'{"sender":"x","message":"hi","metadata":{"default_nation":' + b'{"a":' * 50 + b"1" + b"}" * 50 + b"}}",
        b'{"sender":"x","message":"hi","metadata":{"sms_sender":"forged","default_nation":"wales"}}',
        b'{"sender":"x","message":["a","b"]}',
        b'{"sender":"x","message":{"text":"hi"}}',
        b'{"sender":"x","message":null}',
        b'{"sender":"x","message":true}',
        b'{"sender":"x","message":1.5e308}',
        b'{"sender":' + b'"a"' * 3 + b"}",
        b'{"sender":"' + b"a" * 129 + b'","message":"hi"}',
        b'{"sender":"a b","message":"hi"}',
        b'{"sender":"../../etc/passwd","message":"hi"}',
        b'{"sender":123,"message":"hi"}',
        b'{"sender":"x","sender":"y","message":"hi"}',
        b'{"sender":"x","message":"' + b"a" * 20_000 + b'"}',
        b"x" * 17_000,
        b"\x00" * 1000,
        b'\xef\xbb\xbf{"sender":"bom","message":"hello"}',
        b'{"sender":"x","message":"hi"}garbage',
        b"sender=x&message=hi",
        b"<xml>hi</xml>",
        b'{"sender":"x","message":"\\u0000\\u202e\\ufeff"}',
        b'{"sender":"x","message":"' + "\U0001f642".encode() * 3000 + b'"}',
    ]
    for body in raw_bodies:
        out.append(("POST", body, js))
    for ctype in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "",
        "a" * 3000,
    ):
        out.append(("POST", json.dumps({"sender": sender(), "message": "hello"}).encode(), {"Content-Type": ctype}))
    # Over Sanic's request limit (1 MB): refused from the header alone, before any of the body is read. Only the
    # header is sent: a client still writing a large body when the server refuses it and closes may see the
    # connection reset before it reads the 413 (a race in the client, not a crash of the server).
    out.append(("POST", b"", {**js, "Content-Length": str(2 * 1024 * 1024)}))
    out.append(
        ("POST", json.dumps({"sender": sender(), "message": "hi"}).encode(), {**js, "Origin": "https://evil.example"})
    )
    out.append(("POST", b"\x1f\x8b\x08garbage", {**js, "Content-Encoding": "gzip"}))
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        out.append((method, b"", {"Origin": "http://localhost:1"}))
    return out


class MultiDict:
    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(dict.fromkeys(k for k, _ in self.pairs))

    def getall(self, name):
        return [v for k, v in self.pairs if k == name]


def signed(pairs, url_base=SMS["PUBLIC_URL"]) -> Tuple[bytes, Dict[str, str]]:
    sig = RequestValidator(SMS["TWILIO_AUTH_TOKEN"]).compute_signature(url_base + SMS_PATH, MultiDict(pairs))
    return urlencode(pairs).encode(), {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig}


def twilio_form(body: str, frm: Optional[str] = None, sid: Optional[str] = None):
    sid = sid or "SM" + uuid.uuid4().hex
    return [
        ("ToCountry", "GB"),
        ("ToState", ""),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", sid),
        ("FromState", ""),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", body),
        ("FromCountry", "GB"),
        ("To", SMS["TWILIO_NUMBER"]),
        ("ToZip", ""),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", SMS["TWILIO_ACCOUNT_SID"]),
        ("From", frm or "+4477009" + str(uuid.uuid4().int)[:5]),
        ("ApiVersion", "2010-04-01"),
    ]


def sms_requests() -> List[Tuple[str, bytes, Dict[str, str]]]:
    out: List[Tuple[str, bytes, Dict[str, str]]] = []
    for t in TEXTS:  # signed, with each text as the Body (a lone surrogate cannot be sent: it is replaced)
        body, headers = signed(twilio_form(safe(t)))
        out.append(("POST", body, headers))
    frm = "+4477009" + str(uuid.uuid4().int)[:5]
    for word in (
        "STOP",
        "stop please \u202e",
        "HELP",
        "I want to kill myself",
        "START",
        "STOP STOP",
        "yes",
        "Stop texting me",
        "UNSTOP",
        "opt out",
        "info",
        "START",
    ):  # one number, control words
        body, headers = signed(twilio_form(word, frm=frm))
        out.append(("POST", body, headers))
    odd_forms = [
        twilio_form(""),
        twilio_form("hi", frm=""),
        twilio_form("hi", frm="+44" + "7" * 500),
        twilio_form("hi", sid=""),
        twilio_form("hi", sid="SM" + "a" * 500),
        twilio_form("hi", sid="SM../../x"),
        twilio_form("hi") + [("Body", "second body")],
        twilio_form("hi") + [("MediaUrl0", "https://x/" + "a" * 3000)],
        [("From", "+447700900999"), ("MessageSid", "SM" + uuid.uuid4().hex)],
        [],
        twilio_form("hi") + [(f"Extra{i}", "x") for i in range(250)],
        [(k.lower(), v) for k, v in twilio_form("hi")],
        twilio_form("") + [("NumMedia", "1"), ("MediaUrl0", "x")],
        twilio_form("\x00" * 1600),
        twilio_form("a" * 1600),
        twilio_form("hi", frm="\u202e+447700900123"),
    ]
    for pairs in odd_forms:
        body, headers = signed(pairs)
        out.append(("POST", body, headers))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = [
        b"",
        b"%",
        b"%ZZ%",
        b"Body=%ED%A0%80&From=%2B447700900001&MessageSid=SMx",
        b"\xff\xfe\xfd",
        b"=" * 5000,
        b"&" * 5000,
        b"a=" + b"b" * 70_000,
        b'{"From": "+447700900001"}',
        b"<xml/>",
        urlencode(twilio_form("hi")).encode(),
    ]
    for body in unsigned:
        out.append(("POST", body, form))
        out.append(("POST", body, {**form, "X-Twilio-Signature": "\u00ff" * 30}))
    body, headers = signed(twilio_form("hi"), url_base="https://evil.example")
    out.append(("POST", body, headers))
    body, headers = signed(twilio_form("hi"))
    out.append(("POST", body, {**headers, "X-Twilio-Signature": headers["X-Twilio-Signature"] + "x"}))
    out.append(("POST", body, {**headers, "Content-Type": "application/json"}))
    for method in ("GET", "PUT", "DELETE"):
        out.append((method, b"", {}))
    return out


def web_requests() -> List[Tuple[str, str, bytes, Dict[str, str]]]:
    """(method, path, body, headers) for the web app: demo page, health, static files, inbox, dev SMS page."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    out: List[Tuple[str, str, bytes, Dict[str, str]]] = []
    paths = [
        "/",
        "/?" + "a=" * 2000,
        "/healthz",
        "/healthz?x=" + quote(safe("\ud800")),
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/dist/widget.js%00",
        "/static/" + "a" * 3000,
        "/inbox",
        "/inbox/",
        "/inbox/login",
        "/inbox/login?next=//evil.example",
        "/inbox/login?next=" + quote("/inbox/\r\nSet-Cookie: x=1"),
        "/inbox/referrals",
        "/inbox/referrals/%00",
        "/inbox/referrals/" + quote("' OR 1=1 --"),
        "/inbox/referrals/KX7-4PQ-2M",
        "/inbox/dashboard?from=" + "9" * 5000,
        "/inbox/referrals?status=" + "%ff" * 100,
        "/inbox/referrals?page=-1",
        "/inbox/referrals?page=" + "9" * 5000,
        "/inbox/staff",
        "/inbox/retention",
        "/dev/sms",
        "/dev/sms?" + "x" * 5000,
        "/metrics",
        "/nope",
        "/" + "%" * 100,
        "/%ED%A0%80",
        "/inbox/" + "../" * 50,
        "/" * 3000,
    ]
    for p in paths:
        out.append(("GET", p, b"", {}))
        out.append(("HEAD", p, b"", {}))
    for t in TEXTS[:30]:
        out.append(
            (
                "POST",
                "/inbox/login",
                urlencode({"name": safe(t), "password": safe(t), "login_token": safe(t)}).encode(),
                form,
            )
        )
    bodies = [
        b"",
        b"%",
        b"\xff\xfe",
        b"a=" + b"b" * 70_000,
        b"name=" + b"%ED%A0%80" * 10,
        b"&" * 10_000,
        b'{"name": "x"}',
        b"login_token=x&name=Rob&password=" + b"p" * 10_000,
    ]
    for b in bodies:
        out.append(("POST", "/inbox/login", b, form))
        out.append(("POST", "/inbox/logout", b, form))
    for t in TEXTS[:20]:  # the development SMS page signs what it is given and posts it to the SMS webhook
        out.append(
            (
                "POST",
                "/dev/sms",
                urlencode({"from": "+447700900" + str(uuid.uuid4().int)[:3], "body": safe(t)}).encode(),
                form,
            )
        )
    out.append(("POST", "/dev/sms", urlencode({"from": safe("\ud800") * 100, "body": "x" * 5000}).encode(), form))
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        out.append((method, "/healthz", b"", {}))
        out.append((method, "/inbox/login", b"", {}))
    out.append(("GET", "/healthz", b"", {"Host": "\u00ff" * 100, "Cookie": "inbox_session=" + "x" * 3000}))
    out.append(("GET", "/inbox/referrals", b"", {"Cookie": "inbox_session=" + "%ff" * 500}))
    out.append(("GET", "/inbox/login", b"", {"Cookie": "inbox_device=" + "A" * 4000}))
    return out


def _send(url: str, method: str, body: bytes, headers: Dict[str, str]) -> int:
    try:
        status, _ = http(
            method, url, body if body or method not in ("GET", "HEAD") else None, headers=headers, timeout=60
        )
        return status
    except OSError as e:  # the connection refused or dropped: a crash
        return -1 if "timed out" not in str(e) else -2


def _normal_answer_time(stack) -> float:
    started = time.perf_counter()
    out = stack.say(sender(), NORMAL)
    elapsed = time.perf_counter() - started
    assert texts(out), out
    return elapsed


def _restarts(stack) -> List[str]:
    log = stack.log.read_text(errors="replace")
    return re.findall(r".*(?:exited with|keeps failing).*", log)


@pytest.fixture(scope="module")
def before(stack):
    return set(stack.pids()), len(_restarts(stack))


def _check(stack, before, name: str, statuses: List[int]):
    counts = Counter(statuses)
    print(f"\n{name}: {len(statuses)} requests, statuses {dict(sorted(counts.items()))}")
    crashes = counts.get(-1, 0) + counts.get(-2, 0)
    server_errors = sum(n for s, n in counts.items() if s >= 500)
    assert len(statuses) >= 100
    assert crashes == 0 and server_errors == 0, dict(counts)
    pids, restarts = before
    assert set(stack.pids()) == pids, "a process died or was restarted"
    assert len(_restarts(stack)) == restarts, _restarts(stack)[-3:]
    elapsed = _normal_answer_time(stack)
    print(f"{name}: the next normal message was answered in {elapsed:.2f} s")
    assert elapsed < 1.0


def test_the_rest_webhook_survives_hostile_input(stack, before):
    statuses = [_send(stack.rest, m, b, h) for m, b, h in rest_requests()]
    _check(stack, before, "REST webhook", statuses)


def test_the_sms_webhook_survives_hostile_input(stack, before):
    url = stack.rasa_url() + SMS_PATH
    statuses = [_send(url, m, b, h) for m, b, h in sms_requests()]
    _check(stack, before, "SMS webhook", statuses)


def test_the_web_app_inbox_and_health_survive_hostile_input(stack, before):
    statuses = [_send(stack.web + p, m, b, h) for m, p, b, h in web_requests()]
    _check(stack, before, "web app", statuses)


def test_the_lone_surrogate_that_stopped_the_server_is_now_just_text(stack, before):
    """The reproduction of fault 2, exactly: the server answers it, and the one after it."""
    s = sender()
    code, out = http(
        "POST",
        stack.rest,
        b'{"sender":"' + s.encode() + b'","message":"hi \\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert code == 200 and texts(out)
    code, out = http("POST", stack.rest, {"sender": s, "message": "my GP was rude to me"})
    assert code == 200 and texts(out)
    assert set(stack.pids()) == before[0] and len(_restarts(stack)) == before[1]
