"""Who may open what: sign-in required, CSRF on every change, roles on every page and record, headers."""

from __future__ import annotations

import re

import pytest

from bot.settings import SettingsError, reset_settings
from tests.inbox.helpers import csrf_of, hidden, login, make_client, make_referral, signed_in


def inbox_routes(app):
    """(method, path) of every inbox route, with sample values for the variables."""
    out = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/inbox") or route.method == "HEAD":
            continue
        out.append((route.method, path))
    return out


def fill(path: str, ref: str) -> str:
    return path.replace("{ref}", ref).replace("{id}", "1")


async def test_every_inbox_url_needs_a_session(app, client):
    ref = make_referral(1, contact={"name": "Jo Bloggs", "phone": "07700900123"})
    routes = inbox_routes(app)
    assert len(routes) >= 20
    seen_get = seen_post = 0
    for method, path in routes:
        url = fill(path, ref)
        resp = await client.request(method, url, allow_redirects=False)
        if path == "/inbox/login":
            if method == "GET":
                assert resp.status == 200
            else:
                assert resp.status == 403  # no sign-in form token
            continue
        if method == "GET":
            seen_get += 1
            assert resp.status == 302, (method, url, resp.status)
            assert resp.headers["Location"].startswith("/inbox/login"), resp.headers["Location"]
        else:
            seen_post += 1
            assert resp.status == 401, (method, url, resp.status)
        body = await resp.text()
        assert ref not in body and "Jo Bloggs" not in body
    assert seen_get >= 10 and seen_post >= 10
    # Unknown pages and odd methods do not reveal anything either.
    resp = await client.get("/inbox/no/such/page", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].startswith("/inbox/login")
    resp = await client.request("PUT", f"/inbox/referrals/{ref}", allow_redirects=False)
    assert resp.status == 401
    resp = await client.request("DELETE", "/inbox/staff", allow_redirects=False)
    assert resp.status == 401


