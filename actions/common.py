"""Helpers shared by the actions: reading the tracker the same way everywhere."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.intake import Context, Turn


def turn_from(tracker: Tracker) -> Turn:
    """The latest message and the state so far, as the dialogue logic sees them."""
    msg = tracker.latest_message or {}
    return Turn(
        text=str(msg.get("text") or ""),
        intent=((msg.get("intent") or {}).get("name") or ""),
        entities=list(msg.get("entities") or []),
        requested=tracker.get_slot("requested_slot"),
        slots=dict(tracker.current_slot_values()),
        message_id=str(msg.get("message_id") or ""),
        default_nation=_metadata(tracker).get("default_nation"),
    )


def _metadata(tracker: Tracker) -> Dict[str, Any]:
    """The metadata the channel sent with the latest message (e.g. the widget's default nation)."""
    for e in reversed(tracker.events):
        if e.get("event") == "user":
            md = e.get("metadata") or {}
            return md if isinstance(md, dict) else {}
    return {}


def send(dispatcher: CollectingDispatcher, messages: List[Dict[str, Any]]) -> None:
    """Send messages given as {"response": name} or {"text": ...} or {"custom": {...}}."""
    for m in messages:
        if "response" in m:
            dispatcher.utter_message(response=m["response"], **{k: v for k, v in m.items() if k != "response"})
        elif "custom" in m:
            dispatcher.utter_message(json_message=m["custom"])
        else:
            dispatcher.utter_message(text=m["text"], buttons=m.get("buttons") or [])


def executed_actions(tracker: Tracker) -> List[str]:
    """Names of the bot actions and responses executed in this conversation so far."""
    names = []
    for e in tracker.events:
        if e.get("event") == "action" and e.get("name") not in (None, "action_listen"):
            names.append(e["name"])
        elif e.get("event") == "bot":
            tmpl = (e.get("metadata") or {}).get("utter_action")
            if tmpl:
                names.append(tmpl)
    return names


def transcript(tracker: Tracker) -> List[Tuple[str, str]]:
    """The conversation so far as (speaker, text), markers and button payloads left out.

    Only ever stored when the person agreed, and then redacted by the record.
    """
    out: List[Tuple[str, str]] = []
    for e in tracker.events:
        text = (e.get("text") or "").strip()
        if not text:
            continue
        if e.get("event") == "user":
            from bot.places import redact_postcodes

            out.append(("person", redact_postcodes(text, expecting=True)))  # the record redacts the rest
        elif e.get("event") == "bot":
            out.append(("bot", text))
    return out


def dialogue_context(tracker: Tracker) -> Context:
    """Who and where, which I statements the conversation has served, and how to save."""
    from functools import partial

    from bot.dialogue.followup import referral_key
    from bot.observability import counted_referral
    from bot.privacy import pseudonym
    from bot.record import get_store
    from bot.record.catalogue import statements_for

    store = get_store()
    conversation = pseudonym(tracker.sender_id)
    save_referral = partial(store.create_referral, idempotency_key=referral_key(conversation, tracker.events))
    touched = sorted({sid for name in executed_actions(tracker) for sid in statements_for(name)})
    channel = str(tracker.get_latest_input_channel() or "unknown")

    def sms_number():
        # "Text me here": the number is not kept anywhere before this; the SMS channel seals it onto
        # the referral saved with this contact, after the turn (bot/record/sms_state.py).
        from bot.record.sms_state import THIS_NUMBER

        return THIS_NUMBER

    return Context(
        conversation=conversation,
        channel=channel,
        touched=touched,
        save_referral=counted_referral(save_referral),
        save_feedback=store.add_feedback,
        message_id=str((tracker.latest_message or {}).get("message_id") or ""),
        sms_number=sms_number if channel == "sms" else None,
        transcript=lambda: transcript(tracker),
        feedback_counts=store.feedback_counts,
    )


def story(tracker: Tracker) -> str:
    """The person's own account of what happened: the message that started the case, and any
    answer to "tell me what happened". Used for the draft letter only, never stored by us."""
    parts: List[str] = []
    requested = None
    for e in tracker.events:
        kind = e.get("event")
        if kind == "restart":
            parts, requested = [], None
        elif kind == "slot" and e.get("name") == "requested_slot":
            requested = e.get("value")
        elif kind == "user" and requested in (None, "issues") and (e.get("text") or "").strip():
            if not str(e.get("text")).startswith("/"):
                parts.append(str(e.get("text")).strip())
        elif kind == "active_loop" and e.get("name") == "followup_form":
            break
    return " ".join(parts[-3:])


def asides_in_a_row(tracker: Tracker, form: str) -> int:
    """How many messages in a row the form handed to the rules as asides, for the current question.

    After two, a message is read as an attempt at the answer instead, so a person whose
    answer happens to look like a question ("respite care from the trust" read as "what is
    the trust?") is never asked the same thing for ever.
    """
    current = tracker.get_slot("requested_slot")
    count = 0
    for e in reversed(tracker.events):
        kind = e.get("event")
        if kind == "action_execution_rejected" and e.get("name") == form:
            count += 1
        elif kind == "slot" and e.get("name") == "requested_slot" and e.get("value") != current:
            break
        elif kind == "active_loop" and e.get("name") != form:
            break
    return count


def resuming(tracker: Tracker, form: str) -> bool:
    """True when the form runs again after the rules answered an aside, not on a new message.

    Rasa records the form's own action before calling its validation, so the question is
    what happened just before that: a new message, or another action (the aside's answer).
    """
    seen_form = False
    for e in reversed(tracker.events):
        kind = e.get("event")
        if kind == "action" and e.get("name") == form and not seen_form:
            seen_form = True
            continue
        if not seen_form or kind not in ("action", "user"):
            continue
        if kind == "user" or e.get("name") == "action_listen":
            return False
        return e.get("name") != form
    return False
