"""Metrics and structured logs for every process of the stack, with no personal data.

Metrics (Prometheus)
    Defined once here and updated by the channels (Rasa servers), the actions (action
    servers), the tracker store and the web app. Under `python -m bot run` every child gets
    PROMETHEUS_MULTIPROC_DIR (DATA_DIR/metrics, emptied at start), so the numbers of all
    processes add up and `GET /metrics` on the web app serves them together. Without that
    variable each process keeps its own registry (tests, a process started on its own).
    Label values come from small fixed sets: never a sender, a text or a reference.

Logs
    Our own loggers (`bot`, `channels`, `actions`) write one line per event. LOG_FORMAT=json
    gives JSON lines ({"ts", "level", "component", "logger", "event", ...fields}) for log
    shipping; the default is short readable text. Fields go through `scrub_fields`: identifiers
    become pseudonyms, text-like fields are withheld, every other string is redacted
    (bot.privacy.redact), so a message, a name, a phone number or an email never reaches a
    log line. `event(logger, "turn", channel="rest", ...)` logs one event with fields.

Every helper here swallows its own errors: observing must never break a conversation.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# ------------------------------------------------------------------ label values
CHANNELS = ("rest", "sms")
OUTCOMES = ("ok", "no_reply", "error", "store_unavailable", "rejected", "rate_limited", "duplicate", "control")
SAFETY_KINDS = ("suicide", "self_harm", "medical_emergency", "abuse_now", "violence", "child_at_risk",
                "adult_at_risk", "general")
FALLBACK_KINDS = ("nlu", "core")
REFERRAL_OUTCOMES = ("saved", "not_saved")
STORES = ("tracker", "record")
#: Components of complaints_errors_total: where an error was logged (see _component).
COMPONENTS = ("channels", "actions", "action_server", "rasa", "tracker_store", "record", "web", "bot", "http",
              "database", "other")
_COMPONENT_PREFIXES = (  # logger name prefix -> component, first match wins
    ("bot.record.tracker_store", "tracker_store"), ("bot.record", "record"), ("bot.web", "web"),
    ("bot.notify", "web"), ("channels", "channels"), ("actions", "actions"), ("bot", "bot"),
    ("rasa_sdk", "action_server"), ("rasa", "rasa"), ("sanic", "http"), ("aiohttp", "web"),
    ("sqlalchemy", "database"), ("alembic", "database"),
)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 15.0, 30.0)


def _label(value: Any, allowed: Iterable[str], default: str = "other") -> str:
    value = str(value or "").lower()
    return value if value in allowed else default


# ---------------------------------------------------------------------- metrics
class _Metrics:
    """The metric objects, created on first use (after PROMETHEUS_MULTIPROC_DIR is known)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        try:  # the *_created series only add noise here
            from prometheus_client import disable_created_metrics

            disable_created_metrics()
        except ImportError:  # pragma: no cover - older prometheus_client
            pass
        directory = os.environ.get(MULTIPROC_ENV)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.messages = Counter("complaints_messages", "Messages from people, by channel and outcome.",
                                ["channel", "outcome"])
        self.message_seconds = Histogram("complaints_message_seconds",
                                         "Time to answer a message (request in, reply out), by channel.",
                                         ["channel"], buckets=LATENCY_BUCKETS)
        self.fallbacks = Counter("complaints_fallbacks", "Messages the assistant did not understand "
                                 "(nlu: low-confidence intent; core: no confident next action).", ["kind"])
        self.safety = Counter("complaints_safety_responses", "Safety responses sent (risk of harm), by kind.",
                              ["kind"])
        self.referrals = Counter("complaints_referrals", "Referrals asked for: saved, or not saved because the "
                                 "record's database could not be reached.", ["outcome"])
        self.errors = Counter("complaints_errors", "Errors logged, by component.", ["component"])
        self.store_available = Gauge("complaints_store_available",
                                     "1 when the store answers, 0 when it does not (lowest over processes).",
                                     ["store"], multiprocess_mode="livemin")
        self.pending = Gauge("complaints_tracker_pending_conversations",
                             "Conversations kept in the journal until the tracker store's database returns.",
                             multiprocess_mode="livesum")
        # Known label values start at zero, so rates and alerts work from the first scrape.
        # (Not the availability gauge: an unset 0 would read as "down".)
        for channel in CHANNELS:
            self.message_seconds.labels(channel)
            for outcome in OUTCOMES:
                self.messages.labels(channel, outcome)
        for kind in FALLBACK_KINDS:
            self.fallbacks.labels(kind)
        for kind in SAFETY_KINDS:
            self.safety.labels(kind)
        for outcome in REFERRAL_OUTCOMES:
            self.referrals.labels(outcome)
        for component in COMPONENTS:
            self.errors.labels(component)


