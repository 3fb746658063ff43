"""Admin pages: accounts, retention, the audit log."""

from __future__ import annotations

import datetime as dt
import re


from tests.inbox.helpers import audit_actions, login, make_client, make_referral, signed_in


async def test_admin_adds_an_account(client):
    token = await signed_in(client, "admin")
    data = {"csrf_token": token, "name": "Sam Second", "role": "reviewer", "password": "short", "password2": "short"}
    await client.post("/inbox/staff", data=data)
    html = await (await client.get("/inbox/staff")).text()
    assert "too short" in html and '<th scope="row">Sam Second</th>' not in html
    data.update(password="long enough password", password2="long enough passwor")
    await client.post("/inbox/staff", data=data)
    assert "not the same" in await (await client.get("/inbox/staff")).text()
    data.update(password2="long enough password", role="superuser")
    await client.post("/inbox/staff", data=data)
    assert "unknown role" in await (await client.get("/inbox/staff")).text()
    data.update(role="reviewer")
    resp = await client.post("/inbox/staff", data=data, allow_redirects=False)
    assert resp.status == 302
    html = await (await client.get("/inbox/staff")).text()
    assert '<th scope="row">Sam Second</th>' in html and "long enough password" not in html
    await client.post("/inbox/staff", data={**data, "name": "sam second"})
    assert "already exists" in await (await client.get("/inbox/staff")).text()
    assert [a["detail"] for a in audit_actions("staff_add")] == ["Sam Second (reviewer)"]
    from bot.staff import authenticate

    assert authenticate("Sam Second", "long enough password").ok


async def test_admin_deactivates_resets_and_unlocks(app, client, staff_ids):
    token = await signed_in(client, "admin")
    async with make_client(app) as rob:
        await signed_in(rob, "reviewer")
        resp = await client.post(
            f"/inbox/staff/{staff_ids['reviewer']}/active",
            data={"csrf_token": token, "active": "0"},
            allow_redirects=False,
        )
        assert resp.status == 302
        assert (await rob.get("/inbox/referrals", allow_redirects=False)).status == 302
        assert (await login(rob, "reviewer")).status == 401
        await client.post(f"/inbox/staff/{staff_ids['reviewer']}/active", data={"csrf_token": token, "active": "1"})
        assert (await login(rob, "reviewer")).status == 302
        # reset the password: the old one stops working, and the session ends
        await client.post(
            "/inbox/staff/password",
            data={
                "csrf_token": token,
                "account": str(staff_ids["reviewer"]),
                "password": "new reviewer pass 1",
                "password2": "new reviewer pass 1",
            },
        )
        assert (await rob.get("/inbox/referrals", allow_redirects=False)).status == 302
        assert (await login(rob, "reviewer")).status == 401
        assert (await login(rob, "reviewer", password="new reviewer pass 1")).status == 302
        # make the analyst's account wait (eight failures: 8 seconds), then unlock it
        async with make_client(app) as eve:
            for i in range(8):
                await login(eve, "analyst", password=f"wrong password {i:03d}")
        assert (await login(rob, "analyst")).status == 401  # rob's browser is not the analyst's: it waits
        html = await (await client.get("/inbox/staff")).text()
        assert "Waiting after failed sign-ins" in html
        await client.post(f"/inbox/staff/{staff_ids['analyst']}/unlock", data={"csrf_token": token})
        assert (await login(rob, "analyst")).status == 302
    actions = [a["action"] for a in audit_actions()]
    for a in ("staff_deactivate", "staff_activate", "staff_reset_password", "staff_unlock"):
        assert a in actions


async def test_admin_cannot_lock_out_the_last_admin(client, staff_ids):
    token = await signed_in(client, "admin")
    html = await (await client.get("/inbox/staff")).text()
    assert f'/inbox/staff/{staff_ids["admin"]}/active' not in html  # no button for yourself
    await client.post(f"/inbox/staff/{staff_ids['admin']}/active", data={"csrf_token": token, "active": "0"})
    assert "cannot deactivate your own account" in await (await client.get("/inbox/staff")).text()
    from bot.staff import StaffError, set_active

    try:
        set_active(staff_ids["admin"], False)
        raise AssertionError("the only admin was deactivated")
    except StaffError as e:
        assert "only active admin" in str(e)


async def test_admin_resets_own_password_and_signs_in_again(client, staff_ids):
    token = await signed_in(client, "admin")
    resp = await client.post(
        "/inbox/staff/password",
        allow_redirects=False,
        data={
            "csrf_token": token,
            "account": str(staff_ids["admin"]),
            "password": "another admin pass",
            "password2": "another admin pass",
        },
    )
    assert resp.headers["Location"] == "/inbox/login?reason=signed_out"
    assert (await client.get("/inbox/staff", allow_redirects=False)).status == 302


async def test_retention_runs_the_purge(client):
    from sqlalchemy import update

    from bot.record import get_store
    from bot.record.db import session_scope
    from bot.record.models import Referral

    old, recent = make_referral(1), make_referral(2)
    with session_scope() as s:
        s.execute(
            update(Referral)
            .where(Referral.ref == old)
            .values(status="closed", closed_at=dt.datetime.utcnow() - dt.timedelta(days=100))
        )
    token = await signed_in(client, "admin")
    page = await (await client.get("/inbox/retention")).text()
    assert 'name="days"' in page and 'value="365"' in page
    await client.post("/inbox/retention", data={"csrf_token": token, "days": "30"})
    assert "Tick the box" in await (await client.get("/inbox/retention")).text()
    await client.post("/inbox/retention", data={"csrf_token": token, "days": "0", "confirm": "yes"})
    assert "from 1 to 36500" in await (await client.get("/inbox/retention")).text()
    assert get_store().referral_status(old) is not None
    resp = await client.post(
        "/inbox/retention", data={"csrf_token": token, "days": "30", "confirm": "yes"}, allow_redirects=False
    )
    assert resp.status == 302
    html = await (await client.get("/inbox/retention")).text()
    assert "Deleted records older than 30 days" in html and "referrals 1" in html
    assert get_store().referral_status(old) is None and get_store().referral_status(recent) is not None
    assert audit_actions("purge")[0]["detail"].startswith("older than 30 days")


async def test_audit_log_lists_views_and_sign_ins_with_pages(client):
    ref = make_referral(1)
    await login(client, "reviewer", password="not the password")
    token = await signed_in(client, "admin")
    await client.get(f"/inbox/referrals/{ref}")
    html = await (await client.get("/inbox/audit")).text()
    rows = re.findall(r'<tr><td>[^<]*</td><td>([^<]*)</td><th scope="row">([^<]*)</th><td>([^<]*)</td>', html)
    assert rows[:3] == [
        ("Ada Admin", "view_referral", ref),
        ("Ada Admin", "sign_in", ""),
        ("Rob Reviewer", "sign_in_failed", ""),
    ]
    for i in range(60):
        await client.get(f"/inbox/referrals/{ref}")
    html = await (await client.get("/inbox/audit")).text()
    assert "Page 1 of 2" in html and 'href="/inbox/audit?page=2"' in html
    html = await (await client.get("/inbox/audit?page=2")).text()
    assert "sign_in_failed" in html
    html = await (await client.get("/inbox/audit?action=sign_in")).text()
    assert "view_referral</th>" not in html and "sign_in</th>" in html
    html = await (await client.get("/inbox/audit?target=Rob+Reviewer")).text()
    assert "sign_in_failed</th>" in html and "view_referral</th>" not in html
    assert token
