"""Personal data kept out of log lines: the scrubbing every log record and output line goes through.

Used by bot.observability.logs (our formatters, the filter on other libraries' handlers, the
supervisor's copy of its children's output). Beside bot.privacy.redaction, whose `redact` does
the finding of names, phone numbers, emails and the like in free text.

* Fields (`scrub_fields`): identifiers (ID_KEYS) become keyed pseudonyms, fields that would
  hold what a person wrote or who they are (WITHHELD_KEYS) are withheld, every other string
  is redacted; numbers as long as a phone or NHS number are withheld.
* Tracebacks (`scrub_exception`): SQL parameters and conversation dumps dropped, the rest redacted.
* Conversation dumps (`scrub_payloads`): a tracker, its events or a request body dumped into
  a line is cut from that line.
* Records of other libraries (`scrub_record`): the traceback and message of a LogRecord made safe
  in place, before any formatter sees them.

Every helper here falls back to withholding rather than raising: a log line must never break
a conversation, nor carry what the redaction could not check.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Dict, List

#: Fields that name a person or a conversation: logged as a pseudonym, never in clear.
ID_KEYS = frozenset({"conversation", "conversation_id", "sender", "sender_id", "recipient_id", "user", "user_id"})
#: Fields that would hold what a person wrote or who they are: never logged.
WITHHELD_KEYS = frozenset(
    {
        "text",
        "message_text",
        "user_text",
        "response_text",
        "body",
        "message_body",
        "name",
        "names",
        "full_name",
        "phone",
        "phone_number",
        "number",
        "mobile",
        "email",
        "address",
        "postcode",
        "contact",
        "summary",
        "comment",
        "comments",
        "transcript",
        "password",
        "token",
        "authorization",
        "cookie",
        "from",
        "to",
        "nhs_number",
        "dob",
    }
)
_PSEUDONYM = re.compile(r"^[0-9a-f]{24}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_.:/\-]{0,64}$")
_DIGITS = re.compile(r"\d")
_SQL_PARAMS = re.compile(r"\[parameters: .*?\]\s*(?=\(Background|\Z)", re.S)
#: A conversation dumped into a log line: rasa_sdk answers a failed action with the whole request
#: ("request_body": the tracker, with every message), and Rasa logs that answer in its traceback.
_PAYLOAD = re.compile(
    r"""(\\?["'](?:request_body|tracker|latest_message|events|slots|parse_data)\\?["']\s*:\s*)""" r"[^\n]*"
)
MAX_STRING = 500


def log_pseudonym(value: Any, always: bool = False) -> str:
    """The keyed pseudonym of an id; a value that already is one (24 hex) is kept unless `always`."""
    value = str(value)
    if _PSEUDONYM.match(value) and not always:
        return value
    try:
        from bot.privacy import pseudonym

        return pseudonym(value)
    except Exception:
        return "[withheld]"


def safe_redact(text: str) -> str:
    """`text` redacted (bot.privacy.redact); if the redaction fails, withheld when it could hold an identifier."""
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
        return "[withheld]" if 10**9 <= abs(value) < 10**15 else value
    if isinstance(value, (list, tuple, set)):
        return [scrub_value(v, depth + 1) for v in list(value)[:50]] if depth < 4 else "[withheld]"
    if isinstance(value, dict):
        return scrub_fields(value, depth + 1) if depth < 4 else "[withheld]"
    s = value if isinstance(value, str) else str(value)
    if len(s) > MAX_STRING:
        s = s[:MAX_STRING] + "..."
    if _PLAIN.match(s) and not re.search(r"\d{6,}", s):
        return s  # enumerations, names of things (channel, outcome, intent): nothing personal to find
    return safe_redact(scrub_payloads(s))


def scrub_fields(fields: Dict[str, Any], depth: int = 0) -> Dict[str, Any]:
    """Fields made safe to log (see ID_KEYS, WITHHELD_KEYS, scrub_value)."""
    out: Dict[str, Any] = {}
    for k, v in fields.items():
        key = str(k)
        low = key.lower()
        if v is None:
            out[key] = None
        elif low in ID_KEYS:
            out[key] = log_pseudonym(v)
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
    return safe_redact(text)


def has_payload(text: str) -> bool:
    """Whether `text` holds a conversation dump (see scrub_payloads)."""
    return bool(text) and _PAYLOAD.search(text) is not None


def scrub_record(record: logging.LogRecord) -> None:
    """A log record of another library made safe in place: traceback scrubbed into exc_text (the
    exception's class kept as `error`), a conversation dumped into the message cut."""
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = scrub_exception("".join(traceback.format_exception(*record.exc_info))).rstrip()
        record.__dict__.setdefault("error", record.exc_info[0].__name__)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub_exception(record.exc_text)
    try:
        message = record.getMessage()
    except Exception:
        message = str(record.msg)
    if has_payload(message):
        record.msg, record.args = scrub_payloads(message), ()


_TEXT_IDS = re.compile(r"\b(conversation=)([0-9a-f]{24})\b")


def redact_text_line(line: str) -> str:
    """A text line redacted, keeping `conversation=<pseudonym>` readable (24 hex can look like a number)."""
    kept: List[str] = []

    def hold(m: "re.Match[str]") -> str:
        kept.append(m.group(2))
        return f"{m.group(1)}\x00{len(kept) - 1}\x00"

    held = _TEXT_IDS.sub(hold, scrub_payloads(line))
    out = safe_redact(held)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)


__all__ = [
    "ID_KEYS",
    "WITHHELD_KEYS",
    "MAX_STRING",
    "has_payload",
    "log_pseudonym",
    "redact_text_line",
    "safe_redact",
    "scrub_exception",
    "scrub_fields",
    "scrub_payloads",
    "scrub_record",
    "scrub_value",
]
