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
* an origin allow-list (ALLOWED_ORIGINS) for browsers;
* any body is safe: not JSON, not UTF-8, nested too deep, numbers too long, lone
  surrogates and invisible characters are refused or cleaned here (bot.edge), once;
* reference lookups (a message that is or looks like a reference) are limited per
  client address and for everyone together (bot.limits): 429 beyond that.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple, Union

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from bot.edge import BadInput, client_address, parse_json
from bot.limits import LimitUnavailable, reference_lookups
from bot.record.store import looks_like_reference
from bot.settings import get_settings
from channels.common import (
    LOOKUPS_DOWN_TEXT,
    LOOKUPS_LIMITED_TEXT,
    NO_REPLY_TEXT,
    STORE_DOWN_TEXT,
    TOO_LONG_TEXT,
    clean_text,
    health,
    tracker_store_of,
)

log = logging.getLogger(__name__)
SENDER = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
MAX_BODY = 16 * 1024


def _origins() -> List[str]:
    return list(get_settings().allowed_origins)


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
            try:
                return await self._receive(request, on_new_message, _error, _cors)
            except Exception:  # never a 500: whatever failed, the person gets a plain answer
                log.exception("rest: the message could not be handled")
                return _cors(request, response.json([{"recipient_id": "", "text": NO_REPLY_TEXT}]))

        return bp

    async def _receive(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        _error: Callable[..., HTTPResponse],
        _cors: Callable[..., HTTPResponse],
    ) -> HTTPResponse:
        started = time.perf_counter()
        incoming = read_request(request)
        if isinstance(incoming, tuple):
            return _error(request, *incoming)
        sender, text = incoming.sender, incoming.text
        address = client_address(request.ip, request.headers.get("x-forwarded-for"), trust_proxy())
        if looks_like_reference(text):
            refused = _lookup_refused(f"ip:{address}")
            if refused is not None:
                observability.message_done(
                    "rest",
                    "rate_limited" if refused[0] == 429 else "store_unavailable",
                    time.perf_counter() - started,
                    sender,
                    logger=log,
                )
                resp = _cors(request, response.json({"error": refused[1]}, status=refused[0]))
                resp.headers["Retry-After"] = str(refused[2])
                return resp
        store = tracker_store_of(request.app)
        if store is not None and not store.can_serve(sender):
            return _store_down(request, sender, started, _cors)
        collector = CollectingOutputChannel()
        outcome = "ok"
        try:
            await on_new_message(
                UserMessage(text, collector, sender, input_channel=self.name(), metadata=incoming.metadata)
            )
        except Exception:
            log.exception("turn failed")
            collector.messages.clear()
            outcome = "error"
        if store is not None and store.turn_lost(sender):
            # The conversation could not be read: what a blank memory answered is neither sent nor kept.
            return _store_down(request, sender, started, _cors)
        messages = list(collector.messages)
        outcome = "no_reply" if outcome == "ok" and not messages else outcome
        observability.message_done("rest", outcome, time.perf_counter() - started, sender, messages, log)
        if incoming.problem == "too_long":
            messages.insert(0, {"recipient_id": sender, "text": TOO_LONG_TEXT})
        if not messages:
            messages = [{"recipient_id": sender, "text": NO_REPLY_TEXT}]
        return _cors(request, response.json(messages))


def _lookup_refused(key: str) -> Optional[Tuple[int, str, int]]:
    """(status, text, Retry-After) when a reference lookup from `key` is refused; None to go on. When the
    shared count cannot be reached the lookup is refused too (503): unlimited lookups would let references
    be guessed."""
    try:
        if reference_lookups().allow(key):
            return None
        log.warning("rest: reference lookups limited for a client address")
        return 429, LOOKUPS_LIMITED_TEXT, max(1, reference_lookups().retry_after(key))
    except LimitUnavailable:
        return 503, LOOKUPS_DOWN_TEXT, 60


def _store_down(request: Request, sender: str, started: float, _cors: Callable[..., HTTPResponse]) -> HTTPResponse:
    observability.message_done("rest", "store_unavailable", time.perf_counter() - started, sender, logger=log)
    return _cors(
        request,
        response.json(
            [{"recipient_id": sender, "text": STORE_DOWN_TEXT, "custom": {"error": "store_unavailable"}}], status=503
        ),
    )


@dataclass
class Incoming:
    """A message as the channel accepts it: every field checked and cleaned (bot.edge)."""

    sender: str
    text: str
    problem: Optional[str]
    metadata: Optional[Dict[str, Any]]


def read_request(request: Request) -> Union[Incoming, Tuple[int, str]]:
    """The message in a request, or (status, plain reason) to refuse it with."""
    origin = (request.headers.get("origin") or "").rstrip("/")
    if origin and origin not in _origins():
        return 403, "This site is not allowed to use the chat."
    body = request.body or b""
    if len(body) > MAX_BODY:
        return 413, "The message is too large."
    try:
        payload = parse_json(body) if body else None
    except BadInput:
        return 400, 'The request must be JSON: {"sender": ..., "message": ...}.'
    if not isinstance(payload, dict):
        return 400, "The request must be a JSON object with sender and message."
    sender = payload.get("sender")
    if not isinstance(sender, str) or not SENDER.match(sender):
        return 400, "sender must be 1 to 128 letters, digits or ._:@- characters."
    text, problem = clean_text(payload.get("message"))
    if text is None:
        return 400, "message must be some text."
    return Incoming(sender, text, problem, allowed_metadata(payload.get("metadata")))


def trust_proxy() -> bool:
    """Behind a reverse proxy (INBOX_TRUST_PROXY=1) the client is the last X-Forwarded-For hop."""
    return get_settings().inbox_trust_proxy


def allowed_metadata(raw: Any) -> Optional[Dict[str, Any]]:
    """The metadata a page may send: only the widget's default nation, as a short word. Anything else
    (nested objects, keys the channels set themselves) is dropped, so it never reaches the dialogue."""
    if not isinstance(raw, dict):
        return None
    nation = raw.get("default_nation")
    if isinstance(nation, str) and re.fullmatch(r"[a-z_]{1,30}", nation):
        return {"default_nation": nation}
    return None
