"""ConText: what the words around a fact or a risk say about it (negated, in theory, praised ...).

medspaCy's ConText, run with this project's own rules (context.yml) over the normalised
words of a message. `ContextReader.categories(sentences, targets)` returns, for each target
span, the set of categories of the modifiers whose scope reaches it, for example
{"NEGATED"} for "suicidal" in "I'm not suicidal, just furious".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

import yaml

from bot.understand.matcher import import_spacy
from bot.understand.sentences import Sentences

RULES_FILE = Path(__file__).resolve().parent / "context.yml"
CATEGORIES = (
    "NEGATED",
    "NOT_THIS",
    "HYPOTHETICAL",
    "CONDITION",
    "PLAN",
    "ELSEWHERE",
    "REPORTED",
    "PRAISE",
    "PSEUDO",
    "TERMINATE",
)
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
SPAN_GROUP = "targets"


@dataclass(frozen=True)
class Target:
    """A span to judge: token indices [start, end) in the message's words, and its label."""

    start: int
    end: int
    label: str


#: Categories whose reach stops at a new clause (see `clause_breaks` in context.yml).
CLAUSE_BOUND = ("NEGATED", "NOT_THIS")


def load_rules(path: Path = RULES_FILE) -> List[dict]:
    """The rules of context.yml, checked (a wrong category or direction names the rule)."""
    doc = _load(path)
    rules = doc.get("rules") or []
    for i, rule in enumerate(rules):
        if rule.get("category") not in CATEGORIES:
            raise ValueError(f"{path.name}: rule {i + 1}: unknown category {rule.get('category')!r}")
        if rule.get("direction") not in DIRECTIONS:
            raise ValueError(f"{path.name}: rule {i + 1}: unknown direction {rule.get('direction')!r}")
        if not rule.get("words"):
            raise ValueError(f"{path.name}: rule {i + 1}: no words")
        if rule.get("otherwise") and rule["otherwise"].get("category") not in CATEGORIES:
            raise ValueError(
                f"{path.name}: rule {i + 1}: unknown category {rule['otherwise'].get('category')!r} in otherwise"
            )
    return rules


@lru_cache(maxsize=4)
def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def clause_breaks(path: Path = RULES_FILE) -> FrozenSet[str]:
    """Words that start a new clause, for negations that reach only their own."""
    return frozenset(str(w) for w in _load(path).get("clause_breaks") or [])


def _may_modify(breaks: Optional[FrozenSet[str]]):
    """medspaCy's check for a modifier inside its target misses one contained in it (medspacy 1.3.1
    `tuple_overlaps` is one-sided), so "not" in "should not be allowed to practise" would negate
    its own phrase: check overlap both ways here; for negations, also stay within the clause."""

    def on_modifies(target, modifier, span_between) -> bool:
        if modifier.start < target.end and target.start < modifier.end:
            return False
        return breaks is None or not any(t.lower_ in breaks for t in span_between)

    return on_modifies


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _patch_medspacy() -> None:
    """medspacy 1.3.1's `tuple_overlaps(a, b)` misses `a` lying inside `b`, so a TERMINATE word never cut a
    scope that lay inside its own and a modifier inside its target modified it. Use a symmetric check."""
    from medspacy.context import context_graph, context_modifier

    context_modifier.tuple_overlaps = _overlaps
    context_graph.tuple_overlaps = _overlaps


