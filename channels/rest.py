"""The REST channel (CONTRACT section 4), hardened.

Same URL and format as Rasa's built-in channel (`POST /webhooks/rest/webhook`,
`{"sender", "message"}` -> list of bot messages), plus:

* bad input gets a 400 with a clear message, never a traceback or a 500;
* a person's "/intent{...}" is read as words (see channels.common.clean_text);
* sender ids are checked (length and characters);
* when the conversation store is down, the person is told so (503), and no turn
  is processed on a blank memory;
* a turn that produced no reply (an action failed) gets a kind message instead
  of silence;
* an origin allow-list (ALLOWED_ORIGINS) for browsers.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from channels.common import NO_REPLY_TEXT, STORE_DOWN_TEXT, TOO_LONG_TEXT, clean_text, health, tracker_store_of

log = logging.getLogger(__name__)
SENDER = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
MAX_BODY = 16 * 1024


def _origins() -> List[str]:
    raw = os.environ.get("ALLOWED_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080")
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


class RestInput(InputChannel):
    """Drop-in replacement for Rasa's `rest` channel (registered in credentials.yml)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        observability.configure_logging("rasa")
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("custom_rest_webhook", __name__)

        def _cors(req: Request, resp: HTTPResponse) -> HTTPResponse:
            origin = (req.headers.get("origin") or "").rstrip("/")
            if origin and origin in _origins():
                resp.headers["Access-Control-Allow-Origin"] = origin
                resp.headers["Vary"] = "Origin"
                resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
                resp.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            return resp

        def _error(req: Request, status: int, message: str) -> HTTPResponse:
            observability.message_done("rest", "rejected", logger=log)
            return _cors(req, response.json({"error": message}, status=status))

        @bp.route("/", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            h = health(request.app)
            return response.json({"status": "ok" if h["ok"] else "degraded", **h}, status=200 if h["ok"] else 503)

        @bp.route("/webhook", methods=["OPTIONS"])
        async def preflight(request: Request) -> HTTPResponse:
            origin = (request.headers.get("origin") or "").rstrip("/")
            if origin and origin not in _origins():
                return response.empty(status=403)
            return _cors(request, response.empty(status=204))

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            started = time.perf_counter()
            origin = (request.headers.get("origin") or "").rstrip("/")
            if origin and origin not in _origins():
                return _error(request, 403, "This site is not allowed to use the chat.")
            body = request.body or b""
            if len(body) > MAX_BODY:
                return _error(request, 413, "The message is too large.")
            try:
                payload = json.loads(body.decode("utf-8")) if body else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                return _error(request, 400, "The request must be JSON: {\"sender\": ..., \"message\": ...}.")
            if not isinstance(payload, dict):
                return _error(request, 400, "The request must be a JSON object with sender and message.")
            sender = payload.get("sender")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return _error(request, 400, "sender must be 1 to 128 letters, digits or ._:@- characters.")
            text, problem = clean_text(payload.get("message"))
            if problem in ("empty", "not_text"):
                return _error(request, 400, "message must be some text.")
            metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None

            store = tracker_store_of(request.app)
            if store is not None and not store.can_serve(sender):
                observability.message_done("rest", "store_unavailable", time.perf_counter() - started, sender,
                                           logger=log)
                return _cors(request, response.json([{"recipient_id": sender, "text": STORE_DOWN_TEXT,
                                                      "custom": {"error": "store_unavailable"}}], status=503))
            collector = CollectingOutputChannel()
            outcome = "ok"
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception:
                log.exception("turn failed")
                collector.messages.clear()
                outcome = "error"
            if store is not None and store.turn_lost(sender):
                # The conversation could not be read: what a blank memory answered is neither sent nor kept.
                observability.message_done("rest", "store_unavailable", time.perf_counter() - started, sender,
                                           logger=log)
                return _cors(request, response.json([{"recipient_id": sender, "text": STORE_DOWN_TEXT,
                                                      "custom": {"error": "store_unavailable"}}], status=503))
            messages = list(collector.messages)
            outcome = "no_reply" if outcome == "ok" and not messages else outcome
            observability.message_done("rest", outcome, time.perf_counter() - started, sender, messages, log)
            if problem == "too_long":
                messages.insert(0, {"recipient_id": sender, "text": TOO_LONG_TEXT})
            if not messages:
                messages = [{"recipient_id": sender, "text": NO_REPLY_TEXT}]
            return _cors(request, response.json(messages))

        return bp
