"""The admin view of the knowledge base: how many facts are due for a re-check, on the inbox's own clock."""

from __future__ import annotations

import datetime as dt
import re

from tests.inbox.helpers import signed_in


def _count(html: str) -> int:
    return int(re.search(r'id="knowledge-due"><strong>(\d+)</strong>', html).group(1))


async def test_the_admin_view_shows_the_count_due_on_the_inbox_clock(client, inbox, monkeypatch):
    from bot.routing import get_router
    from bot.routing.sources import due_count, facts
    from bot.web.inbox import views

    await signed_in(client, "admin")
    kb = get_router().kb
    today = inbox.clock.utcnow().date()
    resp = await client.get("/inbox/knowledge")
    assert resp.status == 200
    assert _count(await resp.text()) == due_count(kb, today)

    newest = max(f.checked for f in facts(kb))
    later = dt.datetime.combine(newest.replace(year=newest.year + 2), dt.time())
    monkeypatch.setattr(views, "now", lambda request: later)
    html = await (await client.get("/inbox/knowledge")).text()
    assert _count(html) == len(facts(kb)) and '<table class="data" id="due">' in html

    just_checked = dt.datetime.combine(newest, dt.time())
    monkeypatch.setattr(views, "now", lambda request: just_checked)
    assert _count(await (await client.get("/inbox/knowledge")).text()) == due_count(kb, newest)


async def test_only_admins_see_it(client):
    await signed_in(client, "reviewer")
    resp = await client.get("/inbox/knowledge", allow_redirects=False)
    assert resp.status in (302, 403)
