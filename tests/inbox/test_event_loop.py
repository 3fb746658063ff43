"""The inbox never runs a database call on the event loop (issue 14: "inbox database calls off the event loop").

The web app serves the inbox, the letters, /healthz and /metrics from one event loop: a query run
directly in a handler would hold up every other request for as long as it takes. Every call to
the record, the staff accounts or the audit log goes through security.in_thread instead.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.inbox.helpers import login, make_referral, signed_in


@pytest.fixture()
def statements_on_the_loop():
    """Every SQL statement run while the event loop's own thread is running it: (SQL, where it came from)."""
    found = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        stack = [
            f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()
            if "/bot/" in f.filename
        ]
        found.append((statement.split("\n")[0][:80], stack[-4:]))

    event.listen(Engine, "before_cursor_execute", before)
    yield found
    event.remove(Engine, "before_cursor_execute", before)


async def _tour(client, inbox, ref: str, staff_ids) -> None:
    """Every inbox page and action an admin can use, plus the refusals that are audited."""
    token = await signed_in(client, "admin")
    pages = [
        "/inbox/",
        "/inbox/referrals",
        "/inbox/referrals?status=new",
        f"/inbox/referrals/{ref}",
        f"/inbox/referrals/{ref}?contact=show",
        "/inbox/dashboard",
        "/inbox/dashboard/statements.csv",
        "/inbox/dashboard/referrals.csv",
        "/inbox/audit",
        "/inbox/staff",
        "/inbox/retention",
        "/inbox/login",
    ]
    for path in pages:
        resp = await client.get(path, allow_redirects=False)
        assert resp.status in (200, 302), (path, resp.status)
    posts = [
        (f"/inbox/referrals/{ref}/status", {"status": "in_review", "expected": "new"}),
        (f"/inbox/referrals/{ref}/note", {"note": "Rang the practice."}),
        (f"/inbox/referrals/{ref}/assign", {"assignee": "me"}),
        (f"/inbox/referrals/{ref}/update", {"update": "We have passed this on."}),
        (
            "/inbox/staff",
            {
                "name": "Nia New",
                "role": "reviewer",
                "password": "a long password 456",
                "password2": "a long password 456",
            },
        ),
        (f"/inbox/staff/{staff_ids['analyst']}/active", {"active": "0"}),
        (f"/inbox/staff/{staff_ids['analyst']}/active", {"active": "1"}),
        (
            "/inbox/staff/password",
            {
                "account": str(staff_ids["reviewer"]),
                "password": "another password 789",
                "password2": "another password 789",
            },
        ),
        (f"/inbox/staff/{staff_ids['reviewer']}/unlock", {}),
        ("/inbox/retention", {"days": "3650", "confirm": "yes"}),
    ]
    for path, data in posts:
        resp = await client.post(path, data={"csrf_token": token, **data})
        assert resp.status == 302, (path, resp.status, await resp.text())
    assert (await client.post("/inbox/referrals/" + ref + "/note", data={"note": "x"})).status == 403  # CSRF
    await client.post("/inbox/logout", data={"csrf_token": token})
    # A failed sign-in, then an analyst refused a reviewer's page, then an idle session ended.
    assert (await login(client, "admin", password="wrong")).status == 401
    await signed_in(client, "analyst")
    assert (await client.get("/inbox/referrals")).status == 403
    inbox.clock.offset += 31 * 60
    assert (await client.get("/inbox/dashboard", allow_redirects=False)).status == 302


async def test_no_database_statement_runs_on_the_event_loop(
    client, inbox, staff_ids, sms_outbox, statements_on_the_loop
):
    ref = make_referral(1, contact={"name": "Jo Bloggs", "phone": "07700900123"})
    statements_on_the_loop.clear()  # setting up the test ran on the loop's thread; requests only from here
    await _tour(client, inbox, ref, staff_ids)
    assert statements_on_the_loop == [], "\n".join(
        f"{sql}  <- {' < '.join(reversed(where))}" for sql, where in statements_on_the_loop
    )


async def test_a_slow_query_does_not_hold_up_other_requests(client, monkeypatch):
    from bot.web.inbox import queries

    make_referral(1)
    await signed_in(client, "reviewer")
    await client.get("/inbox/login")  # the template compiled once, so only the wait is measured below
    slow_list = queries.list_referrals
    started = threading.Event()

    def slow(*args, **kwargs):
        started.set()
        time.sleep(0.8)
        return slow_list(*args, **kwargs)

    monkeypatch.setattr(queries, "list_referrals", slow)
    listing = asyncio.ensure_future(client.get("/inbox/referrals"))
    while not started.is_set():
        await asyncio.sleep(0.01)
    t0 = time.monotonic()
    other = await client.get("/inbox/login")
    waited = time.monotonic() - t0
    assert other.status == 200
    assert waited < 0.5, f"another request waited {waited:.2f} s behind a slow query"
    assert not listing.done(), "the slow page was not slow: the test proves nothing"
    resp = await listing
    assert resp.status == 200 and "Referrals" in page_title(await resp.text())


def page_title(html: str) -> str:
    """The page's <title> (for a readable failure)."""
    start = html.find("<title>")
    return html[start : html.find("</title>")] if start >= 0 else html[:200]
