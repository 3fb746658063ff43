"""Figures of speech and look-alikes (idioms.yml), found in normalised text and masked.

"This receptionist will be the death of me" must reach neither the safety detector nor the
fact extraction as a death; "after my c-section" is not a Mental Health Act section. Both
readers mask what these patterns cover before they read a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Pattern, Sequence, Tuple

import yaml

IDIOMS_FILE = Path(__file__).resolve().parent / "idioms.yml"
SCOPES = {"facts": ("idioms", "not_facts"), "risk": ("idioms", "not_risk")}


@lru_cache(maxsize=1)
def _compiled() -> Dict[str, List[Pattern[str]]]:
    doc = yaml.safe_load(IDIOMS_FILE.read_text(encoding="utf-8")) or {}
    return {
        key: [re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])") for p in doc.get(key) or []]
        for key in ("idioms", "not_facts", "not_risk")
    }


def char_spans(normalised: str, scope: str) -> List[Tuple[int, int]]:
    """Character spans of `normalised` that are not to be read literally, for `scope` ("facts" or "risk")."""
    spans = []
    for key in SCOPES[scope]:
        for pattern in _compiled()[key]:
            spans.extend(m.span() for m in pattern.finditer(normalised) if m.end() > m.start())
    return spans


def mask(normalised: str, scope: str) -> str:
    """`normalised` with every idiom and look-alike of `scope` blanked out (same length)."""
    chars = list(normalised)
    for start, end in char_spans(normalised, scope):
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def token_spans(words: Sequence[str], scope: str) -> List[Tuple[int, int]]:
    """The same spans as token indices [start, end) of `words` (joined by single spaces)."""
    text = " ".join(words)
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    out = []
    for cs, ce in char_spans(text, scope):
        first = next((i for i, s in enumerate(starts) if s + len(words[i]) > cs), None)
        last = next((i for i in range(len(words) - 1, -1, -1) if starts[i] < ce), None)
        if first is not None and last is not None and first <= last:
            out.append((first, last + 1))
    return out
