"""The intake: one turn of the conversation that gathers a case, as a pure function.

`step(turn)` takes what the person just said (text, intent, entities) and the state so
far (slot values) and returns the slot changes, the messages to send first, and the next
question (`requested`), or None when the advice can be given. The Rasa form validation
action (actions/intake.py) is a thin adapter over it, so this logic is tested without Rasa.

An aside with nothing else in it ("what is PALS?") goes back to Rasa's rules (the form resumes
after). Otherwise one turn runs in three phases, each a named function:
  1. read_message: the language; risk of harm, answered first (bot.safety, by kind and nation);
     the answer to the question asked, in context; a place named;
  2. apply_facts: every fact in the message is kept (a story, a correction, an answer to another
     question), the facts that depend on each other are settled, and the first turn gets an opening;
  3. _choose_next: a fact that would change the first step, a check of a fact only hinted at,
     what the person wants, and a summary to confirm when decisive facts were read from the story.
Advocacy, anonymity, consent and feedback come after the advice (bot.dialogue.followup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from bot.dialogue import text as words
from bot.dialogue.opening import opening_messages
from bot.routing import Facts, get_router, parse_facts
from bot.routing.facts import FACT_KEYS
from bot.understand import interpret_answer
from bot.vocabulary import NATIONS, service_group

#: Intents the form hands back to Rasa's rules (answered, then the form carries on).
ASIDES = {
    "ask_about_body",
    "ask_privacy",
    "fear_repercussions",
    "ask_capabilities",
    "chitchat",
    "out_of_scope",
    "request_human",
    "check_status",
    "restart",
    "goodbye",
    "thank",
}
LIST_FACTS = ("issues", "outcomes")
#: Facts the summary shows; a change to one of them means the person must confirm again.
SUMMARY_FACTS = (
    "nation",
    "service",
    "funding",
    "stage",
    "months_since",
    "issues",
    "outcomes",
    "on_behalf",
    "professional",
)
#: Facts that decide the first step: read from the story rather than answered, they are checked.
DECISIVE = ("nation", "service", "funding", "stage")
#: Paying for these yourself is "self_funded" care; for these, "private" treatment (bot/knowledge/vocabulary.yml).
SOCIAL_CARE_SERVICES = service_group("care")
HEALTH_SERVICES = service_group("paid_treatment")
#: How sure the statistical classifier must be to override a message that reads as a plain answer.
SURE_IN_ANSWER = 0.97
#: A question whose answer was not understood this many times is left, and the person told so.
MAX_TRIES = 2
#: The responses that carry safety help (each with the safety marker, CONTRACT section 4).
SAFETY_RESPONSES = ("utter_safety_help", "utter_safety_choice")


@dataclass
class Turn:
    """One message as the intake sees it: the text, what the NLU read, the question asked and the slots."""

    text: str
    intent: str
    entities: List[Dict[str, Any]]
    requested: Optional[str]
    slots: Dict[str, Any]
    message_id: str = ""
    default_nation: Optional[str] = None  # from the website the person is on (widget setting)


@dataclass
class Context:
    """What the dialogue needs besides the turn: who, where, what was served, and how to save."""

    conversation: str  # pseudonymous conversation id
    channel: str
    touched: List[str]  # statement ids the conversation served so far
    save_referral: Callable[..., Any]  # bot.record.Store.create_referral
    save_feedback: Callable[..., Any]  # bot.record.Store.add_feedback
    message_id: str = ""
    sms_number: Optional[Callable[[], Optional[str]]] = None  # "text me here" on SMS (bot.record.sms_state)
    transcript: Optional[Callable[[], List[Any]]] = None  # [(speaker, text)] of this conversation so far
    feedback_counts: Optional[Callable[[], Dict[str, int]]] = None  # answers so far per statement, to spread them


@dataclass
class Outcome:
    """What one turn changes: slot values, messages to send first, the next question, or a hand-back."""

    slots: Dict[str, Any] = field(default_factory=dict)
    messages: List[Dict[str, Any]] = field(default_factory=list)
    requested: Optional[str] = None
    rejected: bool = False


class _Turn:
    """The working state of one turn: the slots as they become, and what will be sent."""

    def __init__(self, turn: Turn):
        self.turn = turn
        self.slots = dict(turn.slots)
        self.out = Outcome()
        self.found = facts_from_entities(turn.entities)
        self.hints = {
            e["value"]["fact"]: e["value"]
            for e in turn.entities or []
            if e.get("entity") == "hint" and isinstance(e.get("value"), dict) and e["value"].get("fact")
        }
        self.requested = turn.requested
        self.activating = turn.requested is None
        self.safety = False
        self.changed = False

    def set(self, key: str, value: Any) -> None:
        """Change a slot (sent back only if it changed)."""
        _set(self.slots, self.out, key, value)

    def say(self, response: str, **values: Any) -> None:
        """Send a response before the next question."""
        self.out.messages.append({"response": response, **values})

    def add_to(self, key: str, item: str) -> None:
        """Add an item to a list slot, once."""
        items = list(self.slots.get(key) or [])
        if item not in items:
            self.set(key, items + [item])

    def remove_from(self, key: str, item: str) -> None:
        """Remove an item from a list slot."""
        items = list(self.slots.get(key) or [])
        if item in items:
            self.set(key, [i for i in items if i != item])


# ---------------------------------------------------------------------------------- reading slots
def _valid_nation(value: Optional[str]) -> Optional[str]:
    value = (value or "").strip().lower().replace(" ", "_")
    return value if value in NATIONS else None


def default_nation() -> Optional[str]:
    """The deployment's default nation (DEFAULT_NATION), used when a person does not say."""
    from bot.settings import get_settings

    return get_settings().default_nation


