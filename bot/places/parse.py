"""Finding a place in what a person wrote: a postcode, or a town, city, council or health board.

`parse_place(text)` is careful by default: a full postcode is taken anywhere, but a
name only when it reads as a place ("I live in Wrexham", "near Reading", "Leeds
council", "Betsi Cadwaladr"), so that "Dr Hart" or "I was reading" is not a place.
With `expecting=True` (the person is answering "where do you live?") a bare name or
outward code ("Wrexham", "LS1") is taken too. `redact_postcodes` removes postcodes
from a text before it is logged or stored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

from bot.places.local import Place, place_from_postcode
from bot.places.organisations import KNOWLEDGE_DIR, get_directory
from bot.places.postcodes import get_index, normalise_postcode

TOWNS_FILE = KNOWLEDGE_DIR / "places" / "towns.yml"

_FULL = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?) ?([0-9][A-Za-z]{2})(?![A-Za-z0-9])")
_OUT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)(?![A-Za-z0-9])")
_POSTCODE_CUE = re.compile(r"post ?code\W{0,3}(?:is|was|of|:)?\W{0,3}$", re.I)
# Words just before a name that make it a place: "I live in", "near", "from", "based in" ...
_CUE = re.compile(
    r"(?:\b(?:in|near|from|around|outside|at|to|of)|\bliv(?:e|es|ing)|\bbased|\barea|\bcounty|\bborough)"
    r"(?:\s+(?:the|central|north|south|east|west|city|city of|town|area of|county of|borough of))*\s*$",
    re.I,
)
_LIVE_CUE = re.compile(r"\b(?:liv(?:e|es|ing)|based|from)\b", re.I)
_AFTER = re.compile(r"^\s+(?:council|area|county|borough|health board|city council|county council)\b", re.I)
# Names that are also everyday words or common surnames: only taken when written with a capital.
COMMON_WORDS = frozenset(
    """
