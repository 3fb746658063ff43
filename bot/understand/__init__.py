"""Understanding what people write: case facts from stories, and answers to questions.

Two entry points, shared by the Rasa NLU component and the action server:

* `extract_facts(text)` finds every case fact a message holds, in any order and
  any words ("my mum pays for her care home" -> service care_home, funding
  self_funded, on_behalf true).
* `interpret_answer(slot, text)` reads a reply to one question, where short
  answers make sense ("no, not yet" to "have you told them?").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Sequence

import yaml

from bot.understand.context import Target, get_reader
from bot.understand.dates import months_since
from bot.understand.idioms import token_spans
from bot.understand.matcher import Hit, get_matcher
from bot.understand.normalise import normalise
from bot.understand.sentences import Sentences, split
from bot.vocabulary import service_group

SCALAR_FACTS = ("nation", "service", "funding", "stage", "professional", "anonymity", "legal")
LIST_FACTS = ("issues", "outcomes")
CONTEXT_FILE = Path(__file__).resolve().parent / "context.yml"
FUNDING_ITEMS_FILE = Path(__file__).resolve().parent / "side_items.yml"


@dataclass
class Extraction:
    """The facts found in one message, where each was found, and what was set aside and why.

    `facts` are the case's facts as the message tells them. `hints` are facts the message
    suggests but does not settle, to be checked with the person rather than assumed
    ("we paid for a private X-ray" in a GP complaint: {"funding": {"value": "private",
    "about": "x ray"}}). `set_aside` lists the hits ConText or a figure of speech ruled out.
    """

    facts: Dict[str, Any] = field(default_factory=dict)
    spans: List[Hit] = field(default_factory=list)
    words: List[str] = field(default_factory=list)
    hints: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    set_aside: List[Tuple[Hit, str]] = field(default_factory=list)
    praise: bool = False  # some of it was praised ("the nurses were brilliant but ...")

    def entities(self) -> List[Dict[str, Any]]:
        """The facts as Rasa-style entities (one per list value), and each hint as a `hint` entity."""
        out = []
        for key, value in self.facts.items():
            for v in value if isinstance(value, list) else [value]:
                out.append({"entity": key, "value": v})
        for key, hint in self.hints.items():
            out.append({"entity": "hint", "value": {"fact": key, **hint}})
        if self.praise:
            out.append({"entity": "praise", "value": True})
        return out


def extract_facts(text: str, *, answer_to: Optional[str] = None, today: Optional[dt.date] = None) -> Extraction:
    """Every case fact in `text`, read sentence by sentence in context. `answer_to` names the question answered."""
    sents = split(text)
    words = list(sents.words)
    hits = _candidate_hits(sents, answer_to)
    kept, set_aside, praise = _in_context(sents, hits)
    if any(h.fact == "issues" and h.value == "death" and why == "PRAISE" for h, why in set_aside):
        # A death told as peaceful is not what is complained of, wherever else it is named ("after she died").
        kept = [h for h in kept if not (h.fact == "issues" and h.value == "death")]
    kept = _after_corrections(kept, words)
    kept = _not_about_side_items(sents, kept, set_aside, answer_to == "stage")
    by_fact: Dict[str, List[Hit]] = defaultdict(list)
    for h in kept:
        by_fact[h.fact].append(h)
    facts = _facts_from_hits(by_fact)
    months = months_since(text, today, answering=answer_to == "months_since")
    if months is not None:
        facts["months_since"] = months
    hints: Dict[str, Dict[str, Any]] = {}
    if answer_to != "funding":
        _side_funding(words, sents, by_fact, facts, hints)
    _reconcile(facts, answer_to, tuple(h.value for h in by_fact.get("service", [])))
    _by_situation(facts, words, answer_to, set_aside)
    _by_service_named(facts, words, {h.value for h in hits if h.fact == "service"}, by_fact)
    return Extraction(facts, kept, words, hints, set_aside, praise)


def _by_situation(
    facts: Dict[str, Any], words: List[str], answer_to: Optional[str], set_aside: List[Tuple[Hit, str]]
) -> None:
    """What the whole message says about the situation: a child's social services, glasses bought, a private
    extra on an NHS dental course, staff raising a concern about their own workplace."""
    joined = " ".join(words)
    if facts.get("service") == "council_social_care" and _about_a_child(joined):
        facts["service"] = "children_social_care"  # social services for a child are children's services
    if (facts.get("service") == "optician" and answer_to != "funding" and _GLASSES_BOUGHT.search(joined)) or (
        _VOUCHER_TOPUP.search(joined)
    ):
        facts["funding"] = "private"  # glasses and lenses are bought, even with an NHS voucher towards them
    if facts.get("service") == "dentist" and _DENTAL_EXTRA.search(joined):
        facts["funding"] = "private"  # a private upgrade on an NHS course: the part complained of was bought
    if answer_to is None and _raises_a_staff_concern(joined, "service" in facts):
        _as_a_staff_concern(facts, set_aside)


def _by_service_named(facts: Dict[str, Any], words: List[str], mentioned: set, by_fact: Dict[str, List[Hit]]) -> None:
    """Services named even where set aside still tell what the case is: the ward of someone sectioned, a
    continuing healthcare decision (and whether it has been challenged yet)."""
    joined = " ".join(words)
    if _a_mental_health_ward(facts, mentioned, by_fact, words):
        facts["service"] = "mental_health"  # "not complaining about being sectioned ... it's the ward"
    # "not eligible for continuing healthcare" names the decision complained about, even in a negation.
    if "continuing_healthcare" in mentioned and _CHC_DECISION.search(joined):
        facts["service"] = "continuing_healthcare"  # the home is where she lives; the decision is the complaint
    if facts.get("service") == "continuing_healthcare" and facts.get("stage") == "final_response":
        if not _challenged(joined):
            facts["stage"] = "not_raised"  # the eligibility letter is the decision, not an answer to a challenge


#: Words that name a ward without saying which kind of hospital it is in.
_JUST_A_WARD = frozenset(("ward", "wards", "the ward", "ward staff"))


def _a_mental_health_ward(
    facts: Dict[str, Any], mentioned: set, by_fact: Dict[str, List[Hit]], words: List[str]
) -> bool:
    """A ward in a story of being sectioned or detained is a mental health ward, even where the detention
    itself is set aside ("I'm not complaining about being sectioned, it's the ward")."""
    if facts.get("service") != "hospital" or "mental_health" not in mentioned:
        return False
    said = {" ".join(words[h.start : h.end]) for h in by_fact.get("service", []) if h.value == "hospital"}
    return bool(said) and said <= _JUST_A_WARD


def _facts_from_hits(by_fact: Dict[str, List[Hit]]) -> Dict[str, Any]:
    """The facts the kept hits give: the best value of each scalar fact, every value of each list fact,
    and the yes-or-no facts."""
    facts: Dict[str, Any] = {}
    for fact in SCALAR_FACTS:
        if by_fact.get(fact):
            facts[fact] = _best(by_fact[fact])
    for fact in LIST_FACTS:
        values = list(dict.fromkeys(h.value for h in by_fact.get(fact, [])))
        if values:
            facts[fact] = values
    # Someone else named wins over the person's own words, unless those say more plainly that it is theirs
    # ("I'm 16 and in foster care ... contact with my little brother").
    behalf = {
        v: max((h.weight for h in by_fact.get("on_behalf", []) if h.value is v), default=None) for v in (True, False)
    }
    if behalf[True] is not None and (behalf[False] is None or behalf[True] >= behalf[False]):
        facts["on_behalf"] = True
    elif behalf[False] is not None:
        facts["on_behalf"] = False
    if any(h.value is True for h in by_fact.get("after_ombudsman", [])):
        facts["after_ombudsman"] = True
        facts["stage"] = "final_response"  # an ombudsman comes after the organisation's final answer
    if by_fact.get("risk_now"):
        facts["risk_now"] = False  # only "nobody is in danger" style phrases are patterns
    return facts


def _candidate_hits(sents: Sentences, answer_to: Optional[str]) -> List[Hit]:
    """Lexicon hits inside one sentence each, outside any figure of speech, usable for this question."""
    masked = token_spans(sents.words, "facts")
    out = []
    for h in get_matcher().find_words(list(sents.words)):
        if sents.sentence_of(h.start) != sents.sentence_of(h.end - 1):
            continue
        if any(s < h.end and h.start < e for s, e in masked):
            continue
        if h.answer_only and h.fact != answer_to:
            continue
        out.append(h)
    return _informants(sents, _focused(sents, _longest(out)))


#: Words after a service that make it the one who told the person, not the one complained about
#: ("my GP stopped my tablets. The pharmacy told me.").
_TOLD = frozenset(
    (
        "say",
        "says",
        "told",
        "said",
        "informed",
        "explained",
        "mentioned",
        "noticed",
        "spotted",
        "flagged",
        "confirmed",
        "warned",
    )
)


_BETWEEN = frozenset(
    ("had", "has", "have", "then", "just", "manager", "staff", "receptionist", "nurse", "nurses", "team")
)


def _tells(words: List[str], end: int) -> bool:
    """The words after a service make it the teller: "the pharmacy told me", "the home manager had said"."""
    nxt = words[end : end + 3]
    for i, w in enumerate(nxt):
        if w in _TOLD and _said_to_their_face(words, end + i):
            return False
        if w in _TOLD or (w == "let" and words[end + i + 1 : end + i + 3] in (["me", "know"], ["us", "know"])):
            return True
        if w not in _BETWEEN or i == 1:
            return False
    return False


#: After "told me": words that make it said to the person about themselves ("told me I was wasting a bed", "told
#: me to go home", "told me off"), which is the care complained of, not news about another service.
_TO_THEIR_FACE = frozenset(("i", "we", "to", "i'm", "im", "i'd", "id", "i've", "ive", "off", "you", "it's", "its"))


def _said_to_their_face(words: List[str], told: int) -> bool:
    """ "The crisis nurse told me I was wasting a bed": the teller is the one complained of."""
    return (
        words[told + 1 : told + 2] in (["me"], ["us"])
        and words[told + 2 : told + 3]
        and (words[told + 2] in _TO_THEIR_FACE)
    )


def _informants(sents: Sentences, hits: List[Hit]) -> List[Hit]:
    """A service that only told the person about it weighs least: another service named is the case.

    Alone it still counts ("the hospital told me they had lost my results" is about the hospital).
    """
    words = [w.lower() for w in sents.words]
    values = {h.value for h in hits if h.fact == "service"}
    out = []
    for h in hits:
        # ... and one named only as where a referral was to go ("my hospital referral was never sent by the surgery")
        referral = words[h.end : h.end + 1] in (["referral"], ["referrals"])
        # ... or one where the person only found out ("found out at the chemist")
        referral = referral or "found" in words[max(0, h.start - 4) : h.start]
        if h.fact == "service" and len(values) > 1 and (_tells(words, h.end) or referral):
            h = Hit(h.fact, h.value, h.start, h.end, min(h.weight, 0.5), h.answer_only, h.negatable)
        out.append(h)
    care_by_phone = bool(values & {"nhs_111", "ambulance"})
    return [h for h in out if not _staff_told(words, h) and not (care_by_phone and _phoned(words, h))]


#: Phoning 111, NHS 24 or 999 is how the care was asked for, not a complaint raised with them.
_PHONING = frozenset(("rang", "rung", "phoned", "called", "ringing", "phoning", "calling", "rings", "phones", "calls"))


def _phoned(words: List[str], h: Hit) -> bool:
    """A stage read from "phoned them" in a story about a phone service."""
    if h.fact != "stage" or h.value != "raised_informally":
        return False
    return any(w in _PHONING for w in words[h.start : h.end])


#: Who, before "told her", makes it the staff telling the patient, not the person raising it.
_STAFF_SUBJECTS = frozenset(
    (
        "they",
        "he",
        "she",
        "staff",
        "nurse",
        "nurses",
        "doctor",
        "doctors",
        "gp",
        "receptionist",
        "consultant",
        "paramedic",
        "paramedics",
        "carer",
        "carers",
        "manager",
        "who",
        "sister",
        "midwife",
        "pharmacist",
        "handler",
        "operator",
        "advisor",
        "adviser",
        "worker",
        "physio",
        "surgeon",
        "locum",
        "registrar",
        "dentist",
        "optician",
        "someone",
        "somebody",
        "lady",
        "man",
        "woman",
        "bloke",
        "guy",
        "receptionists",
        "matron",
        "psychiatrist",
    )
)


def _staff_told(words: List[str], h: Hit) -> bool:
    """ "they told her to see her own GP", "he talked to his student" is the care, not a complaint raised: a stage read from "told ..."
    whose subject is the staff is dropped."""
    if h.fact != "stage" or h.value != "raised_informally" or h.start == 0:
        return False
    return words[h.start] in ("told", "mentioned", "talked", "spoke", "spoken", "asked") and (
        words[h.start - 1] in _STAFF_SUBJECTS
        or words[h.start - 1] in ("employer", "boss", "work", "school", "solicitor")
    )


#: Side things a complaint can be about that are not the care: "a complaint in about the car park barrier".
_SIDE_COMPLAINT = re.compile(
    r"\b(about|over|regarding|re) (the |a |their |our )?(car park|parking|parking charges|car park barrier|barrier|parking fine|food|wifi|tv|television)\b"
)


def _not_about_side_items(
    sents: Sentences, kept: List[Hit], aside: List[Tuple[Hit, str]], answering_stage: bool = False
) -> List[Hit]:
    """A complaint made about a side thing (the car park) is not where the case's own complaint stands; nor, in
    a story, is telling staff what was wrong during the care (asked whether it was raised, it is)."""
    out = []
    for h in kept:
        sentence = " ".join(sents.words[slice(*sents.bounds[sents.sentence_of(h.start)])])
        after = " ".join(sents.words[h.end : sents.bounds[sents.sentence_of(h.start)][1]])
        if h.fact == "stage" and _SIDE_COMPLAINT.search(sentence):
            aside.append((h, "ELSEWHERE"))
            continue
        if (
            h.fact == "stage"
            and h.value == "raised_informally"
            and not answering_stage
            and _TELLING_SYMPTOMS.match(after)
        ):
            aside.append((h, "NOT_THIS"))  # telling staff what was wrong during the care is not a complaint
            continue
        out.append(h)
    return out


#: After "told the midwife": what was wrong with the patient ("... three times that something felt wrong").
_TELLING_SYMPTOMS = re.compile(
    r"^(\w+ ){0,3}?((\d+|two|three|four|five|several|many|loads of|lots of) times|"
    r"(that )?(something|it|she|he|i|the baby|baby|they|her \w+|his \w+|my \w+) (felt|feels|was|were|is|are|had|has|kept) "
    r"(\w+ ){0,2}(wrong|not right|in pain|pain|bleeding|worse|unwell|ill|poorly|hurting|dizzy|breathless|struggling))"
)


#: Words that take back what was just said ("my mum's carers in Wales, sorry no, she's in Chester").
_TAKE_BACK = (
    ("sorry", "no"),
    ("no", "sorry"),
    ("actually", "no"),
    ("no", "actually"),
    ("i", "mean"),
    ("i", "meant"),
    ("or", "rather"),
    ("correction",),
    ("no", "wait"),
    ("oh", "wait"),
    ("scratch", "that"),
)


def _after_corrections(hits: List[Hit], words: List[str]) -> List[Hit]:
    """A fact said again after a correction replaces what was said before it (scalar facts only)."""
    # Punctuation does not separate the words of a take-back ("sorry, no"): the cues are read over the words alone.
    at = [i for i, w in enumerate(words) if any(c.isalnum() for c in w)]
    low = [words[i].lower() for i in at]
    marks = [at[i] for i in range(len(low)) for c in _TAKE_BACK if tuple(low[i : i + len(c)]) == c]
    if not marks:
        return hits
    last = max(marks)
    out = []
    for h in hits:
        superseded = h.fact in SCALAR_FACTS and h.end <= last and any(g.fact == h.fact and g.start > last for g in hits)
        if not superseded:
            out.append(h)
    return out


def _longest(hits: List[Hit]) -> List[Hit]:
    """Of two readings of the same fact over the same words, the longer: "the home care agency" is
    home care, though "the home" alone would be a care home."""
    return [
        h
        for h in hits
        if h.fact in LIST_FACTS
        or not any(
            g is not h
            and g.fact == h.fact
            and g.start < h.end
            and h.start < g.end
            and (g.end - g.start) > (h.end - h.start)
            for g in hits
        )
    ]


#: Words that say what the complaint is about: what follows them in the sentence is the case.
_FOCUS = (
    ("this", "is", "about"),
    ("it", "is", "the"),
    ("it", "was", "the"),
    ("it", "is", "about"),
    ("my", "issue", "is"),
    ("the", "issue", "is"),
    ("my", "complaint", "is"),
    ("the", "complaint", "is"),
    ("my", "problem", "is"),
    ("the", "problem", "is"),
    ("i", "want", "to", "complain", "about"),
    ("i", "am", "complaining", "about"),
    ("complain", "about", "is"),
    ("want", "to", "complain", "about"),
    ("what", "i", "want", "to", "complain", "about"),
)
_FOCUS_FACTS = ("service", "funding", "professional")
_FOCUS_WEIGHT = 6.0


def _focused(sents: Sentences, hits: List[Hit]) -> List[Hit]:
    """Raise the weight of what follows "this is about ..." or precedes "... is what I want to complain about"."""
    words = [w.lower() for w in sents.words]
    cues = [(i, i + len(c)) for i in range(len(words)) for c in _FOCUS if tuple(words[i : i + len(c)]) == c]
    if not cues:
        return hits
    out = []
    for h in hits:
        near = any(
            sents.sentence_of(h.start) == sents.sentence_of(s)
            and (e <= h.start <= e + 8 or (0 <= s - h.end <= 1 and words[s] in ("i", "want", "what", "complain")))
            for s, e in cues
        )
        out.append(
            Hit(h.fact, h.value, h.start, h.end, h.weight + _FOCUS_WEIGHT, h.answer_only, h.negatable)
            if near and h.fact in _FOCUS_FACTS
            else h
        )
    return out


#: Before a service, these make it the place where praised staff work ("the day staff at dad's care home are
#: wonderful"), not the service praised.
_AT_PLACE = frozenset(("at", "in", "on", "from"))


def _where_they_work(words: Sequence[str], h: Hit) -> bool:
    """The service is named as where someone praised works ("the day staff at his care home are angels")."""
    return any(w.lower() in _AT_PLACE for w in words[max(0, h.start - 3) : h.start])


def _in_context(sents: Sentences, hits: List[Hit]) -> Tuple[List[Hit], List[Tuple[Hit, str]], bool]:
    """Apply ConText: drop what is negated, hypothetical, someone else's or praised; shift a stage not yet reached."""
    cats, modifiers = get_reader().read(sents, [Target(h.start, h.end, h.fact.upper()) for h in hits])
    effects = _effects()
    kept: List[Hit] = []
    aside: List[Tuple[Hit, str]] = []
    praised: List[Hit] = []
    elsewhere = [m for m in modifiers if m.label == "ELSEWHERE"]
    for h, c in zip(hits, cats):
        rule = effects.get(h.fact, {})
        dropped = sorted(c & set(rule.get("drop", ())))
        if "NEGATED" in c and h.value in rule.get("negated_drops", ()):
            dropped.append("NEGATED")
        if h.fact == "on_behalf" and any(m.start < h.end and h.start < m.end for m in elsewhere):
            dropped.append("ELSEWHERE")  # "my sister is a nurse" names a relative, not whom it is about
        if dropped:
            aside.append((h, dropped[0]))
            continue
        shifted = next(
            (
                rule["becomes"][cat].get(h.value)
                for cat in sorted(c)
                if cat in rule.get("becomes", {}) and h.value in rule["becomes"][cat]
            ),
            None,
        )
        if shifted is not None:
            aside.append((h, "shifted"))
            h = Hit(h.fact, shifted, h.start, h.end, 0.5, h.answer_only, h.negatable)
        kept.append(h)
        if h.fact == "service" and "PRAISE" in c and not _where_they_work(sents.words, h):
            praised.append(h)
    praise = any(m.label == "PRAISE" for m in modifiers)
    # A praised service beside another one named is not the complaint ("I've a good community team now.
    # This is about the nurse in A&E"); alone, praised staff still work where it happened.
    if praised and any(h.fact == "service" and h not in praised for h in kept):
        aside += [(h, "PRAISE") for h in praised]
        kept = [h for h in kept if h not in praised]
    return kept, aside, praise