#: Services where paying yourself means care (self_funded); for every other service it means private treatment.
_CARE = SOCIAL_CARE_SERVICES


#: Services that are NHS care unless the person says they paid (a private hospital is its own service).
NHS_BY_DEFAULT = service_group("nhs_by_default")


def facts_from_slots(slots: Dict[str, Any]) -> Facts:
    """The case facts held in the slots (unknown values left out).

    "I paid myself" is read before the service may be known; the contract's words are `self_funded`
    for care and `private` for treatment, so the pair is settled here, once both are known."""
    raw = {k: slots.get(k) for k in FACT_KEYS if slots.get(k) is not None}
    service, funding = raw.get("service"), raw.get("funding")
    if funding == "self_funded" and service and service not in _CARE:
        raw["funding"] = "private"
    elif funding == "private" and service in _CARE:
        raw["funding"] = "self_funded"
    elif funding is None and service in NHS_BY_DEFAULT and "funding" not in (slots.get("hints") or {}):
        raw["funding"] = "nhs"  # what the advice assumes; the summary says it, and any later word about paying wins
    return parse_facts(raw, lenient=True)


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


def _entity(entities: List[Dict[str, Any]], name: str, default: Any = None) -> Any:
    return next((e.get("value") for e in entities or [] if e.get("entity") == name), default)


def risk_kind(entities: List[Dict[str, Any]]) -> str:
    """The kind of risk the safety reader found (bot/safety), or "general"."""
    return _entity(entities, "risk_type") or "general"


def _answers(turn: Turn) -> bool:
    """Whether the message reads as an answer to the question asked."""
    if not turn.requested or turn.requested not in FACT_KEYS + ("confirm",):
        return False
    return interpret_answer(turn.requested, turn.text).status == "ok"


_QUESTION_START = (
    "is ",
    "are ",
    "can ",
    "could ",
    "will ",
    "would ",
    "do ",
    "does ",
    "what ",
    "who ",
    "how ",
    "why ",
    "where ",
    "when ",
    "should ",
    "am i ",
    "which ",
)


def _is_question(text: str) -> bool:
    t = (text or "").strip().lower()
    return t.endswith("?") or t.startswith(_QUESTION_START)


# ------------------------------------------------------------------------------------- the turn
def step(turn: Turn, ctx: Optional[Context] = None) -> Outcome:
    """Advance the intake by one message: read it, apply the facts it held, choose the next question.

    An aside with nothing else in it is handed back to Rasa's rules instead (the form resumes after)."""
    t = _Turn(turn)
    if _hand_to_rules(t):
        return _handed_back(t)
    read_message(t)
    apply_facts(t)
    _choose_next(t)
    return t.out


