"""Recognising risk of harm in any message, before anything else happens.

`assess(text)` returns an `Assessment`: whether the message shows a risk of
serious harm now (to the writer or someone else), what kind, and why. The
patterns are data (patterns.yml); the Rasa pipeline runs this on every message
(bot.nlu.components.SafetyDetector), so it works the same on web chat and SMS
and whatever the conversation was doing.

Kinds: suicide, self_harm, abuse_now, violence, medical_emergency,
child_at_risk, adult_at_risk, and general (the intent classifier's judgement
when no pattern matched).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from bot.understand.normalise import normalise

PATTERNS_FILE = Path(__file__).resolve().parent / "patterns.yml"
#: Which help to give first, by kind (the most urgent kind wins when several match).
#: Short replies ("me", "no") are judged by the patterns alone; statistics on two words are noise.
MIN_WORDS = 3
PRIORITY = ("medical_emergency", "suicide", "violence", "abuse_now", "child_at_risk", "self_harm",
            "adult_at_risk", "general")


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
        self.idioms = [_rx(p) for p in doc["idioms"]]
        self.strong: Dict[str, List[Pattern[str]]] = {}
        self.risk: Dict[str, List[Pattern[str]]] = {}
        for kind, tiers in doc["categories"].items():
            if kind not in PRIORITY:
                raise ValueError(f"{path.name}: unknown risk kind {kind!r}")
            self.strong[kind] = [_rx(p) for p in tiers.get("strong") or []]
            self.risk[kind] = [_rx(p) for p in tiers.get("risk") or []]
        self.past = [_rx(p) for p in doc["past"]]
        self.present = [_rx(p) for p in doc["present"]]
        self.safe = [_rx(p) for p in doc.get("safe") or []]


    def without_idioms(self, text: str) -> str:
        """The normalised text with figures of speech removed ("my back is killing me")."""
        t = normalise(text)
        for idiom in self.idioms:
            t = idiom.sub(" ", t)
        return t

    def says_safe(self, t: str) -> bool:
        """The message says plainly that nobody is in danger."""
        return any(p.search(t) for p in self.safe)

    def assess(self, text: str) -> Assessment:
        t = self.without_idioms(text)
        kinds: List[str] = []
        matched: List[str] = []
        for kind, patterns in self.strong.items():
            for p in patterns:
                m = p.search(t)
                if m:
                    kinds.append(kind)
                    matched.append(m.group(0))
                    break
        weak = []
        for kind, patterns in self.risk.items():
            if kind in kinds:
                continue
            for p in patterns:
                m = p.search(t)
                if m:
                    weak.append((kind, m.group(0)))
                    break
        if weak and not self.says_safe(t) and not (self._placed_in_past(t) and not self._placed_now(t)):
            for kind, m in weak:
                kinds.append(kind)
                matched.append(m)
        if not kinds:
            return Assessment(False)
        kinds.sort(key=PRIORITY.index)
        return Assessment(True, kinds[0], tuple(kinds), tuple(matched))

    def _placed_in_past(self, t: str) -> bool:
        return any(p.search(t) for p in self.past)

    def _placed_now(self, t: str) -> bool:
        # "safe now" and friends say the risk is over; they must not count as "now".
        cleaned = t
        for p in self.past:
            cleaned = p.sub(" ", cleaned)
        return any(p.search(cleaned) for p in self.present)


def _rx(pattern: str) -> Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


@lru_cache(maxsize=1)
def get_patterns() -> SafetyPatterns:
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
    source: str = ""           # "patterns", "classifier", "intent" or ""
    probability: float = 0.0   # the statistical classifier's probability of risk


class Detector:
    """Patterns first; then the statistical classifier; then the intent classifier.

    Patterns are precise and explain themselves. The statistical classifier
    (bot.safety.classifier, trained on the project's corpus, which includes Rasa's
    own risk examples) catches risk said in words no pattern foresaw. Rasa's
    intent classifier decides only if the statistical classifier is not built.
    """

    def __init__(self, patterns: SafetyPatterns, classifier=None, threshold: float = 0.5, sure: float = 0.85):
        self.patterns = patterns
        self.classifier = classifier
        self.threshold = threshold
        self.sure = sure

    def judge(self, text: str, intent_confidence: float = 0.0, intent_threshold: float = 0.7) -> Verdict:
        if not text or not text.strip():
            return Verdict(False)
        a = self.patterns.assess(text)
        t = self.patterns.without_idioms(text)
        prob = self.classifier.probability(t) if self.classifier is not None else 0.0
        if a.risk:
            return Verdict(True, a.kind, "patterns", prob)
        if self.patterns.says_safe(t):
            return Verdict(False, None, "", prob)
        if self.classifier is not None and prob >= self.threshold and len(t.split()) >= MIN_WORDS:
            # A middling score for a message that places everything in the past is not enough.
            if prob >= self.sure or not (self.patterns._placed_in_past(t) and not self.patterns._placed_now(t)):
                return Verdict(True, self.classifier.kind(text), "classifier", prob)
        if self.classifier is None and intent_confidence >= intent_threshold and len(t.split()) >= MIN_WORDS:
            return Verdict(True, "general", "intent", prob)  # without the classifier, trust Rasa's own
        return Verdict(False, None, "", prob)


@lru_cache(maxsize=1)
def get_detector() -> Detector:
    """The process-wide detector (patterns, plus the trained classifier when it is built)."""
    from bot.safety.classifier import load_classifier

    clf = load_classifier()
    return Detector(get_patterns(), clf, clf.threshold if clf is not None else 0.5)
