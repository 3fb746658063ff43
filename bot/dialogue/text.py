"""Turning a case into plain words for the person: the summary they confirm."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from bot.routing import Facts

PHRASES_FILE = Path(__file__).resolve().parent / "phrases.yml"


@lru_cache(maxsize=1)
def phrases() -> Dict[str, Dict[str, str]]:
    """The wording tables of phrases.yml (read once)."""
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def service_phrase(service: Optional[str]) -> str:
    """How a service is named in a sentence ("your GP practice"), or "the service" when it has no phrase."""
    return phrases()["service"].get(service or "other", "the service")


def item_phrase(item: Optional[str]) -> str:
    """'the X-ray' for a side item named in the story ("x ray" -> "the X-ray"), or 'something'."""
    if not item:
        return "something"
    fixed = {
        "x ray": "X-ray",
        "xray": "X-ray",
        "x rays": "X-rays",
        "mri": "MRI",
        "ct scan": "CT scan",
        "tv": "TV",
        "wifi": "wifi",
    }
    return "the " + fixed.get(item, item)


def join(items: Iterable[str]) -> str:
    """The non-empty items as an English list: "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def months_text(months: float) -> str:
    """How long ago, in words: "in the last week", "about 3 weeks ago", "about 5 months ago", "about 2 years ago"."""
    if months < 0.75:
        weeks = max(1, round(months * 52 / 12))
        return "in the last week" if weeks <= 1 else f"about {weeks} weeks ago"
    if months < 24:
        n = max(1, round(months))
        return "about 1 month ago" if n == 1 else f"about {n} months ago"
    return f"about {round(months / 12)} years ago"


def summary(facts: Facts, slots: Optional[Dict[str, Any]] = None) -> str:
    """A short, plain summary of the case, one idea per sentence."""
    p = phrases()
    parts = _where_and_who(facts, p) + _what_and_when(facts, p) + _beyond(facts, p)
    return " ".join(parts) if parts else "I don't know much yet."


def _where_and_who(facts: Facts, p: Dict[str, Any]) -> List[str]:
    parts = []
    service = facts.get("service")
    where = p["nation"].get(facts.get("nation")) if facts.get("nation") else None
    if service:
        first = f"It is about {service_phrase(service)}"
        parts.append(first + (f", in {where}." if where else "."))
    elif where:
        parts.append(f"You are in {where}.")
    if facts.get("on_behalf") is True:
        parts.append("You are raising it for someone else.")
    elif facts.get("on_behalf") is False:
        parts.append("It is about you.")
    if facts.get("funding"):
        funding = p["funding"][facts.get("funding")]
        parts.append(funding[0].upper() + funding[1:] + ".")
    return parts


def _what_and_when(facts: Facts, p: Dict[str, Any]) -> List[str]:
    parts = []
    if facts.get("issues"):
        parts.append("It is about " + join(p["issues"][i] for i in facts.get("issues")) + ".")
    if facts.get("months_since") is not None:
        parts.append("It happened " + months_text(facts.get("months_since")) + ".")
    if facts.get("stage"):
        parts.append(p["stage"][facts.get("stage")])
    if facts.get("outcomes"):
        parts.append("You would like " + join(p["outcomes"][o] for o in facts.get("outcomes")) + ".")
    return parts


def _beyond(facts: Facts, p: Dict[str, Any]) -> List[str]:
    """After an ombudsman, a legal case, other services, one professional."""
    parts = []
    if facts.get("after_ombudsman"):
        parts.append(p["situation"]["after_ombudsman"])
    if facts.get("legal"):
        parts.append(p["situation"][f"legal_{facts.get('legal')}"])
    if facts.get("other_services"):
        parts.append("It also involves " + join(service_phrase(s) for s in facts.get("other_services")) + ".")
    if facts.get("professional") and facts.get("professional") != "other":
        parts.append("It is about " + p["professional"][facts.get("professional")] + ".")
    return parts
