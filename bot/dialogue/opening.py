"""The first reply to a story: an opening that fits what was said.

"I want to complain about the care agency" needs "I can help with that", not "I'm sorry this
happened"; a death needs condolence; praise with a concern needs the praise heard. After a
safety reply the safety help itself is the acknowledgement. The reassurance about privacy and
care is said once, unless the person's own question already had it answered.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.routing.facts import ISSUES

#: Asides whose full answer (actions/asides.py) already covered privacy and fear for care.
ANSWERED_PRIVACY = ("fear_repercussions", "ask_privacy")
#: The opening for each kind of story.
OPENINGS = {
    "loss": "utter_open_loss",
    "praise": "utter_open_praise",
    "heard": "utter_open_heard",
    "request": "utter_open_request",
    "sorry": "utter_open_sorry",
}
#: Every issue but "other" is a harm worth an "I'm sorry" (the issues are declared in bot.routing.facts).
HARM = tuple(issue for issue in ISSUES if issue != "other")


def opening_kind(issues: List[str], outcomes: List[str], praise: bool) -> str:
    """Which opening fits: loss, praise, heard, request or sorry."""
    if "death" in issues:
        return "loss"
    if praise:
        return "praise"
    if "concern_only" in outcomes:
        return "heard"
    if not set(issues) & set(HARM):
        return "request"
    return "sorry"


def opening_messages(turn: Any, slots: Dict[str, Any], safety: bool) -> List[Dict[str, Any]]:
    """The responses that open the intake, before its first question."""
    out: List[Dict[str, Any]] = []
    if not safety:
        praise = any(e.get("entity") == "praise" and e.get("value") for e in turn.entities or [])
        kind = opening_kind(list(slots.get("issues") or []), list(slots.get("outcomes") or []), praise)
        out.append({"response": OPENINGS[kind]})
    if turn.intent not in ANSWERED_PRIVACY and not safety:
        out.append({"response": "utter_privacy_short"})
    return out