def _handed_back(t: _Turn) -> Outcome:
    """The outcome of an aside: rejected, the same question still open."""
    t.out.rejected = True
    t.out.requested = t.turn.requested
    return t.out


def read_message(t: _Turn) -> None:
    """Phase 1, reading: the language, a risk of harm (answered first), the answer to the question
    asked, and a place named. What was read is in `t.found`; only the language and safety slots change."""
    _note_language(t)
    t.safety = safety_first(t.turn, t.slots, t.out)
    _note_no_risk(t)
    _read_answer(t)
    _note_place(t)


def apply_facts(t: _Turn) -> None:
    """Phase 2, applying: every fact read is kept (or not, see `_keep_facts`), the pairs that depend on
    each other are settled, and the first turn gets an opening that fits what was said."""
    _keep_facts(t)
    _tidy_facts(t)
    _open(t)


def _note_no_risk(t: _Turn) -> None:
    """A "no one is in danger" in the message answers the risk question; a risk is only ever set by safety_first."""
    if t.found.get("risk_now") is False and t.slots.get("risk_now") is None:
        t.set("risk_now", False)
    t.found.pop("risk_now", None)


def _open(t: _Turn) -> None:
    """The first turn of the intake is opened once, with words that fit what was said (bot.dialogue.opening)."""
    if t.activating and not t.slots.get("welcomed"):
        for m in opening_messages(t.turn, t.slots, t.safety):
            t.out.messages.append(m)
        t.set("welcomed", True)


def _note_language(t: _Turn) -> None:
    """A message in Welsh is answered in Welsh and English from now on (CONTRACT section 4 `language`)."""
    language = _entity(t.turn.entities, "language")
    if language == "cy" and t.slots.get("language") != "cy":
        t.set("language", "cy")
        t.say("utter_language_cy")


def _hand_to_rules(t: _Turn) -> bool:
    """An aside ("what is PALS?") with nothing else in it goes to the rules; the form resumes after.

    An answer to the question always comes first, whatever the classifier thought. Only facts about
    the case count, and in a question only the fact asked for ("is this confidential?" is no answer).
    """
    turn = t.turn
    if t.activating or turn.intent not in ASIDES:
        return False
    case_found = {k: v for k, v in t.found.items() if k in FACT_KEYS and k not in ("risk_now", "anonymity")}
    if _is_question(turn.text):
        case_found = {k: v for k, v in case_found.items() if k == turn.requested}
    return not case_found and (_is_question(turn.text) or not _answers(turn))


# ----------------------------------------------------------------------- 3. the answer to the question
def _read_answer(t: _Turn) -> None:
    """Read the answer to the question asked (in context: a correction after the summary is a correction)."""
    requested = t.requested
    if not requested:
        return
    if t.slots.get("summary_shown") and requested != "confirm" and _correction_cue(t.turn.text):
        requested = t.requested = "confirm"  # "actually it was the dentist" corrects the summary
    if requested == "confirm":
        _read_confirm(t)
        return
    if requested not in FACT_KEYS:
        return
    answer = interpret_answer(requested, t.turn.text)
    if t.turn.intent in ("dont_know", "skip") and answer.status != "ok":
        answer.status = "unknown"
    _take_answer(t, requested, answer)


def _take_answer(t: _Turn, requested: str, answer: Any) -> None:
    """The answer read: its value joins the facts found; "do not know" is accepted; else ask again."""
    for key, val in answer.other_facts.items():
        t.found.setdefault(key, val)
    if answer.status == "ok":
        value = _merge(requested, t.slots.get(requested), answer.value) if requested in LIST_FACTS else answer.value
        t.found[requested] = value
        t.remove_from("inferred", requested)  # answered directly: nothing to check
    elif answer.status == "unknown":
        t.add_to("asked", requested)
        t.say("utter_skip_ok")
    elif not t.safety:
        _not_understood(t, requested)


