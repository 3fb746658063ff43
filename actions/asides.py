"""Asides asked outside a form ("is this confidential?", "will they strike me off?", "what can you do?").

The answer comes first. Then, while no advice has been given:
* if the message also told part of a case ("...about my GP practice"), the intake starts from
  it at once, exactly as a story would start it, so the person is asked the next thing;
* otherwise the person is invited to tell what happened, marked as a question (`ask: issues`),
  so nobody is left with an answer and no way on.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.info import invitations
from bot.dialogue.intake import facts_from_entities

#: The aside intents this action answers outside a form, and their responses.
RESPONSES = {
    "ask_privacy": "utter_privacy",
    "fear_repercussions": "utter_reassure_care",
    "ask_capabilities": "utter_capabilities",
}
#: Facts that make a message part of a story. Not issues or outcomes alone: "will this affect my
#: treatment?" names an issue word but tells no story; nor a date, a nation or "it's about me".
STORY_FACTS = {"service", "stage", "funding", "professional"}


class ActionAnswerAside(Action):
    def name(self) -> Text:
        return "action_answer_aside"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        dispatcher.utter_message(response=RESPONSES.get(intent, "utter_capabilities"))
        if tracker.get_slot("recommended") or tracker.active_loop_name:
            return []
        if facts_from_entities(latest.get("entities") or []).keys() & STORY_FACTS:
            # The form starts from this message as from any story: its facts kept, the next question asked.
            return [FollowupAction("intake_form")]
        if invitations(tracker) >= 2:
            dispatcher.utter_message(response="utter_story_choices")  # the same prompt is not said a third time
            return []
        dispatcher.utter_message(response="utter_invite_story")
        dispatcher.utter_message(json_message={"ask": "issues"})
        return []
