"""Fixtures for the inbox tests: a private DATA_DIR and database, the web app, a test client."""

from __future__ import annotations

import pytest
import pytest_asyncio


@pytest.fixture()
def inbox_env(tmp_path, monkeypatch):
    """Environment first (DATA_DIR, no DATABASE_URL), then the record's schema."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("INBOX_SESSION_KEY", raising=False)
    monkeypatch.delenv("INBOX_SECURE_COOKIES", raising=False)
    monkeypatch.delenv("INBOX_TRUST_PROXY", raising=False)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):  # never a real text message from a test
        monkeypatch.delenv(name, raising=False)
    from bot.record import db

    db.reset_engines()
    db.upgrade()
    yield tmp_path
    db.reset_engines()


@pytest.fixture()
def staff_ids(inbox_env):
    from tests.inbox.helpers import make_staff

    return make_staff()


@pytest.fixture()
def app(inbox_env, staff_ids):
    from bot.web.app import create_app

    application = create_app()
    from bot.web.inbox import INBOX

    application[INBOX].config.fail_delay = 0
    return application


@pytest.fixture()
def inbox(app):
    """The inbox's state: clock (move it with .clock.offset), config, limiter."""
    from bot.web.inbox import INBOX

    return app[INBOX]


@pytest_asyncio.fixture(loop_scope="function")
async def client(app):
    from tests.inbox.helpers import make_client

    async with make_client(app) as c:
        yield c


@pytest.fixture()
def real_hashing():
    """Ask for this to keep the production Argon2id parameters in a test."""


@pytest.fixture(autouse=True)
def quick_hashing(request, monkeypatch):
    """Cheaper Argon2id parameters in these tests (test_staff checks the real ones)."""
    if "real_hashing" in request.fixturenames:
        return
    from argon2 import PasswordHasher

    from bot import staff

    quick = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    monkeypatch.setattr(staff, "_hasher", lambda: quick)
    monkeypatch.setattr(staff, "_dummy_hash", lambda: quick.hash("timing equaliser"))


@pytest.fixture()
def sms_outbox(app):
    """A fake SMS sender registered with bot.notify (after the app is made); yields the texts it was asked to send."""
    from bot import notify

    sent = []
    previous = notify.SENDERS.get("sms")
    notify.register_sender("sms", lambda contact, text: sent.append((contact, text)) or True)
    yield sent
    if previous is None:
        notify.SENDERS.pop("sms", None)
    else:
        notify.SENDERS["sms"] = previous
