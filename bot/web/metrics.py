"""`GET /metrics` on the web app: Prometheus metrics of every process of the stack.

Under `python -m bot run` the numbers of all processes (Rasa servers, action server, web
app) are read from PROMETHEUS_MULTIPROC_DIR; otherwise this process's own registry is
served. Access: with METRICS_TOKEN set, only requests with `Authorization: Bearer
<token>`; without it, only clients on loopback (so a port published by mistake does not
expose it). The client address is the connection's own, never X-Forwarded-For.

Mounting also sets up this process's logging (LOG_FORMAT, bot.observability).
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot import observability

log = logging.getLogger(__name__)


async def metrics(request: web.Request) -> web.Response:
    if not observability.metrics_allowed(_peer(request), request.headers.get("Authorization")):
        return web.Response(status=403, text="Forbidden\n")
    await _check_record()
    try:
        body = observability.exposition()
    except Exception:
        log.exception("metrics: could not collect")
        return web.Response(status=500, text="metrics unavailable\n")
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = observability.CONTENT_TYPE
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _peer(request: web.Request):
    """The connection's client address (not request.remote, which a proxy set-up may rewrite)."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return peer[0] if isinstance(peer, (tuple, list)) and peer else None


async def _check_record() -> None:
    """complaints_store_available{store="record"}: does the record's database answer now?"""
    from bot.record.db import ping

    try:
        ok = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, ping), timeout=3)
    except Exception:
        ok = False
    observability.store_status("record", bool(ok))


def setup(app: web.Application) -> None:
    observability.configure_logging("web")
    app.router.add_get("/metrics", metrics)
