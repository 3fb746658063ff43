"""The intake: one turn of the conversation that gathers a case, as a pure function.

`step(turn)` takes what the person just said (text, intent, entities) and the
state so far (slot values) and returns the slot changes, the messages to send
first, and the next question (`requested`), or None when the intake is done.
The Rasa form validation action (actions/intake.py) is a thin adapter over it,
so this logic is tested without Rasa.

The order of questions is the router's `missing` (most decisive first), then
the summary to confirm, consent when raising it for someone else, the offer of
advocacy and the choice of anonymity.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from bot.dialogue import feedback
from bot.dialogue import text as words
from bot.routing import Facts, get_router, parse_facts
from bot.routing.facts import FACT_KEYS
from bot.understand import interpret_answer

#: Intents the form hands back to Rasa's rules (answered, then the form carries on).
ASIDES = {"ask_about_body", "ask_privacy", "fear_repercussions", "ask_capabilities", "chitchat",
          "out_of_scope", "request_human", "check_status", "restart", "goodbye", "thank"}
LIST_FACTS = ("issues", "outcomes")
#: Asides whose answer, given just before a story starts the intake, covers privacy and fear for care.
ANSWERED_PRIVACY = ("fear_repercussions", "ask_privacy")
#: Facts the summary shows; a change to one of them means the person must confirm again.
SUMMARY_FACTS = ("nation", "service", "funding", "stage", "months_since", "issues", "outcomes", "on_behalf",
                 "professional")
FLOW = ("confirm", "consent", "advocacy", "anonymity")
SOCIAL_CARE_SERVICES = ("care_home", "home_care", "council_social_care", "supported_housing")
HEALTH_SERVICES = ("private_hospital", "dentist", "optician", "pharmacy", "gp", "hospital")
#: How sure the statistical classifier must be to override a message that reads as a plain answer.
SURE_IN_ANSWER = 0.97
SAFETY_RESPONSES = {
    "suicide": "utter_safety_suicide", "self_harm": "utter_safety_self_harm",
    "medical_emergency": "utter_safety_medical", "abuse_now": "utter_safety_abuse",
    "violence": "utter_safety_violence", "child_at_risk": "utter_safety_child",
    "adult_at_risk": "utter_safety_adult", "general": "utter_safety_general",
}


@dataclass
class Turn:
    text: str
    intent: str
    entities: List[Dict[str, Any]]
    requested: Optional[str]
    slots: Dict[str, Any]
    message_id: str = ""
    default_nation: Optional[str] = None   # from the website the person is on (widget setting)


@dataclass
class Context:
    """What the dialogue needs besides the turn: who, where, what was served, and how to save."""

    conversation: str                     # pseudonymous conversation id
    channel: str
    touched: List[str]                    # statement ids the conversation served so far
    save_referral: Callable[..., Any]     # bot.record.Store.create_referral
    save_feedback: Callable[..., Any]     # bot.record.Store.add_feedback
    message_id: str = ""
    sms_number: Optional[Callable[[], Optional[str]]] = None   # the number an SMS conversation comes from
    transcript: Optional[Callable[[], List[Any]]] = None       # [(speaker, text)] of this conversation so far


@dataclass
class Outcome:
    slots: Dict[str, Any] = field(default_factory=dict)
    messages: List[Dict[str, Any]] = field(default_factory=list)
    requested: Optional[str] = None
    rejected: bool = False


def _valid_nation(value: Optional[str]) -> Optional[str]:
    value = (value or "").strip().lower().replace(" ", "_")
    return value if value in ("england", "scotland", "wales", "northern_ireland") else None


def default_nation() -> Optional[str]:
    """The deployment's default nation (DEFAULT_NATION), used when a person does not say."""
    return _valid_nation(os.environ.get("DEFAULT_NATION"))


def facts_from_slots(slots: Dict[str, Any]) -> Facts:
    """The case facts held in the slots (unknown values left out)."""
    return parse_facts({k: slots.get(k) for k in FACT_KEYS if slots.get(k) is not None}, lenient=True)


