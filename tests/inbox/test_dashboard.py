"""The dashboard: statement aggregates, referral counts, SVG charts with tables, CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from tests.inbox.helpers import make_referral, set_created, signed_in


def seed():
    from bot.record import get_store

    store = get_store()
    store.record_interactions([("c1", "web", "utter_invite_story", None), ("c2", "sms", "utter_invite_story", None)])
    store.add_feedback("c1", "web", "making-2", 4)
    store.add_feedback("c2", "sms", "making-2", 2)
    store.add_feedback("c2", "sms", "informed-3", 5)
    refs = [
        make_referral(1, channel="web", route="provider"),
        make_referral(2, channel="sms", route="pals"),
        make_referral(3, channel="sms", route="provider", contact={"name": "Jo Bloggs", "phone": "07700900123"}),
    ]
    set_created(refs[0], dt.datetime.utcnow() - dt.timedelta(weeks=3))
    set_created(refs[1], dt.datetime.utcnow() - dt.timedelta(weeks=30))  # outside the 12 weeks
    return refs


async def test_dashboard_numbers_charts_and_tables(client):
    from bot.record import get_store

    refs = seed()
    report = get_store().expectations_report()["statements"]
    await signed_in(client, "analyst")
    resp = await client.get("/inbox/dashboard")
    assert resp.status == 200
    html = await resp.text()
    for ref in refs:
        assert ref not in html
    assert "Jo Bloggs" not in html
    # statement table: every statement, grouped by stage, with the report's numbers
    assert html.count('scope="rowgroup"') == 5
    for sid, row in report.items():
        m = re.search(
            r'<span class="sid">%s</span>[^<]*</th>\s*<td class="num">(\d+)</td>\s*'
            r'<td class="num">(\d+)</td>\s*<td class="num">([^<]*)</td>' % re.escape(sid),
            html,
        )
        assert m, sid
        assert int(m.group(1)) == row["interactions"] and int(m.group(2)) == row["feedback"]["count"]
        mean = row["feedback"]["mean"]
        assert m.group(3) == ("–" if mean is None else f"{mean:.2f}")
    assert report["making-2"]["feedback"] == {"count": 2, "mean": 3.0}
    # six charts, each an SVG image with a title and a description, and a table of the same numbers
    svgs = re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
    assert len(svgs) == 6
    for ids in svgs:
        t, d = ids.split()
        assert f'<title id="{t}">' in html and f'<desc id="{d}">' in html
    for title in (
        "Interactions per I statement",
        "Mean feedback score per I statement (1 to 5)",
        "Referrals by primary route",
        "Referrals by channel",
        "Referrals by status",
        "Referrals per week, last 12 weeks",
    ):
        assert f"{title}" in html
    assert html.count("<caption>") >= 7
    assert html.count('<rect class="bar"') >= 5
    # route, channel and status counts
    assert re.search(r'<th scope="row">provider</th><td class="num">2</td>', html)
    assert re.search(r'<th scope="row">sms</th><td class="num">2</td>', html)
    assert re.search(r'<th scope="row">New</th><td class="num">3</td>', html)
    weeks = re.findall(r'<th scope="row">(\d{4}-\d\d-\d\d)</th><td class="num">(\d+)</td>', html)
    assert len(weeks) == 12 and sum(int(n) for _, n in weeks) == 2
    assert all(dt.date.fromisoformat(w).weekday() == 0 for w, _ in weeks)


async def test_csv_exports_have_no_personal_data(client):
    refs = seed()
    await signed_in(client, "admin")
    resp = await client.get("/inbox/dashboard/statements.csv")
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await resp.text())))
    assert rows[0] == ["stage", "statement_id", "statement", "interactions", "feedback_count", "feedback_mean"]
    from bot.record.catalogue import statements

    assert len(rows) == 1 + len(statements())
    by_id = {r[1]: r for r in rows[1:]}
    assert by_id["making-2"][4:] == ["2", "3.0"]
    resp = await client.get("/inbox/dashboard/referrals.csv")
    text = await resp.text()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["dimension", "value", "referrals"]
    assert ["primary_route", "provider", "2"] in rows and ["channel", "sms", "2"] in rows
    assert ["status", "new", "3"] in rows
    assert len([r for r in rows if r[0] == "week_starting"]) == 12
    for ref in refs:
        assert ref not in text
    assert "Jo Bloggs" not in text and "0770" not in text and "conv" not in text


async def test_reviewer_sees_the_dashboard_but_not_the_csv(client):
    await signed_in(client, "reviewer")
    html = await (await client.get("/inbox/dashboard")).text()
    assert "Referrals by status" in html and "statements.csv" not in html
    assert (await client.get("/inbox/dashboard/statements.csv")).status == 403


async def test_an_empty_record_draws_empty_charts(client):
    await signed_in(client, "analyst")
    html = await (await client.get("/inbox/dashboard")).text()
    assert "Nothing to show yet" in html and "0 referrals" in html
