"""The aiohttp application on port 8080."""
from __future__ import annotations

import logging
import os
from html import escape
from pathlib import Path

from aiohttp import web

from bot.web import health

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    ready, details = await health.check()
    return web.json_response({"status": "ready" if ready else "not ready", **details}, status=200 if ready else 503)


async def demo_page(request: web.Request) -> web.Response:
    """The provider's demo page, its widget pointed at this deployment's Rasa server.

    The widget defaults to the page's host on port 5005; when Rasa is elsewhere
    (WIDGET_RASA_URL, or another RASA_PORT) the page is told so.
    """
    html = (HERE / "static" / "demo.html").read_text(encoding="utf-8")
    url = widget_rasa_url(request)
    if url:
        html = html.replace('<script src="/static/dist/widget.js"',
                            f'<script src="/static/dist/widget.js" data-rasa-url="{escape(url, quote=True)}"', 1)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-cache"})


def widget_rasa_url(request: web.Request) -> str:
    """Where the demo page's widget should send messages, or "" for the widget's own default."""
    from bot.settings import get_settings, rasa_port

    configured = get_settings().widget_rasa_url
    if configured:
        return configured
    if rasa_port() == 5005:
        return ""
    # request.host is "name:port" as the browser sent it (request.url.host trips over the port in yarl).
    host = (request.host or "localhost").rsplit(":", 1)[0] if not (request.host or "").endswith("]") \
        else request.host
    return f"{request.scheme}://{host}:{rasa_port()}"


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        resp = await handler(request)
    except web.HTTPException as e:
        resp = e
    except OSError:
        if not request.path.startswith("/static/"):
            raise
        resp = web.HTTPNotFound()   # a file name the system refuses (too long, say) is no such file
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if request.path.startswith("/static/dist/"):
        # The built widget keeps one file name across builds: make browsers revalidate it.
        resp.headers.setdefault("Cache-Control", "no-cache")
    return resp


def create_app() -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", demo_page)
    app.router.add_static("/static/", HERE / "static", show_index=False)
    _mount_optional(app)
    return app


def _mount_optional(app: web.Application) -> None:
    """Sub-systems that add their own routes: the staff inbox (/inbox), SMS development page, metrics,
    letter links (/l/)."""
    import importlib

    for module in ("bot.web.inbox", "bot.web.devsms", "bot.web.metrics", "bot.web.letter"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue
            raise
        mod.setup(app)


def main() -> None:
    """Serve the web app on WEB_PORT (a bad setting stops it with one line, status 2)."""
    from bot.settings import settings_or_exit

    settings = settings_or_exit("web")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(), host="0.0.0.0", port=settings.web_port, access_log=None, print=None)


if __name__ == "__main__":
    main()
