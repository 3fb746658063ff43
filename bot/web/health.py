"""A truthful /healthz: ready only when every part is (CONTRACT section 1)."""
from __future__ import annotations

import asyncio
import os
from typing import Any, Dict, Tuple

import aiohttp

from bot.record.db import ping
from bot.settings import action_port, rasa_port


def _rasa_urls():
    raw = os.environ.get("RASA_URLS")
    if raw:
        return [u.strip().rstrip("/") for u in raw.split(",") if u.strip()]
    return [f"http://127.0.0.1:{rasa_port()}"]


def _action_url() -> str:
    return (os.environ.get("ACTION_HEALTH_URL") or f"http://127.0.0.1:{action_port()}/health")


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
        client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


async def check() -> Tuple[bool, Dict[str, Any]]:
    """(ready, details). Every part must be ready: Rasa with its model, actions, database, lock store."""
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session:
        rasa_checks = [_get_json(session, f"{u}/webhooks/rest/") for u in _rasa_urls()]
        action_check = _get_json(session, _action_url())
        db_check = loop.run_in_executor(None, ping)
        lock_check = loop.run_in_executor(None, _lock_store_ok) if os.environ.get("REDIS_URL") else _none()
        results = await asyncio.gather(*rasa_checks, action_check, db_check, lock_check)
    rasa_results, (a_status, _), db_ok, lock_ok = results[:-3], results[-3], results[-2], results[-1]
    rasa = []
    for url, (status, body) in zip(_rasa_urls(), rasa_results):
        body = body if isinstance(body, dict) else {}
        rasa.append({"url": url, "ready": status == 200 and bool(body.get("ok")),
                     "model_loaded": bool(body.get("model_loaded")),
                     "tracker_store": body.get("tracker_store") or ({"error": body.get("error")} if status == 0 else None)})
    details = {
        "rasa": rasa,
        "action_server": {"ready": a_status == 200},
        "database": {"ready": bool(db_ok)},
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
