"""What comes in from outside, made safe once, at the edge, for every later stage.

The channels (web chat, SMS) call these before anything else sees a message: Rasa's NLU,
the tracker store, redaction, the record and the logs all receive text that

* is a `str` of at most `MAX_CHARS` characters, in Unicode normal form C;
* holds no lone surrogate (which no encoder can write: a database driver raises on it),
  no control character but newline and tab, no bidirectional override (which can make a
  message read differently in the staff inbox), and no invisible character that could hide
  a name from redaction ("Zo\u200bfia");
* never starts with "/" (Rasa would read it as an intent, never as a person's words).

`parse_json` reads a request body as JSON without ever raising anything but `BadInput`:
not UTF-8, nested too deep, numbers too long to convert and the like are all bad input.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Optional, Tuple

MAX_CHARS = 2000
#: How deep a JSON body may nest: the channels read three levels; the rest is never needed.
MAX_DEPTH = 8
#: Longest integer literal kept as a number (Python refuses to convert more than 4,300 digits).
MAX_INT_DIGITS = 40

# C0 and C1 controls but tab and newline; DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates (a valid pair arrives from JSON already combined into one character).
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates; invisible spaces and joiners that carry no
# meaning in a message (the zero-width joiner and non-joiner stay: emoji and some scripts need them);
# Unicode noncharacters.
_INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\ufeff\ufff9-\ufffb" "\ufdd0-\ufdef\ufffe\uffff]"
)


class BadInput(ValueError):
    """A request body that is not what the channel accepts (one plain sentence in `args[0]`)."""


def normalise_text(text: str) -> str:
    """`text` with lone surrogates, controls and invisible characters removed, in NFC, trimmed."""
    text = _SURROGATES.sub("", text)
    text = _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def clean_text(raw: Any, max_chars: int = MAX_CHARS) -> Tuple[Optional[str], Optional[str]]:
    """The text to give Rasa, and a problem to report (or None).

    * anything that is not a string is turned into words (a YAML `no` arrives as false);
    * the text is normalised (`normalise_text`) and its length capped (problem "too_long");
    * a leading "/" is dropped, so "/intent{...}" is read as words, never as a command.

    Problems: "empty" (nothing left), "not_text" (a list, an object), "too_long".
    """
    if raw is None:
        return None, "empty"
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    elif isinstance(raw, (int, float)):
        raw = str(raw)
    elif not isinstance(raw, str):
        return None, "not_text"
    text = normalise_text(raw[: max_chars * 4])  # bound the work before measuring what is left
    problem = None
    if len(text) > max_chars:
        text, problem = text[:max_chars].rstrip(), "too_long"
    # Rasa's own message handler treats a leading slash as an intent; a person's words never are.
    text = text.lstrip("/ \t\n")
    if not text:
        return None, "empty"
    return text, problem


def _number(literal: str) -> Any:
    return int(literal) if len(literal) <= MAX_INT_DIGITS else literal


def _depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_json(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """A request body parsed as JSON, or `BadInput` with a plain reason (never another exception).

    Numbers too long to be a number stay as their digits (a string); NaN and Infinity are refused;
    a byte-order mark is allowed.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("The request must be UTF-8 text.") from None
    if _depth(text) > max_depth:
        raise BadInput("The request nests too deeply.")
    try:
        return json.loads(text, parse_int=_number, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise BadInput("The request must be JSON.") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def client_address(peer: Optional[str], forwarded_for: Optional[str], trust_proxy: bool) -> str:
    """Who is asking: the connection's address, or behind a trusted reverse proxy the last
    X-Forwarded-For hop (the client the proxy saw; earlier hops are whatever the client wrote)."""
    if trust_proxy:
        hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return (peer or "")[:64] or "unknown"
