"""Talking to a running stack, finding its processes, and reading what it stored."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from typing import Any, Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from tests.support.stack import Stack, customs, http, texts

#: Answers in a person's own words, by the question's `ask` marker.
ANSWERS = {
    "nation": "England",
    "service": "GP",
    "funding": "NHS",
    "stage": "not yet",
    "issues": "they were rude",
    "outcomes": "an apology",
    "months_since": "last week",
    "risk_now": "no",
    "on_behalf": "it's about me",
    "professional": "no, not one person",
    "confirm": "yes that's right",
    "consent": "yes they agree",
    "advocacy": "no thanks",
    "anonymity": "with my name",
    "feedback": "4",
    "contact": "no thanks",
    "letter": "no thanks",
    "transcript_consent": "yes",
    "postcode": "no thanks",
}
#: How a person asks for an advocate once the advice is given (it is offered inside the advice, not asked).
ASK_FOR_ADVOCATE = "I would like an advocate please"


def wants_advocate(answers: Dict[str, str]) -> bool:
    return str(answers.get("advocacy", "")).lower().startswith("yes")


OPENING = "my GP receptionist was rude to me"
#: What the bot says when it confirms a saved referral: the reference is given only then.
SAVED = re.compile(r"Your request is saved\. Your reference is ([0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{2})")
#: Anything shaped like a reference.
REF_SHAPE = re.compile(r"\b[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{2}\b")


def new_sender(prefix: str = "it") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def asks(messages: Sequence[dict]) -> List[str]:
    return [c["ask"] for c in customs(messages) if "ask" in c]


def joined(messages: Sequence[dict]) -> str:
    return " ".join(texts(messages))


class Turn:
    def __init__(self, text: str, server: int, status: int, body: Any):
        self.text, self.server, self.status, self.body = text, server, status, body

    @property
    def messages(self) -> List[dict]:
        return self.body if isinstance(self.body, list) else []

    @property
    def said(self) -> str:
        return joined(self.messages)

    @property
    def asks(self) -> List[str]:
        return asks(self.messages)

    def __repr__(self) -> str:
        return f"Turn({self.text!r} -> rasa-{self.server + 1}: {self.status} {self.said[:200]!r} asks={self.asks})"


class Conversation:
    """One person talking to the stack over REST, to one server or alternating between several."""

    def __init__(self, stack: Stack, servers: Sequence[int] = (0,), sender: Optional[str] = None):
        self.stack, self.servers = stack, list(servers)
        self.sender = sender or new_sender()
        self.turns: List[Turn] = []

    def say(self, text: str, server: Optional[int] = None, timeout: float = 120) -> Turn:
        if server is None:
            server = self.servers[len(self.turns) % len(self.servers)]
        status, body = http(
            "POST",
            f"{self.stack.rasa_url(server)}/webhooks/rest/webhook",
            {"sender": self.sender, "message": text},
            timeout=timeout,
        )
        turn = Turn(text, server, status, body)
        self.turns.append(turn)
        return turn

    def answer_until(
        self, stop: str, answers: Optional[Dict[str, str]] = None, opening: str = OPENING, limit: int = 16
    ) -> Turn:
        """Open with a story and answer each question until the bot asks `stop` (an ask name) or,
        with stop="routes", gives its recommendation. Every question must move the conversation on."""
        answers = {**ANSWERS, **(answers or {})}
        turn = self.say(opening) if not self.turns else self.turns[-1]
        for _ in range(limit):
            assert turn.status == 200, turn
            if stop == "routes" and any("routes" in c for c in customs(turn.messages)):
                return turn
            if stop in turn.asks:
                return turn
            if any("routes" in c for c in customs(turn.messages)) and wants_advocate(answers):
                turn = self.say(ASK_FOR_ADVOCATE)  # advocacy is one word away in the advice
                continue
            assert turn.asks, f"no question and no advice: {turn}\n{self.turns}"
            turn = self.say(answers[turn.asks[-1]])
        raise AssertionError(f"never reached {stop}: {self.turns}")

    def confirmed_refs(self) -> List[str]:
        return [m.group(1) for t in self.turns for m in SAVED.finditer(t.said)]


# ----------------------------------------------------------------- processes
def children(stack: Stack) -> Dict[str, int]:
    """The supervisor's processes by name: actions, rasa-1, rasa-2 (or rasa), web."""
    out = subprocess.run(["pgrep", "-P", str(stack.proc.pid)], capture_output=True, text=True).stdout
    found: Dict[str, int] = {}
    for pid in (int(x) for x in out.split()):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        cmd = [c.decode(errors="replace") for c in cmd]
        if "rasa_sdk" in cmd or "bot.action_server" in cmd:
            found["actions"] = pid
        elif "bot.web" in cmd:
            found["web"] = pid
        elif "run" in cmd and any(c.endswith("endpoints.yml") for c in cmd):
            ep = next(c for c in cmd if c.endswith("endpoints.yml"))
            found[os.path.basename(os.path.dirname(ep))] = pid
    return found


def kill(pid: int) -> None:
    """SIGKILL one process of our own stack (its own session: the supervisor starts each in one)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def healthz(stack: Stack) -> Tuple[int, Any]:
    return http("GET", f"{stack.web}/healthz", timeout=30)


def wait_health(stack: Stack, want: int, timeout: float = 240) -> Any:
    """Wait until /healthz answers `want`; return its body."""
    deadline = time.time() + timeout
    last: Any = None
    while time.time() < deadline:
        try:
            status, body = healthz(stack)
            last = (status, body)
            if status == want:
                return body
        except OSError as e:
            last = e
        time.sleep(1)
    raise AssertionError(f"/healthz never answered {want} in {timeout}s; last: {last}")


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# ------------------------------------------------------------- stored state
def query(url: str, sql: str, **params: Any) -> List[tuple]:
    engine = sa.create_engine(url, future=True, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def tracker_events(url: str, sender: str) -> List[Dict[str, Any]]:
    """The stored events of one conversation (all sessions), in order."""
    return [json.loads(d) for (d,) in query(url, "SELECT data FROM events WHERE sender_id = :s ORDER BY id", s=sender)]


def user_texts(events: Sequence[Dict[str, Any]]) -> List[str]:
    return [e.get("text") for e in events if e.get("event") == "user"]


def slots(events: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots as the stored events leave them (a restart clears them)."""
    out: Dict[str, Any] = {}
    for e in events:
        if e.get("event") == "slot":
            out[e["name"]] = e.get("value")
        elif e.get("event") == "restart":
            out = {}
    return out


def pseudonym_of(stack: Stack, sender: str) -> str:
    """The record's id for a conversation (bot.privacy.pseudonym with the stack's key)."""
    import hashlib
    import hmac

    key = stack.keys["PSEUDONYM_KEY"].encode()
    return hmac.new(key, sender.encode(), hashlib.sha256).hexdigest()[:24]