_metrics: Optional[_Metrics] = None
_metrics_lock = threading.Lock()
_metrics_failed = False


def metrics() -> Optional[_Metrics]:
    """The metric objects, or None if they cannot be created (then nothing is counted)."""
    global _metrics, _metrics_failed
    if _metrics is None and not _metrics_failed:
        with _metrics_lock:
            if _metrics is None and not _metrics_failed:
                try:
                    _metrics = _Metrics()
                except Exception:  # pragma: no cover - prometheus_client missing or the folder unusable
                    _metrics_failed = True
                    logging.getLogger(__name__).warning("metrics are off: they could not be set up")
    return _metrics


def _safely(fn: Callable[[_Metrics], Any]) -> None:
    m = metrics()
    if m is None:
        return
    try:
        fn(m)
    except Exception:  # never let a metric break a conversation
        pass


def safety_kinds(messages: Iterable[Dict[str, Any]]) -> List[str]:
    """The kinds of the safety markers (CONTRACT section 4) among a turn's messages."""
    kinds = []
    for m in messages or []:
        c = m.get("custom") if isinstance(m, dict) else None
        if isinstance(c, dict) and c.get("safety"):
            kinds.append(_label(c.get("kind"), SAFETY_KINDS, "general"))
    return kinds


def message_done(channel: str, outcome: str, seconds: Optional[float] = None, sender: Optional[str] = None,
                 messages: Optional[List[Dict[str, Any]]] = None, logger: Optional[logging.Logger] = None) -> None:
    """Count one message from a person; time it; count the safety responses it got; log the turn.

    `sender` is only turned into a pseudonym for the log line; `messages` are only read for
    their safety markers. Neither is kept.
    """
    try:
        channel = _label(channel, CHANNELS)
        outcome = _label(outcome, OUTCOMES)
        kinds = safety_kinds(messages or [])

        def count(m: _Metrics) -> None:
            m.messages.labels(channel, outcome).inc()
            if seconds is not None:
                m.message_seconds.labels(channel).observe(max(0.0, seconds))
            for k in kinds:
                m.safety.labels(k).inc()

        _safely(count)
        fields: Dict[str, Any] = {"channel": channel, "outcome": outcome}
        if sender is not None:  # the record's conversation id for this sender (never the sender itself)
            fields["conversation"] = _pseudonym(sender, always=True)
        if seconds is not None:
            fields["duration_ms"] = round(seconds * 1000, 1)
        if messages is not None:
            fields["replies"] = len(messages)
        if kinds:
            fields["safety"] = kinds
        level = logging.WARNING if outcome in ("error", "no_reply", "store_unavailable") else logging.INFO
        event(logger or logging.getLogger("channels"), "turn", level=level, **fields)
    except Exception:
        pass


def fallback(kind: str) -> None:
    _safely(lambda m: m.fallbacks.labels(_label(kind, FALLBACK_KINDS, "nlu")).inc())


def safety_response(kind: str) -> None:
    _safely(lambda m: m.safety.labels(_label(kind, SAFETY_KINDS, "general")).inc())


def referral(outcome: str) -> None:
    _safely(lambda m: m.referrals.labels(_label(outcome, REFERRAL_OUTCOMES, "not_saved")).inc())


def error(component: str) -> None:
    _safely(lambda m: m.errors.labels(_label(component, COMPONENTS)).inc())


_store_state: Dict[str, bool] = {}


