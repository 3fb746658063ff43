"""Answering risk of harm when no form is active (inside forms the validators do it)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import send, turn_from
from bot.dialogue.intake import facts_from_entities, safety_messages


class ActionSafetyResponse(Action):
    def name(self) -> Text:
        return "action_safety_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        entities = (tracker.latest_message or {}).get("entities") or []
        send(dispatcher, safety_messages(turn_from(tracker), tracker.current_slot_values()))
        message_id = str((tracker.latest_message or {}).get("message_id") or "")
        events: List[EventType] = [SlotSet("risk_now", True), SlotSet("safety_for", message_id)]
        # Keep any case facts the message held, so the person need not repeat them.
        facts = {k: v for k, v in facts_from_entities(entities).items() if k != "risk_now"}
        for key, value in facts.items():
            if tracker.get_slot(key) is None:
                events.append(SlotSet(key, value))
        if (
            facts.keys() & {"service", "stage", "issues", "outcomes", "funding"}
            and tracker.active_loop_name is None
            and not tracker.get_slot("recommended")
        ):
            # The message also told part of a case: carry on with it straight after the safety advice.
            events.append(ActiveLoop("intake_form"))
        return events
