"""After the advice: contact for a referral (when wanted) and up to three feedback questions.

Like the intake, one pure step per message; actions/followup.py adapts it to Rasa.
Saving goes through `bot.record`; if the database cannot be written the person
is told plainly that nothing was saved and what to do instead.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from bot.dialogue import feedback
from bot.dialogue.intake import Context, Outcome, Turn, facts_from_slots, safety_first
from bot.understand import interpret_answer


def answers(turn: Turn) -> bool:
    """Whether the message reads as an answer to the follow-up question asked."""
    if turn.requested not in ("contact", "feedback", "transcript_consent"):
        return False
    from bot.record.store import normalise_reference

    if normalise_reference(turn.text):
        return False  # "what's happening with 3PQ-296-4K?" asks for a status: its digits are not a score
    return interpret_answer(turn.requested, turn.text).status == "ok"


def referral_key(conversation: str, events: Iterable[Dict[str, Any]]) -> str:
    """The idempotency key of a referral: one per case, not one per conversation.

    A case starts with the conversation, with "start again" (a restart) or with a new session
    (after two hours of silence, when nothing carries over), so the key is the conversation and
    the time the current case started. A retried turn of the same case finds the same key (and
    the same referral); a second complaint after "start again", or a texter's next case, gets its
    own. `events` as Rasa stores them (dicts).
    """
    started: Optional[float] = None
    for e in events:
        if started is None or e.get("event") in ("restart", "session_started"):
            started = float(e.get("timestamp") or 0)
    return f"{conversation}:{started or 0:.6f}:referral"


def wants_referral(slots: Dict[str, Any]) -> bool:
    return bool(slots.get("advocacy")) or bool(slots.get("handoff_requested"))


def step(turn: Turn, ctx: Context) -> Outcome:
    slots = dict(turn.slots)
    out = Outcome()
    if safety_first(turn, slots, out):
        out.messages.append({"response": "utter_safety_continue"})
        out.requested = _next(slots, out)
        return out
    setter = lambda k, v: _set(slots, out, k, v)  # noqa: E731
    if turn.requested is None:  # activation, straight after the advice
        feedback.ensure_queue(slots, ctx.touched, setter)
        if wants_referral(slots) and slots.get("anonymity") == "anonymous" and not slots.get("referral_ref"):
            _referral(slots, out, ctx, contact=None, turn=turn)
    elif turn.requested == "transcript_consent":
        # Consent is never assumed: unclear twice keeps the chat private.
        answer = interpret_answer("transcript_consent", turn.text)
        if answer.status in ("ok", "unknown"):   # "not sure" or "skip" is a no
            _set(slots, out, "transcript_consent", bool(answer.value))
        elif _tried(slots, out, "transcript_consent") >= 2:
            _set(slots, out, "transcript_consent", False)
        else:
            out.messages.append({"response": "utter_unclear_answer"})
    elif turn.requested == "contact":
        answer = interpret_answer("contact", turn.text)
        if answer.status != "ok" and ctx.sms_number is not None and interpret_answer("advocacy", turn.text).value is True:
            number = ctx.sms_number()   # "yes, text me here"
            if number:
                answer = type(answer)("ok", {"phone": number, "email": None}, {})
        if answer.status == "ok":
            _referral(slots, out, ctx, contact=answer.value, turn=turn)
        else:
            if _tried(slots, out, "contact") >= 2:
                _referral(slots, out, ctx, contact=None, turn=turn)
            else:
                out.messages.append({"response": "utter_unclear_answer"})
    elif turn.requested == "feedback":
        result = feedback.answer(turn, slots, setter, ctx.save_feedback, ctx.conversation, ctx.channel)
        if result == "unclear":
            out.messages.append({"response": "utter_unclear_answer"})
    out.requested = _next(slots, out)
    return out


def _next(slots: Dict[str, Any], out: Outcome) -> Optional[str]:
    if wants_referral(slots) and slots.get("anonymity") != "anonymous" and slots.get("contact") is None:
        # Whether staff may read this chat (names and numbers taken out), then how to reach them.
        return "transcript_consent" if slots.get("transcript_consent") is None else "contact"
    return feedback.ask_next(slots, lambda k, v: _set(slots, out, k, v))


def _referral(slots: Dict[str, Any], out: Outcome, ctx: Context, contact: Optional[Dict[str, Any]], turn: Turn) -> None:
    from bot.dialogue.advice import build_advice
    from bot.record import StoreUnavailable

    facts = facts_from_slots(slots)
    _, marker, _ = build_advice(facts, advocacy_wanted=True)
    try:
        # The idempotency key (one per case, `referral_key`) is bound by the adapter, which has the events.
        ref = ctx.save_referral(
            conversation=ctx.conversation, channel=ctx.channel,
            summary=slots.get("case_summary") or "", facts=facts.as_dict(), routes=marker["routes"],
            outcomes=list(facts.get("outcomes") or []), anonymity=slots.get("anonymity") or "named",
            contact=contact, wants_advocacy=bool(slots.get("advocacy")),
            transcript_consent=bool(slots.get("transcript_consent")),
            transcript=ctx.transcript() if slots.get("transcript_consent") and ctx.transcript else None)
    except StoreUnavailable:
        out.messages.append({"response": "utter_referral_not_saved"})
        _set(slots, out, "contact", "not_saved")
        return
    _set(slots, out, "referral_ref", ref)
    _set(slots, out, "contact", "given" if contact else "none")
    if slots.get("anonymity") == "anonymous":
        out.messages.append({"response": "utter_anonymous_no_contact"})
    elif not contact:
        out.messages.append({"response": "utter_contact_declined"})
    out.messages.append({"response": "utter_contact_saved", "referral_ref": ref})


def _tried(slots: Dict[str, Any], out: Outcome, key: str) -> int:
    """Count one more unclear answer to `key`; return the count."""
    tries = dict(slots.get("tries") or {})
    tries[key] = tries.get(key, 0) + 1
    _set(slots, out, "tries", tries)
    return tries[key]


def _set(slots: Dict[str, Any], out: Outcome, key: str, value: Any) -> None:
    if slots.get(key) != value or key not in slots:
        slots[key] = value
        out.slots[key] = value
