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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bot.understand.dates import months_since
from bot.understand.matcher import Hit, get_matcher
from bot.understand.normalise import normalise

SCALAR_FACTS = ("nation", "service", "funding", "stage", "professional", "anonymity")
LIST_FACTS = ("issues", "outcomes")
NEGATORS = {"not", "no", "never", "without", "nor", "dont"}


@dataclass
class Extraction:
    """The facts found in one message, and where each was found (token spans)."""

    facts: Dict[str, Any] = field(default_factory=dict)
    spans: List[Hit] = field(default_factory=list)
    words: List[str] = field(default_factory=list)

    def entities(self) -> List[Dict[str, Any]]:
        """The facts as Rasa-style entities (one per list value)."""
        out = []
        for key, value in self.facts.items():
            for v in (value if isinstance(value, list) else [value]):
                out.append({"entity": key, "value": v})
        return out


def extract_facts(text: str, *, answer_to: Optional[str] = None, today: Optional[dt.date] = None) -> Extraction:
    """Every case fact in `text`. `answer_to` names the question being answered, if any."""
    norm = normalise(text)
    words, hits = get_matcher().find(norm)
    usable = [h for h in hits if (not h.answer_only or h.fact == answer_to) and not _negated(h, words)]
    by_fact: Dict[str, List[Hit]] = defaultdict(list)
    for h in usable:
        by_fact[h.fact].append(h)
    facts: Dict[str, Any] = {}
    for fact in SCALAR_FACTS:
        if by_fact.get(fact):
            facts[fact] = _best(by_fact[fact])
    for fact in LIST_FACTS:
        values: List[str] = []
        for h in by_fact.get(fact, []):
            if h.value not in values:
                values.append(h.value)
        if values:
            facts[fact] = values
    behalf = {h.value for h in by_fact.get("on_behalf", [])}
    if True in behalf:
        facts["on_behalf"] = True
    elif False in behalf:
        facts["on_behalf"] = False
    if by_fact.get("risk_now"):
        facts["risk_now"] = False  # only "nobody is in danger" style phrases are patterns
    months = months_since(text, today)
    if months is not None:
        facts["months_since"] = months
    _reconcile(facts, answer_to)
    return Extraction(facts, usable, words)


def _best(hits: List[Hit]) -> Any:
    counts = Counter(h.value for h in hits)
    first = {}
    weight: Dict[Any, float] = {}
    for h in hits:
        first.setdefault(h.value, h.start)
        weight[h.value] = max(weight.get(h.value, 0.0), h.weight)
    return max(counts, key=lambda v: (weight[v], counts[v], -first[v]))


def _negated(hit: Hit, words: List[str]) -> bool:
    if not hit.negatable:
        return False
    window = words[max(0, hit.start - 3):hit.start]
    return any(w in NEGATORS for w in window)


def _reconcile(facts: Dict[str, Any], answer_to: Optional[str]) -> None:
    """Small consistency fixes between facts found independently."""
    if facts.get("funding") in ("private", "self_funded") and facts.get("service") == "hospital":
        facts["service"] = "private_hospital"
    if facts.get("funding") == "unknown" and answer_to != "funding":
        facts.pop("funding")
    if "mental_health_act" in facts.get("issues", []) and facts.get("service") in (None, "hospital"):
        facts["service"] = "mental_health"


from bot.understand.answers import Answer, interpret_answer  # noqa: E402  (uses extract_facts)

__all__ = ["Extraction", "extract_facts", "interpret_answer", "Answer", "normalise"]