def store_status(store: str, ok: bool, pending: Optional[int] = None) -> None:
    """Whether a store answers (and, for the tracker store, how many conversations wait in the journal).

    Logs once when a store goes down and once when it comes back.
    """
    try:
        store = _label(store, STORES)

        def update(m: _Metrics) -> None:
            m.store_available.labels(store).set(1 if ok else 0)
            if pending is not None and store == "tracker":
                m.pending.set(pending)

        _safely(update)
        before = _store_state.get(store)
        _store_state[store] = bool(ok)
        if before is not None and before != bool(ok):
            fields: Dict[str, Any] = {"store": store}
            if pending is not None:
                fields["pending"] = pending
            event(logging.getLogger("bot.observability"), "store_available" if ok else "store_unavailable",
                  level=logging.INFO if ok else logging.ERROR, **fields)
    except Exception:
        pass


def count_events(events: Iterable[Any]) -> None:
    """Fallbacks among a conversation's new events (called by the tracker store after each save)."""
    try:
        for e in events:
            name = type(e).__name__
            if name == "UserUttered" and ((getattr(e, "intent", None) or {}).get("name") == "nlu_fallback"):
                fallback("nlu")
            elif name == "ActionExecuted" and getattr(e, "action_name", None) == "action_default_fallback":
                fallback("core")
    except Exception:
        pass


def counted_referral(save: Callable[..., str]) -> Callable[..., str]:
    """Wrap the record's create_referral: count saved / not saved (the exception still propagates)."""

    def wrapper(*args: Any, **kwargs: Any) -> str:
        try:
            ref = save(*args, **kwargs)
        except Exception as e:
            referral("not_saved")
            event(logging.getLogger("actions"), "referral", level=logging.ERROR, outcome="not_saved",
                  conversation=kwargs.get("conversation"), channel=kwargs.get("channel"), error=type(e).__name__)
            raise
        referral("saved")
        event(logging.getLogger("actions"), "referral", outcome="saved", conversation=kwargs.get("conversation"),
              channel=kwargs.get("channel"))
        return ref

    return wrapper


# ------------------------------------------------------------ multiprocess mode
def prepare_metrics_dir(directory: Path) -> Path:
    """Empty (or create) the folder of multiprocess metric files; called once by the supervisor."""
    directory = Path(directory)
    if directory.exists():
        for f in directory.glob("*.db"):
            try:
                f.unlink()
            except OSError:
                pass
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def process_dead(pid: int) -> None:
    """Forget a dead process's live gauges (its counters are kept)."""
    try:
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid)
    except Exception:
        pass


