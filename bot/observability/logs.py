"""Structured logs for every process of the stack, with no personal data.

Our own loggers (`bot`, `channels`, `actions`) write one line per event. LOG_FORMAT=json gives
JSON lines ({"ts", "level", "component", "logger", "event", ...fields}) for log shipping; the
default is short readable text. Fields, messages and tracebacks go through
bot.privacy.log_scrub: identifiers become pseudonyms, text-like fields are withheld, every other
string is redacted (bot.privacy.redact), so a message, a name, a phone number or an email never
reaches a log line. `event(logger, "turn", channel="rest", ...)` logs one event with fields.
Errors logged are counted in complaints_errors_total (bot.observability.metrics).

Every helper here swallows its own errors: observing must never break a conversation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Dict, Optional

from bot.observability.metrics import error
from bot.settings import get_settings
from bot.privacy.log_scrub import (
    redact_text_line,
    scrub_exception,
    scrub_fields,
    scrub_payloads,
    scrub_record,
    scrub_value,
)

_COMPONENT_PREFIXES = (  # logger name prefix -> component of complaints_errors_total, first match wins
    ("bot.record.tracker_store", "tracker_store"),
    ("bot.record", "record"),
    ("bot.web", "web"),
    ("bot.notify", "web"),
    ("channels", "channels"),
    ("actions", "actions"),
    ("bot", "bot"),
    ("rasa_sdk", "action_server"),
    ("rasa", "rasa"),
    ("sanic", "http"),
    ("aiohttp", "web"),
    ("sqlalchemy", "database"),
    ("alembic", "database"),
)


def log_format() -> str:
    """LOG_FORMAT: `json` (one JSON object per line) or `text` (the default, for people)."""
    return "json" if get_settings().log_format == "json" else "text"


_component_override: Optional[str] = None


def component_name() -> str:
    """The process's role in the stack, for log lines: LOG_COMPONENT (set by the supervisor for each child)."""
    return get_settings().log_component or _component_override or "app"


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
        """One JSON object for the record, scrubbed of personal data (a line saying so if formatting fails)."""
        try:
            return self._format(record)
        except Exception:
            return json.dumps(
                {"ts": _utc(time.time()), "level": "error", "event": "log_format_failed", "logger": record.name}
            )

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
        out: Dict[str, Any] = {
            "ts": _utc(record.created),
            "level": record.levelname.lower(),
            "component": component_name(),
            "logger": record.name,
            "event": scrub_value(message) if message else "",
        }
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
        """One readable line for the record, scrubbed of personal data (a plain line if formatting fails)."""
        try:
            fields = scrub_fields(_record_fields(record))
            line = (
                f"{time.strftime('%H:%M:%S', time.localtime(record.created))} {record.levelname:<7} "
                f"{record.name}: {scrub_value(_message(record))}"
            )
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
    before any formatter sees them (bot.privacy.log_scrub.scrub_record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub personal data from the record in place; always let it through."""
        try:
            scrub_record(record)
        except Exception:
            pass
        return True


class ErrorCounter(logging.Handler):
    """Counts records at ERROR and above in complaints_errors_total{component}."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        """Count an error logged by this component (the metric of errors by component)."""
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
        level = logging.getLevelName(get_settings().log_level)
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
    return json.dumps(
        {
            "ts": _utc(time.time()),
            "level": level,
            "component": component,
            "event": "output",
            "message": scrub_value(line.rstrip()) if line.strip() else "",
        },
        ensure_ascii=False,
    )


def supervisor_line(text: str, fmt: Optional[str] = None, level: str = "info", **fields: Any) -> str:
    """A line of the supervisor's own (run | ...) output."""
    if (fmt or log_format()) != "json":
        return text
    return json.dumps(
        {"ts": _utc(time.time()), "level": level, "component": "run", "event": text, **scrub_fields(fields)},
        ensure_ascii=False,
        default=str,
    )


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


__all__ = [
    "ErrorCounter",
    "JsonFormatter",
    "ScrubFilter",
    "TextFormatter",
    "child_line",
    "component_name",
    "configure_logging",
    "event",
    "log_format",
    "redact_text_line",
    "rotate_if_large",
    "supervisor_line",
]
