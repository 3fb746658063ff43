"""Helpers shared by the actions: reading the tracker the same way everywhere."""
from __future__ import annotations

from typing import Any, Dict, List

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


def dialogue_context(tracker: Tracker) -> Context:
    """Who and where, which I statements the conversation has served, and how to save."""
    from bot.privacy import pseudonym
    from bot.record import get_store
    from bot.record.catalogue import statements_for

    store = get_store()
    touched = sorted({sid for name in executed_actions(tracker) for sid in statements_for(name)})
    return Context(conversation=pseudonym(tracker.sender_id),
                   channel=str(tracker.get_latest_input_channel() or "unknown"),
                   touched=touched, save_referral=store.create_referral, save_feedback=store.add_feedback,
                   message_id=str((tracker.latest_message or {}).get("message_id") or ""))