@lru_cache(maxsize=1)
def _effects() -> Dict[str, Dict[str, Any]]:
    doc = yaml.safe_load(CONTEXT_FILE.read_text(encoding="utf-8")) or {}
    return doc.get("effects") or {}


@lru_cache(maxsize=1)
def _side_items() -> Tuple[str, ...]:
    doc = yaml.safe_load(FUNDING_ITEMS_FILE.read_text(encoding="utf-8")) or {}
    return tuple(" ".join(normalise(str(i)).split()) for i in doc.get("items") or [])


def _side_funding(
    words: List[str],
    sents: Sentences,
    by_fact: Dict[str, List[Hit]],
    facts: Dict[str, Any],
    hints: Dict[str, Dict[str, Any]],
) -> None:
    """A payment for a side item ("a private X-ray", "the parking") is a hint, not the case's funding.

    Each payment is judged by what it names: a side item, or another service than the case's, makes it a
    side payment; the case's own service named after it ("we pay for her care home") makes it the case's.
    Only side payments, and none for the care itself, turn the funding into a hint to check."""
    value = facts.get("funding")
    if value not in ("private", "self_funded"):
        return
    main = facts.get("service")
    payments = [h for h in by_fact.get("funding", []) if h.value == value]
    services = [h for h in by_fact.get("service", [])]
    side_about = next((a for a in (_paid_item(words, sents, h, services) for h in payments) if a), None)
    for h in payments if side_about is None else ():
        named = _service_named(sents, by_fact, h)
        if named is not None and main not in (None, "private_hospital") and named.value != main:
            side_about = " ".join(words[named.start : named.end])
        elif named is not None and named.value == main:
            return  # a payment for the care itself: the case's funding
    if side_about:
        hints["funding"] = {"value": value, "about": side_about}
        facts.pop("funding", None)
        if facts.get("service") == "private_hospital" and any(
            h.value == "hospital" for h in by_fact.get("service", [])
        ):
            facts["service"] = "hospital"  # "I went private for an X-ray" after the NHS hospital missed it


