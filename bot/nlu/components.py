"""Rasa NLU components that plug the project's own understanding into the pipeline.

* `FactExtractor` adds every case fact in a message as entities (service,
  funding, stage, months_since, issues ...), using `bot.understand`.
* `SafetyDetector` runs last: when a message shows a risk of harm now it sets
  the intent to `express_risk` (confidence 1.0) with a `risk_type` entity, so
  the dialogue answers it first, whatever else was going on.

Neither is trained: their knowledge is the pattern files, loaded at start-up.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

RISK_INTENT = "express_risk"
EXTRACTOR = "bot"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class FactExtractor(GraphComponent):
    """Adds the case facts found in each message as entities."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FactExtractor":
        """A new extractor (it takes no settings)."""
        return cls()

    def __init__(self) -> None:
        from bot.understand import extract_facts
        from bot.understand.language import detect, warm_up

        self._extract = extract_facts
        self._language = detect
        self._extract("warm up the matcher")  # build the spaCy pipeline now, not on the first message
        warm_up()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged (nothing to train)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add each message's case facts and its language as entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text:
                continue
            try:
                found = self._extract(text)
            except Exception:  # never let understanding break the conversation
                logger.exception("fact extraction failed")
                continue
            entities = list(message.get(ENTITIES) or [])
            for ent in found.entities():
                entities.append({**ent, "start": 0, "end": len(text), "extractor": EXTRACTOR})
            language = self._safe_language(text)
            if language:
                entities.append(
                    {"entity": "language", "value": language, "start": 0, "end": len(text), "extractor": EXTRACTOR}
                )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _safe_language(self, text: str) -> Optional[str]:
        try:
            return self._language(text)
        except Exception:  # which language it is matters less than answering at all
            logger.exception("language detection failed")
            return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyDetector(GraphComponent):
    """Makes risk of harm the intent of any message that shows it (see bot.safety)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default settings: `classifier_threshold`."""
        # The intent classifier's own "express_risk" counts only above this confidence.
        return {"classifier_threshold": 0.7}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyDetector":
        """A new detector with this pipeline's settings."""
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        from bot.safety import get_detector
        from bot.safety.help import who_at_risk

        self._who = who_at_risk

        self.threshold = float(config.get("classifier_threshold", 0.7))
        self.detector = get_detector()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged (nothing to train)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Make `express_risk` the intent of each message the safety detector flags, with the risk's
        entities; a risk intent it does not confirm becomes `nlu_fallback`."""
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            diet = next((r.get("confidence", 0.0) for r in ranking if r.get("name") == RISK_INTENT), 0.0)
            verdict = self.detector.judge(text, intent_confidence=diet, intent_threshold=self.threshold)
            if verdict.risk:
                top = {"name": RISK_INTENT, "confidence": 1.0}
                message.set(INTENT, top, add_to_output=True)
                message.set(
                    INTENT_RANKING_KEY, [top] + [r for r in ranking if r.get("name") != RISK_INTENT], add_to_output=True
                )
                entities = list(message.get(ENTITIES) or [])
                entities.append(
                    {"entity": "risk_type", "value": verdict.kind, "start": 0, "end": len(text), "extractor": EXTRACTOR}
                )
                entities.append(
                    {
                        "entity": "risk_source",
                        "value": verdict.source,
                        "start": 0,
                        "end": len(text),
                        "extractor": EXTRACTOR,
                    }
                )
                entities.append(
                    {
                        "entity": "risk_prob",
                        "value": round(verdict.probability, 3),
                        "start": 0,
                        "end": len(text),
                        "extractor": EXTRACTOR,
                    }
                )
                entities.append(
                    {
                        "entity": "risk_who",
                        "value": self._who(text, verdict.kind),
                        "start": 0,
                        "end": len(text),
                        "extractor": EXTRACTOR,
                    }
                )
                message.set(ENTITIES, entities, add_to_output=True)
            elif (message.get(INTENT) or {}).get("name") == RISK_INTENT:
                # The intent classifier alone is not enough to raise the alarm: treat the message as not
                # understood (CaseIntentResolver, next, reads it as a story if it tells one).
                message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.0}, add_to_output=True)
        return messages


_REF_WRITTEN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{3}-[A-Za-z0-9]{3}-[A-Za-z0-9]{2}(?![A-Za-z0-9])|"
    r"^\s*[A-Za-z0-9]{3}\s?[A-Za-z0-9]{3}\s?[A-Za-z0-9]{2}\s*[.?!]?\s*$"
)


#: Written like a reference, valid or not: groups of three joined by hyphens, with a digit in them.
_REF_LIKE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z-]*\d)[A-Za-z0-9]{3}-[A-Za-z0-9]{3}(?:-[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ReferenceDetector(GraphComponent):
    """A message that is (mostly) a referral reference such as KX7-4PQ-2M asks for its status."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ReferenceDetector":
        """A new detector (it takes no settings)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged (nothing to train)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add a valid reference as an entity; a short message holding one, or something written
        like one, becomes `check_status`."""
        from bot.record.store import normalise_reference

        for message in messages:
            text = message.get(TEXT) or ""
            # Most references hold a digit; one in twelve does not (JUB-UGY-TR), so a message without one
            # counts only when the reference is written as one (hyphens) or is the whole message.
            if len(text) > 200 or not (any(ch.isdigit() for ch in text) or _REF_WRITTEN.search(text)):
                continue
            ref = normalise_reference(text)
            if not ref:
                # Written like a reference but not a valid one ("KX7-4PQ", a wrong last character): still a
                # status question, answered plainly ("I can't find that reference"), never "I can't help".
                if len(text.split()) <= 12 and _REF_LIKE.search(text):
                    self._status(message)
                continue
            entities = list(message.get(ENTITIES) or [])
            entities.append({"entity": "reference", "value": ref, "start": 0, "end": len(text), "extractor": EXTRACTOR})
            message.set(ENTITIES, entities, add_to_output=True)
            if len(text.split()) <= 12:
                self._status(message)
        return messages

    @staticmethod
    def _status(message: Message) -> None:
        top = {"name": "check_status", "confidence": 1.0}
        ranking = message.get(INTENT_RANKING_KEY) or []
        message.set(INTENT, top, add_to_output=True)
        message.set(
            INTENT_RANKING_KEY, [top] + [r for r in ranking if r.get("name") != "check_status"], add_to_output=True
        )


