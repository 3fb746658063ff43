"""SMS through Twilio (CONTRACT section 5), as a Rasa input channel.

`POST /webhooks/sms/webhook` takes Twilio's form post and answers in the same
response with TwiML. Unlike Rasa's built-in Twilio channel it:

* validates `X-Twilio-Signature` with Twilio's RequestValidator over PUBLIC_URL + path and
  the form parameters exactly as received, blank ones included (the form is read from the raw
  body here: Sanic's parser drops blank values, and Twilio sends blank FromCity, FromState,
  FromZip for many numbers, and a blank Body with a picture); 403, nothing processed, otherwise;
* processes a retried MessageSid once, answering the retry with the same reply;
* honours STOP / START / HELP as carriers and Twilio read them, and "stop please" as a person
  means it (the policy is bot.sms); a message showing risk of harm gets the safety reply even
  after STOP; no texts otherwise after STOP, until START;
* starts a new conversation after one has ended, so a texter's second complaint is a new case;
* shows buttons as numbered options and reads "2" as the second option;
* keeps replies within 320 characters where it can, splitting cleanly otherwise,
  and never texts the machine markers;
* never uses the phone number, nor anything derived from it, as the conversation id, and never
  writes it to logs: a conversation has a random id, which the number leads to only while it
  lasts; the opt-out list holds a keyed hash; the number itself is kept only on a referral that
  asked to be texted (all of it behind `Store` methods, bot/record/sms_state.py);
* limits how fast one number can send.

Outbound texts (updates to a referral) use Twilio's REST client with a replaceable
HTTP layer (`SmsSender`), so tests can point it at a local fake Twilio API.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from bot.limits import LimitBackend, LimitUnavailable, MemoryBackend, Window, make_backend, reference_lookups
from bot.record.store import looks_like_reference
from bot.settings import get_settings
from channels.common import (
    LOOKUPS_DOWN_TEXT,
    LOOKUPS_LIMITED_TEXT,
    NO_REPLY_TEXT,
    STORE_DOWN_TEXT,
    clean_text,
    tracker_store_of,
)

log = logging.getLogger(__name__)

MAX_CHARS = 320
MAX_FORM_BYTES = 64 * 1024  # Twilio's form is a few kilobytes at most, even with pictures
MAX_FORM_FIELDS = 200
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXT = set("^{}\\[~]|€")
HELP_TEXT = (
    "This is the health and social care concerns helper. Tell us what happened and we will tell you "
    "where to take it. Reply STOP to stop texts. In an emergency call 999."
)
START_TEXT = "You will get texts from us again. Tell us what happened, in your own words."
#: The confirmation of an opt-out written in a person's own words (Twilio confirms its keywords itself).
STOPPED_TEXT = (
    "You will not get any more texts from us. If you change your mind, reply START. "
    "If anyone is in danger, call 999."
)
#: Sent after STOP to a message that shows risk of harm, if the conversation gave no safety reply itself.
SAFETY_TEXT = (
    "If you or anyone else is in danger now, call 999. Samaritans are free, any time, on 116 123. "
    "For urgent health advice, call NHS 111."
)
NOT_TEXT_TEXT = "Please send your message as text."
LONG_TEXT = "Your message was long, so I read the first part."
RATE_PER_MINUTE = 10  # SMS_RATE_PER_MINUTE overrides; a person rarely sends more than a few a minute
RATE_PER_DAY = 200  # SMS_RATE_PER_DAY overrides
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
    routes = next(
        (m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "routes" in m["custom"]), None
    )
    texts: List[str] = []
    options: List[str] = []
    if routes is not None:
        texts.append(compact_advice(routes))
        after_texts = [m["text"] for m in messages if m.get("text") and not isinstance(m.get("custom"), dict)]
        if len([p for t in texts + after_texts for p in split_text(t)]) > MAX_ADVICE_TEXTS:
            texts[0] = compact_advice(routes, short=True)  # ask "tell me more" for the rest
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


#: The most texts one reply with the advice may take (issue 12: at most three on a phone).
MAX_ADVICE_TEXTS = 3


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text or "")
    return m.group(1) if m else (text or "")


def compact_advice(marker: Dict[str, Any], short: bool = False) -> str:
    """The advice in a few lines: safety first, the first step with its time limit, then the rest.

    `short` keeps the first sentence of how to contact the first step and leaves out the alternatives and
    what runs alongside, for a reply that would otherwise take more than three texts."""
    routes = marker.get("routes") or []
    lines = []
    urgent = [r for r in routes if r.get("role") == "urgent"]
    if urgent:
        lines.append("Safety first: " + "; ".join(r["name"] for r in urgent) + ".")
    primary = next((r for r in routes if r.get("role") == "primary"), None)
    if primary:
        lines.append(f"What to do first: {primary['name']}. {primary.get('time_limit', '')}")
        lines.append(_first_sentence(primary.get("how", "")) if short else primary.get("how", ""))
        if (primary.get("organisation") or {}).get("name"):
            from bot.dialogue.place import contact_line

            lines.append(f"Yours: {contact_line(primary['organisation'], short=True)}.")
    instead = [_with_own(r) for r in routes if r.get("role") == "alternative"][:2]
    if instead and not short:
        lines.append("Or instead: " + "; ".join(instead) + ".")
    also = [_with_own(r) for r in routes if r.get("role") == "also"][:2]
    if also and not short:
        lines.append("Also: " + "; ".join(also) + ".")
    nxt = [r["name"] for r in routes if r.get("role") == "next_step"][:1]
    if nxt:
        lines.append(f"If still unhappy, an independent service can look at it: {nxt[0]}.")
    support = [r for r in routes if r.get("role") == "support"][:1]
    if support:
        how = _first_sentence(support[0].get("how", "")) if short else support[0].get("how", "")
        lines.append(f"Free help: {support[0]['name']}. {how}")
    return "\n".join(line.strip() for line in lines if line.strip())


def _with_own(route: Dict[str, Any]) -> str:
    """A route's name, with the person's own organisation when the place is known (issue 15)."""
    org = route.get("organisation") or {}
    if not org.get("name"):
        return route["name"]
    from bot.dialogue.place import contact_line

    return f"{route['name']} ({contact_line(org, short=True)})"


def twiml(texts: List[str]) -> str:
    from twilio.twiml.messaging_response import MessagingResponse

    r = MessagingResponse()
    for part in [p for t in texts for p in split_text(t)]:
        r.message(part)
    return str(r)


# ------------------------------------------------------------------- the channel
class RateLimiter:
    """Messages per number per minute and per day; counted in Redis when REDIS_URL is set, so every Rasa
    server counts together (bot.limits), in this process otherwise.

    `check` answers "ok", "first_block" (tell the person once) or "blocked" (stay silent,
    so a loop between two machines cannot run up texts); "unavailable" when the shared count cannot be
    reached: the message is not run, and the person is told so at most once a minute by this server.
    """

    def __init__(
        self, per_minute: Optional[int] = None, per_day: Optional[int] = None, backend: Optional[LimitBackend] = None
    ):
        settings = get_settings()
        self.per_minute = per_minute or settings.sms_rate_per_minute
        self.per_day = per_day or settings.sms_rate_per_day
        self.backend = backend if backend is not None else make_backend()
        self.local = MemoryBackend()  # only for "told once" while the shared count is unreachable

    def check(self, key: str) -> str:
        """Count one message from `key` (a number's pseudonym) if it is within the limits."""
        now = time.time()
        told = Window("sms-told", key, 60, 1)
        try:
            if self.backend.hit(
                [Window("sms-minute", key, 60, self.per_minute), Window("sms-day", key, 86400, self.per_day)], now
            ):
                return "ok"
            return "first_block" if self.backend.hit([told], now) else "blocked"
        except LimitUnavailable:
            return "unavailable" if self.local.hit([told], now) else "blocked"

    def allow(self, key: str) -> bool:
        """Whether a message from `key` may be run now (counting it)."""
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
        return cls(
            c.get("account_sid") or "",
            c.get("auth_token") or "",
            c.get("twilio_number") or "",
            c.get("public_url") or "",
        )

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

    def valid_signature(self, request: Request, params: "FormParams") -> bool:
        """Twilio's signature over the URL and every parameter exactly as it was sent, blanks included."""
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
            try:
                return await self._receive(request, on_new_message)
            except Exception:  # never a 500 (Twilio would retry it): log, and answer with nothing
                log.exception("sms: the message could not be handled")
                return _xml(twiml([]))

        return bp

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        started = time.perf_counter()

        def done(outcome: str, sender: Optional[str] = None, messages: Optional[List[Dict[str, Any]]] = None):
            observability.message_done("sms", outcome, time.perf_counter() - started, sender, messages, log)

        params = read_form(request.body or b"")
        if params is None or not self.valid_signature(request, params):
            done("rejected")
            return response.text("Forbidden", status=403)
        number, sid = params.first("From"), params.first("MessageSid")
        if not (0 < len(number) <= 32 and re.fullmatch(r"[A-Za-z0-9]{1,64}", sid)):
            done("rejected")
            return response.text("Bad request", status=400)
        from bot.privacy import pseudonym
        from bot.record import get_store
        from bot.safety import assess
        from bot.sms import decide

        store = get_store()
        claimed, previous = store.sms_claim(sid)
        if not claimed:  # a retry of a message already processed: same answer, nothing done twice
            done("duplicate")
            return _xml(previous if previous is not None else twiml([]))
        text, problem = clean_text(params.first("Body")[:MAX_FORM_BYTES])
        decision = decide(text or "", store.sms_opted_out(number), bool(text) and _risk(assess, text))
        # `who` (a keyed hash of the number) keys the rate limits; nothing else kept is keyed by the number
        # but the opt-out hash and, while it lasts, the live conversation (bot/record/sms_state.py).
        turn = Turn(self, request, on_new_message, number, pseudonym(number), text, problem, done)
        if decision.action == "converse":
            return await self._converse(turn, store, sid)
        texts = await _control(decision, turn, store)
        if texts is None:
            return _finish(store, sid, [STORE_DOWN_TEXT], keep=False)
        return _finish(store, sid, texts)

    async def _converse(self, turn: "Turn", store: Any, sid: str) -> HTTPResponse:
        """A normal message: within the rate limits, it is a turn of the conversation."""
        from bot.record import StoreUnavailable

        blocked = self._blocked(turn)
        if blocked is not None:
            return _finish(store, sid, blocked)
        try:
            turn.sender = f"sms-{store.sms_conversation(turn.number)}"
        except StoreUnavailable:
            turn.done("store_unavailable")
            return _finish(store, sid, [STORE_DOWN_TEXT], keep=False)
        messages = await turn.run(expand=True)
        if messages is None:
            return _finish(store, sid, [STORE_DOWN_TEXT], keep=False)
        await turn.after()
        texts, _ = sms_from_messages(messages)
        if turn.problem == "too_long":
            texts.insert(0, LONG_TEXT)
        return _finish(store, sid, texts or [NO_REPLY_TEXT])

    def _blocked(self, turn: "Turn") -> Optional[List[str]]:
        """The texts for a message that is not run (too fast, not text, too many lookups); None to run it."""
        verdict = self.limiter.check(turn.who)
        if verdict == "unavailable":
            log.warning("sms: the rate limits cannot be read (Redis), so a message was not run")
            turn.done("store_unavailable")
            return [STORE_DOWN_TEXT]
        if verdict != "ok":
            log.warning("sms: rate limit reached for a sender")
            turn.done("rate_limited")
            return [SLOW_DOWN_TEXT] if verdict == "first_block" else []
        if not turn.text:
            turn.done("rejected")
            return [NOT_TEXT_TEXT]
        if looks_like_reference(turn.text):
            try:
                allowed = reference_lookups().allow(f"sms:{turn.who}")
            except LimitUnavailable:
                turn.done("store_unavailable")
                return [LOOKUPS_DOWN_TEXT]
            if not allowed:
                log.warning("sms: reference lookups limited for a sender")
                turn.done("rate_limited")
                return [LOOKUPS_LIMITED_TEXT]
        return None

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


class FormParams:
    """A form's parameters in the order and form they were sent: repeated names and blank values kept.

    Twilio's RequestValidator reads it like a multi-dict (`getall`), so the signature is checked over
    exactly what Twilio signed.
    """

    def __init__(self, pairs: List[Tuple[str, str]]):
        self.pairs = pairs

    def __iter__(self):
        return iter(dict.fromkeys(k for k, _ in self.pairs))

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def getall(self, name: str) -> List[str]:
        return [v for k, v in self.pairs if k == name]

    def first(self, name: str) -> str:
        """The first value of `name` ("" when absent)."""
        return next((v for k, v in self.pairs if k == name), "")


def read_form(body: bytes) -> Optional[FormParams]:
    """The parameters of a form body (application/x-www-form-urlencoded), blank values kept; None when
    the body is too large or has too many fields. Bytes that are not UTF-8 become U+FFFD."""
    from urllib.parse import parse_qsl

    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="replace",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except ValueError:
        return None
    return FormParams(pairs)


def _risk(assess: Callable[[str], Any], text: str) -> bool:
    try:
        return bool(assess(text).risk)
    except Exception:  # noqa: BLE001 - a failed check must not stop the message; the dialogue checks again
        log.exception("sms: the safety check failed")
        return False


class Turn:
    """One inbound text on its way through Rasa: the number it came from (never kept), the conversation
    it belongs to (a random id, set once known), and how to run it."""

    def __init__(
        self,
        channel: "SmsInput",
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        number: str,
        who: str,
        text: Optional[str],
        problem: Optional[str],
        done: Callable[..., None],
    ):
        self.channel, self.request, self.on_new_message = channel, request, on_new_message
        self.number, self.who, self.text, self.problem, self.done = number, who, text, problem, done
        self.sender: Optional[str] = None

    async def run(self, expand: bool) -> Optional[List[Dict[str, Any]]]:
        """The bot's messages for this text, or None when the conversation store cannot serve it."""
        ts = tracker_store_of(self.request.app)
        if ts is not None and not ts.can_serve(self.sender):
            self.done("store_unavailable", self.sender)
            return None
        await start_again_if_over(self.request, self.sender)
        text = await self.channel._expand_option(self.request, self.sender, self.text) if expand else self.text
        collector = CollectingOutputChannel()
        outcome = "ok"
        try:
            await self.on_new_message(UserMessage(text, collector, self.sender, input_channel=SmsInput.name()))
        except Exception:
            log.exception("sms turn failed")
            collector.messages.clear()
            outcome = "error"
        if ts is not None and ts.turn_lost(self.sender):
            # The conversation could not be read: what a blank memory answered is neither sent nor kept.
            self.done("store_unavailable", self.sender)
            return None
        self.done(
            "no_reply" if outcome == "ok" and not collector.messages else outcome, self.sender, collector.messages
        )
        return list(collector.messages)

    async def after(self) -> None:
        """After a turn: a referral that asked to be texted here gets the number (sealed); a conversation
        that has ended no longer leads from the number (the next text starts a new one)."""
        from bot.privacy import pseudonym
        from bot.record import get_store

        get_store().keep_sms_number(pseudonym(self.sender), self.number)
        if await conversation_ended(self.request, self.sender):
            get_store().sms_end_conversation(self.number)


async def _control(decision: Any, turn: Turn, store: Any) -> Optional[List[str]]:
    """The texts for STOP, START, HELP, silence after STOP, and the safety reply whatever the opt-out;
    None when the conversation store could not serve a safety turn."""
    from bot.sms import safety_texts

    texts: List[str] = []
    if decision.action == "opt_out":
        store.sms_set_opt_out(turn.number, True)
        store.sms_end_conversation(turn.number)
        texts = [] if decision.carrier_keyword else [STOPPED_TEXT]
    elif decision.action == "opt_in":
        store.sms_set_opt_out(turn.number, False)
        texts = [START_TEXT]
    elif decision.action == "help":
        texts = [HELP_TEXT]
    if decision.safety and decision.action in ("opt_out", "safety_only"):
        # A conversation of its own, never linked to the number: the person asked not to be texted.
        turn.sender = f"sms-{secrets.token_hex(12)}"
        messages = await turn.run(expand=False)
        if messages is None:
            return [SAFETY_TEXT] + texts  # the store is down: the safety reply still goes
        texts = (safety_texts(messages) or [SAFETY_TEXT]) + texts
        return texts
    turn.done("control")
    return texts


async def conversation_ended(request: Request, sender: str) -> bool:
    """Whether the conversation has said its closing or goodbye (False when it cannot be read)."""
    from bot.sms import conversation_over

    ts = tracker_store_of(request.app)
    if ts is None:
        return False
    try:
        tracker = await ts.retrieve(sender)
    except Exception:  # noqa: BLE001 - the number keeps leading to it until the idle purge
        return False
    return tracker is not None and conversation_over(e.as_dict() for e in tracker.events)


async def start_again_if_over(request: Request, sender: str) -> None:
    """After a conversation has ended (closing or goodbye said), the next text is a new conversation:
    the old one is closed with a restart, so a texter's second complaint is a new case."""
    from rasa.shared.core.events import Restarted

    from bot.sms import conversation_over

    agent = getattr(getattr(request.app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return
    try:
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.retrieve(sender)
            if tracker is None or not conversation_over(e.as_dict() for e in tracker.events):
                return
            tracker.update(Restarted())
            await agent.tracker_store.save(tracker)
    except Exception:  # noqa: BLE001 - the turn goes on in the old conversation rather than not at all
        log.exception("sms: could not start a new conversation")


def _finish(store: Any, sid: str, texts: List[str], keep: bool = True) -> HTTPResponse:
    xml = twiml(texts)
    if keep:
        store.sms_save_reply(sid, xml)
    else:
        store.sms_release(sid)  # not processed: let Twilio's retry try again
    return _xml(xml)


def _xml(body: str) -> HTTPResponse:
    return response.text(body, content_type="application/xml")


# --------------------------------------------------------------------- outbound
class ForwardingHttpClient:
    """Twilio's HTTP client, sending to another base URL (a local fake Twilio API in tests)."""

    def __init__(self, base_url: str):
        from twilio.http.http_client import TwilioHttpClient

        self.base = base_url.rstrip("/")
        self.inner = TwilioHttpClient(timeout=10)

    def request(
        self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        url = re.sub(r"^https://api\.twilio\.com", self.base, url)
        return self.inner.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )

    def __getattr__(self, item):
        return getattr(self.inner, item)


class SmsSender:
    """Sends texts with Twilio's REST client; respects opt-outs."""

    def __init__(
        self,
        account_sid: Optional[str] = None,
        auth_token: Optional[str] = None,
        number: Optional[str] = None,
        api_base: Optional[str] = None,
    ):
        from twilio.rest import Client

        settings = get_settings()
        self.number = number or settings.twilio_number or ""
        base = api_base or settings.twilio_api_base
        self.client = Client(
            account_sid or settings.twilio_account_sid,
            auth_token or settings.twilio_auth_token,
            http_client=ForwardingHttpClient(base) if base else None,
        )

    def send(self, contact: Dict[str, Any], text: str) -> bool:
        from bot.record import get_store

        to = contact.get("phone")
        if not to or get_store().sms_opted_out(to) is not False:  # unknown (unreadable) means do not text
            return False
        sent = 0
        for part in split_text(text):
            msg = self.client.messages.create(to=to, from_=self.number, body=part)
            sent += 1 if getattr(msg, "sid", None) else 0
        return sent > 0


def register_outbound() -> bool:
    """Let bot.notify text updates when Twilio is configured in this process."""
    settings = get_settings()
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return False
    from bot.notify import register_sender

    sender = SmsSender()
    register_sender("sms", sender.send)
    return True
