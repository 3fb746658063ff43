"""SMS through Twilio (CONTRACT section 5), as a Rasa input channel.

`POST /webhooks/sms/webhook` takes Twilio's form post and answers in the same
response with TwiML. Unlike Rasa's built-in Twilio channel it:

* validates `X-Twilio-Signature` with Twilio's RequestValidator over PUBLIC_URL + path
  (403, nothing processed, otherwise);
* processes a retried MessageSid once, answering the retry with the same reply;
* honours STOP / START / HELP (no texts after STOP, until START);
* shows buttons as numbered options and reads "2" as the second option;
* keeps replies within 320 characters where it can, splitting cleanly otherwise,
  and never texts the machine markers;
* never uses the phone number as the conversation id or writes it to logs (a keyed
  pseudonym is used), and limits how fast one number can send.

Outbound texts (updates to a referral) use Twilio's REST client with a replaceable
HTTP layer (`SmsSender`), so tests can point it at a local fake Twilio API.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections import defaultdict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from channels.common import NO_REPLY_TEXT, STORE_DOWN_TEXT, clean_text, tracker_store_of

log = logging.getLogger(__name__)

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop"}
HELP_WORDS = {"help", "info"}
MAX_CHARS = 320
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("^{}\\[~]|€")
HELP_TEXT = ("This is the health and social care concerns helper. Tell us what happened and we will tell you "
             "where to take it. Reply STOP to stop texts. In an emergency call 999.")
START_TEXT = "You will get texts from us again. Tell us what happened, in your own words."
NOT_TEXT_TEXT = "Please send your message as text."
LONG_TEXT = "Your message was long, so I read the first part."
RATE_PER_MINUTE = 10   # SMS_RATE_PER_MINUTE overrides; a person rarely sends more than a few a minute
RATE_PER_DAY = 200     # SMS_RATE_PER_DAY overrides
SLOW_DOWN_TEXT = "You are sending messages very fast. Please wait a minute, then send your message again."


# ---------------------------------------------------------------- text shaping
def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 or ch in GSM7_EXT for ch in text)


def segments(text: str) -> int:
    """How many SMS segments Twilio will bill for `text` (GSM-7 or UCS-2)."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXT else 1 for ch in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
    return 1 if units <= 70 else -(-units // 67)


def split_text(text: str, limit: int = MAX_CHARS) -> List[str]:
    """Split into parts of at most `limit` characters, at sentence or word boundaries."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts, current = [], ""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        sentence = sentence.strip()
        if not sentence:
            continue
        while len(sentence) > limit:  # one very long sentence: cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}".strip() if current else sentence
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = sentence
    if current:
        parts.append(current)
    return parts


def sms_from_messages(messages: List[Dict[str, Any]]) -> Tuple[List[str], List[str]]:
    """(SMS texts, button payloads offered) from Rasa's messages.

    The recommendation is shortened for a phone screen, built from its routes marker;
    buttons become numbered options; machine markers are never texted.
    """
    routes = next((m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "routes" in m["custom"]), None)
    texts: List[str] = []
    options: List[str] = []
    if routes is not None:
        texts.append(compact_advice(routes))
        # keep what came after the marker (the closing, the next question)
        after = False
        for m in messages:
            if isinstance(m.get("custom"), dict) and "routes" in m["custom"]:
                after = True
                continue
            if after and m.get("text"):
                texts.append(m["text"])
                if m.get("buttons"):
                    options = [b.get("payload") or b.get("title") for b in m["buttons"]]
                    texts[-1] += "\n" + numbered(m["buttons"])
    else:
        for m in messages:
            if m.get("text"):
                text = m["text"]
                if m.get("buttons"):
                    options = [b.get("payload") or b.get("title") for b in m["buttons"]]
                    text += "\n" + numbered(m["buttons"])
                texts.append(text)
    return texts, options


def numbered(buttons: List[Dict[str, Any]]) -> str:
    return " ".join(f"{i}={b.get('title', '')}" for i, b in enumerate(buttons, 1)) + " (or reply in your own words)"


def compact_advice(marker: Dict[str, Any]) -> str:
    """The advice in a few lines: safety first, the first step with its time limit, then the rest."""
    routes = marker.get("routes") or []
    lines = []
    urgent = [r for r in routes if r.get("role") == "urgent"]
    if urgent:
        lines.append("Safety first: " + "; ".join(r["name"] for r in urgent) + ".")
    primary = next((r for r in routes if r.get("role") == "primary"), None)
    if primary:
        lines.append(f"What to do first: {primary['name']}. {primary.get('time_limit', '')}")
        lines.append(primary.get("how", ""))
    instead = [r["name"] for r in routes if r.get("role") == "alternative"][:2]
    if instead:
        lines.append("Or instead: " + "; ".join(instead) + ".")
    also = [r["name"] for r in routes if r.get("role") == "also"][:2]
    if also:
        lines.append("Also: " + "; ".join(also) + ".")
    nxt = [r["name"] for r in routes if r.get("role") == "next_step"][:1]
    if nxt:
        lines.append(f"If still unhappy, an independent service can look at it: {nxt[0]}.")
    support = [r for r in routes if r.get("role") == "support"][:1]
    if support:
        lines.append(f"Free help: {support[0]['name']}. {support[0].get('how', '')}")
    return "\n".join(line.strip() for line in lines if line.strip())


def twiml(texts: List[str]) -> str:
    from twilio.twiml.messaging_response import MessagingResponse

    r = MessagingResponse()
    for part in [p for t in texts for p in split_text(t)]:
        r.message(part)
    return str(r)


# ------------------------------------------------------------------- the channel
class RateLimiter:
    """Messages per number per minute and per day, in this process.

    `check` answers "ok", "first_block" (tell the person once) or "blocked" (stay silent,
    so a loop between two machines cannot run up texts).
    """

    def __init__(self, per_minute: Optional[int] = None, per_day: Optional[int] = None):
        from bot.settings import env_int

        self.per_minute = per_minute or env_int("SMS_RATE_PER_MINUTE", RATE_PER_MINUTE)
        self.per_day = per_day or env_int("SMS_RATE_PER_DAY", RATE_PER_DAY)
        self.seen: Dict[str, Deque[float]] = defaultdict(deque)
        self.told: Dict[str, float] = {}
        self.lock = threading.Lock()

    def check(self, key: str) -> str:
        now = time.time()
        with self.lock:
            q = self.seen[key]
            while q and now - q[0] > 86400:
                q.popleft()
            recent = sum(1 for t in q if now - t < 60)
            if recent >= self.per_minute or len(q) >= self.per_day:
                if now - self.told.get(key, 0) > 60:
                    self.told[key] = now
                    return "first_block"
                return "blocked"
            q.append(now)
            return "ok"

    def allow(self, key: str) -> bool:
        return self.check(key) == "ok"


class SmsInput(InputChannel):
    """Twilio SMS with signature checks, retries, opt-out and numbered choices."""

    @classmethod
    def name(cls) -> Text:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SmsInput":
        c = credentials or {}
        observability.configure_logging("rasa")
        return cls(c.get("account_sid") or "", c.get("auth_token") or "", c.get("twilio_number") or "",
                   c.get("public_url") or "")

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, public_url: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.public_url = public_url.rstrip("/")
        self.limiter = RateLimiter()

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: the configured public URL (never the proxy's view), path and query."""
        url = f"{self.public_url}{request.path}"
        if request.query_string:
            url += f"?{request.query_string}"
        return url

    def valid_signature(self, request: Request, params: Dict[str, str]) -> bool:
        from twilio.request_validator import RequestValidator

        signature = request.headers.get("X-Twilio-Signature") or ""
        if not (self.auth_token and self.public_url and signature):
            return False
        return RequestValidator(self.auth_token).validate(self.signed_url(request), params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("sms_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            started = time.perf_counter()

            def done(outcome: str, sender: Optional[str] = None, messages: Optional[List[Dict[str, Any]]] = None):
                observability.message_done("sms", outcome, time.perf_counter() - started, sender, messages, log)

            params = {k: v[0] if isinstance(v, list) else v for k, v in (request.form or {}).items()}
            if not self.valid_signature(request, params):
                done("rejected")
                return response.text("Forbidden", status=403)
            number, sid = params.get("From"), params.get("MessageSid")
            if not number or not sid or len(sid) > 64:
                done("rejected")
                return response.text("Bad request", status=400)
            from bot.privacy import pseudonym

            who = pseudonym(number)
            sender = f"sms-{who}"
            body = (params.get("Body") or "").strip()
            store = SmsStore()
            claimed, previous = store.claim(sid)
            if not claimed:  # a retry of a message already processed: same answer, nothing done twice
                done("duplicate", sender)
                return _xml(previous if previous is not None else twiml([]))
            word = body.lower().strip(" .!")
            if word in STOP_WORDS:
                store.set_opt_out(who, True)
                done("control", sender)
                return _finish(store, sid, [])
            if word in START_WORDS or (word == "yes" and store.opted_out(who)):
                store.set_opt_out(who, False)
                done("control", sender)
                return _finish(store, sid, [START_TEXT])
            if store.opted_out(who):
                done("control", sender)
                return _finish(store, sid, [])  # no further texts after STOP
            if word in HELP_WORDS:
                done("control", sender)
                return _finish(store, sid, [HELP_TEXT])
            verdict = self.limiter.check(who)
            if verdict != "ok":
                log.warning("sms: rate limit reached for a sender")
                done("rate_limited", sender)
                return _finish(store, sid, [SLOW_DOWN_TEXT] if verdict == "first_block" else [])
            store.remember_number(who, number)
            text, problem = clean_text(body)
            if not text:
                done("rejected", sender)
                return _finish(store, sid, [NOT_TEXT_TEXT])
            text = await self._expand_option(request, sender, text)
            ts = tracker_store_of(request.app)
            if ts is not None and not ts.can_serve(sender):
                done("store_unavailable", sender)
                return _finish(store, sid, [STORE_DOWN_TEXT], keep=False)
            collector = CollectingOutputChannel()
            outcome = "ok"
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata={"sms_sender": who}))
            except Exception:
                log.exception("sms turn failed")
                collector.messages.clear()
                outcome = "error"
            if ts is not None and ts.turn_lost(sender):
                # The conversation could not be read: what a blank memory answered is neither sent nor kept.
                done("store_unavailable", sender)
                return _finish(store, sid, [STORE_DOWN_TEXT], keep=False)
            done("no_reply" if outcome == "ok" and not collector.messages else outcome, sender, collector.messages)
            texts, _ = sms_from_messages(collector.messages)
            if problem == "too_long":
                texts.insert(0, LONG_TEXT)
            return _finish(store, sid, texts or [NO_REPLY_TEXT])

        return bp

    async def _expand_option(self, request: Request, sender: str, text: str) -> str:
        """'2' means the second option offered in the last question."""
        if not re.fullmatch(r"\d{1,2}", text):
            return text
        ts = tracker_store_of(request.app)
        if ts is None:
            return text
        try:
            tracker = await ts.retrieve(sender)
        except Exception:
            return text
        if tracker is None:
            return text
        from rasa.shared.core.events import BotUttered, UserUttered

        for e in reversed(tracker.events):
            if isinstance(e, UserUttered):
                break
            if isinstance(e, BotUttered) and (e.data or {}).get("buttons"):
                buttons = e.data["buttons"]
                i = int(text) - 1
                if 0 <= i < len(buttons):
                    return buttons[i].get("payload") or buttons[i].get("title") or text
                break
        return text


def _finish(store: "SmsStore", sid: str, texts: List[str], keep: bool = True) -> HTTPResponse:
    xml = twiml(texts)
    if keep:
        store.save_reply(sid, xml)
    else:
        store.release(sid)  # not processed: let Twilio's retry try again
    return _xml(xml)


def _xml(body: str) -> HTTPResponse:
    return response.text(body, content_type="application/xml")


class SmsStore:
    """The channel's state in the record's database: seen message ids, opt-outs, sealed numbers."""

    def claim(self, sid: str) -> Tuple[bool, Optional[str]]:
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        from bot.record.db import session_scope
        from bot.record.models import SeenMessage

        try:
            with session_scope() as s:
                s.add(SeenMessage(message_id=sid))
            return True, None
        except IntegrityError:
            with session_scope() as s:
                row = s.get(SeenMessage, sid)
                return False, row.reply if row else None
        except SQLAlchemyError:
            log.error("sms: cannot record message ids; processing without retry protection")
            return True, None

    def save_reply(self, sid: str, xml: str) -> None:
        from bot.record.db import session_scope
        from bot.record.models import SeenMessage

        try:
            with session_scope() as s:
                row = s.get(SeenMessage, sid)
                if row:
                    row.reply = xml
        except Exception:
            log.error("sms: could not keep the reply for retries")

    def release(self, sid: str) -> None:
        from bot.record.db import session_scope
        from bot.record.models import SeenMessage

        try:
            with session_scope() as s:
                row = s.get(SeenMessage, sid)
                if row:
                    s.delete(row)
        except Exception:
            pass

    def _state(self, s, who: str):
        from bot.record.models import SmsState

        row = s.get(SmsState, who)
        if row is None:
            row = SmsState(sender=who)
            s.add(row)
        return row

    def set_opt_out(self, who: str, value: bool) -> None:
        from bot.record.db import session_scope
        from bot.record.models import utcnow

        with session_scope() as s:
            row = self._state(s, who)
            row.opted_out = value
            row.updated_at = utcnow()

    def opted_out(self, who: str) -> bool:
        from bot.record.db import session_scope
        from bot.record.models import SmsState

        try:
            with session_scope() as s:
                row = s.get(SmsState, who)
                return bool(row and row.opted_out)
        except Exception:
            return False

    def remember_number(self, who: str, number: str) -> None:
        """Keep the number sealed (encrypted), so updates can be texted if the person asks for them."""
        from bot.privacy import seal
        from bot.record.db import session_scope
        from bot.record.models import utcnow

        try:
            with session_scope() as s:
                row = self._state(s, who)
                row.number_sealed = seal({"phone": number})
                row.updated_at = utcnow()
        except Exception:
            log.error("sms: could not keep the number for updates")

    def number(self, who: str) -> Optional[str]:
        from bot.privacy import unseal
        from bot.record.db import session_scope
        from bot.record.models import SmsState

        with session_scope() as s:
            row = s.get(SmsState, who)
            return (unseal(row.number_sealed) or {}).get("phone") if row and row.number_sealed else None


# --------------------------------------------------------------------- outbound
class ForwardingHttpClient:
    """Twilio's HTTP client, sending to another base URL (a local fake Twilio API in tests)."""

    def __init__(self, base_url: str):
        from twilio.http.http_client import TwilioHttpClient

        self.base = base_url.rstrip("/")
        self.inner = TwilioHttpClient(timeout=10)

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        url = re.sub(r"^https://api\.twilio\.com", self.base, url)
        return self.inner.request(method, url, params=params, data=data, headers=headers, auth=auth,
                                  timeout=timeout, allow_redirects=allow_redirects)

    def __getattr__(self, item):
        return getattr(self.inner, item)


class SmsSender:
    """Sends texts with Twilio's REST client; respects opt-outs."""

    def __init__(self, account_sid: Optional[str] = None, auth_token: Optional[str] = None,
                 number: Optional[str] = None, api_base: Optional[str] = None):
        from twilio.rest import Client

        self.number = number or os.environ.get("TWILIO_NUMBER", "")
        base = api_base or os.environ.get("TWILIO_API_BASE")
        self.client = Client(account_sid or os.environ.get("TWILIO_ACCOUNT_SID"),
                             auth_token or os.environ.get("TWILIO_AUTH_TOKEN"),
                             http_client=ForwardingHttpClient(base) if base else None)

    def send(self, contact: Dict[str, Any], text: str) -> bool:
        from bot.privacy import pseudonym

        to = contact.get("phone")
        if not to or SmsStore().opted_out(pseudonym(to)):
            return False
        sent = 0
        for part in split_text(text):
            msg = self.client.messages.create(to=to, from_=self.number, body=part)
            sent += 1 if getattr(msg, "sid", None) else 0
        return sent > 0


def register_outbound() -> bool:
    """Let bot.notify text updates when Twilio is configured in this process."""
    if not (os.environ.get("TWILIO_ACCOUNT_SID") and os.environ.get("TWILIO_AUTH_TOKEN")):
        return False
    from bot.notify import register_sender

    sender = SmsSender()
    register_sender("sms", sender.send)
    return True
