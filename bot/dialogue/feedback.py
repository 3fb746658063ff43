"""Feedback against the I statements: at most three questions after the advice, each about a
statement the conversation actually served, answered 1 to 5 in words or numbers, always skippable.

Which statements: among those served, the ones with the fewest answers so far come first (ties
broken by the conversation, so people are not all asked the same one), so the feedback is spread
across the statements instead of piling up on "I knew I had a right to complain".
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from bot.record.catalogue import feedback_choice, statements
from bot.understand import interpret_answer

log = logging.getLogger(__name__)
MAX_QUESTIONS = 3


def ensure_queue(slots: Dict[str, Any], touched: List[str], setter, ctx: Any = None) -> List[str]:
    """The statements to ask about, chosen once per conversation."""
    if slots.get("feedback_queue") is None:
        counts: Dict[str, int] = {}
        if ctx is not None and getattr(ctx, "feedback_counts", None):
            try:
                counts = ctx.feedback_counts() or {}
            except Exception:  # feedback is optional: a store that cannot count does not block it
                log.warning("feedback counts unavailable")
        seed = getattr(ctx, "conversation", "") if ctx is not None else ""
        setter("feedback_queue", feedback_choice(touched, MAX_QUESTIONS, counts=counts, seed=seed))
    return list(slots.get("feedback_queue") or [])


def ask_next(slots: Dict[str, Any], setter) -> Optional[str]:
    """'feedback' with the statement set for the question, or None when there is nothing to ask."""
    queue = slots.get("feedback_queue") or []
    if queue and not slots.get("feedback_done"):
        setter("feedback_statement", statements()[queue[0]].text)
        return "feedback"
    return None


def answer(turn, slots: Dict[str, Any], setter, save, conversation: str, channel: str) -> str:
    """Read a feedback answer and save it. Returns 'saved', 'skipped' or 'unclear'."""
    queue = list(slots.get("feedback_queue") or [])
    a = interpret_answer("feedback", turn.text)
    if a.status == "ok" and queue:
        try:
            save(conversation=conversation, channel=channel, statement_id=queue[0], score=int(a.value))
        except Exception:  # feedback is optional: never block the person on it
            log.warning("feedback not saved")
        setter("feedback_queue", queue[1:])
        return "saved"
    if turn.intent in ("skip", "deny", "goodbye", "dont_know") or a.status == "unknown" or "skip" in turn.text.lower():
        setter("feedback_queue", [])
        setter("feedback_done", True)
        return "skipped"
    return "unclear"
