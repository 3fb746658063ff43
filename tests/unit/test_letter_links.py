"""Letters behind an SMS link: the web app's /l/<token> page works, expires after 7 days (the clock is
injected), and is gone for good after the retention purge. The letter is encrypted at rest."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.letter import Letter, links
from bot.record.models import utcnow
from bot.settings import reset_settings

STORY = "The carer did not come on Tuesday and my mum was left without her tea."
LETTER = Letter(
    to="The Complaints Manager, [name of the home care agency]",
    subject="Complaint about care from [name of the home care agency]",
    body=f'Dear Complaints Manager,\n\n{STORY}\n\nA test of <script>alert(1)</script> & "quotes".',
    note="Fill in the parts in square brackets.",
)


@pytest.fixture()
def record(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    from bot.record import db

    db.reset_engines()
    db.upgrade()
    yield tmp_path / "record.db"
    db.reset_engines()


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


async def client_with(clock):
    from bot.web.app import create_app
    from bot.web.letter import NOW

    app = create_app()
    app[NOW] = clock
    return TestClient(TestServer(app))


async def test_the_link_works_expires_and_is_gone_after_the_purge(record, monkeypatch):
    clock = Clock()
    token = links.keep(LETTER, now=clock.now)
    async with await client_with(clock) as client:
        resp = await client.get(f"/l/{token}")
        html = await resp.text()
        assert resp.status == 200
        assert "Your draft letter" in html and STORY in html and "[name of the home care agency]" in html
        # Text only: the letter's own angle brackets never become HTML.
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert html.count("<script") == 1  # the page's own script only
        assert resp.headers["Cache-Control"] == "no-store" and resp.headers["Referrer-Policy"] == "no-referrer"
        assert (
            "noindex" in resp.headers["X-Robots-Tag"]
            and "default-src 'none'" in resp.headers["Content-Security-Policy"]
        )
        for name in ("Copy the letter", "Download as a text file", "Print the letter"):
            assert f">{name}</button>" in html

        # Still there at the end of the sixth day; refused from the seventh, before any purge.
        clock.now += dt.timedelta(days=6, hours=23)
        assert (await client.get(f"/l/{token}")).status == 200
        clock.now += dt.timedelta(hours=1)
        resp = await client.get(f"/l/{token}")
        gone = await resp.text()
        assert resp.status == 404 and "This letter link has expired or is not valid" in gone and STORY not in gone
        assert rows(record) == 1  # refused, though not yet deleted

        # The daily retention job deletes it for good.
        from bot.record.retention import purge_all

        with monkeypatch.context() as m:
            m.setattr(links, "utcnow", clock)
            counts = purge_all(365)
        assert counts["letter_links"] == 1 and rows(record) == 0
        clock.now = utcnow()  # even back in its week, the page is gone
        assert (await client.get(f"/l/{token}")).status == 404


async def test_unknown_and_malformed_tokens_get_the_404_page(record):
    async with await client_with(Clock()) as client:
        for path in ("/l/" + "A" * 22, "/l/short", "/l/" + "%3Cscript%3E" * 2):
            resp = await client.get(path)
            assert resp.status == 404 and "expired or is not valid" in await resp.text()


def test_the_letter_is_encrypted_at_rest_and_only_the_token_s_hash_is_kept(record):
    token = links.keep(LETTER)
    con = sqlite3.connect(record)
    try:
        ((token_hash, sealed),) = con.execute("SELECT token_hash, sealed FROM rec_letter_links").fetchall()
    finally:
        con.close()
    assert token not in token_hash and token_hash == links._hash(token)
    assert STORY not in sealed and "Complaints Manager" not in sealed
    assert links.fetch(token) == LETTER
    assert links.TOKEN_RE.match(token) and len({links.keep(LETTER) for _ in range(20)}) == 20


def test_purge_keeps_letters_still_in_their_week(record):
    now = utcnow()
    old = links.keep(LETTER, now=now - dt.timedelta(days=8))
    new = links.keep(LETTER, now=now - dt.timedelta(days=1))
    assert links.purge(now=now) == 1
    assert links.fetch(old, now=now) is None and links.fetch(new, now=now) == LETTER


def test_the_text_message_gives_the_link(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://help.example.nhs.uk/")
    monkeypatch.delenv("SMS_DEV", raising=False)
    assert links.link("abc") == "https://help.example.nhs.uk/l/abc"
    message = links.sms_message("abc")
    assert "https://help.example.nhs.uk/l/abc" in message and "7 days" in message
    monkeypatch.setenv("SMS_DEV", "1")
    monkeypatch.setenv("WEB_PORT", "8099")
    reset_settings()  # settings are read once: read them again, with these
    assert links.link("abc") == "http://localhost:8099/l/abc"


async def test_a_database_that_is_down_gives_a_plain_503(record, monkeypatch):
    from bot.record.store import StoreUnavailable

    def down(*a, **k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("bot.web.letter.fetch", down)
    async with await client_with(Clock()) as client:
        resp = await client.get("/l/" + "A" * 22)
        assert resp.status == 503 and "cannot show your letter just now" in await resp.text()


def rows(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT COUNT(*) FROM rec_letter_links").fetchone()[0]
    finally:
        con.close()