def _service_named(sents: Sentences, by_fact: Dict[str, List[Hit]], hit: Hit) -> Optional[Hit]:
    """The service a payment was for: named just after it ("paid for her nursing home"), else nearest."""
    sentence = sents.sentence_of(hit.start)
    services = [s for s in by_fact.get("service", []) if sents.sentence_of(s.start) == sentence]
    after = [s for s in services if 0 <= s.start - hit.end <= 5]
    if after:
        return after[0]
    near = [s for s in services if abs(s.start - hit.start) <= 6]
    return min(near, key=lambda s: abs(s.start - hit.start), default=None)


def _paid_item(words: List[str], sents: Sentences, hit: Hit, services: Sequence[Hit] = ()) -> Optional[str]:
    """The side item a payment was for, if the words near it name one: up to the care named after the payment
    ("paid for her care home and ... her hearing aids" is the home), or through it when the item follows it at
    once ("paid £25 a day in the hospital car park")."""
    start, end = sents.bounds[sents.sentence_of(hit.start)]
    stop = min(end, hit.end + 10)
    for s in sorted(services, key=lambda h: h.start):
        if hit.start <= s.start < stop and s.end > hit.end and not _item_at(words, s.end):
            stop = max(hit.end, s.end)
            break
    window = " " + " ".join(words[max(start, hit.start - 4) : stop]) + " "
    return next((item for item in _side_items() if f" {item} " in window), None)


