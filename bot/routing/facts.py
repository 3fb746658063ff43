"""The case facts: the router's input (CONTRACT section 2), parsed and checked.

A case is a JSON object; every key is optional. Parsing is strict: an unknown
key, an unknown value or a wrong type raises `FactError` with a one-line
message, which the CLI prints before exiting with status 2.

A few keys and values extend the contract without changing it: the keys
`anonymity` (named, confidential, anonymous), `after_ombudsman` (true when the
ombudsman has already decided or would not look at it), `legal` (solicitor,
inquest, court: a legal process under way) and `other_services` (the other
organisations the same case involves), the service `supported_housing` and the
professionals `osteopath` and `chiropractor`.

`postcode` (CONTRACT section 2) is a full UK postcode or its outward part, kept
in standard form ("LS1 4AP", "LS1"); see bot/places.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

from bot.vocabulary import NATIONS, SERVICES  # declared once, in bot/knowledge/vocabulary.yml

FUNDING = ("nhs", "council", "self_funded", "private", "unknown")
STAGES = ("not_raised", "raised_informally", "in_progress", "final_response")
ISSUES = (
    "care_treatment",
    "communication",
    "staff_conduct",
    "access_waiting",
    "discharge",
    "medication",
    "dignity",
    "safety_risk",
    "abuse_neglect",
    "death",
    "mental_health_act",
    "crime",
    "records_data",
    "other",
)
OUTCOMES = (
    "explanation",
    "apology",
    "put_right",
    "change_practice",
    "compensation",
    "concern_only",
    "protect_others",
    "accountability",
)
PROFESSIONALS = (
    "doctor",
    "nurse",
    "midwife",
    "dentist",
    "pharmacist",
    "optometrist",
    "paramedic",
    "social_worker",
    "allied_health",
    "care_worker",
    "other",
    "osteopath",
    "chiropractor",
)
ANONYMITY = ("named", "confidential", "anonymous")
LEGAL = ("solicitor", "inquest", "court")

#: Every fact key, its kind and its allowed values (None: a number or a boolean).
SCHEMA: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "nation": ("choice", NATIONS),
    "service": ("choice", SERVICES),
    "funding": ("choice", FUNDING),
    "stage": ("choice", STAGES),
    "months_since": ("number", ()),
    "issues": ("list", ISSUES),
    "outcomes": ("list", OUTCOMES),
    "risk_now": ("bool", ()),
    "on_behalf": ("bool", ()),
    "professional": ("choice", PROFESSIONALS),
    "anonymity": ("choice", ANONYMITY),
    # issue 15: where the person is (bot/places); never asked for by `missing` on its own
    "postcode": ("postcode", ()),
    # issue 12: situations beyond the first complaint
    "after_ombudsman": ("bool", ()),  # the ombudsman has already decided, or would not look at it
    "legal": ("choice", LEGAL),  # a legal process is under way: a solicitor, an inquest, court
    "other_services": ("list", SERVICES),  # other organisations the same case involves
}
FACT_KEYS = tuple(SCHEMA)
#: The most months a case may claim; anything beyond is refused as nonsense.
MAX_MONTHS = 1200


class FactError(ValueError):
    """A case that does not fit the schema. `str(err)` is one line."""


@dataclass(frozen=True)
class Facts:
    """A checked case. Missing keys are simply absent from `values`."""

    values: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        """A fact's value, or `default` when it is absent."""
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def with_value(self, key: str, value: Any) -> "Facts":
        """A copy with one fact changed (or removed when `value` is None)."""
        new = dict(self.values)
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
        return Facts(new)

    def as_dict(self) -> Dict[str, Any]:
        """The facts as JSON-ready values (tuples become lists)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.values.items()}


def parse_facts(raw: Any, *, lenient: bool = False) -> Facts:
    """Check a decoded JSON case and return `Facts`.

    Strict by default (the CLI): anything unexpected raises `FactError`.
    With `lenient=True` (the conversation), unknown keys and values are dropped
    instead, as CONTRACT section 2 says: "an unknown value is left out".
    """
    if not isinstance(raw, Mapping):
        raise FactError(f"the case must be a JSON object, not {_kind(raw)}")
    out: Dict[str, Any] = {}
    for key, value in raw.items():
        if key not in SCHEMA:
            if lenient:
                continue
            raise FactError(f"unknown key {key!r}; expected one of: {', '.join(FACT_KEYS)}")
        if value is None:
            continue
        try:
            out[key] = _check(key, value, lenient)
        except FactError:
            if not lenient:
                raise
    if out.get("funding") == "unknown":
        # "unknown" is an answer the person may give; the engine treats it as absent.
        del out["funding"]
    for key in ("issues", "outcomes"):
        if key in out and not out[key]:
            del out[key]
    return Facts(out)


def _check(key: str, value: Any, lenient: bool) -> Any:
    kind, allowed = SCHEMA[key]
    return _CHECKS[kind](key, value, allowed, lenient)


def _check_choice(key: str, value: Any, allowed: Any, lenient: bool) -> str:
    if not isinstance(value, str):
        raise FactError(f"{key} must be a string, not {_kind(value)}")
    if value not in allowed:
        raise FactError(f"unknown value {value!r} for {key}; expected one of: {', '.join(allowed)}")
    return value


def _check_list(key: str, value: Any, allowed: Any, lenient: bool) -> tuple:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FactError(f"{key} must be a list of strings, not {_kind(value)}")
    items = []
    for item in value:
        if not isinstance(item, str):
            raise FactError(f"{key} must be a list of strings; found {_kind(item)}")
        if item not in allowed:
            if lenient:
                continue
            raise FactError(f"unknown value {item!r} in {key}; expected any of: {', '.join(allowed)}")
        if item not in items:
            items.append(item)
    return tuple(items)


def _check_bool(key: str, value: Any, allowed: Any, lenient: bool) -> bool:
    if not isinstance(value, bool):
        raise FactError(f"{key} must be true or false, not {_kind(value)}")
    return value


def _check_number(key: str, value: Any, allowed: Any, lenient: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FactError(f"{key} must be a number, not {_kind(value)}")
    if not math.isfinite(value) or value < 0 or value > MAX_MONTHS:
        raise FactError(f"{key} must be a number of months from 0 to {MAX_MONTHS}, not {value!r}")
    return float(value)


def _postcode(key: str, value: Any) -> str:
    from bot.places.postcodes import normalise_postcode

    normal = normalise_postcode(value) if isinstance(value, str) else None
    if normal is None:
        # the value itself is not repeated: it may be most of someone's address
        raise FactError(f"{key} must be a UK postcode like LS1 4AP, or its first part like LS1")
    return normal


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


#: How each kind of fact (SCHEMA) is checked; anything else is a number.
_CHECKS = defaultdict(
    lambda: _check_number,
    {
        "choice": _check_choice,
        "list": _check_list,
        "bool": _check_bool,
        "postcode": lambda key, value, allowed, lenient: _postcode(key, value),
    },
)