def _not_understood(t: _Turn, requested: str) -> None:
    """An answer not read: if it answered something else, take that and ask again without apology;
    otherwise ask once more with the choices, and after that move on and say so."""
    tries = dict(t.slots.get("tries") or {})
    tries[requested] = tries.get(requested, 0) + 1
    t.set("tries", tries)
    new = {k for k, v in t.found.items() if k != requested and k in FACT_KEYS and t.slots.get(k) in (None, [])}
    if tries[requested] >= MAX_TRIES:
        t.add_to("asked", requested)
        t.say("utter_move_on")
    elif not new:
        t.say("utter_unclear_answer")
    # else: it answered another question; that is kept, and this one is asked again once


#: "otherwise yes", "apart from that it's right": the summary is confirmed, with any correction in the same words.
_OTHERWISE_YES = re.compile(
    r"\b(otherwise|apart from that|other than that|besides that|the rest is|rest of it is|everything else is)\W{0,3}"
    r"(it is |it's |its |that is |that's |thats |is |all )?(yes|yeah|yep|right|correct|fine|ok|okay|spot on|true)\b",
    re.IGNORECASE,
)


def _read_confirm(t: _Turn) -> None:
    """The summary is a check: yes confirms; no asks what to change; a correction is applied."""
    answer = interpret_answer("confirm", t.turn.text)
    others = {k: v for k, v in answer.other_facts.items() if k in FACT_KEYS}
    for key, val in others.items():
        t.found[key] = val
    new = {k: v for k, v in others.items() if t.slots.get(k) != v}
    if new and answer.value is not True:
        t.set("correcting", False)
        return  # a correction: applied below, then the summary again
    # Nothing new in it (the same correction said again), or a correction with "otherwise yes": the yes counts.
    if (
        answer.value is True
        or (t.turn.intent == "affirm" and answer.value is None)
        or _OTHERWISE_YES.search(t.turn.text)
    ):
        t.set("confirm", True)
        t.set("correcting", False)
        t.set("inferred", [])
    elif (answer.value is False or t.turn.intent == "deny" or _correction_cue(t.turn.text)) and not (
        t.slots.get("correcting") and not new
    ):
        t.set("correcting", True)  # ask what to change (a variant of the confirm question)
    elif not t.safety:  # a correction again that changes nothing we can read: asked at most twice more
        _not_understood(t, "confirm")
        if "confirm" in (t.slots.get("asked") or []):
            t.set("confirm", True)  # twice unclear: go on with what we have, and say so


def _note_place(t: _Turn) -> None:
    """A place named in the message ("I live in Cardiff", a postcode) is kept as its area codes only
    (bot.dialogue.place); its nation counts as said when no other was."""
    from bot.dialogue.place import notice

    codes = notice(t.turn.text, t.slots)
    if codes is None:
        return
    t.set("place", codes)
    if codes.get("nation") and t.slots.get("nation") is None and "nation" not in t.found:
        t.found["nation"] = codes["nation"]


# ---------------------------------------------------------------------------- 4. every fact said
def _keep_facts(t: _Turn) -> None:
    """Keep every fact the message held. The story and corrections may change anything; an answer to
    another question only fills gaps, so a passing word never overrides what was said before."""
    may_override = t.activating or t.requested == "confirm"
    for key, value in t.found.items():
        if not may_override and t.slots.get(key) not in (None, []) and key != t.requested:
            continue
        _keep_fact(t, key, value)
    _keep_hints(t)
    if t.changed and t.requested == "confirm":
        t.say("utter_noted_correction")
    if t.changed and t.slots.get("summary_shown"):
        t.set("confirm", None)  # changed after the summary: check it again
        t.set("summary_shown", False)


def _keep_fact(t: _Turn, key: str, value: Any) -> None:
    """Set one fact; a decisive fact read from the story (not answered) is marked to be checked."""
    if key in LIST_FACTS and t.requested == "confirm":
        new = list(value)  # a correction replaces the list
    elif key in LIST_FACTS and t.requested != key:
        new = _merge(key, t.slots.get(key), value)
    else:
        new = value
    if t.slots.get(key) == new:
        return
    t.set(key, new)
    t.changed = t.changed or key in SUMMARY_FACTS
    if key in DECISIVE and key != t.requested:
        from_story = t.activating or t.requested not in FACT_KEYS
        if from_story and t.requested != "confirm":
            t.add_to("inferred", key)
        else:
            t.remove_from("inferred", key)


