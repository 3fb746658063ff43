"""The project's own spaCy pipeline: a blank English pipeline plus a Matcher built from
lexicon.yml and places.yml. No model is downloaded; the patterns are the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

HERE = Path(__file__).resolve().parent
LEXICON_FILE = HERE / "lexicon.yml"
PLACES_FILE = HERE / "places.yml"


@dataclass(frozen=True)
class Entry:
    """One lexicon pattern's meaning: the fact and value it says, and how it counts."""

    fact: str
    value: Any
    weight: float
    answer_only: bool
    negatable: bool


@dataclass(frozen=True)
class Hit:
    """One match in a message: the fact and value, where (token indexes) and how much it weighs."""

    fact: str
    value: Any
    start: int  # token index
    end: int
    weight: float
    answer_only: bool
    negatable: bool


def compile_token(tok: str) -> Dict[str, Any]:
    """One token of the pattern language (see lexicon.yml) as a spaCy Matcher token."""
    optional = tok.endswith("?") and tok != "?"
    if optional:
        tok = tok[:-1]
    if tok == "_":
        spec: Dict[str, Any] = {}
    else:
        alts = tok.split("|")
        if any("*" in a for a in alts):
            parts = [re.escape(a).replace(r"\*", ".*") for a in alts]
            spec = {"LOWER": {"REGEX": "^(" + "|".join(parts) + ")$"}}
        elif len(alts) == 1:
            spec = {"LOWER": alts[0]}
        else:
            spec = {"LOWER": {"IN": alts}}
    if optional:
        spec["OP"] = "?"
    return spec


def compile_pattern(text: str) -> List[Dict[str, Any]]:
    """A lexicon pattern (see the header of lexicon.yml) as spaCy Matcher token patterns."""
    from bot.understand.normalise import normalise

    tokens = []
    for raw in str(text).split():
        # Normalise each literal alternative the way messages are normalised.
        if raw in ("_", "_?"):
            tokens.append(raw)
            continue
        suffix = "?" if raw.endswith("?") else ""
        body = raw[:-1] if suffix else raw
        alts = []
        for a in body.split("|"):
            star = a.endswith("*")
            core = a.rstrip("*")
            if "*" in core:
                alts.append(a)
            else:
                n = normalise(core).replace(" ", "_SPACE_") if core else core
                alts.append(n + ("*" if star else ""))
                # A word the English normaliser changes may be another language's word as written ("mam" in
                # Welsh stays "mam" in a Welsh sentence): match it as written too.
                if core and core.lower() != n and "_SPACE_" not in n and " " not in core:
                    alts.append(core.lower() + ("*" if star else ""))
        joined = "|".join(alts)
        if "_SPACE_" in joined:
            # An alternative that normalises to two words ("dont" -> "do not"): expand literally.
            for part in joined.replace("_SPACE_", " ").split(" "):
                tokens.append(part + suffix)
        else:
            tokens.append(joined + suffix)
    return [compile_token(t) for t in tokens]


def import_spacy():
    """Import spaCy without dragging in TensorFlow.

    thinc (spaCy's ML library) imports TensorFlow when it is installed, which Rasa
    needs; that costs seconds and hundreds of MB in processes that only match
    patterns (the CLI, the action server, the web app). We hide TensorFlow while
    thinc looks for it, unless the process already loaded it (the Rasa server).
    """
    import sys

    if "spacy" in sys.modules or "tensorflow" in sys.modules:
        import spacy

        return spacy
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # makes `import tensorflow` fail
    try:
        import spacy
    finally:
        if sys.modules.get("tensorflow") is None:
            del sys.modules["tensorflow"]
    return spacy