def exposition(directory: Optional[str] = None) -> bytes:
    """The metrics in Prometheus' text format: every process's (multiprocess mode) or this one's."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    directory = directory or os.environ.get(MULTIPROC_ENV)
    metrics()  # make sure this process's metrics exist, even before the first message
    if directory and os.path.isdir(directory):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_allowed(remote: Optional[str], authorization: Optional[str]) -> bool:
    """Who may read /metrics: a bearer token (METRICS_TOKEN) when set; otherwise loopback clients only."""
    import hmac
    import ipaddress

    token = os.environ.get("METRICS_TOKEN")
    if token:
        given = (authorization or "").strip()
        expected = f"Bearer {token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    try:
        return ipaddress.ip_address((remote or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def serve_metrics(port: int, host: str = "0.0.0.0", directory: Optional[str] = None):
    """A small HTTP server for /metrics in a thread (the supervisor's, when the web app is elsewhere)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            if not metrics_allowed(self.client_address[0], self.headers.get("Authorization")):
                self.send_error(403)
                return
            try:
                body = exposition(directory)
            except Exception:
                self.send_error(500)
                return
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


# ----------------------------------------------------------------- scrubbing
#: Fields that name a person or a conversation: logged as a pseudonym, never in clear.
ID_KEYS = frozenset({"conversation", "conversation_id", "sender", "sender_id", "recipient_id", "user", "user_id"})
#: Fields that would hold what a person wrote or who they are: never logged.
WITHHELD_KEYS = frozenset({"text", "message_text", "user_text", "response_text", "body", "message_body", "name",
                           "names", "full_name", "phone", "phone_number", "number", "mobile", "email", "address",
                           "postcode", "contact", "summary", "comment", "comments", "transcript", "password",
                           "token", "authorization", "cookie", "from", "to", "nhs_number", "dob"})
_PSEUDONYM = re.compile(r"^[0-9a-f]{24}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_.:/\-]{0,64}$")
_DIGITS = re.compile(r"\d")
_SQL_PARAMS = re.compile(r"\[parameters: .*?\]\s*(?=\(Background|\Z)", re.S)
#: A conversation dumped into a log line: rasa_sdk answers a failed action with the whole request
#: ("request_body": the tracker, with every message), and Rasa logs that answer in its traceback.
_PAYLOAD = re.compile(r"""(\\?["'](?:request_body|tracker|latest_message|events|slots|parse_data)\\?["']\s*:\s*)"""
                      r"[^\n]*")
MAX_STRING = 500


def _pseudonym(value: Any, always: bool = False) -> str:
    """The keyed pseudonym of an id; a value that already is one (24 hex) is kept unless `always`."""
    value = str(value)
    if _PSEUDONYM.match(value) and not always:
        return value
    try:
        from bot.privacy import pseudonym

        return pseudonym(value)
    except Exception:
        return "[withheld]"


def _redact(text: str) -> str:
    try:
        from bot.privacy import redact

        return redact(text)
    except Exception:
        return "[withheld]" if _DIGITS.search(text) or "@" in text else text


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A value made safe to log: strings redacted (short plain identifiers are kept), long numbers checked."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        # As long as a phone or NHS number (10 to 15 digits): never logged as a number.
        return "[withheld]" if 10 ** 9 <= abs(value) < 10 ** 15 else value
    if isinstance(value, (list, tuple, set)):
        return [scrub_value(v, depth + 1) for v in list(value)[:50]] if depth < 4 else "[withheld]"
    if isinstance(value, dict):
        return scrub_fields(value, depth + 1) if depth < 4 else "[withheld]"
    s = value if isinstance(value, str) else str(value)
    if len(s) > MAX_STRING:
        s = s[:MAX_STRING] + "..."
    if _PLAIN.match(s) and not re.search(r"\d{6,}", s):
        return s  # enumerations, names of things (channel, outcome, intent): nothing personal to find
    return _redact(scrub_payloads(s))


def scrub_fields(fields: Dict[str, Any], depth: int = 0) -> Dict[str, Any]:
    """Fields made safe to log (see ID_KEYS, WITHHELD_KEYS, scrub_value)."""
    out: Dict[str, Any] = {}
    for k, v in fields.items():
        key = str(k)
        low = key.lower()
        if v is None:
            out[key] = None
        elif low in ID_KEYS:
            out[key] = _pseudonym(v)
        elif low in WITHHELD_KEYS:
            out[key] = "[withheld]"
        else:
            out[key] = scrub_value(v, depth)
    return out


def scrub_payloads(text: str) -> str:
    """`text` without conversation dumps (a tracker, its events, a request body): the rest of such a line goes."""
    return _PAYLOAD.sub(lambda m: m.group(1) + '"[withheld]"', text) if text else text


def scrub_exception(text: str) -> str:
    """A traceback made safe: SQL parameters and conversation dumps dropped (they hold messages),
    identifiers redacted."""
    text = scrub_payloads(_SQL_PARAMS.sub("[parameters withheld] ", text))
    if len(text) > 8000:
        text = text[:2000] + "\n...\n" + text[-6000:]
    return _redact(text)


# ------------------------------------------------------------------ formatting
def log_format() -> str:
    """LOG_FORMAT: `json` (one JSON object per line) or `text` (the default, for people)."""
    return "json" if (os.environ.get("LOG_FORMAT") or "text").strip().lower() == "json" else "text"


_component_override: Optional[str] = None


def component_name() -> str:
    """The process's role in the stack, for log lines: LOG_COMPONENT (set by the supervisor for each child)."""
    return os.environ.get("LOG_COMPONENT") or _component_override or "app"


def _component(logger_name: str) -> str:
    for prefix, component in _COMPONENT_PREFIXES:
        if logger_name == prefix or logger_name.startswith(prefix + "."):
            return component
    return "other"


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "fields"}


