"""Fixtures for the inbox's browser tests (imported by test_inbox.py).

The web app runs in this process, in a thread with its own event loop (aiohttp's AppRunner
on a free port), against a private DATA_DIR; a fake SMS sender is registered with
bot.notify in the same process, so "send an update" is delivered to a list we can read.
Rasa is not needed. Chromium is the one the other browser tests share (conftest.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import threading
from pathlib import Path
from typing import Dict, List, Optional

import pytest

PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT / "tests" / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class InboxServer:
    """bot.web.app.create_app() served by aiohttp's AppRunner in a background thread."""

    def __init__(self) -> None:
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.runner = None
        self.port = 0
        self.error: Optional[BaseException] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "InboxServer":
        ready = threading.Event()

        def run() -> None:
            from aiohttp import web

            from bot.web.app import create_app

            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            try:
                self.runner = web.AppRunner(create_app(), access_log=None)
                self.loop.run_until_complete(self.runner.setup())
                site = web.TCPSite(self.runner, "127.0.0.1", 0)
                self.loop.run_until_complete(site.start())
                self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            except BaseException as e:  # reported to the test thread
                self.error = e
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())
            self.loop.close()

        self._thread = threading.Thread(target=run, name="inbox-web", daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the inbox web app did not start in 30 s")
        if self.error:
            raise RuntimeError(f"the inbox web app did not start: {self.error!r}")
        return self

    def stop(self) -> None:
        if self.loop and self._thread and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(15)


STAFF = {
    "admin": ("Ada Admin", "admin password 123"),
    "reviewer": ("Rob Reviewer", "reviewer password 123"),
    "analyst": ("Ann Analyst", "analyst password 123"),
}


def seed() -> Dict[str, str]:
    """Accounts, a dozen referrals (one by SMS with contact details and a transcript), interactions, feedback."""
    from sqlalchemy import update

    from bot.record import get_store
    from bot.record.db import session_scope
    from bot.record.models import Referral
    from bot.staff import add_staff
    from tests.inbox.helpers import make_referral

    for role, (name, password) in STAFF.items():
        add_staff(name, role, password)
    now = dt.datetime.utcnow()
    refs: Dict[str, str] = {}
    plan = [
        ("web", "provider", "named", True),
        ("web", "pals", "anonymous", False),
        ("sms", "icb", "confidential", False),
        ("web", "provider", "confidential", True),
        ("web", "ombudsman", "named", False),
        ("sms", "provider", "anonymous", False),
        ("web", "regulator", "named", True),
        ("web", "provider", "named", False),
        ("web", "pals", "named", False),
        ("sms", "pals", "confidential", True),
    ]
    for i, (channel, route, anonymity, advocacy) in enumerate(plan):
        ref = make_referral(
            100 + i,
            channel=channel,
            route=route,
            anonymity=anonymity,
            advocacy=advocacy,
            contact=None if anonymity == "anonymous" else {"email": f"person{i}@example.org"},
        )
        with session_scope() as s:
            when = now - dt.timedelta(days=3 * i + 1)
            s.execute(update(Referral).where(Referral.ref == ref).values(created_at=when, updated_at=when))
    refs["sms"] = make_referral(
        1,
        channel="sms",
        route="provider",
        anonymity="named",
        advocacy=True,
        transcript=True,
        contact={"name": "Jo Bloggs", "phone": "07700900123"},
        summary="The receptionist at my GP practice was rude and nobody called me back.",
    )
    store = get_store()
    store.record_interactions(
        [
            ("conv0001", "sms", "utter_invite_story", None),
            ("conv0001", "sms", "action_recommend", None),
            ("conv0001", "sms", "utter_ask_contact", None),
        ]
    )
    store.add_feedback("conv0001", "sms", "making-2", 4, "It let me say it in my own words")
    store.add_feedback("conv0001", "sms", "informed-3", 5)
    store.add_transcript("conv0001", "person", "My GP receptionist was rude to me")
    store.add_transcript("conv0001", "bot", "I am sorry that happened. Would you like help from an advocate?")
    for n in range(2, 8):
        conv = f"conv{n:04d}"
        store.record_interactions([(conv, "web", "utter_invite_story", None), (conv, "web", "action_recommend", None)])
        store.add_feedback(conv, "web", "making-2", 1 + n % 5)
    return refs


@pytest.fixture(scope="module")
def inbox_site(tmp_path_factory):
    """(server, refs, sms outbox): the web app with seeded data, in this process."""
    from bot import notify
    from bot.record import db

    data = tmp_path_factory.mktemp("inbox-browser")
    cleared = (
        "DATABASE_URL",
        "INBOX_SESSION_KEY",
        "INBOX_SECURE_COOKIES",
        "INBOX_TRUST_PROXY",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
    )  # never a real text message from a test
    saved = {k: os.environ.get(k) for k in ("DATA_DIR",) + cleared}
    os.environ["DATA_DIR"] = str(data)
    for k in cleared:
        os.environ.pop(k, None)
    previous = notify.SENDERS.get("sms")
    server = InboxServer()
    try:
        db.reset_engines()
        db.upgrade()
        refs = seed()
        server.start()
        # Registered after create_app(), so nothing the app sets up at start can replace it.
        outbox: List[tuple] = []
        notify.register_sender("sms", lambda contact, text: outbox.append((contact, text)) or True)
        yield server, refs, outbox
    finally:
        server.stop()
        notify.SENDERS.pop("sms", None)
        if previous is not None:
            notify.SENDERS["sms"] = previous
        db.reset_engines()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def inbox_browser(browser):
    """The session's Chromium (tests/browser/conftest.py `browser`)."""
    return browser


@pytest.fixture()
def inbox_page(inbox_browser, inbox_site):
    """A fresh browser context (no cookies) on the inbox; fails the test on page errors or CSP reports."""
    server = inbox_site[0]
    ctx = inbox_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", service_workers="block")
    ctx.set_default_timeout(15000)
    # Nothing may leave the machine.
    ctx.route(lambda url: not url.startswith(server.url), lambda route: route.abort("blockedbyclient"))
    page = ctx.new_page()
    problems: List[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # Console errors (a CSP violation is one), except the browser's note about an expected 4xx page.
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}")
        if m.type == "error"
        and not re.match(r"Failed to load resource: the server responded with a status " r"of 4\d\d", m.text)
        else None,
    )
    page.base = server.url  # type: ignore[attr-defined]
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    ctx.close()
    assert not problems, "\n".join(problems)


def axe_violations(page, tags=WCAG_TAGS) -> List[dict]:
    """axe-core's WCAG A/AA violations on the current page.

    axe is evaluated through DevTools: the page's CSP allows no inline script, so add_script_tag would be refused.
    """
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/build-web.sh")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    return page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }",
        list(tags),
    )


def format_violations(violations: List[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"][:5])
        for v in violations
    )


def sign_in(page, role: str) -> None:
    name, password = STAFF[role]
    page.goto(page.base + "/inbox/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
