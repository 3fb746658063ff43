"""Recognising risk of harm in any message, before anything else happens.

`assess(text)` returns an `Assessment`: whether the message shows a risk of
serious harm now (to the writer or someone else), what kind, and why. The
patterns are data (patterns.yml); the Rasa pipeline runs this on every message
(bot.nlu.components.SafetyDetector), so it works the same on web chat and SMS
and whatever the conversation was doing.

Kinds: suicide, self_harm, abuse_now, violence, medical_emergency,
child_at_risk, deteriorating_patient, financial_abuse, adult_at_risk, and general (the intent classifier's judgement
when no pattern matched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from bot.understand.idioms import mask
from bot.understand.normalise import normalise
from bot.understand.sentences import Sentences, split
from bot.understand.welsh import welsh_forms
from bot.vocabulary import SAFETY_KINDS

PATTERNS_FILE = Path(__file__).resolve().parent / "patterns.yml"
#: Which help to give first, by kind (the most urgent kind wins when several match).
#: Short replies ("me", "no") are judged by the patterns alone; statistics on two words are noise.
MIN_WORDS = 3
PRIORITY = SAFETY_KINDS  # declared once, in bot/knowledge/vocabulary.yml


@dataclass(frozen=True)
class Assessment:
    risk: bool
    kind: Optional[str] = None
    kinds: Tuple[str, ...] = ()
    matched: Tuple[str, ...] = field(default_factory=tuple)


class SafetyPatterns:
    """The compiled patterns of patterns.yml."""

    def __init__(self, path: Path = PATTERNS_FILE):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.strong: Dict[str, List[Pattern[str]]] = {}
        self.risk: Dict[str, List[Pattern[str]]] = {}
        for kind, tiers in doc["categories"].items():
            if kind not in PRIORITY:
                raise ValueError(f"{path.name}: unknown risk kind {kind!r}")
            self.strong[kind] = [_rx(p) for p in tiers.get("strong") or []]
            self.risk[kind] = [_rx(p) for p in tiers.get("risk") or []]
        self.past = [_rx(p) for p in doc["past"]]
        self.past_here = [_rx(p) for p in doc.get("past_in_sentence") or []]
        self.present = [_rx(p) for p in doc["present"]]
        self.safe = [_rx(p) for p in doc.get("safe") or []]
        # Words the message itself says were not meant (a joke, a saying, a record the person disputes),
        # unless it also says they are meant ("I'm not joking").
        self.not_meant = [_rx(p) for p in doc.get("not_meant") or []]
        self.meant = [_rx(p) for p in doc.get("meant") or []]
        self.reporting = [_rx(p) for p in doc.get("reporting") or []]
        self.threats = [_rx(p) for p in doc.get("threats") or []]
        self.doubted = [_rx(p) for p in doc.get("doubted") or []]

    def without_idioms(self, text: str) -> str:
        """The normalised text with figures of speech and look-alikes blanked ("my back is killing me")."""
        return " ".join(mask(normalise(text), "risk").split())

    def says_safe(self, t: str) -> bool:
        """The message says plainly that nobody is in danger, or that the alarming words were not meant."""
        return any(p.search(t) for p in self.safe) or self.says_not_meant(t)

    def says_not_meant(self, t: str) -> bool:
        """The message says its alarming words were a joke, a saying or a record it disputes, and not that they are meant."""
        return any(p.search(t) for p in self.not_meant) and not any(p.search(t) for p in self.meant)

    def reports(self, t: str) -> bool:
        """The sentence reports words (said, written, quoted), rather than saying them; a threat told by the
        person threatened ("he said next time he won't miss") is not a report but the risk itself."""
        if any(p.search(t) for p in self.threats):
            return False
        return any(p.search(t) for p in self.reporting) or self.says_not_meant(t)

    def assess(self, text: str) -> Assessment:
        """Risk now in any sentence of `text` (or across them), in context: not negated, not in theory."""
        sents = split(text)
        whole = mask(" ".join(sents.words), "risk")
        message_past = self._placed_in_past(whole) and not self._placed_now(whole)
        found: List[Tuple[str, str, int, int, bool]] = []  # kind, words, token start, token end, strong
        message_safe = self.says_safe(whole)
        not_meant = self.says_not_meant(whole)
        # Words disputed in a record or said as a joke set weak signs aside where they are reported, not in
        # every sentence: "he said next time he won't miss ... the midwife wrote 'no concerns', I want that changed".
        plainly_safe = any(p.search(whole) for p in self.safe)
        past_spans: List[Tuple[int, int]] = []
        for start, end in sents.bounds:
            t = mask(" ".join(sents.words[start:end]), "risk")
            # A weak sign is set aside when its sentence, or the message as a whole, places the harm in
            # the past ("he's home and doing well now") or says nobody is in danger.
            sentence_past = (
                self._placed_in_past(t) or any(p.search(t) for p in self.past_here)
            ) and not self._placed_now(t)
            # Even a strong sign is set aside when its own sentence places it in the past and the message
            # says it is over ("I did think about ending it back then ... I'm in a good place now").
            over = sentence_past and (message_safe or message_past)
            # A joke, a saying or a disputed record: the sentence that reports the words is not risk now.
            over = over or (not_meant and self.reports(t))
            hits = self._matches(
                t,
                start,
                past=message_past or sentence_past,
                safe=plainly_safe or self.says_safe(t) or (not_meant and self.reports(t)),
                over=over,
            )
            # An emergency is now or never: "collapsed at home in August" is what happened, not what is, and
            # so is one the message says is over ("... she felt faint for days. She's much better again now").
            # Or one told in the past tense in a message that places the matter in the past ("baby came out not
            # breathing properly and went to neonatal ... she's home now and doing great").
            over_now = (
                sentence_past or (message_safe and not self._placed_now(t)) or (message_past and _narrated_in_past(t))
            )
            found += [h for h in hits if not (over_now and h[0] == "medical_emergency")]
            past_spans += [(start, end)] if sentence_past else []
        # Patterns that span sentences ("sorry ... my phone is off") are read over the whole message too,
        # except a weak sign inside one sentence that placed itself in the past.
        found += _outside(
            past_spans,
            hits=[
                h
                for h in self._matches(
                    whole, 0, past=message_past, safe=message_safe, over=(message_past and message_safe) or not_meant
                )
                if not (message_past and h[0] == "medical_emergency")
                # nor one told in a sentence placed in the past, in a message that says it is over
                and not (
                    message_safe and h[0] == "medical_emergency" and _outside(past_spans, [h[:4] + (False,)]) == []
                )
            ],
        )
        found = self._in_context(sents, found, message_past)
        if not found:
            return Assessment(False)
        kinds = sorted({f[0] for f in found}, key=PRIORITY.index)
        return Assessment(True, kinds[0], tuple(kinds), tuple(dict.fromkeys(f[1] for f in found)))

    def _matches(
        self, t: str, offset: int, past: bool, safe: bool, over: bool = False
    ) -> List[Tuple[str, str, int, int, bool]]:
        out = []
        for kind, patterns in ({} if over else self.strong).items():
            for p in patterns:
                m = p.search(t)
                if m:
                    out.append((kind, m.group(0)) + _tokens(t, m.span(), offset) + (True,))
                    break
        if safe or past:
            return out
        for kind, patterns in self.risk.items():
            for p in patterns:
                m = p.search(t)
                if m:
                    out.append((kind, m.group(0)) + _tokens(t, m.span(), offset) + (False,))
                    break
        return out

    def _in_context(
        self, sents: Sentences, found: List[Tuple[str, str, int, int, bool]], message_past: bool
    ) -> List[Tuple[str, str, int, int, bool]]:
        """Keep what ConText does not rule out: a negated or theoretical risk, or one from the news, is not risk."""
        if not found:
            return found
        from bot.understand.context import Target, categories_of

        cats = categories_of(sents, [Target(f[2], max(f[3], f[2] + 1), "RISK") for f in found])
        kept = []
        for f, c in zip(found, cats):
            if c & {"NEGATED", "HYPOTHETICAL", "REPORTED"} or _in_a_conditional_question(sents, f[2]):
                continue
            kept.append(f)
        return kept

    def _placed_in_past(self, t: str) -> bool:
        return any(p.search(t) for p in self.past)

    def _placed_now(self, t: str) -> bool:
        if any(p.search(t) for p in self.doubted):
            return True  # "he says he's fine, but ..."
        # "safe now" and friends say the risk is over; they must not count as "now".
        cleaned = t
        for p in self.past:
            cleaned = p.sub(" ", cleaned)
        return any(p.search(cleaned) for p in self.present)


_PAST_VERB = re.compile(r"\b(was|were|had|came|went|took|got|did|gave|left|fell|found|brought|told|said|\w{3,}ed)\b")
_PRESENT_VERB = re.compile(
    r"\b(is|are|am|can not|will not|does not|do not|do|does|have|has|keeps?|gets|still|now|currently|getting|going to|"
    r"want|wants|need|needs|feel|feels)\b"
)


def _in_a_conditional_question(sents: Sentences, token: int) -> bool:
    """The token is in a question asked in theory about the person's own case: "If I complained and later
    thought Mum was being neglected, would ...?" (a risk inside it is a supposition, not what is)."""
    for start, end in sents.bounds:
        if start <= token < end:
            words = sents.words[start:end]
            supposes = len(words) > 2 and words[0] == "if" and words[1] in ("i", "we") and words[2] in _COMPLAINING
            if not (supposes and words[-1] == "?" and "," in words):
                return False
            return token - start < words.index(",")  # inside the supposition, not the question asked after it
    return False


