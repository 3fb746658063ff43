"""After the advice: contact for a referral and feedback (logic in bot.dialogue.followup)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.common import dialogue_context, send, turn_from
from bot.dialogue.followup import step


class ValidateFollowupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_followup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        turn = turn_from(tracker)
        if turn.requested is not None and turn.intent in ("ask_about_body", "ask_privacy", "fear_repercussions",
                                                          "ask_capabilities", "chitchat", "out_of_scope",
                                                          "request_human", "check_status", "restart", "goodbye",
                                                          "thank") and not (turn.text or "").strip().isdigit():
            return []  # answered by the rules; the form carries on afterwards
        out = step(turn, dialogue_context(tracker))
        send(dispatcher, out.messages)
        return [SlotSet(k, v) for k, v in out.slots.items()] + [SlotSet("requested_slot", out.requested)]


class ActionClose(Action):
    def name(self) -> Text:
        return "action_close"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_closing")
        return [SlotSet("feedback_done", True)]
