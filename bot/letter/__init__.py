"""Complaint letters drafted from the conversation (docs/letter.md).

* `draft(facts, story, ...)` -> `Letter(to, subject, body, note)`: pure, no storage.
* `offers_letter(route_result)`: whether the first step is a written complaint or concern.
* `redact_letter_event(event)`: the letter's text taken out of a stored Rasa event.
* `for_referral(letter, transcript_consent=...)`: the copy the staff inbox may show.
* `bot.letter.links`: drafts kept encrypted for 7 days behind an SMS link (`/l/<token>`).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Union

from bot.letter.compose import MAX_WORDS, Letter, draft, offers_letter, primary_route, tidy_story

__all__ = [
    "Letter",
    "MAX_WORDS",
    "draft",
    "for_referral",
    "offers_letter",
    "primary_route",
    "redact_letter_event",
    "tidy_story",
    "LETTER_NOT_KEPT",
]

#: What a stored event holds instead of the letter's text.
LETTER_NOT_KEPT = "[letter not kept]"


def redact_letter_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A Rasa event (as a dict) with any drafted letter's text taken out (the dict is changed).

    The letter holds the person's own account, names and dates: it is shown to them once and never
    stored, in the tracker store, its journal or the record. Only its marker stays, so that the
    conversation (and the record of what the assistant did) still knows a letter was given.
    """
    inner = data.get("data") if data.get("event") == "bot" else None
    custom = inner.get("custom") if isinstance(inner, dict) else None
    letter = custom.get("letter") if isinstance(custom, dict) else None
    if isinstance(letter, dict):
        # New dicts, never the event's own: the live conversation keeps its letter for this turn.
        kept = {k: LETTER_NOT_KEPT for k in ("to", "subject", "body") if k in letter}
        data["data"] = {**inner, "custom": {**custom, "letter": kept}}
    return data


def for_referral(
    letter: Union[None, Letter, Mapping[str, Any]], *, transcript_consent: bool
) -> Optional[Dict[str, str]]:
    """The letter as the staff inbox shows it with a referral, or None.

    Only when the person agreed that the team may read the chat, and then redacted as the transcript
    is (names, numbers, addresses taken out), so staff see what the person was helped to say.
    """
    if not transcript_consent or not letter:
        return None
    from bot.privacy import redact

    fields = letter.as_dict() if isinstance(letter, Letter) else dict(letter)
    out = {k: redact(str(fields.get(k) or "")) for k in ("to", "subject", "body")}
    return out if out["body"].strip() else None