#: What the person supposes doing, in "If I made a complaint ... would ...?" (not "If I go home, will he ...?").
_COMPLAINING = ("made", "make", "complain", "complained", "raise", "raised", "put", "wrote", "write", "complaint")


def _outside(
    spans: List[Tuple[int, int]], hits: List[Tuple[str, str, int, int, bool]]
) -> List[Tuple[str, str, int, int, bool]]:
    """The hits not lying, as weak signs, wholly inside one of `spans` (sentences placed in the past). A strong sign
    is always kept here: the whole-message read is the net under a sentence wrongly taken as past."""
    return [h for h in hits if h[4] or not any(s <= h[2] and h[3] <= e for s, e in spans)]


def _narrated_in_past(t: str) -> bool:
    """The sentence tells what happened, in the past tense, and says nothing in the present."""
    return bool(_PAST_VERB.search(t)) and not _PRESENT_VERB.search(t)


def _tokens(text: str, span: Tuple[int, int], offset: int) -> Tuple[int, int]:
    """Token indices [start, end) of a character span of `text`, shifted by `offset`.

    Masked words leave runs of spaces in `text`, so words are counted, not spaces."""
    before = len(text[: span[0]].split())
    through = len(text[: span[1]].split())
    return offset + before, offset + max(through, before + 1)


