"""The recommendation: the router's answer, worded, with the CONTRACT section 4 marker."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.advice import build_advice
from bot.dialogue.intake import facts_from_slots
from bot.dialogue.place import place_of


class ActionRecommend(Action):
    def name(self) -> Text:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        slots = tracker.current_slot_values()
        facts = facts_from_slots(slots)
        texts, marker, _ = build_advice(facts, advocacy_wanted=bool(slots.get("advocacy")), place=place_of(slots))
        for i, text in enumerate(texts):
            last = i == len(texts) - 1
            buttons = (
                [{"title": "Find me an advocate", "payload": "I would like an advocate please"}]
                if last and marker.get("advocacy") and not slots.get("advocacy")
                else []
            )
            dispatcher.utter_message(text=text, buttons=buttons)
        dispatcher.utter_message(json_message=marker)
        return [SlotSet("recommended", True), SlotSet("requested_slot", None)]
