"""The aiohttp application on port 8080."""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.web import health

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    ready, details = await health.check()
    return web.json_response({"status": "ready" if ready else "not ready", **details}, status=200 if ready else 503)


async def demo_page(request: web.Request) -> web.Response:
    return web.FileResponse(HERE / "static" / "demo.html")


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        resp = await handler(request)
    except web.HTTPException as e:
        resp = e
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return resp


def create_app() -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", demo_page)
    app.router.add_static("/static/", HERE / "static", show_index=False)
    _mount_optional(app)
    return app


def _mount_optional(app: web.Application) -> None:
    """Sub-systems that add their own routes: the staff inbox (/inbox), SMS development page, metrics."""
    import importlib

    for module in ("bot.web.inbox", "bot.web.devsms", "bot.web.metrics"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue
            raise
        mod.setup(app)


def main() -> None:
    from bot.settings import web_port

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(), host="0.0.0.0", port=web_port(), access_log=None, print=None)


if __name__ == "__main__":
    main()