bath reading hart bury harrow slough highland street wells deal march sale ware hyde barry angus rugby
hackney sutton merton dudley preston lincoln chester stafford warwick bedford derby luton crawley
hastings lewes dover ashford wyre fylde rother halton brent bolton wigan stirling moray fife newport
durham hamilton perth ayr elgin irvine mold neath newtown burton stoke hull barrow poole christchurch
windsor gillingham rochester hatfield hertford newark glossop buxton blyth antrim larne
""".split()
)
_ORG_WORDS = re.compile(r"\b(?:council|health board|nhs|trust|icb|integrated care)\b", re.I)


def parse_place(text: str, expecting: bool = False) -> Optional[Place]:
    """The place named in a message, or None.

    A full postcode wins; then (when `expecting`, or after "postcode") an outward code;
    then a town, city, council or health board name that reads as a place.
    """
    if not text or not isinstance(text, str):
        return None
    for m in _FULL.finditer(text):
        place = place_from_postcode(f"{m.group(1)} {m.group(2)}")
        if place:
            return Place(place.areas, place.kind, place.label, matched=m.group(0))
    for m in _OUT.finditer(text):
        if expecting and _only_thing(text, m) or _POSTCODE_CUE.search(text[: m.start()]):
            place = place_from_postcode(m.group(1))
            if place:
                return Place(place.areas, place.kind, place.label, matched=m.group(0))
    return _named_place(text, expecting)


def redact_postcodes(text: str, expecting: bool = False) -> str:
    """The text with every UK postcode replaced by "[postcode]" (outward codes too after "postcode",
    or when the whole message is one and a postcode was asked for)."""
    if not text:
        return text
    out = _FULL.sub(lambda m: "[postcode]" if normalise_postcode(m.group(0)) else m.group(0), text)

    def outward(m: "re.Match[str]") -> str:
        cue = _POSTCODE_CUE.search(out[: m.start()]) or (expecting and _only_thing(out, m))
        return "[postcode]" if cue and normalise_postcode(m.group(1)) else m.group(0)

    return _OUT.sub(outward, out)


def _only_thing(text: str, m: "re.Match[str]") -> bool:
    """Whether the match is (nearly) the whole message: "LS1", "it's LS1", "LS1 please"."""
    rest = (text[: m.start()] + " " + text[m.end() :]).lower()
    words = re.findall(r"[a-z']+", rest)
    return len(words) <= 3


# ------------------------------------------------------------------------------------------ names
_WORD = re.compile(r"[A-Za-z0-9']+")
_MAX_WORDS = 14  # the longest name, "NHS Bath and North East Somerset, Swindon and Wiltshire ICB"
# "I live in", "I'm from", "we are based in": where the person themselves is
_SELF_CUE = re.compile(r"\b(?:i|we)(?:'m|'re| am| are)?\s+(?:liv(?:e|ing)|based|from|in)\b|\bmy home\b", re.I)


def _key(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text.replace("&", " and ").replace("-", " ")))


def _named_place(text: str, expecting: bool) -> Optional[Place]:
    names = name_index_map()
    words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text.replace("-", " "))]
    found: List[Tuple[int, int, Tuple[str, ...], str]] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):  # longest name first
            key = " ".join(w for _, _, w in words[i : i + n])
            areas = names.get(key)
            if areas and _reads_as_place(text, words[i][0], words[i + n - 1][1], key, expecting):
                found.append((words[i][0], words[i + n - 1][1], areas, text[words[i][0] : words[i + n - 1][1]]))
                i += n - 1
                break
        i += 1
    if not found:
        return None
    # where the person themselves lives beats where something happened; otherwise the first named
    start, _, areas, matched = max(found, key=lambda f: (_cue_strength(text[: f[0]]), -f[0]))
    return Place(areas, "name", label=matched, matched=matched)


def _cue_strength(before: str) -> int:
    tail = before[-30:]
    return 2 if _SELF_CUE.search(tail) else 1 if _LIVE_CUE.search(tail) else 0


def _reads_as_place(text: str, start: int, end: int, name: str, expecting: bool) -> bool:
    before, after, original = text[:start], text[end:], text[start:end]
    if name in COMMON_WORDS and not original[:1].isupper() and not expecting:
        return False
    if expecting or _ORG_WORDS.search(name) or (" " in name and name not in COMMON_WORDS and len(name) > 12):
        return True
    return bool(_CUE.search(before[-40:]) or _AFTER.match(after))


@lru_cache(maxsize=1)
def name_index_map() -> Dict[str, Tuple[str, ...]]:
    """`name_index` as a mapping."""
    return dict(name_index())


@lru_cache(maxsize=1)
def name_index() -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """Every place name people use, lower case, with its candidate areas; longest names first."""
    names: Dict[str, List[str]] = {}
    for name, areas in _named_places():
        key = _key(name)
        if len(key) >= 3:
            bucket = names.setdefault(key, [])
            bucket.extend(a for a in areas if a not in bucket)
    return tuple(sorted(((k, tuple(v)) for k, v in names.items() if v), key=lambda kv: -len(kv[0])))


def _named_places() -> Iterator[Tuple[str, Sequence[str]]]:
    """(name, areas) for every area, organisation and town name, in no particular order."""
    d = get_directory()
    for area in d.areas.values():
        for variant in _area_name_variants(area.name.split(" (")[0]):
            yield variant, [area.code]
    for org in d:
        for name in (org.name, org.short_name, *org.aliases):
            if name:
                yield name, org.areas
        if org.kind == "council" and " County Council" in org.name:  # "Kent" for Kent County Council
            yield org.name.replace(" County Council", ""), org.areas
    index = get_index()
    for town in _towns():
        yield (
            town["name"],
            [code for outward in town["outward"] for code, share in index.lookup(outward).areas if share >= 0.25],
        )


def _area_name_variants(name: str) -> List[str]:
    out = [name]
    if ", " in name:  # "Bristol, City of" -> "Bristol", "City of Bristol"
        first, second = name.split(", ", 1)
        out += [first, f"{second} {first}"]
    if "St. " in name:
        out.append(name.replace("St. ", "St "))
    return out


def _towns() -> List[dict]:
    data = yaml.safe_load(Path(TOWNS_FILE).read_text(encoding="utf-8")) or []
    return [t for t in data if isinstance(t, dict) and t.get("name") and t.get("outward")]