def _record_fields(record: logging.LogRecord) -> Dict[str, Any]:
    fields = dict(getattr(record, "fields", None) or {})
    for k, v in vars(record).items():  # extra={...} given the ordinary way
        if k not in _RESERVED and not k.startswith("_"):
            fields.setdefault(k, v)
    return fields


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        return str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, component, logger, event, then the event's fields (scrubbed)."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            return self._format(record)
        except Exception:
            return json.dumps({"ts": _utc(time.time()), "level": "error", "event": "log_format_failed",
                               "logger": record.name})

    def _format(self, record: logging.LogRecord) -> str:
        message = _message(record)
        fields = _record_fields(record)
        if message.startswith("{") and message.endswith("}"):
            try:  # a structlog JSON line (Rasa's): keep its fields
                inner = json.loads(message)
                if isinstance(inner, dict):
                    message = str(inner.pop("event", "") or "")
                    for k, v in inner.items():
                        fields.setdefault(k, v)
            except ValueError:
                pass
        out: Dict[str, Any] = {"ts": _utc(record.created), "level": record.levelname.lower(),
                               "component": component_name(), "logger": record.name,
                               "event": scrub_value(message) if message else ""}
        for k, v in scrub_fields(fields).items():
            if k not in out:
                out[k] = v
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
            out["exc"] = scrub_exception("".join(traceback.format_exception(*record.exc_info)))
        elif record.exc_text:
            out["exc"] = scrub_exception(record.exc_text)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger: event key=value ...`, fields scrubbed as for JSON."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            fields = scrub_fields(_record_fields(record))
            line = (f"{time.strftime('%H:%M:%S', time.localtime(record.created))} {record.levelname:<7} "
                    f"{record.name}: {scrub_value(_message(record))}")
            if fields:
                line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
            if record.exc_info and record.exc_info[0] is not None:
                line += "\n" + scrub_exception("".join(traceback.format_exception(*record.exc_info))).rstrip()
            return line
        except Exception:
            return f"{record.levelname} {record.name}: (unformattable log record)"


def _text_value(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    s = "" if v is None else str(v)
    return json.dumps(s, ensure_ascii=False) if (" " in s or not s) else s


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with fields; never raises."""
    try:
        if logger.isEnabledFor(level):
            logger.log(level, name, extra={"fields": fields})
    except Exception:
        pass


class ScrubFilter(logging.Filter):
    """On other libraries' handlers (Rasa, rasa_sdk, aiohttp): tracebacks and conversation dumps made safe
    before any formatter sees them (see scrub_exception)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.exc_info and record.exc_info[0] is not None:
                record.exc_text = scrub_exception("".join(traceback.format_exception(*record.exc_info))).rstrip()
                record.__dict__.setdefault("error", record.exc_info[0].__name__)
                record.exc_info = None
            elif record.exc_text:
                record.exc_text = scrub_exception(record.exc_text)
            message = _message(record)
            if _PAYLOAD.search(message):
                record.msg, record.args = scrub_payloads(message), ()
        except Exception:
            pass
        return True


class ErrorCounter(logging.Handler):
    """Counts records at ERROR and above in complaints_errors_total{component}."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        error(_component(record.name))


class _StdoutHandler(logging.StreamHandler):
    """Writes to the sys.stdout of the moment (or a given stream), so a replaced stdout is followed."""

    def __init__(self, stream=None) -> None:
        super().__init__(stream)
        self._fixed = stream  # StreamHandler chose stderr for None; we mean "sys.stdout, when writing"

    @property
    def stream(self):  # type: ignore[override]
        return self._fixed or sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        self._fixed = value


OUR_LOGGERS = ("bot", "channels", "actions")
_configured: Optional[str] = None


def configure_logging(component: Optional[str] = None, stream=None, force: bool = False) -> None:
    """Log our own events in LOG_FORMAT and count errors; idempotent.

    Our loggers (bot, channels, actions) get one handler writing to standard output and do
    not propagate (so Rasa's or aiohttp's logging set-up cannot print them twice). With
    LOG_FORMAT=json, the other loggers' handlers are switched to JSON as well.
    """
    global _configured, _component_override
    try:
        if component:
            _component_override = component
        fmt = log_format()
        if _configured == fmt and not force:
            return
        formatter: logging.Formatter = JsonFormatter() if fmt == "json" else TextFormatter()
        handler = _StdoutHandler(stream)
        handler.setFormatter(formatter)
        handler._complaints = True  # type: ignore[attr-defined]
        counter = ErrorCounter()
        counter._complaints = True  # type: ignore[attr-defined]
        level = logging.getLevelName((os.environ.get("LOG_LEVEL") or "INFO").upper())
        for name in OUR_LOGGERS:
            lg = logging.getLogger(name)
            for h in [h for h in lg.handlers if getattr(h, "_complaints", False)]:
                lg.removeHandler(h)
            lg.addHandler(handler)
            lg.addHandler(counter)
            lg.propagate = False
            lg.setLevel(level if isinstance(level, int) else logging.INFO)
        root = logging.getLogger()
        for h in [h for h in root.handlers if getattr(h, "_complaints", False)]:
            root.removeHandler(h)
        root.addHandler(counter)
        for h in root.handlers + logging.getLogger("sanic.error").handlers + logging.getLogger("sanic.root").handlers:
            if getattr(h, "_complaints", False):
                continue
            if not any(isinstance(f, ScrubFilter) for f in h.filters):
                h.addFilter(ScrubFilter())
            if fmt == "json":
                h.setFormatter(JsonFormatter())
        _configured = fmt
    except Exception:
        pass


# ---------------------------------------------------------- supervisor output
_LEVEL_WORD = re.compile(r"\b(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b")
_TEXT_IDS = re.compile(r"\b(conversation=)([0-9a-f]{24})\b")


def redact_text_line(line: str) -> str:
    """A text line redacted, keeping `conversation=<pseudonym>` readable (24 hex can look like a number)."""
    kept: List[str] = []

    def hold(m: "re.Match[str]") -> str:
        kept.append(m.group(2))
        return f"{m.group(1)}\x00{len(kept) - 1}\x00"

    held = _TEXT_IDS.sub(hold, scrub_payloads(line))
    out = _redact(held)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)


def child_line(component: str, line: str, fmt: Optional[str] = None) -> str:
    """A line of a child process's output, as the supervisor writes it (redacted).

    JSON format: a JSON line is re-scrubbed (and given its component); any other line is
    wrapped as {"event": "output", "message": ...}. Text format: the line, redacted.
    """
    fmt = fmt or log_format()
    if fmt != "json":
        return redact_text_line(line)
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            doc = json.loads(stripped)
            if isinstance(doc, dict):
                doc.setdefault("component", component)
                safe = {k: doc[k] for k in ("ts", "level", "component", "logger") if k in doc}
                rest = scrub_fields({k: v for k, v in doc.items() if k not in safe and k != "exc"})
                if "exc" in doc:
                    rest["exc"] = scrub_exception(str(doc["exc"]))
                return json.dumps({**safe, **rest}, ensure_ascii=False, default=str)
        except ValueError:
            pass
    line = scrub_payloads(line)
    m = _LEVEL_WORD.search(line[:80])
    level = m.group(1).lower() if m else "info"
    level = {"warn": "warning", "fatal": "critical"}.get(level, level)
    return json.dumps({"ts": _utc(time.time()), "level": level, "component": component, "event": "output",
                       "message": scrub_value(line.rstrip()) if line.strip() else ""}, ensure_ascii=False)


def supervisor_line(text: str, fmt: Optional[str] = None, level: str = "info", **fields: Any) -> str:
    """A line of the supervisor's own (run | ...) output."""
    if (fmt or log_format()) != "json":
        return text
    return json.dumps({"ts": _utc(time.time()), "level": level, "component": "run", "event": text,
                       **scrub_fields(fields)}, ensure_ascii=False, default=str)


def rotate_if_large(path: Path, limit: int = 50 * 1024 * 1024, keep: int = 2) -> bool:
    """Rotate path -> path.1 -> ... -> path.<keep> when it is larger than `limit` bytes."""
    try:
        if not path.exists() or path.stat().st_size < limit:
            return False
        for i in range(keep, 0, -1):
            src = path if i == 1 else path.with_name(f"{path.name}.{i - 1}")
            if src.exists():
                shutil.move(str(src), str(path.with_name(f"{path.name}.{i}")))
        return True
    except OSError:
        return False


__all__ = ["configure_logging", "event", "message_done", "fallback", "safety_response", "referral", "error",
           "store_status", "count_events", "counted_referral", "exposition", "metrics_allowed", "serve_metrics",
           "prepare_metrics_dir", "process_dead", "child_line", "supervisor_line", "scrub_fields", "JsonFormatter",
           "TextFormatter"]
