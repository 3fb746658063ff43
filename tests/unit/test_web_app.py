"""The web app's own pages: the demo page points its widget at this deployment's Rasa server."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer


@pytest.fixture()
def web_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WIDGET_RASA_URL", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    from bot.record import db

    db.reset_engines()
    yield monkeypatch
    db.reset_engines()


async def page(monkeypatch_env=None):
    from bot.web.app import create_app

    async with TestClient(TestServer(create_app())) as client:
        resp = await client.get("/")
        return resp, await resp.text()


async def test_demo_page_uses_the_widget_default_on_the_standard_port(web_env):
    resp, html = await page()
    assert resp.status == 200
    assert 'src="/static/dist/widget.js"' in html and "data-rasa-url" not in html
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_demo_page_points_the_widget_at_another_rasa_port(web_env):
    web_env.setenv("RASA_PORT", "6123")
    _, html = await page()
    assert 'data-rasa-url="http://127.0.0.1:6123"' in html


async def test_a_configured_widget_url_wins_and_is_escaped(web_env):
    web_env.setenv("WIDGET_RASA_URL", 'https://chat.example.nhs.uk/"><script>')
    _, html = await page()
    assert 'data-rasa-url="https://chat.example.nhs.uk/&quot;&gt;&lt;script&gt;"' in html
    assert html.count("<script") == 1
