"""Helpers for the inbox tests (also used by tests/browser/test_inbox.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, Optional

PASSWORDS = {"admin": "admin password 123", "reviewer": "reviewer password 123", "analyst": "analyst password 123"}
NAMES = {"admin": "Ada Admin", "reviewer": "Rob Reviewer", "analyst": "Ann Analyst"}

ROUTES = [
    {
        "id": "provider",
        "role": "primary",
        "name": "The organisation that gave the care",
        "why": "Most complaints are sorted out best by the people who gave the care.",
        "how": "Ask for the complaints manager.",
        "time_limit": "Within 12 months.",
    },
    {
        "id": "phso",
        "role": "next_step",
        "name": "Parliamentary and Health Service Ombudsman",
        "why": "If the answer does not put things right.",
        "how": "Online form.",
        "time_limit": "Within 12 months.",
    },
]


def make_staff() -> Dict[str, int]:
    from bot.staff import add_staff

    return {role: add_staff(NAMES[role], role, PASSWORDS[role]) for role in ("admin", "reviewer", "analyst")}


def make_referral(
    n: int = 0,
    *,
    channel: str = "web",
    anonymity: str = "named",
    route: str = "provider",
    contact: Optional[Dict[str, Any]] = None,
    advocacy: bool = False,
    transcript: bool = False,
    summary: str = "My GP was rude to me at the appointment.",
) -> str:
    from bot.record import get_store

    routes = [dict(r, role="primary" if r["id"] == route else "alternative") for r in ROUTES]
    if route not in [r["id"] for r in ROUTES]:
        routes.insert(0, {"id": route, "role": "primary", "name": route, "why": "", "how": "", "time_limit": ""})
    return get_store().create_referral(
        conversation=f"conv{n:04d}",
        channel=channel,
        idempotency_key=f"conv{n:04d}:referral",
        summary=summary,
        facts={"nation": "england", "service": "gp", "stage": "not_raised"},
        routes=routes,
        outcomes=["apology", "explanation"],
        anonymity=anonymity,
        contact=contact,
        wants_advocacy=advocacy,
        transcript_consent=transcript,
    )


def set_created(ref: str, when: dt.datetime) -> None:
    from sqlalchemy import update

    from bot.record.db import session_scope
    from bot.record.models import Referral

    with session_scope() as s:
        s.execute(update(Referral).where(Referral.ref == ref).values(created_at=when, updated_at=when))


def hidden(html: str, name: str) -> str:
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    assert m, f"no hidden field {name}"
    return m.group(1)


async def login(
    client, role: str = "reviewer", password: Optional[str] = None, name: Optional[str] = None, next_url: str = ""
) -> Any:
    """Sign in through the login form; returns the response of the POST (not followed)."""
    page = await client.get("/inbox/login")
    html = await page.text()
    return await client.post(
        "/inbox/login",
        allow_redirects=False,
        data={
            "login_token": hidden(html, "login_token"),
            "next": next_url,
            "name": name if name is not None else NAMES[role],
            "password": password if password is not None else PASSWORDS[role],
        },
    )


async def signed_in(client, role: str = "reviewer") -> str:
    """Sign in and return the session's CSRF token."""
    resp = await login(client, role)
    assert resp.status == 302, await resp.text()
    return await csrf_of(client)


async def csrf_of(client) -> str:
    resp = await client.get("/inbox/dashboard")
    assert resp.status == 200
    return hidden(await resp.text(), "csrf_token")


def audit_actions(action: Optional[str] = None):
    from sqlalchemy import select

    from bot.record.db import session_scope
    from bot.record.models import AuditEntry

    with session_scope() as s:
        q = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            q = q.where(AuditEntry.action == action)
        return [
            dict(action=a.action, staff=a.staff_name, target=a.target, detail=a.detail, ip=a.ip)
            for a in s.execute(q).scalars()
        ]


def make_client(app):
    """A test client whose POSTs are not followed (the message about a change is on the next page)."""
    from aiohttp.test_utils import TestClient, TestServer

    class Client(TestClient):
        def post(self, path, **kwargs):
            kwargs.setdefault("allow_redirects", False)
            return super().post(path, **kwargs)

    return Client(TestServer(app))