class FactMatcher:
    """Finds every lexicon and place pattern in a normalised message."""

    def __init__(self) -> None:
        spacy = import_spacy()
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.entries: Dict[str, Entry] = {}
        lexicon = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
        for fact, values in lexicon.items():
            for value, spec in values.items():
                value = _yaml_value(fact, value)
                entry = Entry(
                    fact,
                    value,
                    float(spec.get("weight", 1)),
                    bool(spec.get("answer_only")),
                    bool(spec.get("negatable")),
                )
                self._add(entry, spec.get("patterns") or [])
        places = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))
        for nation, names in places["nation_words"].items():
            self._add(Entry("nation", nation, 3.0, False, False), names)
        for nation, names in places.get("answer_only", {}).items():
            self._add(Entry("nation", nation, 1.0, True, False), names)
        for nation, names in places["places"].items():
            self._add(Entry("nation", nation, 2.0, False, False), names)
        self._add(Entry("nation", "wales", 2.0, False, False), _mutated_places(places["places"]["wales"]))

    def _add(self, entry: Entry, patterns: List[str]) -> None:
        # A pattern may end with "@2" (its own weight) or "@answer" (only in answers).
        groups: Dict[Entry, List[List[Dict[str, Any]]]] = {}
        for raw in patterns:
            text, e = str(raw), entry
            while " @" in text:
                text, flag = text.rsplit(" @", 1)
                if flag == "answer":
                    e = Entry(e.fact, e.value, e.weight, True, e.negatable)
                else:
                    e = Entry(e.fact, e.value, float(flag), e.answer_only, e.negatable)
            compiled = compile_pattern(text)
            if not compiled or compiled[0].get("OP") or compiled[-1].get("OP"):
                raise ValueError(
                    f"lexicon pattern {raw!r} for {entry.fact}={entry.value}: "
                    "the first and last words must not be optional"
                )
            groups.setdefault(e, []).append(compiled)
        for e, compiled in groups.items():
            key = f"{e.fact}={e.value}={e.weight}={'a' if e.answer_only else ''}{'n' if e.negatable else ''}"
            self.entries[key] = e
            self.matcher.add(key, compiled)

    def find(self, normalised: str) -> Tuple[List[str], List[Hit]]:
        """Tokens of the normalised text and every hit (overlaps resolved within a fact)."""
        words = normalised.split()
        return words, self.find_words(words)

    def find_words(self, words: List[str]) -> List[Hit]:
        """Every hit in a list of normalised words (overlaps resolved within a fact)."""
        from spacy.tokens import Doc

        if not words:
            return []
        # Quotes around a phrase do not change its words: "got their 'final response'" is a final response.
        doc = Doc(self.nlp.vocab, words=[w.strip("'\"‘’“”") or w for w in words])
        raw = []
        for match_id, start, end in self.matcher(doc):
            e = self.entries[self.nlp.vocab.strings[match_id]]
            raw.append(Hit(e.fact, e.value, start, end, e.weight, e.answer_only, e.negatable))
        # A longer match of the same fact hides any shorter match inside it.
        kept = []
        for h in raw:
            hidden = any(
                o is not h
                and o.fact == h.fact
                and o.start <= h.start
                and h.end <= o.end
                and (o.end - o.start) > (h.end - h.start)
                for o in raw
            )
            if not hidden:
                kept.append(h)
        # identical spans for the same fact: keep the heavier value only
        best: Dict[Tuple[str, int, int], Hit] = {}
        for h in kept:
            k = (h.fact, h.start, h.end)
            if k not in best or h.weight > best[k].weight:
                best[k] = h
        return sorted(best.values(), key=lambda h: (h.start, h.end))


def _yaml_value(fact: str, value: Any) -> Any:
    if fact in ("on_behalf", "risk_now", "after_ombudsman"):
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "yes")
    return value


@lru_cache(maxsize=1)
def get_matcher() -> FactMatcher:
    """The process-wide matcher (built in well under a second)."""
    return FactMatcher()


#: Welsh words after which a place name mutates and that English does not use ("yng Nghaernarfon", "ger Fangor").
_WELSH_BEFORE_PLACE = "yng|ym|yn|ger|drwy|dros|tua|gyda|efo|heb|rhwng|wrth|trwy"


def _mutated_places(names: List[str]) -> List[str]:
    """Welsh places as they are written after a Welsh word: "yng Nghaernarfon", "ym Mangor", "ger Wrecsam".

    Only after such a word: alone, a mutated form may be an English word ("Mold" -> "fold")."""
    from bot.understand.welsh import welsh_forms

    out = []
    for name in names:
        first, _, rest = str(name).partition(" ")
        for form in welsh_forms(first)[1:]:
            if form:
                out.append(f"{_WELSH_BEFORE_PLACE} {form}" + (f" {rest}" if rest else ""))
    return out