def _item_at(words: List[str], i: int) -> bool:
    """A side item starts at word i ("car park" after "hospital")."""
    after = " " + " ".join(words[i : i + 3]) + " "
    return any(after.startswith(f" {item} ") for item in _side_items())


def _best(hits: List[Hit]) -> Any:
    counts = Counter(h.value for h in hits)
    first = {}
    weight: Dict[Any, float] = {}
    for h in hits:
        first.setdefault(h.value, h.start)
        weight[h.value] = max(weight.get(h.value, 0.0), h.weight)
    return max(counts, key=lambda v: (weight[v], counts[v], -first[v]))


#: Health and social care: a case that crosses them may need the organisations to answer together.
HEALTH = service_group("health")  # bot/knowledge/vocabulary.yml
SOCIAL_CARE = service_group("social_care")


def _across_sectors(main: Optional[str], mentioned: Tuple[str, ...]) -> List[str]:
    """Other organisations named in the story, when they are on the other side of health and social care."""
    if main in HEALTH:
        other = SOCIAL_CARE
    elif main in SOCIAL_CARE:
        other = HEALTH
    else:
        return []
    return sorted({s for s in mentioned if s in other and s != main})


#: Services that come after a hospital discharge and are often named in telling it.
DISCHARGE_SIDE = ("pharmacy", "community_health", "home_care", "gp", "ambulance", "nhs_111")


