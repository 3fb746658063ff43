"""A truthful /healthz: ready only when every part is (CONTRACT section 1)."""
from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from typing import Any, Dict, Tuple

import aiohttp

from bot.record.db import probe_write
from bot.settings import get_settings


def _rasa_urls():
    settings = get_settings()
    return list(settings.rasa_urls) or [f"http://127.0.0.1:{settings.rasa_port}"]


def _action_url() -> str:
    settings = get_settings()
    return settings.action_health_url or f"http://127.0.0.1:{settings.action_port}/health"


async def _get_json(session: aiohttp.ClientSession, url: str) -> Tuple[int, Any]:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
            try:
                body = await resp.json(content_type=None)
            except Exception:
                body = None
            return resp.status, body
    except Exception as e:
        return 0, {"error": type(e).__name__}


def _lock_store_ok() -> bool:
    """The Redis lock store answers (REDIS_URL): without it no Rasa server can take a conversation's lock."""
    import redis

    try:
        client = redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


#: A write probe's answer is reused for this long, so that a flood of /healthz requests is not a flood of writes.
PROBE_TTL = 1.0
_last_probe: Dict[str, Any] = {"at": 0.0, "result": None}
_probe_lock = threading.Lock()


def _database() -> Dict[str, Any]:
    """The record's database proves it takes writes: a token written, committed and read back."""
    with _probe_lock:
        now = time.monotonic()
        if _last_probe["result"] is not None and now - _last_probe["at"] < PROBE_TTL:
            return _last_probe["result"]
        started = time.perf_counter()
        problem = probe_write(f"web-{socket.gethostname()[:20]}-{os.getpid()}")
        out: Dict[str, Any] = {"ready": problem is None,
                               "write_ms": round((time.perf_counter() - started) * 1000, 1)}
        if problem:
            out["error"] = problem
        _last_probe.update(at=time.monotonic(), result=out)
        return out


async def check() -> Tuple[bool, Dict[str, Any]]:
    """(ready, details). Every part must be ready: Rasa with its model, actions, database (a write read
    back), lock store."""
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session:
        rasa_checks = [_get_json(session, f"{u}/webhooks/rest/") for u in _rasa_urls()]
        action_check = _get_json(session, _action_url())
        db_check = loop.run_in_executor(None, _database)
        lock_check = loop.run_in_executor(None, _lock_store_ok) if get_settings().redis_url else _none()
        results = await asyncio.gather(*rasa_checks, action_check, db_check, lock_check)
    rasa_results, (a_status, _), database, lock_ok = results[:-3], results[-3], results[-2], results[-1]
    rasa = []
    for url, (status, body) in zip(_rasa_urls(), rasa_results):
        body = body if isinstance(body, dict) else {}
        rasa.append({"url": url, "ready": status == 200 and bool(body.get("ok")),
                     "model_loaded": bool(body.get("model_loaded")),
                     "tracker_store": body.get("tracker_store") or ({"error": body.get("error")} if status == 0 else None)})
    details = {
        "rasa": rasa,
        "action_server": {"ready": a_status == 200},
        "database": database,
    }
    if lock_ok is not None:
        details["lock_store"] = {"ready": bool(lock_ok)}
    ready = all(r["ready"] for r in rasa) and details["action_server"]["ready"] and details["database"]["ready"] \
        and details.get("lock_store", {}).get("ready", True)
    details["not_ready"] = ([f"rasa ({r['url']})" for r in rasa if not r["ready"]]
                            + (["action_server"] if not details["action_server"]["ready"] else [])
                            + (["database"] if not details["database"]["ready"] else [])
                            + (["lock_store"] if not details.get("lock_store", {}).get("ready", True) else []))
    return ready, details


async def _none() -> None:
    return None