class ContextReader:
    """Runs ConText over a message's targets."""

    def __init__(self, rules: Optional[List[dict]] = None):
        spacy = import_spacy()
        from medspacy.context import ConText, ConTextRule

        _patch_medspacy()

        self.nlp = spacy.blank("en")
        self.context = ConText(
            self.nlp, rules=None, input_span_type="group", span_group_name=SPAN_GROUP, span_attrs=None
        )
        same_clause, anywhere = _may_modify(clause_breaks()), _may_modify(None)
        for rule in rules if rules is not None else load_rules():
            for words in rule["words"]:
                self.context.add(
                    [
                        ConTextRule(
                            literal=str(words),
                            category=rule["category"],
                            direction=rule["direction"],
                            pattern=[{"LOWER": w} for w in str(words).split()],
                            max_scope=rule.get("max_scope"),
                            on_modifies=same_clause if rule["category"] in CLAUSE_BOUND else anywhere,
                            allowed_types=set(rule["only"]) if rule.get("only") else None,
                            excluded_types=set(rule["not"]) if rule.get("not") else None,
                            metadata={"otherwise": rule["otherwise"]} if rule.get("otherwise") else None,
                        )
                    ]
                )
        self._same_clause = same_clause

    def categories(self, sentences: Sentences, targets: Sequence[Target]) -> List[FrozenSet[str]]:
        """For each target, the categories of the modifiers that reach it."""
        return self.read(sentences, targets)[0]

    def read(self, sentences: Sentences, targets: Sequence[Target]) -> Tuple[List[FrozenSet[str]], List[Target]]:
        """(categories of the modifiers reaching each target, every modifier found as a Target)."""
        if not sentences.words:
            return [frozenset() for _ in targets], []
        from spacy.tokens import Doc, Span

        # Quotes around words do not change them: "'if you get chest pain, ring 999'" is still "if you".
        words = [w.strip("'\"‘’“”") or w for w in sentences.words]
        doc = Doc(self.nlp.vocab, words=words, sent_starts=sentences.starts())
        doc.spans[SPAN_GROUP] = [Span(doc, t.start, t.end, label=t.label) for t in targets]
        self.context(doc)
        cats = [
            frozenset(m.category for m in (span._.modifiers or ())) | self._otherwise(doc, span)
            for span in doc.spans[SPAN_GROUP]
        ]
        found = [Target(m.modifier_span[0], m.modifier_span[1], m.category) for m in doc._.context_graph.modifiers]
        return cats, found

    def _otherwise(self, doc, span) -> FrozenSet[str]:
        """Categories a modifier gives the targets its own category may not touch (a rule's `otherwise`).

        "is not" says "not this one" of a service ("it is not the GP, it is the dentist") but negates
        anything else ("she is not being abused"). medspaCy keeps only the longest of overlapping
        modifiers, so the "not" inside "is not" cannot do it on its own."""
        extra = set()
        for m in doc._.context_graph.modifiers:
            other = _otherwise_rule(m)
            label = span.label_.upper()
            if not other or m.allows(label) or label in other.get("not", ()):
                continue
            lo, hi = m.scope_span
            if other.get("max_scope"):  # its own reach forward ("I am not trying to get anyone sacked")
                hi = max(hi, _reach(doc, m.modifier_span[1], int(other["max_scope"]), span.sent.end))
            if m.modifier_span[0] < span.end and span.start < m.modifier_span[1]:
                continue
            if not (lo < span.end and span.start < hi):
                continue
            between = doc[min(m.modifier_span[1], span.end) : max(m.modifier_span[0], span.start)]
            if self._same_clause(span, doc[m.modifier_span[0] : m.modifier_span[1]], between):
                extra.add(other["category"])
        return frozenset(extra)

    def marked(self, sentences: Sentences, prefixes: Dict[str, str]) -> List[str]:
        """The words, each one in the scope of a modifier of a category in `prefixes` given that prefix.

        For bag-of-words classifiers: "i have never taken drugs" -> "i have never neg_taken neg_drugs",
        so a model can tell a negated phrase from the phrase itself (as NegEx-style marking does)."""
        if not sentences.words:
            return []
        from spacy.tokens import Doc

        doc = Doc(self.nlp.vocab, words=list(sentences.words), sent_starts=sentences.starts())
        doc.spans[SPAN_GROUP] = []
        self.context(doc)
        words = list(sentences.words)
        for m in doc._.context_graph.modifiers:
            prefix = prefixes.get(m.category) or prefixes.get(_otherwise_rule(m).get("category", ""))
            if not prefix:
                continue
            lo, hi = m.scope_span
            for i in range(lo, hi):
                if not (m.modifier_span[0] <= i < m.modifier_span[1]) and not words[i].startswith(prefix):
                    words[i] = prefix + words[i]
        return words


def _reach(doc, start: int, max_scope: int, sentence_end: int) -> int:
    """The end of a forward scope: `max_scope` words, stopping at punctuation or a terminating modifier."""
    terminators = {m.modifier_span[0] for m in doc._.context_graph.modifiers if m.category == "TERMINATE"}
    end = min(start + max_scope, sentence_end)
    for i in range(start, end):
        if i in terminators or not any(ch.isalnum() for ch in doc[i].text):
            return i
    return end


def _otherwise_rule(modifier) -> dict:
    """The `otherwise` part of a modifier's rule ({} when it has none)."""
    meta = getattr(modifier.rule, "metadata", None) or {}
    return meta.get("otherwise") or {}


@lru_cache(maxsize=1)
def get_reader() -> ContextReader:
    """The process-wide ConText reader (built once, in well under a second)."""
    return ContextReader()


def categories_of(sentences: Sentences, targets: Sequence[Target]) -> List[FrozenSet[str]]:
    """Shortcut for `get_reader().categories(...)`."""
    return get_reader().categories(sentences, targets)


def describe(sentences: Sentences, targets: Sequence[Target]) -> Dict[Tuple[int, int, str], FrozenSet[str]]:
    """Targets and their categories, for debugging and tests."""
    cats = categories_of(sentences, targets)
    return {(t.start, t.end, t.label): c for t, c in zip(targets, cats)}