_CHILD = re.compile(
    r"\b(?:my|our|her|his|the) (?:\d |two |three |four |five |youngest |eldest |oldest )?"
    r"(?:child|children|kids?|baby|toddler|little one|little boy|little girl|grandchildren|grandkids)\b"
    r"|\b(?:fy|ein) (?:mhlentyn|mhlant|mab|merch)\b|\bplentyn\b"
)
_AGE = re.compile(
    r"\b(?:son|daughter|boy|girl|grandson|granddaughter|he|she|they|mab|merch) (?:is|who is|aged|,)? ?"
    r"(\d{1,2})\b|\b(\d{1,2}) ?(?:year|yr)s? old\b|\b(\d{1,2}) (?:oed|mlwydd)\b"
)


#: Glasses or lenses bought: a private purchase (an NHS voucher only pays towards it). Source: the OCCS's own
#: pages, as in ../shared/reference/knowledge-audit-2026-12.md ("NHS sight test, glasses, lenses").
_GLASSES_BOUGHT = re.compile(
    r"\b(bought|buy|buying|paid|pay|paying|cost|costs|charged|£ ?\d+|\d+ pounds|top up|topped up)\b.{0,60}"
    r"\b(glasses|specs|spectacles|varifocals|bifocals|lenses|frames|contacts)\b|"
    r"\b(glasses|specs|spectacles|varifocals|bifocals|lenses|frames|contacts)\b.{0,40}"
    r"\b(cost|costs|cost me|paid|charged|for £ ?\d+|for \d+ pounds)\b"
)
#: An NHS optical voucher with money paid on top: the glasses were bought ("a voucher but I paid £190 on top").
_VOUCHER_TOPUP = re.compile(
    r"\bvoucher\b.{0,60}\b(paid|pay|on top|top up|topped up|£ ?\d+|\d+ pounds|the rest|the difference)\b|"
    r"\b(paid|pay|topped up|£ ?\d+|\d+ pounds)\b.{0,60}\bvoucher\b|"
    r"\bvoucher (towards|toward|for|against|off|on) .{0,30}\b(glasses|specs|spectacles|varifocals|bifocals|lenses|frames)\b"
)
#: Dental work paid for privately on top of an NHS course (a private crown instead of the NHS one): the Dental
#: Complaints Service covers the private part.
_DENTAL_EXTRA = re.compile(
    r"\b(paid|i pay|we pay|i am paying) .{0,40}\b(privately|on top|separately|extra)\b|"
    r"\bprivate (upgrade|extra|crown|crowns|implant|implants|veneers?|bridge|filling|fillings|root canal)\b"
)
#: Words that show a continuing healthcare decision was challenged (a local review, an appeal, a complaint):
#: without them, "the letter came from the ICB" is the decision itself, which the local review comes after.
_CHALLENGED = re.compile(
    r"\b(review|reviewed|appeal\w*|complain\w*|challeng\w*|disput\w*|stage 2|stage two|asked them to|"
    r"final (repl\w*|response|answer))\b"
)

