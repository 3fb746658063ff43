"""After the advice: contact for a referral and feedback (logic in bot.dialogue.followup)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.common import asides_in_a_row, dialogue_context, resuming, send, story, turn_from
from bot.dialogue.followup import answers, step
from bot.dialogue.intake import ASIDES
from bot.dialogue.letters import letter_maker, letter_offered


class ValidateFollowupForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_followup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot("requested_slot") and resuming(tracker, self.form_name()):
            return [SlotSet("requested_slot", tracker.get_slot("requested_slot"))]
        turn = turn_from(tracker)
        if asides_in_a_row(tracker, self.form_name()) >= 2 and turn.intent != "express_risk":
            turn.intent = "inform"  # the third try is read as an answer (see asides_in_a_row); a risk stays a risk
        if turn.requested is not None and turn.intent in ASIDES and not answers(turn):
            return []  # answered by the rules; the form carries on afterwards
        ctx = dialogue_context(tracker)
        slots = turn.slots
        out = step(
            turn,
            ctx,
            letter_offered=letter_offered(slots),
            make_letter=letter_maker(lambda: story(tracker), ctx.channel),
        )
        send(dispatcher, out.messages)
        return [SlotSet(k, v) for k, v in out.slots.items()] + [SlotSet("requested_slot", out.requested)]


class ActionClose(Action):
    def name(self) -> Text:
        return "action_close"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_closing")
        return [SlotSet("feedback_done", True)]
