"""A local fake of Twilio's REST API for outbound texts, over real HTTP, in a thread."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Dict, List

from aiohttp import web

from tests.support.stack import free_port


class FakeTwilio:
    def __init__(self):
        self.port = free_port()
        self.sent: List[Dict[str, str]] = []
        self.fail_next = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _create(self, request: web.Request) -> web.Response:
        form = await request.post()
        if self.fail_next:
            self.fail_next -= 1
            return web.json_response(
                {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}, status=400
            )
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return web.json_response({"message": "auth"}, status=401)
        msg = {
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "account": request.match_info["sid"],
        }
        self.sent.append(msg)
        sid = "SM" + uuid.uuid4().hex
        return web.json_response(
            {
                "sid": sid,
                "status": "queued",
                "to": msg["to"],
                "from": msg["from"],
                "body": msg["body"],
                "account_sid": msg["account"],
            },
            status=201,
        )

    def _run(self):
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> "FakeTwilio":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
