"""Questions and requests outside the intake: bodies, a person to help, status, short replies."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any, Deque, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.bodies import describe, find_body
from bot.dialogue.intake import facts_from_slots
from bot.dialogue.text import phrases


class ActionExplainBody(Action):
    def name(self) -> Text:
        return "action_explain_body"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        facts = facts_from_slots(tracker.current_slot_values())
        body = find_body((tracker.latest_message or {}).get("text") or "", facts)
        if body is None:
            dispatcher.utter_message(response="utter_about_body_unknown")
        else:
            dispatcher.utter_message(text=describe(body, facts))
        return []


class ActionHandoff(Action):
    """A person asked for someone to help: note it; after the advice, ask how to contact them."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        events: List[EventType] = [SlotSet("handoff_requested", True)]
        if (
            tracker.get_slot("recommended")
            and not tracker.get_slot("referral_ref")
            and tracker.active_loop_name is None
        ):
            events += [SlotSet("contact", None), SlotSet("feedback_done", True), ActiveLoop("followup_form")]
        return events


_attempts: Dict[str, Deque[float]] = defaultdict(deque)
MAX_LOOKUPS_PER_HOUR = 10


class ActionCheckStatus(Action):
    """What is happening with a referral, for a person who gives its reference (informed-1)."""

    def name(self) -> Text:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from bot.record import StoreUnavailable, get_store, normalise_reference

        msg = tracker.latest_message or {}
        ref = next((e.get("value") for e in msg.get("entities") or [] if e.get("entity") == "reference"), None)
        ref = ref or normalise_reference(msg.get("text") or "") or tracker.get_slot("referral_ref")
        if not ref:
            dispatcher.utter_message(response="utter_ask_reference")
            return []
        # A few lookups per conversation per hour: references cannot be guessed by trying many.
        now, q = time.time(), _attempts[tracker.sender_id]
        while q and now - q[0] > 3600:
            q.popleft()
        q.append(now)
        if len(q) > MAX_LOOKUPS_PER_HOUR:
            dispatcher.utter_message(response="utter_status_unavailable")
            return []
        try:
            status = get_store().referral_status(ref)
        except StoreUnavailable:
            dispatcher.utter_message(response="utter_status_unavailable")
            return []
        if status is None:
            dispatcher.utter_message(response="utter_status_unknown")
            return []
        p = phrases()["status"]
        lines = [p[status.status].format(ref=status.ref)]
        if status.last_update:
            lines.append(p["last_update"].format(text=status.last_update))
        lines.append(p["updated"].format(date=status.updated_at.strftime("%d %B %Y").lstrip("0")))
        if status.organisation:
            from bot.dialogue.place import contact_line

            lines.append(p["organisation"].format(contact=contact_line(status.organisation, short=True)))
        dispatcher.utter_message(text=" ".join(lines))
        return []


class ActionFallbackHelp(Action):
    """A yes, no or "not sure" with no question to answer."""

    def name(self) -> Text:
        return "action_fallback_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if tracker.get_slot("recommended"):
            dispatcher.utter_message(response="utter_goodbye" if intent in ("deny", "skip") else "utter_after_advice")
        elif intent in ("dont_know", "skip", "deny") or invitations(tracker):
            # "I'm not sure" to "tell me what happened": choices to start from, not the same prompt again.
            dispatcher.utter_message(response="utter_story_choices")
        else:
            dispatcher.utter_message(response="utter_invite_story")
        return []


def invitations(tracker: Tracker) -> int:
    """How often the person was asked to tell what happened (the prompt is not said a third time)."""
    return sum(
        1
        for e in tracker.events
        if e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == "utter_invite_story"
    )


def _reads_as_words(text: Any) -> bool:
    """Two or more words, most of them with a vowel: words we cannot read ("methu cael apwyntiad"), not a
    keyboard mash ("zxqv blorp")."""
    words = [w for w in str(text or "").lower().split() if w.isalpha()]
    wordlike = [w for w in words if any(v in w for v in "aeiouyw") and not any(c * 3 in w for c in set(w))]
    return len(words) >= 2 and len(wordlike) * 4 >= len(words) * 3


def _answers_invitation(tracker: Tracker) -> bool:
    """Whether the last thing said was the invitation to tell what happened, or the choices to start from."""
    last = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    said = ((last or {}).get("metadata") or {}).get("utter_action")
    if said in ("utter_invite_story", "utter_story_choices"):
        return True
    return ((last or {}).get("data") or {}).get("custom", {}).get("ask") in ("issues", "service")


class ActionDefaultAskAffirmation(Action):
    """The first stage of the two-stage fallback: "Did you mean ...?" in plain words."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        if not tracker.get_slot("recommended") and _answers_invitation(tracker) and _reads_as_words(latest.get("text")):
            # Words we cannot read, said in answer to "tell me what happened", are the story: the intake
            # starts from them (and offers choices if it still cannot tell what it is about).
            return [FollowupAction("intake_form")]
        ranking = latest.get("intent_ranking") or []
        best = next((r["name"] for r in ranking if r.get("name") not in ("nlu_fallback", None)), None)
        described = phrases()["intent_descriptions"].get(best)
        if not described:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(
            text=phrases()["fallback"]["did_you_mean"].format(described=described),
            buttons=[{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}],
        )
        return []
