"""The recommendation, worded for a phone screen, from the router's answer.

Three messages at most (one text each on SMS):
  1. the first step: where, why, how and by when, with any time-limit warning, and urgent help first;
  2. the other options as a short list the person can ask about ("tell me more about PALS");
  3. free help from an advocate, one word away, and honest notes on what the first step cannot do.
Returns the texts and the `routes`/`facts` marker of CONTRACT section 4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from bot.dialogue.text import phrases
from bot.routing import Facts, get_router

if TYPE_CHECKING:
    from bot.places import Place

#: What each wished-for outcome needs a body to be able to achieve (knowledge base `achieves`).
OUTCOME_NEEDS = {
    "explanation": "explanation",
    "apology": "apology",
    "put_right": "change",
    "change_practice": "change",
    "compensation": "compensation",
    "accountability": "discipline",
}
#: How many other options are listed (the rest stay in the marker and can be asked about).
MAX_OTHERS = 4
#: Warnings that change what to do now go with the first step; the rest go last.
FIRST_STEP_WARNINGS = ("time_limit_passed", "time_limit_near", "local_process_first")


def build_advice(
    facts: Facts, *, advocacy_wanted: bool = False, place: Optional["Place"] = None
) -> Tuple[List[str], Dict[str, Any], Dict[str, Any]]:
    """(message texts, the custom marker, the router's full result).

    With a `place` (bot.places, from the `place` slot's area codes), routes that mean a local
    organisation name it and how to reach it."""
    result = get_router().route(facts, place=place)
    service = get_router().service_phrase(facts) or phrases()["service"].get(
        facts.get("service") or "other", "the service"
    )
    routes = [{**r, "name": service[0].upper() + service[1:]} if r["id"] == "provider" else r for r in result["routes"]]
    primary = next((r for r in routes if r["role"] == "primary"), None)
    texts = [_first_step(routes, primary, result["warnings"])]
    nation = facts.get("nation")
    others = _others(routes, nation)
    if others:
        texts.append(others)
    last = _support(routes, advocacy_wanted, nation) + outcome_notes(facts, routes, primary)
    last += [w["text"] for w in result["warnings"] if w["code"] not in FIRST_STEP_WARNINGS]
    if last:
        texts.append("\n".join(last))
    marker = {
        "routes": [
            {k: r[k] for k in ("id", "role", "name", "why", "how", "time_limit") if k in r}
            | ({"organisation": r["organisation"]} if r.get("organisation") else {})
            for r in routes
        ],
        "facts": facts.as_dict(),
        "advocacy": result["advocacy"],
        "warnings": [{"code": w["code"], "text": w["text"]} for w in result["warnings"]],
    }
    return texts, marker, result


def _first_step(routes: List[Dict[str, Any]], primary: Dict[str, Any], warnings: List[Dict[str, Any]]) -> str:
    t = phrases()["advice"]
    lines = [t["urgent"].format(**r) for r in routes if r["role"] == "urgent"]
    if primary:
        lines.append(t["primary"].format(**primary))
        lines.append(t["how"].format(how=_with_organisation(primary)))
        lines.append(t["time_limit"].format(**primary))
    lines += [w["text"] for w in warnings if w["code"] in FIRST_STEP_WARNINGS]
    return "\n".join(lines)


def _with_organisation(route: Dict[str, Any]) -> str:
    """How to reach a route, naming the person's own local organisation when the place is known."""
    org = route.get("organisation") or {}
    if not org.get("name"):
        return route["how"]
    from bot.dialogue.place import contact_line

    return f"{route['how']} Yours is {contact_line(org)}."


def _others(routes: List[Dict[str, Any]], nation: Optional[str] = None) -> str:
    t = phrases()["advice"]
    items = [r for r in routes if r["role"] in ("alternative", "also", "next_step")]
    if not items:
        return ""
    lines = [t["others"]]
    for r in items[:MAX_OTHERS]:
        lines.append(f"• {r['name']}. {' '.join(r['why'].split())}")
    lines.append(t["ask_more"].format(name=_in_sentence(_name(items[0], nation))))
    return "\n".join(lines)


def _support(routes: List[Dict[str, Any]], advocacy_wanted: bool, nation: Optional[str] = None) -> List[str]:
    t = phrases()["advice"]
    return [
        (t["support_wanted"] if advocacy_wanted else t["support_offer"]).format(name=_name(r, nation), how=r["how"])
        for r in routes
        if r["role"] == "support"
    ][:1]


def _in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: "your local ICB", not "Your local ICB"."""
    first, _, rest = name.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in ("Your", "The", "A", "An") else name


def _name(route: Dict[str, Any], nation: Optional[str] = None) -> str:
    """The route's short name as it is in the person's nation ("the HSC Trust's adult safeguarding team")."""
    if route["id"] == "provider":
        return route["name"]
    body = get_router().kb[route["id"]].for_nation(nation)
    name = body.display_name
    return name[0].upper() + name[1:]


def outcome_notes(facts: Facts, routes: List[Dict[str, Any]], primary: Dict[str, Any]) -> List[str]:
    """Honest notes: what the first step cannot achieve of what the person wants, and who can."""
    if not primary:
        return []
    p = phrases()
    notes = []
    for outcome in facts.get("outcomes") or ():
        need = OUTCOME_NEEDS.get(outcome)
        if not need or primary["achieves"].get(need) != "no":
            continue
        other = next(
            (r for r in routes if r["achieves"].get(need) in ("yes", "sometimes") and r["role"] != "urgent"), None
        )
        words = p["achieve_words"][need]
        name = _name(primary, facts.get("nation"))
        if other:
            notes.append(
                p["advice"]["cannot"].format(primary=name, outcome=words, other=_name(other, facts.get("nation")))
            )
        else:
            notes.append(p["advice"]["cannot_alone"].format(primary=name, outcome=words))
    return notes
