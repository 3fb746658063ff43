"""UK postcodes: checking, normalising and looking up the area they are in, offline.

The data is `bot/knowledge/places/postcodes.txt.gz`, built by `scripts/build_postcodes.py`
from the ONS Postcode Directory (Open Government Licence v3.0). It is read once, on the
first lookup (about 0.1 s); each lookup after that takes microseconds.

A full postcode ("LS1 4AP") gives one area; an outward code ("LS1") gives every area
its postcodes are in, with the share of its postcodes in each, most first. The caller
decides what to do with more than one: this module never guesses.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

DATA_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "places" / "postcodes.txt.gz"

#: The 121 postcode areas of the UK (the letters before the first digit). Crown
#: dependencies (GY, JE, IM) and BFPO are not UK local authority areas and are left out.
POSTCODE_AREAS = frozenset(
    """
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH
EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N
NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY
TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split()
)

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
_FULL_RE = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_OUTWARD_RE = re.compile(rf"^{_OUTWARD}$")
_LETTERS = re.compile(r"^[A-Z]+")


def normalise_postcode(text: str) -> Optional[str]:
    """A UK postcode or outward code in standard form ("LS1 4AP", "LS1"), or None.

    Case and spaces do not matter ("ls14ap", " LS1  4ap "). The letters must be a
    UK postcode area; anything else (including Channel Islands and Isle of Man
    postcodes) gives None.
    """
    if not isinstance(text, str):
        return None
    compact = re.sub(r"\s+", "", text).upper()
    if not compact or len(compact) > 7 or _LETTERS.match(compact) is None:
        return None
    if _LETTERS.match(compact).group() not in POSTCODE_AREAS:
        return None
    full = _FULL_RE.match(compact)
    if full:
        return f"{full.group(1)} {full.group(2)}"
    if _OUTWARD_RE.match(compact):
        return compact
    return None


def is_outward(postcode: str) -> bool:
    """Whether a normalised postcode is only its outward part ("LS1")."""
    return " " not in postcode


@dataclass(frozen=True)
class Lookup:
    """Where a postcode is: its candidate areas, each with the share of postcodes in it."""

    postcode: str
    areas: Tuple[Tuple[str, float], ...]  # (area code, share), most first; empty when unknown

    @property
    def codes(self) -> Tuple[str, ...]:
        """The candidate area codes, most postcodes first."""
        return tuple(code for code, _ in self.areas)

    @property
    def single(self) -> Optional[str]:
        """The area, when there is exactly one."""
        return self.areas[0][0] if len(self.areas) == 1 else None


class PostcodeIndex:
    """The offline extract, parsed lazily: sectors' exceptions are read only when asked."""

    def __init__(self, path: Path = DATA_FILE):
        self.codes: List[str] = []
        self.outward: Dict[str, str] = {}
        self.sectors: Dict[str, Tuple[int, str]] = {}
        self.meta: Dict[str, str] = {}
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                self._read(line.rstrip("\n"))

    def _read(self, line: str) -> None:
        if line.startswith("# "):
            key, _, value = line[2:].partition(": ")
            self.meta[key] = value
            return
        kind, key, *rest = line.split("\t")
        if kind == "S":
            self.sectors[key] = (int(rest[0]), rest[1] if len(rest) > 1 else "")
        elif kind == "O":
            self.outward[key] = rest[0]
        elif kind == "A":
            self.codes.append(rest[0])

    def lookup(self, postcode: str) -> Lookup:
        """The areas of a normalised postcode (see `normalise_postcode`)."""
        if is_outward(postcode):
            return Lookup(postcode, self._outward(postcode))
        out, inward = postcode.split(" ")
        sector = self.sectors.get(f"{out} {inward[0]}")
        if sector is None:  # a postcode newer than the data: say what its outward code says
            return Lookup(postcode, self._outward(out))
        default, exceptions = sector
        unit = f"{inward[1:]}="
        for item in exceptions.split(",") if exceptions else ():
            if item.startswith(unit):
                return Lookup(postcode, ((self.codes[int(item[3:])], 1.0),))
        return Lookup(postcode, ((self.codes[default], 1.0),))

    def _outward(self, outward: str) -> Tuple[Tuple[str, float], ...]:
        raw = self.outward.get(outward)
        if not raw:
            return ()
        counts = [(self.codes[int(i)], int(n)) for i, n in (p.split(":") for p in raw.split(","))]
        total = sum(n for _, n in counts)
        return tuple((code, round(n / total, 4)) for code, n in counts)


@lru_cache(maxsize=1)
def get_index() -> PostcodeIndex:
    """The shipped extract (loaded once per process)."""
    return PostcodeIndex()


def lookup_postcode(text: str) -> Optional[Lookup]:
    """Where a postcode is, or None when the text is not a UK postcode."""
    postcode = normalise_postcode(text)
    return get_index().lookup(postcode) if postcode else None
