"""Where the person is, in the conversation (issue 15): read from any message, asked for once after
the advice when it would name a local organisation, and kept only as area codes.

* `notice(text, slots, expecting)` reads a postcode, town, council or health board from a message
  (bot.places.parse_place; careful unless the place question was asked) and returns the `place`
  slot value: the derived area codes (`bot.places.area_codes`), never the postcode text.
* `place_of(slots)` rebuilds the Place for the router; `asks_for(facts, slots)` says whether the
  place question is worth asking now, and about which kind of organisation.
* `local_answer(facts, place)` is the short reply naming the local organisations found, with only
  their confirmed contact facts.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional

from bot.places import Place, area_codes, local_kind, parse_place, place_from_codes, wants_place
from bot.routing import Facts, get_router

#: How each kind of local organisation is named in the question ("your local health board").
KIND_WORDS = {
    "icb": "integrated care board (ICB)",
    "council": "council",
    "health_board": "health board",
    "nhs_board": "NHS board",
    "hsc_trust": "health and social care trust",
}
#: Contact facts shown, in order, with their label (only confirmed ones ever reach here).
CONTACT_LABELS = (("phone", "phone"), ("email", "email"), ("complaints_url", "complaints page"), ("website", "website"))
_DECLINE = re.compile(
    r"\b(no|nope|not sure|unsure|skip|rather not|prefer not|don'?t know|dont know|no idea|"
    r"not now|no thanks|leave it|pass)\b",
    re.I,
)


def notice(text: str, slots: Mapping[str, Any], expecting: bool = False) -> Optional[Dict[str, Any]]:
    """The `place` slot value for a place named in this message, or None (none named, or one already
    known and this one only mentioned in passing)."""
    if slots.get("place") and not expecting:
        return None
    place = parse_place(text, expecting=expecting)
    return area_codes(place) if place is not None else None


def place_of(slots: Mapping[str, Any]) -> Optional[Place]:
    """The place kept in the slots (as area codes), or None when none is known."""
    return place_from_codes(slots.get("place")) if isinstance(slots.get("place"), dict) else None


def declines(text: str) -> bool:
    """ "no", "not sure", "skip", "I'd rather not": the place question is let go."""
    return bool(_DECLINE.search(text or ""))


def asks_for(facts: Facts, slots: Mapping[str, Any]) -> Optional[str]:
    """The kinds of local organisation a place would name ("health board", "ICB and council"), when
    the place question is worth asking now: a route would name one, no place is known, not asked yet."""
    if place_of(slots) is not None or "postcode" in (slots.get("asked") or ()):
        return None
    result = get_router().route(facts)
    if not wants_place(result, facts.values):
        return None
    kinds = [local_kind(r.get("id", ""), facts.values) for r in result["routes"]]
    words = list(dict.fromkeys(KIND_WORDS[k] for k in kinds if k))
    return " and ".join(words) if words else None


def organisations(facts: Facts, place: Optional[Place]) -> List[Dict[str, Any]]:
    """The local organisations the answer names for this place: (route id, organisation as shown)."""
    if place is None:
        return []
    seen, out = set(), []
    for route in get_router().route(facts, place=place)["routes"]:
        org = route.get("organisation")
        if org and org.get("name") not in seen:
            seen.add(org["name"])
            out.append({"route": route["id"], **org})
    return out


def contact_line(org: Mapping[str, Any], short: bool = False) -> str:
    """ "Cardiff and Vale University Health Board: phone 029 ..., website https://..." (confirmed facts)."""
    parts = [f"{label} {org[key]}" for key, label in CONTACT_LABELS if org.get(key)]
    if len(parts) > 1 and org.get("website"):
        parts = parts[:-1]  # the website only when there is no complaints contact
    if short:  # SMS: one way to reach them is enough
        parts = parts[:1] if not org.get("complaints_url") else [f"complaints page {org['complaints_url']}"]
    return org["name"] + (": " + ", ".join(parts) if parts else "")


def local_answer(facts: Facts, place: Optional[Place]) -> Optional[str]:
    """The reply naming the person's local organisations, or None when none can be told apart."""
    found = organisations(facts, place)
    if not found:
        return None
    lines = [
        f"Your local {KIND_WORDS.get(local_kind(o['route'], facts.values, place.nation) or '', 'organisation')}"
        f" is {contact_line(o)}."
        for o in found
    ]
    return "\n".join(lines)
