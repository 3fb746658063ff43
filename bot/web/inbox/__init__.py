"""The staff inbox at /inbox (CONTRACT section 7; docs/inbox.md).

`setup(app)` is called by bot.web.app.create_app(): it adds the inbox's routes under
/inbox, its templates and its middleware (sessions, roles, CSRF, security headers) to
the web application. The pages work without JavaScript; the stylesheet is served from
/static/inbox/.
"""
from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.web.inbox import security, views

HERE = Path(__file__).resolve().parent
INBOX = security.INBOX


def _when(value) -> str:
    """A stored UTC time as text: 2025-03-01 14:05 UTC."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")


def setup(app: web.Application) -> None:
    """Mount the inbox on the web application (before it starts)."""
    app[INBOX] = security.Inbox(security.session_key())
    env = aiohttp_jinja2.setup(
        app, app_key=views.JINJA, default_helpers=False,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    security.set_error_renderer(views.error_page)
    app.middlewares.append(security.inbox_middleware)
    views.add_routes(app)


__all__ = ["INBOX", "setup"]