def _expand(pattern: str) -> str:
    """`{m:tabledi|pils}` in a pattern stands for each word's mutated forms too (see `welsh_forms`)."""

    def sub(m: "re.Match[str]") -> str:
        alts = []
        for phrase in m.group(1).split("|"):
            first, _, rest = phrase.partition(" ")
            alts += [f + (" " + rest if rest else "") for f in welsh_forms(first)]
        return "(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + ")"

    return re.sub(r"\{m:([^}]+)\}", sub, pattern)


def _rx(pattern: str) -> Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{_expand(pattern)})(?![a-z0-9])")


@lru_cache(maxsize=1)
def get_patterns() -> SafetyPatterns:
    """The safety patterns, loaded once."""
    return SafetyPatterns()


def assess(text: str) -> Assessment:
    """Judge one message for risk of harm now."""
    if not text or not text.strip():
        return Assessment(False)
    return get_patterns().assess(text)


@dataclass(frozen=True)
class Verdict:
    """The detector's decision on one message, with what drove it."""

    risk: bool
    kind: Optional[str] = None
    source: str = ""  # "patterns", "classifier", "intent" or ""
    probability: float = 0.0  # the statistical classifier's probability of risk


class Detector:
    """Patterns first; then the statistical classifier; then the intent classifier.

    Patterns are precise and explain themselves. The statistical classifier
    (bot.safety.classifier, trained on the project's corpus, which includes Rasa's
    own risk examples) catches risk said in words no pattern foresaw. Rasa's
    intent classifier decides only if the statistical classifier is not built.
    """

    def __init__(
        self,
        patterns: SafetyPatterns,
        classifier=None,
        threshold: float = 0.5,
        sure: float = 0.85,
        sentence_threshold: float = 0.85,
    ):
        self.patterns = patterns
        self.classifier = classifier
        self.threshold = threshold
        self.sure = sure
        # One sentence read alone is judged more strictly than a whole message: a short symptom
        # ("a little cough for three days") reads like an emergency without what follows it.
        self.sentence_threshold = max(sentence_threshold, threshold)
        self.context_floor = 0.6

    def judge(self, text: str, intent_confidence: float = 0.0, intent_threshold: float = 0.7) -> Verdict:
        """Whether a message shows risk of harm now: patterns first, then the statistical classifier,
        then (only without one) the intent classifier's confidence."""
        if not text or not text.strip():
            return Verdict(False)
        a = self.patterns.assess(text)
        t = self.patterns.without_idioms(text)
        # The classifier reads the words without their figures of speech ("have my guts for garters").
        prob, flagged = self._classify(t if t.strip() else text)
        if a.risk:
            return Verdict(True, a.kind, "patterns", prob)
        if self.patterns.says_safe(t):
            return Verdict(False, None, "", prob)
        if flagged:
            return Verdict(True, self.classifier.kind(text), "classifier", prob)
        if self.classifier is None and intent_confidence >= intent_threshold and len(t.split()) >= MIN_WORDS:
            return Verdict(True, "general", "intent", prob)  # without the classifier, trust Rasa's own
        return Verdict(False, None, "", prob)

    def _classify(self, text: str) -> Tuple[float, bool]:
        """(highest probability over the message and each sentence, whether one of them raises the alarm).

        Each sentence is scored on its own too, so one sentence of risk in a long complaint is not
        diluted by the rest. A middling score for words that place everything in the past is not enough.
        """
        if self.classifier is None:
            return 0.0, False
        from bot.safety.classifier import readings

        sents = split(text)
        parts = [sents] + (
            [Sentences(sents.words[s:e], ((0, e - s),)) for s, e in sents.bounds] if len(sents.bounds) > 1 else []
        )
        pairs = [readings(p) for p in parts]
        scored = self.classifier.probabilities([t for pair in pairs for t in pair])
        texts = [pair[0] for pair in pairs]
        probs = [min(scored[2 * i], scored[2 * i + 1]) for i in range(len(pairs))]
        flagged = False
        whole = " ".join(w for w in texts[0].split() if "_" not in w)
        message_past = self.patterns._placed_in_past(whole) and not self.patterns._placed_now(whole)
        for i, (prepared, p) in enumerate(zip(texts, probs)):
            if p < (self.threshold if i == 0 else self.sentence_threshold) or len(prepared.split()) < MIN_WORDS:
                continue
            if i > 0 and probs[0] < self.context_floor:
                continue  # one sentence reads as risk, but the message as a whole does not at all
            plain = " ".join(w for w in prepared.split() if "_" not in w)
            if i > 0 and message_past and _narrated_in_past(plain):
                continue  # what happened, told in the past tense, in a message that says it is over
            if p >= self.sure or not (self.patterns._placed_in_past(plain) and not self.patterns._placed_now(plain)):
                flagged = True
        return max(probs), flagged


@lru_cache(maxsize=1)
def get_detector() -> Detector:
    """The process-wide detector (patterns, plus the trained classifier when it is built)."""
    from bot.safety.classifier import load_classifier

    clf = load_classifier()
    return Detector(get_patterns(), clf, clf.threshold if clf is not None else 0.5)
