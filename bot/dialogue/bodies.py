"""Answering questions about the organisations themselves ("what is the ombudsman?")."""

from __future__ import annotations

import re
from typing import List, Optional

from bot.dialogue.text import join, phrases
from bot.routing import Facts, get_router
from bot.understand.normalise import normalise

OMBUDSMEN = {"england": "phso", "scotland": "spso", "wales": "psow", "northern_ireland": "nipso"}


def find_body(text: str, facts: Facts) -> Optional[str]:
    """The body a question is about, read in the light of the person's case."""
    best = _named_bodies(text)
    if not best:
        return None
    if len(best) == 1:
        return best[0]
    return _choose_body(best, facts)


def _named_bodies(text: str) -> List[str]:
    """The bodies whose longest alias appears in the text (several when aliases tie)."""
    t = f" {normalise(text)} "
    best: List[str] = []
    best_len = 0
    for body in get_router().kb:
        for alias in body.aliases:
            a = normalise(alias)
            if re.search(rf"(?<![a-z0-9]){re.escape(a)}(?![a-z0-9])", t):
                if len(a) > best_len:
                    best, best_len = [body.id], len(a)
                elif len(a) == best_len and body.id not in best:
                    best.append(body.id)
    return best


def _choose_body(best: List[str], facts: Facts) -> str:
    """One of several bodies an alias names ("the ombudsman"), for this case: its nation's, its advocacy."""
    kb = get_router().kb
    nation = facts.get("nation") or "england"
    if set(best) & set(OMBUDSMEN.values()) or "lgsco" in best:
        if nation == "england":
            sector = get_router().state(facts).get("sector")
            return "lgsco" if sector in ("council_care", "self_funded_care", "care_unknown", "children") else "phso"
        return OMBUDSMEN[nation]
    advocacy = get_router().decide(facts).advocacy
    if advocacy in best:
        return advocacy
    for b in best:
        if nation in kb[b].nations:
            return b
    return best[0]


def describe(body_id: str, facts: Facts) -> str:
    """A plain description: what it is, what it can and cannot do, how to contact it."""
    body = get_router().kb[body_id].for_nation(facts.get("nation"))
    p = phrases()["body"]
    can = [p["things"][k] for k, v in body.achieves.items() if v in ("yes", "sometimes")]
    cannot = [p["cannot_things"][k] for k, v in body.achieves.items() if v == "no"]
    parts = [p["intro"].format(name=body.name, remit=body.remit)]
    if can:
        parts.append(p["can"].format(things=join(can)))
    if cannot and can:
        parts.append(p["cannot"].format(things=join(cannot)))
    how = body.contact.how + (
        f" Phone: {body.contact.phone}." if body.contact.phone and body.contact.phone not in body.contact.how else ""
    )
    parts.append(p["how"].format(how=how))
    return "\n".join(parts)
