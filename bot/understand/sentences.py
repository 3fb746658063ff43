"""A message as sentences, each normalised into words, ready for matching and ConText.

People write one long run-on line, several short lines, or proper prose with "Dr." and
"St. Mary's" in it. pysbd finds the sentence boundaries of prose (abbreviations included);
line breaks always end a sentence. Facts and risks are then read sentence by sentence, so
"I had a miscarriage in October" cannot cancel "I don't see the point of anything any more".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Tuple

from bot.understand.normalise import normalise

#: Longer messages are cut here (in characters) before splitting: nobody writes a complaint longer.
MAX_CHARS = 5000


@dataclass(frozen=True)
class Sentences:
    """The normalised words of a message and where each sentence starts and ends (token indices)."""

    words: Tuple[str, ...]
    bounds: Tuple[Tuple[int, int], ...]

    def text(self, i: int) -> str:
        """The normalised text of sentence `i`."""
        start, end = self.bounds[i]
        return " ".join(self.words[start:end])

    def texts(self) -> List[str]:
        """Every sentence as text."""
        return [self.text(i) for i in range(len(self.bounds))]

    def starts(self) -> List[bool]:
        """One flag per word: does a sentence start here (spaCy's `sent_starts`)."""
        firsts = {s for s, _ in self.bounds}
        return [i in firsts for i in range(len(self.words))]

    def sentence_of(self, token: int) -> int:
        """The index of the sentence that holds word `token` (the last one when it is past the end)."""
        for i, (s, e) in enumerate(self.bounds):
            if s <= token < e:
                return i
        return len(self.bounds) - 1


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def raw_sentences(text: str) -> List[str]:
    """The sentences of `text` as written (line breaks always split)."""
    text = (text or "")[:MAX_CHARS]
    out: List[str] = []
    for line in re.split(r"[\r\n]+", text):
        if not line.strip():
            continue
        line = _without_word_stops(line)
        try:
            parts = _segmenter().segment(line)
        except Exception:  # pysbd is a heuristic library: never let it stop understanding
            parts = [line]
        out.extend(p for p in parts if p.strip())
    return out


_WORD_STOP = re.compile(r"(?<=[A-Za-z'])\.(?=\s|$)")


def _without_word_stops(line: str) -> str:
    """ "My. husband. Ron. was. sent. home.": a full stop after nearly every word is a way of typing, not sentences.
    Those stops are dropped (one is kept at the end)."""
    words = line.split()
    if len(words) < 6 or sum(w.endswith(".") for w in words) < 0.7 * len(words):
        return line
    return _WORD_STOP.sub("", line).rstrip() + "."


@lru_cache(maxsize=2048)
def split(text: str) -> Sentences:
    """Sentences of `text`, normalised (see normalise.py), as one word list with boundaries."""
    words: List[str] = []
    bounds: List[Tuple[int, int]] = []
    for sentence in raw_sentences(text):
        toks = normalise(sentence).split()
        if not toks:
            continue
        bounds.append((len(words), len(words) + len(toks)))
        words.extend(toks)
    return Sentences(tuple(words), tuple(bounds))
