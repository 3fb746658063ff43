"""The intake form's validation: one call per message, logic in bot.dialogue.intake."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.common import asides_in_a_row, dialogue_context, resuming, send, turn_from
from bot.dialogue.intake import step


class ValidateIntakeForm(FormValidationAction):
    """Reads each answer in context, keeps every fact said, and picks the next question."""

    def name(self) -> Text:
        return "validate_intake_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot("requested_slot") and resuming(tracker, self.form_name()):
            # Back from answering an aside: ask the same question again.
            return [SlotSet("requested_slot", tracker.get_slot("requested_slot"))]
        turn = turn_from(tracker)
        if asides_in_a_row(tracker, self.form_name()) >= 2 and turn.intent != "express_risk":
            turn.intent = "inform"  # the third try is read as an answer (see asides_in_a_row); a risk stays a risk
        out = step(turn, dialogue_context(tracker))
        if out.rejected:
            return []  # nothing filled: Rasa hands the message to the rules, then resumes the form
        send(dispatcher, out.messages)
        return [SlotSet(k, v) for k, v in out.slots.items()] + [SlotSet("requested_slot", out.requested)]
