"""Signing in and out: Argon2id, backoff per account and address, trusted devices, new sessions, idle and absolute expiry, audit."""

from __future__ import annotations

from tests.inbox.helpers import NAMES, PASSWORDS, audit_actions, login, make_client, make_referral, signed_in


def session_cookie(client) -> str:
    c = client.session.cookie_jar.filter_cookies(client.make_url("/inbox/"))
    return c["inbox_session"].value if "inbox_session" in c else ""


async def test_sign_in_and_out_are_audited(client):
    resp = await login(client, "reviewer")
    assert resp.status == 302 and resp.headers["Location"] == "/inbox/"
    resp = await client.get("/inbox/", allow_redirects=False)
    assert resp.headers["Location"] == "/inbox/referrals"
    page = await (await client.get("/inbox/referrals")).text()
    assert "Signed in as <strong>Rob Reviewer</strong>" in page
    from tests.inbox.helpers import hidden

    resp = await client.post("/inbox/logout", data={"csrf_token": hidden(page, "csrf_token")}, allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/inbox/login?reason=signed_out"
    assert (await client.get("/inbox/referrals", allow_redirects=False)).status == 302
    actions = [(a["action"], a["staff"]) for a in audit_actions()]
    assert ("sign_in", "Rob Reviewer") in actions and ("sign_out", "Rob Reviewer") in actions
    sign_in = audit_actions("sign_in")[0]
    assert sign_in["ip"] == "127.0.0.1"


async def test_failed_sign_ins_are_audited_without_the_password(client):
    resp = await login(client, "reviewer", password="wrong password 123")
    assert resp.status == 401
    assert "Sign-in failed" in await resp.text()
    resp = await login(client, name="Nobody At All", password="whatever password")
    assert resp.status == 401
    failed = audit_actions("sign_in_failed")
    assert [f["staff"] for f in failed] == ["Rob Reviewer", None]
    assert failed[0]["detail"] == "wrong password" and failed[1]["detail"] == "no such account"
    for entry in audit_actions():
        assert "wrong password 123" not in str(entry) and "Nobody At All" not in str(entry)


async def test_the_password_is_stored_as_argon2id(staff_ids):
    from sqlalchemy import select

    from bot.record.db import session_scope
    from bot.record.models import Staff

    with session_scope() as s:
        hashes = list(s.execute(select(Staff.password_hash)).scalars())
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


async def test_failures_slow_the_account_down_and_never_lock_it(client, inbox):
    for i in range(4):
        assert (await login(client, "reviewer", password=f"wrong password {i:03d}")).status == 401
    assert (await login(client, "reviewer", password="wrong password 999")).status == 401  # the fifth: 1 s to wait
    # During the wait even the right password is refused, unchecked, with the same message.
    resp = await login(client, "reviewer")
    assert resp.status == 401 and "inbox_session" not in resp.cookies
    details = [a["detail"] for a in audit_actions("sign_in_failed")]
    assert details[4] == "wrong password; next attempt in 1 s" and details[5].startswith("attempt refused unchecked")
    inbox.clock.offset += 2
    assert (await login(client, "reviewer")).status == 302  # seconds later, not fifteen minutes
    assert audit_actions("sign_in")[0]["staff"] == "Rob Reviewer"


async def test_an_attacker_cannot_keep_the_owner_out(app, client, inbox):
    """The owner's browser signed in before: it skips the account's wait and its network's."""
    from tests.inbox.helpers import make_client

    await signed_in(client, "admin")  # the owner, some time ago: this browser is now trusted for the account
    async with make_client(app) as attacker:  # same address (127.0.0.1), no trusted-device cookie
        statuses = []
        for i in range(14):
            statuses.append((await login(attacker, "admin", password=f"guess number {i:03d}")).status)
            inbox.clock.offset += 0.2
        assert set(statuses) <= {401, 429} and 429 in statuses  # the attacker's network is slowed down
        assert (await login(attacker, "admin")).status in (401, 429)  # even the right password, now
    # The owner, meanwhile, signs in at once (the account's wait and the address's do not apply).
    assert (await login(client, "admin")).status == 302


async def test_a_success_resets_the_failure_count(client):
    for i in range(4):
        await login(client, "reviewer", password=f"wrong password {i:03d}")
    assert (await login(client, "reviewer")).status == 302
    for i in range(4):
        await login(client, "reviewer", password=f"wrong password {i:03d}")
    assert (await login(client, "reviewer")).status == 302


async def test_per_address_limit_waits_longer_after_each_failure(client, inbox):
    inbox.config.ip_free_failures = 3
    for i in range(3):
        await login(client, name=f"guess{i}", password="guessing password")
    resp = await login(client, "reviewer")
    assert resp.status == 429 and resp.headers["Retry-After"] == "1"
    assert audit_actions("sign_in_throttled")
    inbox.clock.offset += 1.5
    assert (await login(client, name="guess4", password="guessing password")).status == 401  # the fourth failure
    resp = await login(client, "reviewer")
    assert resp.status == 429 and resp.headers["Retry-After"] == "2"  # twice as long
    inbox.clock.offset += 2.5
    assert (await login(client, "reviewer")).status == 302  # a person who waits gets in


async def test_each_sign_in_gets_a_new_session(client):
    await signed_in(client, "reviewer")
    first = session_cookie(client)
    old_jar = {"inbox_session": first}
    await signed_in(client, "admin")
    second = session_cookie(client)
    assert first and second and first != second
    # The session that was replaced no longer works.
    client.session.cookie_jar.update_cookies(old_jar, client.make_url("/inbox/"))
    assert (await client.get("/inbox/referrals", allow_redirects=False)).status == 302


async def test_signed_out_session_cannot_be_replayed(client):
    token = await signed_in(client, "reviewer")
    cookie = session_cookie(client)
    await client.post("/inbox/logout", data={"csrf_token": token}, allow_redirects=False)
    client.session.cookie_jar.update_cookies({"inbox_session": cookie}, client.make_url("/inbox/"))
    assert (await client.get("/inbox/referrals", allow_redirects=False)).status == 302


async def test_idle_expiry_after_thirty_minutes(client, inbox):
    await signed_in(client, "reviewer")
    for _ in range(4):  # active every 25 minutes: stays signed in
        inbox.clock.offset += 25 * 60
        assert (await client.get("/inbox/referrals", allow_redirects=False)).status == 200
    inbox.clock.offset += 30 * 60 + 5  # then 30 minutes without a request
    resp = await client.get("/inbox/referrals", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/inbox/login?next=/inbox/referrals&reason=idle"
    page = await (await client.get(resp.headers["Location"])).text()
    assert "30 minutes without activity" in page
    assert [a["detail"] for a in audit_actions("session_ended")] == ["idle"]
    # And a POST after expiry is refused as unauthenticated.
    assert (await client.post("/inbox/logout", allow_redirects=False)).status == 401


async def test_absolute_expiry_after_twelve_hours(client, inbox):
    await signed_in(client, "reviewer")
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        inbox.clock.offset += 20 * 60
        resp = await client.get("/inbox/dashboard", allow_redirects=False)
        assert resp.status == 200
    inbox.clock.offset += 20 * 60
    resp = await client.get("/inbox/dashboard", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].endswith("reason=expired")
    assert [a["detail"] for a in audit_actions("session_ended")] == ["expired"]


async def test_deactivation_and_password_reset_end_sessions(app, client, staff_ids):
    from bot.staff import reset_password, set_active

    await signed_in(client, "reviewer")
    set_active(staff_ids["reviewer"], False)
    assert (await client.get("/inbox/referrals", allow_redirects=False)).status == 302
    assert (await login(client, "reviewer")).status == 401  # deactivated: cannot sign in
    set_active(staff_ids["reviewer"], True)
    async with make_client(app) as other:
        await signed_in(other, "analyst")
        reset_password(staff_ids["analyst"], "a brand new password")
        assert (await other.get("/inbox/dashboard", allow_redirects=False)).status == 302
        assert (await login(other, "analyst", password="a brand new password")).status == 302


async def test_sign_in_page_when_already_signed_in(client):
    await signed_in(client, "reviewer")
    resp = await client.get("/inbox/login", allow_redirects=False)
    assert resp.status == 200 and "You are signed in as Rob Reviewer" in await resp.text()


async def test_names_are_matched_without_case_or_extra_spaces(client):
    resp = await login(client, name="  rob   REVIEWER ", password=PASSWORDS["reviewer"])
    assert resp.status == 302
    assert NAMES["reviewer"] in await (await client.get("/inbox/referrals")).text()


async def test_referral_views_need_fresh_sessions_too(client, inbox):
    ref = make_referral(1)
    await signed_in(client, "reviewer")
    inbox.clock.offset += 31 * 60
    resp = await client.get(f"/inbox/referrals/{ref}", allow_redirects=False)
    assert resp.status == 302
    assert not audit_actions("view_referral")


async def test_sign_in_is_refused_plainly_when_the_shared_limits_cannot_be_reached(client, inbox):
    """REDIS_URL set but Redis down: no unlimited guessing, and no 500 either (issue 14, point 4)."""
    from bot.limits import RedisBackend
    from tests.support.stack import free_port

    inbox.limiter.backend = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    resp = await login(client, "reviewer")
    assert resp.status == 503 and resp.headers["Retry-After"] == "60"
    assert "Signing in is paused for a moment" in await resp.text()
    assert audit_actions("sign_in_throttled")[0]["detail"].endswith("the sign-in limits cannot be read")
    assert not audit_actions("sign_in")