#: Before a challenge word, these make it one still to come ("how do we challenge it?", "can I appeal?").
_TO_COME = re.compile(
    r"(how (do|can|could|would|should|to)( we| i)?|can (we|i)|want to|whether to|if (we|i) can|going to) $"
)


def _challenged(joined: str) -> bool:
    """The continuing healthcare decision has been challenged already, not just asked how to."""
    return any(not _TO_COME.search(joined[max(0, m.start() - 30) : m.start()]) for m in _CHALLENGED.finditer(joined))


_CHC_DECISION = re.compile(
    r"\b(eligib\w*|assessment|assessed|checklist|review|decision|refused|turned down|not entitled)\b"
)


#: Someone who works or worked at the service raising what they saw there (whistleblowing): the workplace is the
#: service, and what they want is other people protected.
_STAFF = re.compile(
    r"\b(i used to work|i worked( \w+)? (there|at|in|as|for)|when i worked|i work( \w+)? (there|at|in|as|for)|i still work|"
    r"i am (a|an) \w+ (there|at)|handed (my|in my) notice|i left (my job|the job|in)|ex staff|former (staff|employee)|"
    r"member of staff|whistle ?blow\w*|my (manager|employer|colleagues|line manager))\b"
)
_OTHERS_IN_CARE = re.compile(r"\b(patients|residents|clients|service users|the people (we|they) (support|care for))\b")