#: Intents that a message holding case facts is better read as a story than as.
_WEAK_WITH_FACTS = {
    "greet",
    "ask_capabilities",
    "chitchat",
    "nlu_fallback",
    "thank",
    "affirm",
    "deny",
    "dont_know",
    "skip",
    "restart",
    "goodbye",
}
#: Short replies the classifier is usually right about, even when they hold a fact ("no, not yet").
_SHORT_REPLIES = {"affirm", "deny", "dont_know", "skip", "thank", "goodbye"}
#: Intents that change or end the conversation need the words to be there, not just a guess.
_NEEDS_WORDS = {
    "restart": (
        "start again",
        "start over",
        "restart",
        "reset",
        "begin again",
        "new complaint",
        "different complaint",
        "from the beginning",
        "start from scratch",
        "clear",
        "another complaint",
        "something else to complain",
        "go back to the start",
        "start afresh",
        "redo",
        "start this again",
        "start all over",
        "all over again",
        "back to the beginning",
        "from the start",
        "from scratch",
        "begin from",
        "start fresh",
        "do this again",
        "start it again",
        "begin again",
        "wipe",
        "forget all that",
        "forget everything",
    ),
    "goodbye": (
        "bye",
        "goodbye",
        "good bye",
        "see you",
        "that is all",
        "that's all",
        "done",
        "finished",
        "leave it",
        "no more",
        "cheers",
        "ta ra",
        "later",
        "night",
        "speak soon",
        "ok thanks",
        "going now",
        "off now",
        "stop for now",
        "pause",
        "need to stop",
        "have to stop",
        "come back later",
        "got to go",
        "got to run",
        "gotta go",
        "cheerio",
        "ta-ra",
        "tara",
        "im off",
        "i am off",
        "signing off",
        "leave it there",
        "that will do",
        "all for now",
    ),
    # A status needs a reference, or words asking about a request already made; "Hospital has made a
    # mess of my mum's discharge" is a story, whatever the classifier thought.
    "check_status": (
        "reference",
        "ref",
        "my referral",
        "my request",
        "status",
        "update on",
        "any update",
        "any news",
        "what is happening with my",
        "what's happening with my",
        "heard anything",
        "progress of",
        "where are you with",
        "case number",
        "the referral",
        "my case",
    ),
    "request_human": (
        "person",
        "human",
        "someone",
        "somebody",
        "real",
        "staff",
        "advocate",
        "talk to",
        "speak to",
        "call me",
        "ring me",
        "phone me",
        "a member of",
        "operator",
        "agent",
        "anyone",
        "adviser",
        "advisor",
        "help me",
        "people",
    ),
}
#: Intents a long message telling a story keeps (it asks something specific as well).
_KEEP_WITH_STORY = {"express_risk", "check_status", "request_human", "ask_about_body", "inform", "restart", "goodbye"}
_QUESTION_WORDS = {
    "what",
    "who",
    "how",
    "will",
    "can",
    "could",
    "would",
    "is",
    "are",
    "do",
    "does",
    "should",
    "why",
    "where",
    "when",
    "which",
    "am",
    "may",
    "shall",
    "whats",
}
#: Words that make a question about a body a question about the person's own case.
_OWN_CASE = (
    "my complaint",
    "our complaint",
    "i complained",
    "we complained",
    "what can i do",
    "what do i do",
    "what should i do",
    "what can we do",
    "what do we do",
    "what should we do",
    "what now",
    "what next",
    "where do i go",
    "where can i go",
    "where do we go",
    "who do i",
    "who can i",
    "what are my options",
    "what options",
    "is there anything",
    "anything else i can",
    "can i take it further",
    "take it further",
    "go from here",
    "next step",
    "appeal",
)
#: Welsh words for a complaint or a concern ("dw i eisiau cwyno", "mae gen i gŵyn").
_WELSH_COMPLAINT = {"cwyno", "cwyn", "gŵyn", "nghwyn", "cwynion", "pryder", "mhryder", "bryder", "gwyno", "gwyn"}
#: Facts that on their own do not make a story (a date or "it's about me" can answer anything).
_STORY_FACTS = {"nation", "service", "funding", "stage", "issues", "outcomes", "professional"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CaseIntentResolver(GraphComponent):
    """Settles the intent using what the message says, not the classifier's guess alone.

    * A message that tells part of a case ("need to complain about a hospital") is `inform`,
      even when the classifier thought it was a greeting or a question about the bot.
    * `restart` and `goodbye` must be said in words; a guess is not enough to wipe or end a
      conversation, so the next best intent is used instead.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CaseIntentResolver":
        """A new resolver (it takes no settings)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged (nothing to train)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Settle each message's intent: a message telling a story is `inform`; an intent that needs
        words it lacks gives way to the next best reading."""
        from bot.understand.normalise import normalise

        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            ranking = message.get(INTENT_RANKING_KEY) or []
            text = normalise(message.get(TEXT) or "")
            facts = {e.get("entity") for e in message.get(ENTITIES) or [] if e.get("extractor") == EXTRACTOR}
            if intent == "check_status" and ("reference" in facts or _REF_LIKE.search(message.get(TEXT) or "")):
                continue  # a reference, or something written like one, settles it
            story = facts & _STORY_FACTS
            words = text.split()
            # The intent classifier learned English: for a Welsh message its guess says little, the words more.
            welsh = any(e.get("entity") == "language" and e.get("value") == "cy" for e in message.get(ENTITIES) or [])
            if welsh and intent not in _KEEP_WITH_STORY and (story or _WELSH_COMPLAINT & set(words)):
                self._set(message, "inform", ranking)
                continue
            question = text.rstrip().endswith("?") or (words and words[0] in _QUESTION_WORDS)
            # A statement that tells part of a case is a story, whatever else it might be.
            telling = (
                story
                and not question
                and intent not in _KEEP_WITH_STORY
                and intent != "out_of_scope"
                and not (intent in _SHORT_REPLIES and len(words) < 4)
            )
            long_story = len(story) >= 2 and len(words) >= 10 and intent not in _KEEP_WITH_STORY
            # "... I just want whoever inspects these places to know" names no body: a long
            # statement with a story in it is the story, even if it mentions who might help.
            long_story = long_story or (
                intent == "ask_about_body" and not question and len(story) >= 2 and len(words) >= 15
            )
            weak = (
                intent in _WEAK_WITH_FACTS
                and story
                and not self._said(intent, text)
                and not (intent in _SHORT_REPLIES and len(words) < 4)
            )
            # "My complaint to the ombudsman was rejected, what can I do?" asks about their own case.
            own_case = (
                intent == "ask_about_body"
                and (story or facts & {"after_ombudsman", "legal"})
                and any(w in f" {text} " for w in _OWN_CASE)
            )
            if weak or long_story or telling or own_case:
                self._set(message, "inform", ranking)
                continue
            if intent in _NEEDS_WORDS and not self._said(intent, text):
                # A guess without the words: a story if it tells one, else the next best reading
                # (never the risk intent, which only SafetyDetector decides, nor another unsaid one).
                nxt = (
                    "inform"
                    if story
                    else next(
                        (
                            r["name"]
                            for r in ranking
                            if r.get("name") not in (intent, "nlu_fallback", RISK_INTENT)
                            and (r.get("name") not in _NEEDS_WORDS or self._said(r.get("name"), text))
                        ),
                        "nlu_fallback",
                    )
                )
                self._set(message, nxt, ranking, confidence=0.5)
        return messages

    @staticmethod
    def _said(intent: str, text: str) -> bool:
        padded = f" {text} "
        return any(f" {w} " in padded for w in _NEEDS_WORDS.get(intent, ()))

    @staticmethod
    def _set(message: Message, name: str, ranking: List[Dict[str, Any]], confidence: float = 1.0) -> None:
        top = {"name": name, "confidence": confidence}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top] + [r for r in ranking if r.get("name") != name], add_to_output=True)
