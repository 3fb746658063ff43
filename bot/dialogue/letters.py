"""The draft letter in the conversation: when to offer it, and the messages that carry it.

The drafting itself is bot.letter (pure). On the web the letter comes as a `letter` marker
(CONTRACT section 4) the widget shows, editable; over SMS as a short link to a page that keeps
it, encrypted, for seven days (bot.letter.links). The letter's text is never stored with the
conversation: the tracker store takes it out of the stored event (bot.letter.redact_letter_event).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List

log = logging.getLogger(__name__)


def letter_offered(slots: Dict[str, Any]) -> bool:
    """Whether the advice's first step is a written complaint or concern, so a draft is offered."""
    from bot.dialogue.intake import facts_from_slots
    from bot.letter import offers_letter
    from bot.routing import get_router

    result = get_router().route(facts_from_slots(slots))
    return offers_letter(result, anonymous=slots.get("anonymity") == "anonymous")


def letter_maker(story: Callable[[], str], channel: str) -> Callable[[Dict[str, Any]], List[Dict[str, Any]]]:
    """A function that drafts the letter from the slots and returns the messages that carry it."""

    def make(slots: Dict[str, Any]) -> List[Dict[str, Any]]:
        from bot.dialogue.intake import facts_from_slots
        from bot.letter import draft

        facts = facts_from_slots(slots)
        letter = draft(
            facts,
            story(),
            on_behalf=bool(facts.get("on_behalf")),
            consent=slots.get("consent"),
            anonymous=slots.get("anonymity") == "anonymous",
        )
        if channel == "sms":
            return _by_link(letter)
        return [{"text": letter.note}, {"custom": letter.as_marker()}]

    return make


def _by_link(letter) -> List[Dict[str, Any]]:
    from bot.letter import links
    from bot.record import StoreUnavailable

    try:
        token = links.keep(letter)
    except StoreUnavailable:
        log.warning("letter link not saved")
        return [{"response": "utter_letter_not_saved"}]
    return [{"text": links.sms_message(token)}]