def _raises_a_staff_concern(text: str, other_service: bool) -> bool:
    """A member of staff (or one who left) telling what happens to the people the service cares for, or about
    their workplace when no other service is the case."""
    return bool(_STAFF.search(text) and (_OTHERS_IN_CARE.search(text) or not other_service))


def _as_a_staff_concern(facts: Dict[str, Any], aside: List[Tuple[Hit, str]]) -> None:
    """The workplace set aside as "where I work" is the service here; the aim is to protect the people in its care."""
    if "service" not in facts:
        named = [h for h, why in aside if h.fact == "service" and why == "ELSEWHERE"]
        workplace = max(named, key=lambda h: (h.end - h.start, -h.start), default=None)
        if workplace is not None:
            facts["service"] = workplace.value
    outcomes = list(facts.get("outcomes") or [])
    if "protect_others" not in outcomes:
        facts["outcomes"] = outcomes + ["protect_others"]


#: The person writing is the adult the care is for: "an assessment on me", "my care needs", "I've got MS".
_ADULT_CARED_FOR = re.compile(
    r"\b((assessment|assessed|reassessed|review|reviewed|visited) (on|of)? ?me|my (own )?(care|support) (needs|package|plan|hours)|"
    r"my (needs|care) assessment|i (have|have got) (ms|multiple sclerosis|parkinson\w*|motor neurone|a disability|arthritis|copd|dementia)|"
    r"i am (disabled|a wheelchair user|registered blind)|(helps|help|helping) me (shower|wash|dress|get dressed|with my care))\b"
)