def facts_from_entities(entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Case facts from the FactExtractor's entities (lists gathered, the rest last wins)."""
    found: Dict[str, Any] = {}
    for ent in entities or []:
        key, value = ent.get("entity"), ent.get("value")
        if key not in FACT_KEYS or value is None:
            continue
        if key in LIST_FACTS:
            found.setdefault(key, [])
            if value not in found[key]:
                found[key].append(value)
        else:
            found[key] = value
    return found


def _risk_source(entities: List[Dict[str, Any]]) -> Optional[str]:
    return next((e.get("value") for e in entities or [] if e.get("entity") == "risk_source"), None)


def _risk_prob(entities: List[Dict[str, Any]]) -> float:
    return float(next((e.get("value") for e in entities or [] if e.get("entity") == "risk_prob"), 1.0) or 0.0)


def _answers(turn: Turn) -> bool:
    """Whether the message reads as an answer to the question asked."""
    if not turn.requested or turn.requested not in FACT_KEYS + FLOW:
        return False
    return interpret_answer(turn.requested, turn.text).status == "ok"


_QUESTION_START = ("is ", "are ", "can ", "could ", "will ", "would ", "do ", "does ", "what ", "who ", "how ",
                   "why ", "where ", "when ", "should ", "am i ", "which ")


def _is_question(text: str) -> bool:
    t = (text or "").strip().lower()
    return t.endswith("?") or t.startswith(_QUESTION_START)


def risk_kind(entities: List[Dict[str, Any]]) -> str:
    return next((e.get("value") for e in entities or [] if e.get("entity") == "risk_type"), None) or "general"


def step(turn: Turn, ctx: Optional[Context] = None) -> Outcome:
    """Advance the intake by one message (`ctx` enables the feedback question before the advice)."""
    slots = dict(turn.slots)
    out = Outcome()
    setter = lambda k, v: _set(slots, out, k, v)  # noqa: E731
    activating = turn.requested is None
    found = facts_from_entities(turn.entities)

    # An aside ("what is PALS?") with nothing else in it goes to the rules; the form resumes after.
    # An answer to the question always comes first, whatever the classifier thought.
    # Only facts about the case count here, and in a question only the fact asked for:
    # "is this confidential?" or "will this affect my treatment?" is not an answer.
    case_found = {k: v for k, v in found.items() if k in FACT_KEYS and k not in ("risk_now", "anonymity")}
    if _is_question(turn.text):
        case_found = {k: v for k, v in case_found.items() if k == turn.requested}
    if not activating and turn.intent in ASIDES and not case_found and (_is_question(turn.text) or not _answers(turn)):
        out.rejected = True
        out.requested = turn.requested
        return out

    safety_first(turn, slots, out)
    if found.get("risk_now") is False and slots.get("risk_now") is None:
        _set(slots, out, "risk_now", False)
    found.pop("risk_now", None)

    if activating and not slots.get("welcomed"):
        if turn.intent != "express_risk":
            out.messages.append({"response": "utter_thank_story"})
        if turn.intent not in ANSWERED_PRIVACY:  # their full answer (actions/asides.py) said it already
            out.messages.append({"response": "utter_privacy_short"})
        _set(slots, out, "welcomed", True)

    before = facts_from_slots(slots)
    asked = list(slots.get("asked") or [])
    tries = dict(slots.get("tries") or {})
    requested = turn.requested

    # After the summary, "actually it was the dentist" corrects it, whatever was asked next.
    correcting_now = (not activating and slots.get("summary_shown") and requested in AFTER_SUMMARY
                      and _correction_cue(turn.text))
    if correcting_now:
        requested = "confirm"  # read the message as an answer to the summary

    # The answer to the question asked, read in context ("no, not yet" means not raised).
    if requested == "feedback" and ctx is not None:
        if feedback.answer(turn, slots, setter, ctx.save_feedback, ctx.conversation, ctx.channel) == "unclear":
            out.messages.append({"response": "utter_unclear_answer"})
        setter("feedback_pre", True)
        requested = None
    unclear_summary_answer = False
    if requested:
        answer = _answer(requested, turn, slots)
        if answer is not None:
            status, value, others = answer
            for key, val in others.items():
                found.setdefault(key, val)
            if status == "ok":
                if requested in FACT_KEYS:
                    found[requested] = _merge(requested, slots.get(requested), value) if requested in LIST_FACTS else value
                else:
                    _flow_answer(requested, value, slots, out)
            elif status == "unknown":
                if requested not in asked:
                    asked.append(requested)
                out.messages.append({"response": "utter_skip_ok"})
            elif requested == "confirm":
                # Not a yes or no: it may be a correction ("actually it was the dentist"); decided below.
                unclear_summary_answer = True
            else:
                _unclear(requested, slots, tries, asked, out)

    # Every fact in the message is kept (several facts in one message, corrections). The story and the
    # summary's corrections may change anything; an answer to another question only fills gaps, so a
    # passing word ("I told the ward manager") never overrides what the person said before.
    may_override = activating or requested == "confirm"
    changed = False
    for key, value in found.items():
        if not may_override and slots.get(key) not in (None, []) and key != requested:
            continue
        if key in LIST_FACTS and requested == "confirm":
            new = list(value)  # a correction replaces the list
        elif key in LIST_FACTS and requested != key:
            new = _merge(key, slots.get(key), value)
        else:
            new = value
        if slots.get(key) != new:
            _set(slots, out, key, new)
            changed = changed or key in SUMMARY_FACTS
    if changed and requested == "confirm":
        out.messages.append({"response": "utter_noted_correction"})
    elif unclear_summary_answer and not correcting_now:
        _unclear("confirm", slots, tries, asked, out)
    if changed and slots.get("confirm"):
        _set(slots, out, "confirm", None)  # re-confirm after a change
    if changed and slots.get("summary_shown"):
        _set(slots, out, "summary_shown", False)  # show the summary again with the next question
    if correcting_now and not changed:
        _set(slots, out, "correcting", True)  # "that's wrong": ask what to change
        _set(slots, out, "summary_shown", False)
        _set(slots, out, "confirm", None)

    # In social care, paying for it yourself is "self-funded"; a private hospital you pay is "private".
    if slots.get("funding") == "private" and slots.get("service") in SOCIAL_CARE_SERVICES:
        _set(slots, out, "funding", "self_funded")
    elif slots.get("funding") == "self_funded" and slots.get("service") in HEALTH_SERVICES:
        _set(slots, out, "funding", "private")

    fallback_nation = _valid_nation(turn.default_nation) or default_nation()
    if slots.get("nation") is None and fallback_nation and "nation" not in asked:
        _set(slots, out, "nation", fallback_nation)

    _set(slots, out, "asked", asked)
    _set(slots, out, "tries", tries)
    facts = facts_from_slots(slots)
    _set(slots, out, "service_phrase", words.service_phrase(facts.get("service")))
    _set(slots, out, "case_summary", words.summary(facts, slots))
    out.requested = next_question(facts, slots, asked)
    if out.requested == "confirm" and not slots.get("correcting"):
        # The summary goes with the next question instead of a question of its own: one turn
        # fewer, and a correction is still taken at any point ("actually it was the dentist").
        # The summary is filled here: Rasa fills a response from the tracker before this turn's events.
        out.messages.append({"response": "utter_summary", "case_summary": slots.get("case_summary") or ""})
        _set(slots, out, "summary_shown", True)
        _set(slots, out, "confirm", True)
        out.requested = next_question(facts, slots, asked)
    if out.requested is None and ctx is not None and not slots.get("feedback_pre") and not slots.get("feedback_done"):
        feedback.ensure_queue(slots, ctx.touched, setter)
        out.requested = feedback.ask_next(slots, setter)
        if out.requested is None:
            setter("feedback_pre", True)
    if out.requested == "confirm" and slots.get("correcting") and out.requested != turn.requested \
            and not correcting_now:
        _set(slots, out, "correcting", False)
    if before.values != facts.values and out.requested != "confirm" and slots.get("correcting"):
        _set(slots, out, "correcting", False)
    return out


AFTER_SUMMARY = ("consent", "advocacy", "anonymity")
_CORRECTION = re.compile(r"\b(actually|wrong|not right|mistake|i meant|i mean|correction|it was (the|a|an|my|our|in)|"
                         r"it was not|it is not the|not the \w+ (it was|but)|no it was|no it is|not a \w+ it|"
                         r"you have got|you got)\b")


def _correction_cue(text: str) -> bool:
    """Words that correct what was understood ("actually it was the dentist", "that's wrong")."""
    from bot.understand.normalise import normalise

    return bool(_CORRECTION.search(normalise(text)))


def safety_first(turn: Turn, slots: Dict[str, Any], out: Outcome) -> bool:
    """Answer a risk of harm before anything else in the reply; True if it did.

    A plain "no" to "is anyone in danger?" is believed unless the words themselves show
    risk (a pattern, not just the statistical classifier). A message already answered by
    action_safety_response is not answered twice.
    """
    risk = turn.intent == "express_risk"
    by_classifier = _risk_source(turn.entities) == "classifier"
    if risk and turn.requested == "risk_now" and by_classifier:
        a = interpret_answer("risk_now", turn.text)
        if a.status == "ok" and a.value is False:
            risk = False
    if risk and by_classifier and turn.requested and _answers(turn) and _risk_prob(turn.entities) < SURE_IN_ANSWER:
        # A plain answer to the question asked raises the alarm through the patterns, or a near-certain classifier.
        risk = False
    if risk and turn.message_id and slots.get("safety_for") == turn.message_id:
        risk = False
    if not risk:
        return False
    out.messages.append({"response": SAFETY_RESPONSES.get(risk_kind(turn.entities), "utter_safety_general")})
    _set(slots, out, "risk_now", True)
    _set(slots, out, "safety_for", turn.message_id)
    return True


def next_question(facts: Facts, slots: Dict[str, Any], asked: List[str]) -> Optional[str]:
    """The next thing to ask, or None when the intake is complete."""
    for fact in get_router().missing(facts):
        if fact not in asked and slots.get(fact) is None:
            return fact
    if slots.get("confirm") is None:
        return "confirm"
    if facts.get("on_behalf") and "death" not in (facts.get("issues") or ()) and slots.get("consent") is None \
            and "consent" not in asked:
        return "consent"
    if slots.get("advocacy") is None and "advocacy" not in asked:
        return "advocacy"
    if slots.get("anonymity") is None and "anonymity" not in asked:
        return "anonymity"
    return None


def _answer(requested: str, turn: Turn, slots: Dict[str, Any]):
    if requested == "confirm":
        a = interpret_answer("confirm", turn.text)
        if turn.intent == "affirm" and a.value is None and not a.other_facts:
            return ("ok", True, {})
        if turn.intent == "deny" and a.value is None and not a.other_facts:
            return ("ok", False, {})
        return (a.status if a.value is not None or not a.other_facts else "ok", a.value, a.other_facts)
    if turn.intent in ("dont_know", "skip") and requested in FACT_KEYS:
        a = interpret_answer(requested, turn.text)
        if a.status != "ok":
            return ("unknown", None, a.other_facts)
    a = interpret_answer(requested, turn.text)
    if a.status == "unclear" and requested in ("advocacy",) and turn.intent in ("affirm", "deny"):
        return ("ok", turn.intent == "affirm", a.other_facts)
    if a.status == "unclear" and requested == "anonymity" and turn.intent == "affirm":
        return ("ok", "named", a.other_facts)
    return (a.status, a.value, a.other_facts)


def _flow_answer(slot: str, value: Any, slots: Dict[str, Any], out: Outcome) -> None:
    if slot == "confirm":
        if value is True:
            _set(slots, out, "confirm", True)
            _set(slots, out, "correcting", False)
        elif value is False:
            _set(slots, out, "correcting", True)  # ask what to change (a variant of the confirm question)
        else:
            # A correction ("it was the dentist") arrives as other facts; ask to confirm again.
            _set(slots, out, "correcting", False)
    elif slot == "consent":
        _set(slots, out, "consent", value)
        if value == "no":
            out.messages.append({"response": "utter_consent_no"})
        elif value == "cannot_give":
            out.messages.append({"response": "utter_consent_cannot"})
    elif slot == "advocacy":
        _set(slots, out, "advocacy", bool(value))
    elif slot == "anonymity":
        _set(slots, out, "anonymity", value)


def _unclear(requested: str, slots: Dict[str, Any], tries: Dict[str, int], asked: List[str], out: Outcome) -> None:
    """An answer not understood: ask once more, then move on (a flow question takes its default)."""
    tries[requested] = tries.get(requested, 0) + 1
    if tries[requested] >= 2:
        if requested not in asked:
            asked.append(requested)
        if requested in FLOW and slots.get(requested) is None:
            _flow_default(requested, slots, out)
    else:
        out.messages.append({"response": "utter_unclear_answer"})


def _flow_default(slot: str, slots: Dict[str, Any], out: Outcome) -> None:
    defaults = {"confirm": True, "consent": "unknown", "advocacy": False, "anonymity": None}
    if defaults.get(slot) is not None:
        _set(slots, out, slot, defaults[slot])


def _merge(key: str, old: Any, new: Any) -> Any:
    if key not in LIST_FACTS:
        return new
    merged = list(old or [])
    for v in (new if isinstance(new, (list, tuple)) else [new]):
        if v not in merged:
            merged.append(v)
    if len(merged) > 1 and "other" in merged:
        merged.remove("other")
    return merged


def _set(slots: Dict[str, Any], out: Outcome, key: str, value: Any) -> None:
    if slots.get(key) != value or key not in slots:
        slots[key] = value
        out.slots[key] = value