def _keep_hints(t: _Turn) -> None:
    """A fact only hinted at ("paid for the X-ray") is kept as a hint, to be asked as a check."""
    for key, hint in t.hints.items():
        if t.slots.get(key) is None and key != t.requested:
            hints = dict(t.slots.get("hints") or {})
            hints[key] = {k: v for k, v in hint.items() if k != "fact"}
            t.set("hints", hints)


def _tidy_facts(t: _Turn) -> None:
    """Settle what depends on other facts: self-funded or private, the website's nation, the summary."""
    # In social care, paying for it yourself is "self-funded"; a private hospital you pay is "private".
    if t.slots.get("funding") == "private" and t.slots.get("service") in SOCIAL_CARE_SERVICES:
        t.set("funding", "self_funded")
    elif t.slots.get("funding") == "self_funded" and t.slots.get("service") in HEALTH_SERVICES:
        t.set("funding", "private")
    fallback = _valid_nation(t.turn.default_nation) or default_nation()
    if t.slots.get("nation") is None and fallback and "nation" not in (t.slots.get("asked") or []):
        t.set("nation", fallback)
        t.add_to("inferred", "nation")  # the website's nation: worth a check in the summary
    facts = facts_from_slots(t.slots)
    t.set("service_phrase", words.service_phrase(facts.get("service")))
    t.set("case_summary", words.summary(facts, t.slots))


# ------------------------------------------------------------------------------ 6. the next question
def next_question(facts: Facts, slots: Dict[str, Any], asked: List[str]) -> Optional[str]:
    """The next thing to ask before the advice, or None when the advice can be given."""
    router = get_router()
    open_ = [f for f in router.missing(facts) if f not in asked and slots.get(f) is None]
    if "risk_now" in open_:
        return "risk_now"
    if "nation" in open_:
        return "nation"
    decisive = [f for f in router.decisive(facts) if f in open_]
    # A fact only hinted at by a side detail ("we paid for the physio") is checked even where the routes take it
    # as read (a hospital is NHS unless said otherwise): the side detail may be the case after all.
    hinted = [f for f in (slots.get("hints") or {}) if f not in asked and slots.get(f) is None]
    for fact in decisive + hinted:
        return fact
    if "service" in open_:
        return "service"  # the advice names who to go to: a case without its service is asked, even where the route is the same
    if "outcomes" in open_ and slots.get("outcomes") is None:
        return "outcomes"
    if "professional" in open_ and set(facts.get("outcomes") or ()) & {"accountability", "protect_others"}:
        return "professional"
    if slots.get("confirm") is None and _needs_check(slots):
        return "confirm"
    return None


def _needs_check(slots: Dict[str, Any]) -> bool:
    """A summary is a check worth a turn when a decisive fact was read from the story, not answered."""
    return bool(set(slots.get("inferred") or ()) & set(DECISIVE))


def _choose_next(t: _Turn) -> None:
    """Phase 3, choosing: the next question (or None: the advice), asked as a check when only hinted at."""
    asked = list(t.slots.get("asked") or [])
    facts = facts_from_slots(t.slots)
    nxt = next_question(facts, t.slots, asked)
    if nxt == "confirm" and not t.slots.get("correcting"):
        t.set("summary_shown", True)
    if nxt is None and t.slots.get("confirm") is None:
        t.set("confirm", True)  # everything was answered directly: nothing to check
    hint = (t.slots.get("hints") or {}).get(nxt) if nxt else None
    # A fact only hinted at is asked as a check of what was said ("You mentioned paying for the X-ray ...").
    t.set("checking", nxt if hint else None)
    if hint:
        t.set("check_about", words.item_phrase(hint.get("about")))
    t.out.requested = nxt


_CORRECTION = re.compile(
    r"\b(actually|wrong|not right|mistake|i meant|i mean|correction|it was (the|a|an|my|our|in)|"
    r"it was not|it is not the|not the \w+ (it was|but)|no it was|no it is|not a \w+ it|"
    r"you have got|you got|sorry (no|i said)|i said \w+ but)\b"
)


