"""The recommendation, worded for the person, from the router's answer.

What to do first, what else, why, how and by when; free help; what each route
can and cannot achieve for what they want; warnings. Returns messages and the
`routes`/`facts` marker of CONTRACT section 4.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from bot.dialogue.text import phrases
from bot.routing import Facts, get_router

#: What each wished-for outcome needs a body to be able to achieve (knowledge base `achieves`).
OUTCOME_NEEDS = {"explanation": "explanation", "apology": "apology", "put_right": "change",
                 "change_practice": "change", "compensation": "compensation", "accountability": "discipline"}
MAX_SHOWN = {"alternative": 2, "also": 4, "next_step": 2}


def build_advice(facts: Facts, *, advocacy_wanted: bool = False) -> Tuple[List[str], Dict[str, Any], Dict[str, Any]]:
    """(message texts, the custom marker, the router's full result)."""
    result = get_router().route(facts)
    t = phrases()["advice"]
    texts: List[str] = []
    shown = {"alternative": 0, "also": 0, "next_step": 0}
    primary = None
    service = phrases()["service"].get(facts.get("service") or "other", "the service")
    routes = [{**r, "name": service[0].upper() + service[1:]} if r["id"] == "provider" else r
              for r in result["routes"]]
    for r in routes:
        role = r["role"]
        if role == "urgent":
            texts.append(t["urgent"].format(**r))
        elif role == "primary":
            primary = r
            texts.append("\n".join([t["primary"].format(**r), t["how"].format(**r), t["time_limit"].format(**r)]))
        elif role in shown:
            if shown[role] < MAX_SHOWN[role]:
                shown[role] += 1
                texts.append(t[role].format(**r))
        elif role == "support":
            texts.append((t["support_wanted"] if advocacy_wanted else t["support_offer"]).format(**r))
    texts.extend(outcome_notes(facts, routes, primary))
    texts.extend(w["text"] for w in result["warnings"])
    # The router's answer as CONTRACT section 3 shapes it, with the names the person was shown.
    marker = {"routes": [{k: r[k] for k in ("id", "role", "name", "why", "how", "time_limit")} for r in routes],
              "facts": facts.as_dict(),
              "advocacy": result["advocacy"],
              "warnings": [{"code": w["code"], "text": w["text"]} for w in result["warnings"]]}
    return texts, marker, result


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
        other = next((r for r in routes if r["achieves"].get(need) in ("yes", "sometimes") and r["role"] != "urgent"), None)
        words = p["achieve_words"][need]
        name = _short_name(primary)
        if other:
            notes.append(p["advice"]["cannot"].format(primary=name, outcome=words, other=_short_name(other)))
        else:
            notes.append(p["advice"]["cannot_alone"].format(primary=name, outcome=words))
    return notes


def _short_name(route: Dict[str, Any]) -> str:
    if route["id"] == "provider":
        return route["name"]
    body = get_router().kb[route["id"]]
    name = body.display_name
    return name[0].upper() + name[1:]
