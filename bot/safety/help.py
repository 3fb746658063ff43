"""The help given when a message shows a risk of harm now: for that risk, that person and that nation.

`who_at_risk(text)` says whom the risk is to: "self", "child" (a child or young person, including a
young writer) or "other". `help_text(kind, nation, who, language)` builds the reply from help.yml
and the knowledge base: the words, one sentence about 999, then each help line's own "how", with
its number, from the body's entry (never typed here). Welsh writers get a Welsh sentence first.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.vocabulary import NATIONS

HELP_FILE = Path(__file__).resolve().parent / "help.yml"
_YOUNG_WRITER = re.compile(r"\b(i am|i'm|im|am) (only |just )?(1[0-7]|[5-9])\b(?! (years|year|months|weeks|days) ago)")
_CHILD = re.compile(
    r"\b(my|our|his|her|their|a|the) (\w+ )?(son|daughter|child|kid|kids|children|baby|toddler|boy|girl|"
    r"grandson|granddaughter|niece|nephew|stepson|stepdaughter|little one|teenager|teen)\b|"
    r"\b(1[0-7]|[1-9]) ?(yo|year old|years old|yr old|month old|months old)\b|\b(baby|toddler|teenager)\b"
)
_ADULT_AGE = re.compile(
    r"\b(son|daughter|boy|girl)[^.?!]{0,12}\b(1[89]|[2-9]\d)\b|\b(1[89]|[2-9]\d) ?(yo|year old|years old)\b"
)
_SELF = re.compile(r"\b(i|me|myself|my life|i am|i have|i will|i want|i can not|i do not)\b")
_OTHER_SUBJECT = re.compile(r"\b(he|she|they|him|her|them|himself|herself|themselves)\b")


def who_at_risk(text: str, kind: Optional[str] = None) -> str:
    """ "self", "child" or "other": whom the risk in `text` is to, as well as the words show it."""
    from bot.understand.normalise import normalise

    t = normalise(text or "")
    if _YOUNG_WRITER.search(t):
        return "self_child"
    child = bool(_CHILD.search(t)) and not _ADULT_AGE.search(t)
    if kind == "child_at_risk":
        return "child"
    if _SELF.search(t) and not (child or _OTHER_SUBJECT.search(t)):
        return "self"
    if child:
        return "child"
    return "self" if _SELF.search(t) and not _OTHER_SUBJECT.search(t) else "other"


@lru_cache(maxsize=1)
def _help() -> Dict[str, Any]:
    return yaml.safe_load(HELP_FILE.read_text(encoding="utf-8"))


def kinds() -> List[str]:
    """Every kind of risk the help covers."""
    return list(_help()["kinds"])


def help_text(kind: str, nation: Optional[str], who: str = "self", language: str = "en") -> str:
    """The reply for one risk, as plain sentences with the help lines' numbers from the knowledge base."""
    doc = _help()
    young = who in ("child", "self_child")
    # A young writer at risk is a child at risk too: children's services, never the adult safeguarding team.
    kind = doc["child_kinds"].get(kind, kind) if young else kind
    spec = doc["kinds"].get(kind) or doc["kinds"]["general"]
    voice = "self" if who in ("self", "self_child") else "other"
    parts: List[str] = []
    if language == "cy":
        parts.append(doc["welsh"]["say"])
    parts.append(spec["say"][voice])
    parts.append(_emergency(doc, spec, voice))
    nation = nation if nation in NATIONS else None
    ids = list((spec.get("lines") or {}).get(nation or "unknown") or []) + list(
        (spec.get("lines") or {}).get("any") or []
    )
    if young:
        ids += [i for i in spec.get("child_lines") or [] if i not in ids]
    if not (spec.get("lines") or {}).get(nation or "unknown") and spec.get("otherwise"):
        parts.append(spec["otherwise"])
    parts += [_line(i, nation) for i in ids]
    if spec.get("safe_phone") and voice == "self":
        parts.append(spec["safe_phone"])
    return " ".join(p for p in parts if p)


def choice_text() -> str:
    """The choice offered after the help: carry on, or pause."""
    return _help()["choice"]


def _emergency(doc: Dict[str, Any], spec: Dict[str, Any], voice: str) -> str:
    return doc["emergency"][f"{spec.get('emergency', 'danger')}_{voice}"]


def _line(body_id: str, nation: Optional[str]) -> str:
    """'Name: how to reach it.' from the knowledge base, without its own 999 sentence (said once above)."""
    from bot.routing import get_router

    kb = get_router().kb
    if body_id not in kb:
        return ""
    body = kb[body_id].for_nation(nation)
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(body.contact.how.split()))
    kept = [s for s in sentences if "999" not in s] or sentences[:1]
    phone = body.contact.phone
    if phone and phone not in " ".join(kept):
        kept.append(f"Phone {phone}.")
    name = body.short_name or body.name
    return f"{name[0].upper() + name[1:]}: {' '.join(kept)}"