def _correction_cue(text: str) -> bool:
    """Words that correct what was understood ("actually it was the dentist", "that's wrong")."""
    from bot.understand.normalise import normalise

    return bool(_CORRECTION.search(normalise(text)))


# ------------------------------------------------------------------------------------------ safety
def safety_first(turn: Turn, slots: Dict[str, Any], out: Outcome) -> bool:
    """Answer a risk of harm before anything else in the reply; True if it did.

    A plain "no" to "is anyone in danger?" is believed unless the words themselves show
    risk (a pattern, not just the statistical classifier). A message already answered by
    action_safety_response is not answered twice.
    """
    # The safety component marks a risk with its kind, whatever else has happened to the intent.
    risk = turn.intent == "express_risk" or _entity(turn.entities, "risk_type") is not None
    by_classifier = _entity(turn.entities, "risk_source") == "classifier"
    if risk and turn.requested == "risk_now" and by_classifier:
        a = interpret_answer("risk_now", turn.text)
        if a.status == "ok" and a.value is False:
            risk = False
    prob = float(_entity(turn.entities, "risk_prob", 1.0) or 0.0)
    if risk and by_classifier and turn.requested and _answers(turn) and prob < SURE_IN_ANSWER:
        risk = False  # a plain answer raises the alarm through the patterns, or a near-certain classifier
    if risk and turn.message_id and slots.get("safety_for") == turn.message_id:
        risk = False
    if risk and by_classifier and slots.get("safety_for") is not None:
        risk = False  # the help was given once: a guess of the classifier alone does not say it all again
    if risk and _retold_emergency(turn, slots):
        risk = False
    if not risk:
        return False
    out.messages.extend(safety_messages(turn, slots))
    _set(slots, out, "risk_now", True)
    _set(slots, out, "safety_for", turn.message_id)
    return True


#: Questions whose answers retell what happened ("what went wrong?"): symptoms named there are the story.
_RETELLING = ("issues", "outcomes", "professional", "months_since")


#: Harms that are events, so retold as what went wrong once the person said nobody is in danger now (an
#: emergency, neglect in a care home); a wish to die or self-harm is never taken as told.
_RETOLD_KINDS = ("medical_emergency", "adult_at_risk")


def _retold_emergency(turn: Turn, slots: Dict[str, Any]) -> bool:
    """An emergency or neglect named again in answer to "what went wrong?", when the person already said nobody
    is in danger now, and nothing in the answer says it is happening now ("a long wait with chest pain",
    "weight loss, call bell unplugged")."""
    if slots.get("risk_now") is not False or turn.requested not in _RETELLING:
        return False
    if risk_kind(turn.entities) not in _RETOLD_KINDS:
        return False
    from bot.safety import get_patterns

    patterns = get_patterns()
    return not patterns._placed_now(patterns.without_idioms(turn.text))


def safety_messages(turn: Turn, slots: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The help for this risk, this person and this nation (bot/safety/help.py), then the choice to pause."""
    from bot.safety.help import help_text

    found = facts_from_entities(turn.entities)
    nation = slots.get("nation") or found.get("nation") or _valid_nation(turn.default_nation) or default_nation()
    language = "cy" if "cy" in (_entity(turn.entities, "language"), slots.get("language")) else "en"
    text = help_text(risk_kind(turn.entities), nation, _entity(turn.entities, "risk_who") or "self", language)
    return [{"response": "utter_safety_help", "safety_text": text}, {"response": "utter_safety_choice"}]


# ------------------------------------------------------------------------------------------ helpers
def _merge(key: str, old: Any, new: Any) -> Any:
    if key not in LIST_FACTS:
        return new
    merged = list(old or [])
    for v in new if isinstance(new, (list, tuple)) else [new]:
        if v not in merged:
            merged.append(v)
    if len(merged) > 1 and "other" in merged:
        merged.remove("other")
    return merged


def _set(slots: Dict[str, Any], out: Outcome, key: str, value: Any) -> None:
    if slots.get(key) != value or key not in slots:
        slots[key] = value
        out.slots[key] = value