async def test_the_redirect_keeps_where_you_were_going(client):
    resp = await client.get("/inbox/referrals?status=new", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/inbox/login?next=/inbox/referrals%3Fstatus%3Dnew"
    resp = await login(client, "reviewer", next_url="/inbox/referrals?status=new")
    assert resp.headers["Location"] == "/inbox/referrals?status=new"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/inbox/\\evil", "/elsewhere"])
async def test_no_open_redirect_after_sign_in(client, next_url):
    resp = await login(client, "reviewer", next_url=next_url)
    assert resp.status == 302 and resp.headers["Location"] == "/inbox/"


async def test_changes_without_the_right_csrf_token_are_refused(client):
    ref = make_referral(2)
    token = await signed_in(client, "reviewer")
    url = f"/inbox/referrals/{ref}/status"
    form = {"status": "in_review", "expected": "new"}
    resp = await client.post(url, data=form, allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(url, data={**form, "csrf_token": "not-the-token"}, allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(url, data={**form, "csrf_token": token[:-1]}, allow_redirects=False)
    assert resp.status == 403
    resp = await client.post(url, data=form, headers={"X-CSRF-Token": "x" * len(token)}, allow_redirects=False)
    assert resp.status == 403
    for other in (
        f"/inbox/referrals/{ref}/note",
        f"/inbox/referrals/{ref}/update",
        f"/inbox/referrals/{ref}/assign",
        "/inbox/logout",
    ):
        resp = await client.post(other, data={"note": "x", "update": "x", "assignee": "me"}, allow_redirects=False)
        assert resp.status == 403, other
    detail = await (await client.get(f"/inbox/referrals/{ref}")).text()
    assert "tag-new" in detail  # nothing changed
    resp = await client.post(url, data={**form, "csrf_token": token}, allow_redirects=False)
    assert resp.status == 302
    detail = await (await client.get(f"/inbox/referrals/{ref}")).text()
    assert "tag-in_review" in detail


async def test_the_csrf_token_belongs_to_the_session(app, client):
    ref = make_referral(3)
    token_a = await signed_in(client, "reviewer")
    async with make_client(app) as other:
        token_b = await signed_in(other, "reviewer")
        assert token_a != token_b
        resp = await other.post(
            f"/inbox/referrals/{ref}/note", data={"note": "hi", "csrf_token": token_a}, allow_redirects=False
        )
        assert resp.status == 403


async def test_sign_in_form_needs_its_token(client):
    resp = await client.post(
        "/inbox/login", data={"name": "Rob Reviewer", "password": "reviewer password 123"}, allow_redirects=False
    )
    assert resp.status == 403
    assert "inbox_session" not in resp.cookies


async def test_an_analyst_never_sees_a_referral(client):
    ref = make_referral(4, contact={"name": "Jo Bloggs", "phone": "07700900123"}, channel="sms")
    token = await signed_in(client, "analyst")
    home = await client.get("/inbox/", allow_redirects=False)
    assert home.headers["Location"] == "/inbox/dashboard"
    for url in (
        "/inbox/referrals",
        f"/inbox/referrals/{ref}",
        f"/inbox/referrals/{ref}?contact=show",
        "/inbox/referrals/AAA-AAA-AA",
        "/inbox/audit",
        "/inbox/staff",
        "/inbox/retention",
    ):
        resp = await client.get(url, allow_redirects=False)
        assert resp.status == 403, url
        body = await resp.text()
        assert ref not in body and "Jo Bloggs" not in body and "07700900123" not in body
    for action in ("status", "note", "assign", "update"):
        resp = await client.post(
            f"/inbox/referrals/{ref}/{action}",
            allow_redirects=False,
            data={"csrf_token": token, "status": "in_review", "note": "x", "update": "x", "assignee": "me"},
        )
        assert resp.status == 403, action
    dash = await client.get("/inbox/dashboard")
    assert dash.status == 200
    body = await dash.text()
    assert ref not in body and "Jo Bloggs" not in body and 'href="/inbox/referrals"' not in body
    for csv_url in ("/inbox/dashboard/statements.csv", "/inbox/dashboard/referrals.csv"):
        resp = await client.get(csv_url)
        assert resp.status == 200
        text = await resp.text()
        assert ref not in text and "Jo Bloggs" not in text and "0770" not in text and "conv" not in text
    from tests.inbox.helpers import audit_actions

    assert not audit_actions("view_referral") and not audit_actions("view_contact")
    assert audit_actions("access_refused")


async def test_a_reviewer_cannot_manage_accounts_or_retention(client, staff_ids):
    token = await signed_in(client, "reviewer")
    for url in (
        "/inbox/staff",
        "/inbox/audit",
        "/inbox/retention",
        "/inbox/dashboard/statements.csv",
        "/inbox/dashboard/referrals.csv",
    ):
        resp = await client.get(url, allow_redirects=False)
        assert resp.status == 403, url
    posts = [
        (
            "/inbox/staff",
            {"name": "Mallory", "role": "admin", "password": "mallory password 1", "password2": "mallory password 1"},
        ),
        (f"/inbox/staff/{staff_ids['admin']}/active", {"active": "0"}),
        (
            "/inbox/staff/password",
            {"account": str(staff_ids["admin"]), "password": "taken over 12345", "password2": "taken over 12345"},
        ),
        (f"/inbox/staff/{staff_ids['admin']}/unlock", {}),
        ("/inbox/retention", {"days": "1", "confirm": "yes"}),
    ]
    for url, data in posts:
        resp = await client.post(url, data={**data, "csrf_token": token}, allow_redirects=False)
        assert resp.status == 403, url
    from bot.staff import list_staff

    accounts = {a.name: a for a in list_staff()}
    assert "Mallory" not in accounts and accounts["Ada Admin"].active
    # The admin's password still works.
    from bot.staff import authenticate

    assert authenticate("Ada Admin", "admin password 123").ok
    # The reviewer's own pages work.
    assert (await client.get("/inbox/referrals")).status == 200
    assert (await client.get("/inbox/dashboard")).status == 200


async def test_security_headers_on_every_inbox_response(client):
    ref = make_referral(5)
    responses = [
        await client.get("/inbox/login"),
        await client.get("/inbox/referrals", allow_redirects=False),
        await client.post("/inbox/logout", allow_redirects=False),
    ]
    await signed_in(client, "reviewer")
    responses += [
        await client.get("/inbox/referrals"),
        await client.get(f"/inbox/referrals/{ref}"),
        await client.get("/inbox/dashboard"),
        await client.get("/inbox/staff"),
        await client.get("/inbox/nope"),
    ]
    for resp in responses:
        h = resp.headers
        csp = h["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Cache-Control"] == "no-store"
    statuses = [r.status for r in responses]
    assert statuses == [200, 302, 401, 200, 200, 200, 403, 404]
    # The rest of the site keeps its own headers (the inbox middleware only acts on /inbox).
    other = await client.get("/static/inbox/inbox.css")
    assert other.status == 200 and "Content-Security-Policy" not in other.headers


async def test_pages_have_no_inline_script_or_style(client):
    ref = make_referral(6, contact={"name": "Jo", "phone": "07700900123"}, transcript=True)
    pages = [await (await client.get("/inbox/login")).text()]
    await signed_in(client, "admin")
    for url in (
        "/inbox/referrals",
        f"/inbox/referrals/{ref}",
        f"/inbox/referrals/{ref}?contact=show",
        "/inbox/dashboard",
        "/inbox/audit",
        "/inbox/staff",
        "/inbox/retention",
        "/inbox/nope",
    ):
        pages.append(await (await client.get(url)).text())
    for html in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", html, re.I)
        assert not re.search(r"\son[a-z]+\s*=", html, re.I)
        assert not re.search(r"\sstyle\s*=", html, re.I)
        assert "javascript:" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html)  # no external assets


async def test_session_cookie_flags(app, client, inbox):
    resp = await login(client, "reviewer")
    cookie = resp.cookies["inbox_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/inbox"
    assert not cookie["secure"]  # plain HTTP in the test, and INBOX_SECURE_COOKIES not set
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    inbox.config.secure_cookies = True  # what INBOX_SECURE_COOKIES=1 sets
    async with make_client(app) as other:
        page = await other.get("/inbox/login")
        assert page.cookies["inbox_login_csrf"]["secure"]
        token = hidden(await page.text(), "login_token")
        # The client keeps Secure cookies for HTTPS only: send the form cookie by hand.
        resp = await other.post(
            "/inbox/login",
            allow_redirects=False,
            headers={"Cookie": f"inbox_login_csrf={token}"},
            data={"login_token": token, "name": "Rob Reviewer", "password": "reviewer password 123"},
        )
        assert resp.status == 302
        cookie = resp.cookies["inbox_session"]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"


async def test_secure_cookies_from_the_environment(inbox_env, staff_ids, monkeypatch):
    monkeypatch.setenv("INBOX_SECURE_COOKIES", "1")
    reset_settings()  # read once (the fixture read them): read them again, with this
    from bot.web.app import create_app
    from bot.web.inbox import INBOX

    assert create_app()[INBOX].config.secure_cookies


async def test_a_bad_session_key_is_refused(inbox_env, monkeypatch):
    monkeypatch.setenv("INBOX_SESSION_KEY", "not a key")
    reset_settings()
    from bot.web.app import create_app

    with pytest.raises(SettingsError, match="^INBOX_SESSION_KEY: expected a Fernet key"):
        create_app()


async def test_a_tampered_cookie_is_no_session(client):
    await signed_in(client, "reviewer")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/inbox/"))["inbox_session"].value
    client.session.cookie_jar.update_cookies({"inbox_session": cookie[:-4] + "AAAA"}, client.make_url("/inbox/"))
    resp = await client.get("/inbox/referrals", allow_redirects=False)
    assert resp.status == 302


async def test_csrf_token_works_as_header(client):
    ref = make_referral(7)
    await signed_in(client, "reviewer")
    token = await csrf_of(client)
    resp = await client.post(
        f"/inbox/referrals/{ref}/note",
        data={"note": "by header"},
        headers={"X-CSRF-Token": token},
        allow_redirects=False,
    )
    assert resp.status == 302


async def test_behind_a_trusted_proxy(client, monkeypatch):
    from tests.inbox.helpers import audit_actions

    headers = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"}
    page = await client.get("/inbox/login", headers=headers)
    token = hidden(await page.text(), "login_token")
    form = {"login_token": token, "name": "Rob Reviewer", "password": "wrong password 000"}
    failed = await client.post("/inbox/login", data=form, headers=headers)
    assert audit_actions("sign_in_failed")[-1]["ip"] == "127.0.0.1"  # not trusted by default
    monkeypatch.setenv("INBOX_TRUST_PROXY", "1")
    reset_settings()
    form["login_token"] = hidden(await failed.text(), "login_token")  # each form has its own token
    resp = await client.post("/inbox/login", data={**form, "password": "reviewer password 123"}, headers=headers)
    assert audit_actions("sign_in")[-1]["ip"] == "198.51.100.7"
    assert resp.cookies["inbox_session"]["secure"]
