"""After the advice: a draft letter, an advocate, and feedback, each only when wanted.

Like the intake, one pure step per message; actions/followup.py adapts it to Rasa.

* The advice offers an advocate in its own words (one word or one tap away); saying so at any
  point asks what a referral needs: anonymity, consent when it is for someone else, whether staff
  may read the chat, and how to reach the person.
* Where the first step is a written complaint, a draft letter is offered (`ask: letter`); yes gives
  it in the same turn (a `letter` marker), after asking anonymity and consent if they change it.
* Then up to three feedback questions, about statements this conversation served.

Saving goes through `bot.record`; if the database cannot be written the person is told plainly
that nothing was saved and what to do instead.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Optional

from bot.dialogue import feedback, place
from bot.dialogue.intake import Context, Outcome, Turn, facts_from_slots, safety_first
from bot.understand import interpret_answer
from bot.understand.normalise import normalise

#: What is said when the person cannot, or has not, agreed to the complaint being made for them.
CONSENT_NOTES = {"no": "utter_consent_no", "cannot_give": "utter_consent_cannot"}
#: Questions of the follow-up, in the order they can come.
QUESTIONS = ("postcode", "letter", "anonymity", "consent", "transcript_consent", "contact", "feedback")
_ADVOCATE = re.compile(
    r"\b(advocate|advocacy|advocates|someone to help me (complain|with)|help (me )?(to )?complain|"
    r"pass (on )?my details|find me (one|someone))\b"
)
_NOT = re.compile(r"\b(no|not|do not|dont|never|without)\b")


def answers(turn: Turn) -> bool:
    """Whether the message reads as an answer to the follow-up question asked."""
    if turn.requested not in QUESTIONS:
        return False
    from bot.record.store import normalise_reference

    if normalise_reference(turn.text):
        return False  # "what's happening with 3PQ-296-4K?" asks for a status: its digits are not a score
    if wants_advocate(turn.text) is not None:
        return True
    if turn.requested == "postcode":
        return place.declines(turn.text) or place.notice(turn.text, {}, expecting=True) is not None
    return interpret_answer(_reader(turn.requested), turn.text).status == "ok"


def wants_advocate(text: str) -> Optional[bool]:
    """True for "yes, find me an advocate", False for "I don't need an advocate", None if not about one."""
    norm = normalise(text)
    m = _ADVOCATE.search(norm)
    if not m:
        return None
    return not _NOT.search(norm[: m.start()][-30:])


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
    """Whether the person asked for an advocate or for a person to take the case on."""
    return bool(slots.get("advocacy")) or bool(slots.get("handoff_requested"))


def step(turn: Turn, ctx: Context, letter_offered: bool = False, make_letter=None) -> Outcome:
    """One message after the advice. `letter_offered`: the first step is a written complaint;
    `make_letter(slots)` drafts it and returns the messages that carry it."""
    slots = dict(turn.slots)
    out = Outcome()
    if safety_first(turn, slots, out):
        out.requested = _next(slots, out, ctx, letter_offered, make_letter)
        return out
    setter = lambda k, v: _set(slots, out, k, v)  # noqa: E731
    if turn.requested is None:  # straight after the advice
        feedback.ensure_queue(slots, ctx.touched, setter, ctx)
    advocate = wants_advocate(turn.text)
    if turn.requested == "postcode":
        _read_place(turn, slots, out)
    elif advocate is not None and turn.requested != "contact":
        _set(slots, out, "advocacy", advocate)
    elif turn.requested in QUESTIONS:
        _read(turn, slots, out, ctx)
    if turn.requested not in ("postcode", "contact"):
        _notice_place(turn, slots, out)
    out.requested = _next(slots, out, ctx, letter_offered, make_letter)
    return out


def _reader(question: str) -> str:
    return {"letter": "advocacy", "consent": "consent"}.get(question, question)


def _read(turn: Turn, slots: Dict[str, Any], out: Outcome, ctx: Context) -> None:
    q = turn.requested
    if q == "feedback":
        result = feedback.answer(
            turn, slots, lambda k, v: _set(slots, out, k, v), ctx.save_feedback, ctx.conversation, ctx.channel
        )
        if result == "unclear":
            out.messages.append({"response": "utter_unclear_answer"})
        return
    if q == "contact":
        _read_contact(turn, slots, out, ctx)
        return
    answer = interpret_answer(_reader(q), turn.text)
    if answer.status == "ok":
        value = answer.value
        _set(
            slots,
            out,
            {"letter": "letter_wanted"}.get(q, q),
            bool(value) if q in ("letter", "transcript_consent") else value,
        )
        if q == "consent" and value in CONSENT_NOTES:
            out.messages.append({"response": CONSENT_NOTES[value]})
        return
    if answer.status == "unknown" or _tried(slots, out, q) >= 2:
        # Not sure, or twice unclear: the cautious default (no letter, no sharing, named and contactable).
        defaults = {
            "letter": ("letter_wanted", False),
            "transcript_consent": ("transcript_consent", False),
            "anonymity": ("anonymity", "confidential"),
            "consent": ("consent", "unknown"),
        }
        key, value = defaults[q]
        _set(slots, out, key, value)
        out.messages.append({"response": "utter_move_on"})
    else:
        out.messages.append({"response": "utter_unclear_answer"})


def _read_place(turn: Turn, slots: Dict[str, Any], out: Outcome) -> None:
    """The answer to the place question: a place names the local organisations; anything else is let
    go gracefully (the advice already given stands, and the question is never asked again)."""
    codes = place.notice(turn.text, slots, expecting=True)
    if codes is None and wants_advocate(turn.text):
        _set(slots, out, "advocacy", True)  # "no, but find me an advocate"
    if codes is None:
        # No place: nothing of it kept, but the question is answered (and never asked again).
        _set(slots, out, "place", {"areas": []})
        out.messages.append(
            {
                "response": "utter_place_skipped"
                if place.declines(turn.text) or wants_advocate(turn.text) is not None
                else "utter_place_not_found"
            }
        )
        return
    _set(slots, out, "place", codes)
    answer = place.local_answer(facts_from_slots(slots), place.place_of(slots))
    out.messages.append({"text": answer} if answer else {"response": "utter_place_unsure"})


def _notice_place(turn: Turn, slots: Dict[str, Any], out: Outcome) -> None:
    """A place named in passing after the advice ("I'm in Wrexham, by the way") is used too."""
    codes = place.notice(turn.text, slots)
    if codes is None:
        return
    _set(slots, out, "place", codes)
    answer = place.local_answer(facts_from_slots(slots), place.place_of(slots))
    if answer:
        out.messages.append({"text": answer})


def _read_contact(turn: Turn, slots: Dict[str, Any], out: Outcome, ctx: Context) -> None:
    answer = interpret_answer("contact", turn.text)
    if answer.status != "ok" and ctx.sms_number is not None and interpret_answer("advocacy", turn.text).value is True:
        number = ctx.sms_number()  # "yes, text me here"
        if number:
            answer = type(answer)("ok", {"phone": number, "email": None}, {})
    if answer.status == "ok":
        _referral(slots, out, ctx, contact=answer.value)
    elif _tried(slots, out, "contact") >= 2:
        _referral(slots, out, ctx, contact=None)
    else:
        out.messages.append({"response": "utter_unclear_answer"})


def _next(slots: Dict[str, Any], out: Outcome, ctx: Context, letter_offered: bool, make_letter) -> Optional[str]:
    if wants_referral(slots) and not slots.get("referral_ref") and slots.get("contact") is None:
        needed = _referral_needs(slots)
        if needed:
            return needed
        if slots.get("anonymity") == "anonymous":
            _referral(slots, out, ctx, contact=None)
        else:
            return "contact"
    kinds = place.asks_for(facts_from_slots(slots), slots) if slots.get("letter_wanted") is None else None
    if kinds:
        # Once only, before the letter offer: the answer would name their own organisation.
        _set(slots, out, "asked", list(slots.get("asked") or []) + ["postcode"])
        _set(slots, out, "local_org", kinds)
        return "postcode"
    if slots.get("letter_wanted") and not slots.get("letter_given"):
        needed = _letter_needs(slots)
        if needed:
            return needed
        if make_letter is not None:
            out.messages.extend(make_letter(slots))
        _set(slots, out, "letter_given", True)
    if letter_offered and slots.get("letter_wanted") is None:
        return "letter"
    return feedback.ask_next(slots, lambda k, v: _set(slots, out, k, v))


def _referral_needs(slots: Dict[str, Any]) -> Optional[str]:
    if slots.get("anonymity") is None:
        return "anonymity"
    if _consent_needed(slots):
        return "consent"
    if slots.get("anonymity") != "anonymous" and slots.get("transcript_consent") is None:
        return "transcript_consent"
    return None


def _letter_needs(slots: Dict[str, Any]) -> Optional[str]:
    if slots.get("anonymity") is None:
        return "anonymity"
    if _consent_needed(slots):
        return "consent"
    return None


def _consent_needed(slots: Dict[str, Any]) -> bool:
    facts = facts_from_slots(slots)
    return bool(facts.get("on_behalf")) and "death" not in (facts.get("issues") or ()) and slots.get("consent") is None


def _referral(slots: Dict[str, Any], out: Outcome, ctx: Context, contact: Optional[Dict[str, Any]]) -> None:
    from bot.dialogue.advice import build_advice
    from bot.record import StoreUnavailable

    facts = facts_from_slots(slots)
    _, marker, _ = build_advice(facts, advocacy_wanted=True, place=place.place_of(slots))
    try:
        # The idempotency key (one per case, `referral_key`) is bound by the adapter, which has the events.
        ref = ctx.save_referral(
            conversation=ctx.conversation,
            channel=ctx.channel,
            summary=slots.get("case_summary") or "",
            facts=facts.as_dict(),
            routes=marker["routes"],
            outcomes=list(facts.get("outcomes") or []),
            anonymity=slots.get("anonymity") or "named",
            contact=contact,
            wants_advocacy=bool(slots.get("advocacy")),
            transcript_consent=bool(slots.get("transcript_consent")),
            transcript=ctx.transcript() if slots.get("transcript_consent") and ctx.transcript else None,
        )
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