def _about_a_child(text: str) -> bool:
    """The story is about a child: "my son is 13", "a 6 year old", "our kids", "fy mhlentyn".

    Not when the adult writing is the one assessed or cared for ("they assessed me ... my 15 year old helps me").
    """
    if _ADULT_CARED_FOR.search(text):
        return False
    if _CHILD.search(text):
        return True
    ages = [int(next(g for g in m.groups() if g)) for m in _AGE.finditer(text)]
    return any(0 < a < 18 for a in ages)


def _reconcile(facts: Dict[str, Any], answer_to: Optional[str], mentioned: Tuple[str, ...] = ()) -> None:
    """Small consistency fixes between facts found independently."""
    if facts.get("funding") in ("private", "self_funded") and facts.get("service") == "hospital":
        facts["service"] = "private_hospital"
    if facts.get("funding") == "private" and facts.get("service") in ("care_home", "home_care"):
        facts["funding"] = "self_funded"  # care paid for privately is the person paying for it themselves
    if facts.get("funding") == "unknown" and answer_to != "funding":
        facts.pop("funding")
    if "mental_health_act" in facts.get("issues", []) and facts.get("service") in (None, "hospital"):
        facts["service"] = "mental_health"
    if "discharge" in facts.get("issues", []) and facts.get("service") in DISCHARGE_SIDE and "hospital" in mentioned:
        facts["service"] = "hospital"  # a discharge is from hospital: the chemist or nurses after it are side details
    others = _across_sectors(facts.get("service"), mentioned)
    if others:
        facts["other_services"] = others


from bot.understand.answers import Answer, interpret_answer  # noqa: E402  (uses extract_facts)

__all__ = ["Extraction", "extract_facts", "interpret_answer", "Answer", "normalise"]
