"""Redaction of personal identifiers, with the project's own spaCy pipeline.

A blank English pipeline with a Matcher built from patterns (no model download):
names (after titles, relation words and "my name is", or a known first name),
phone numbers, email addresses, NHS numbers, postcodes, dates of birth and
addresses. Each is replaced by a tag such as [NAME] or [PHONE].

Used for anything stored (referral summaries, feedback comments, consented
transcripts) and by the logging filter, so identifiers never reach disk.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

import yaml

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
NAMES_FILE = HERE / "names.yml"

# Regular patterns first (exact formats).
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.I)
PHONE = re.compile(r"(?<![\w£$])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)(]{0,2}){9,10}(?!\d)")
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.I)
MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
DOB_CUE = r"(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday(?: is)?)[:\s]*"
DATE_NUMERIC = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}"
DATE_WORDS = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+(?:19|20)\d{{2}}|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
DATE_SHORT = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+'?\d{{2}}"
DATE_ISO = r"(?:19|20)\d{2}-\d{2}-\d{2}"
DOB = re.compile(rf"(?:{DOB_CUE})(?:{DATE_NUMERIC}|{DATE_WORDS}|{DATE_SHORT}|{DATE_ISO}|(?:19|20)\d{{2}})"
                 rf"|(?<![\d/])(?:{DATE_NUMERIC})(?![\d/])|\b(?:{DATE_WORDS})\b|\b{DATE_ISO}\b", re.I)
STREET = (r"(?:road|rd\.?|street|st\.|avenue|ave|lane|close|drive|way|court|crescent|place|gardens|terrace|grove|"
          r"hill|park|square|walk|row|mews|green|parade|view|rise|vale|gate|wharf|chase|fold|croft|meadows?|fields?|estate|cottages?)")
_NOT_STREET_WORD = (r"(?!(?:in|on|at|of|to|the|a|an|and|or|for|hour|hours|minute|minutes|min|mins|day|days|week|weeks|"
                    r"month|months|year|years|times|mg|ml|am|pm|people|patients|miles|beds?|staff)\b)")
ADDRESS = re.compile(rf"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:{_NOT_STREET_WORD}[A-Za-z'\-]+\s+){{1,3}}{STREET}(?![a-z])(?:,\s*[A-Za-z][a-z]+)?"
                     rf"|\b\d{{1,4}}[a-z]?,?\s+the\s+{STREET}(?![a-z])(?:,\s*[A-Za-z][a-z]+)?"
                     rf"|\b\d{{1,4}}[a-z]?\s+(?-i:[A-Z][a-z]+(?:way|gate|side|wood|field|fields|ton|ley|hurst|bury|holme|dale))\b"
                     rf"|\b(?:flat|apartment|apt)\s+\d+[a-z]?\b", re.I)
TITLES = (r"(?:mr|mrs|ms|miss|mx|dr|doctor|prof|professor|nurse|sister|matron|sr|rev|reverend|sir|dame|lady|lord|"
          r"midwife|carer|receptionist|manager|consultant|surgeon|physio|paramedic|social worker|health visitor|"
          r"district nurse|support worker|care worker|practice manager|home manager|ward manager)")
RELATIONS = (r"(?:mum|mam|mother|dad|father|son|daughter|husband|wife|partner|brother|sister|nan|nana|gran|granny|grandma|grandad|"
             r"grandson|granddaughter|aunt|auntie|uncle|cousin|niece|nephew|friend|neighbour|carer|boyfriend|girlfriend|fiance|fiancee|baby|"
             r"boy|girl|father-in-law|mother-in-law|stepdad|stepmum|mate)")
_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿā-ž"
NAME_WORD = rf"(?:O'|Mc|Mac|D'|Ó |Ní |Ní )?[{_UP}][{_LOW}]+(?:['\-][{_UP}]?[{_LOW}]+)*"
TITLED = re.compile(rf"\b(?i:{TITLES})\.?,?\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)")
CALLED = re.compile(rf"(?i:\b(?:my name is|name is|surname is|first name is|last name is|i am called|i'm called|name's|"
                    rf"called|named|signed|ask for|speak to|it's|its|this is|patient name|patient|name)[,:]?|"
                    rf"(?:regards|thanks|cheers|love|best wishes|from),)\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)")
CUED_LOWER = re.compile(r"(?i:\b(?:my name is|name is|name|patient name|its|it's|this is|ask for))[,:]?\s+([a-z][a-z'\-]{2,})(?:\s+([a-z][a-z'\-]{2,}))?")
APPOSITIVE = re.compile(rf"(?i:\b(?:{TITLES}|mum|mother|dad|father|sister|brother|friend|neighbour|daughter|son|wife|husband|partner)),\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?),")
# "I'm Jo Bloggs", "i am sarah jones": a self-introduction. Checked against the name lists below.
SELF_INTRO = re.compile(rf"(?i:\b(?:i'm|i am|im|i m))\s+({NAME_WORD}|[a-z][a-z'\-]{{1,}})(?:\s+({NAME_WORD}|[a-z][a-z'\-]{{2,}}))?")
FIRST_FROM = re.compile(rf"(?:^|[.!?]\s+)((?:{NAME_WORD}))\s+from the\b")
# A name inside the name of a place ("Queen Elizabeth Hospital", "St Mary's Ward") is not a person.
PLACE_BEFORE = re.compile(r"(?:queen|king|prince|princess|st|saint|royal|lady|sir|the)\.?\s+$", re.I)
PLACE_AFTER = re.compile(r"^(?:'s)?\s+(?:hospital|house|ward|unit|centre|center|road|street|lane|avenue|wing|court|practice|surgery|infirmary|clinic|hospice|home)\b", re.I)
RELATION_NAME = re.compile(rf"(?i:\b(?:my|our|her|his)\s+(?:\w+\s+)?{RELATIONS})[,]?\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)")
TITLED_LOWER = re.compile(rf"\b(?i:{TITLES})\.?\s+([a-z][a-z'\-]{{2,}})")
RELATION_NAME_LOWER = re.compile(rf"(?i:\b(?:my|our|her|his)\s+{RELATIONS})\s+([a-z][a-z'\-]{{2,}})(?:\s+([a-z][a-z'\-]{{2,}}))?")


@lru_cache(maxsize=1)
def _names() -> Tuple[frozenset, frozenset]:
    doc = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    first = frozenset(n.lower() for n in doc["first_names"])
    stop = frozenset(w.lower() for w in doc["not_names"])
    return first, stop


def _spans(text: str) -> List[Tuple[int, int, str]]:
    spans: List[Tuple[int, int, str]] = []

    def add(rx, tag, group=0):
        for m in rx.finditer(text):
            if m.group(group):
                spans.append((m.start(group), m.end(group), tag))

    add(EMAIL, "EMAIL")
    add(DOB, "DATE")
    add(NHS_NUMBER, "NHS_NUMBER")
    add(PHONE, "PHONE")
    add(POSTCODE, "POSTCODE")
    add(ADDRESS, "ADDRESS")
    add(TITLED, "NAME", 1)
    add(CALLED, "NAME", 1)
    add(RELATION_NAME, "NAME", 1)
    add(APPOSITIVE, "NAME", 1)
    first, stop = _names()
    for m in FIRST_FROM.finditer(text):
        if m.group(1).lower() not in stop and m.group(1).lower() not in _COMMON:
            spans.append((m.start(1), m.end(1), "NAME"))
    for m in SELF_INTRO.finditer(text):
        a, b = m.group(1), m.group(2)
        a_name = a.lower() in first and a.lower() not in stop
        both_caps = b is not None and a[:1].isupper() and b[:1].isupper() and not a.isupper() \
            and a.lower() not in _COMMON and b.lower() not in _COMMON and a.lower() not in stop \
            and a.lower() not in _NOT_SURNAME and a.lower() not in _FEELINGS and not a.lower().endswith("ing")
        if a_name or both_caps:
            end = m.end(1)
            if b and b.lower() not in _COMMON and b.lower() not in stop and b.lower() not in _NOT_SURNAME \
                    and (b[:1].isupper() or a[:1].islower()):
                end = m.end(2)
            spans.append((m.start(1), end, "NAME"))
    for m in CUED_LOWER.finditer(text):
        for g in (1, 2):
            w = m.group(g)
            if w and (w.lower() in first or "-" in w) and w.lower() not in stop:
                spans.append((m.start(g), m.end(g), "NAME"))
    for m in TITLED_LOWER.finditer(text):
        if m.group(1).lower() in first and m.group(1).lower() not in stop:
            spans.append((m.start(1), m.end(1), "NAME"))
    for m in RELATION_NAME_LOWER.finditer(text):
        for g in (1, 2):
            w = m.group(g)
            if w and (w.lower() in first or ("-" in w and g == 1)) and w.lower() not in stop:
                spans.append((m.start(g), m.end(g), "NAME"))
    spans.extend(_name_tokens(text, first, stop))
    return spans


# Capitalised words that are never people's names in these messages.
_COMMON = frozenset("""the a an i my our her his their this that it we you they he she please hi hello dear yes no
nhs hospital trust council commission care quality royal queen king street road centre center practice ward bay team
service services ombudsman england scotland wales ireland northern general university infirmary medical health social
surgery clinic unit department a&e gp doctor nurse monday tuesday wednesday thursday friday saturday sunday january
february march april may june july august september october november december christmas easter cubicle room bed
pals icb cqc dental pharmacy""".split())


# Words that follow a first name without being a surname ("I'm Sam and ...", "i am jo here").
_NOT_SURNAME = frozenset("""and but or so here again too also now then just from at in on with who by for to of about
is was am has had have will would can could should not really very still""".split())


# Title-case words after "I'm" that describe, not name ("I'm Very Upset", "I Am Sorry To Bother You").
_FEELINGS = frozenset("""sorry very really so angry upset worried scared afraid frightened fed sick tired disgusted
furious annoyed confused desperate unhappy disappointed livid concerned anxious a an the not just only still
british english scottish welsh irish disabled deaf blind pregnant elderly old new""".split())


def _name_tokens(text: str, first: frozenset, stop: frozenset) -> List[Tuple[int, int, str]]:
    """Known first names (capitalised, or after a relation word), with a following capitalised surname."""
    out = []
    doc = _nlp()(text)
    tokens = list(doc)
    for i, tok in enumerate(tokens):
        w = tok.text
        if w.lower() not in first or w.lower() in stop:
            continue
        if not (w[:1].isupper() and not w.isupper()):
            continue
        if i == 0 or tokens[i - 1].text in (".", "!", "?", "\n"):
            # At the start of a sentence a capital proves nothing; only trust full names there.
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if not (nxt is not None and nxt.text[:1].isupper() and nxt.text.lower() not in stop and nxt.is_alpha):
                continue
        start, end = tok.idx, tok.idx + len(w)
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if nxt.is_alpha and nxt.text[:1].isupper() and nxt.text.lower() not in stop:
                end = nxt.idx + len(nxt.text)
        out.append((start, end, "NAME"))
    return out


@lru_cache(maxsize=1)
def _nlp():
    from bot.understand.matcher import import_spacy

    return import_spacy().blank("en")


def _is_place_name(text: str, start: int, end: int) -> bool:
    return bool(PLACE_BEFORE.search(text[max(0, start - 12):start]) or PLACE_AFTER.match(text[end:end + 20]))


#: What is stored when a text could not be redacted: nothing of it (failing closed).
UNREDACTABLE = "[TEXT REMOVED]"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def redact(text: str) -> str:
    """`text` with every identifier found replaced by a tag like [NAME].

    Never raises: text that cannot be processed is replaced whole by UNREDACTABLE, so an
    identifier is never kept because redaction failed.
    """
    if not text:
        return text
    try:
        return _redact(_SURROGATE.sub("\ufffd", str(text)))
    except Exception:  # noqa: BLE001 - fail closed, whatever went wrong
        log.exception("redaction failed; the whole text is removed")
        return UNREDACTABLE


def _redact(text: str) -> str:
    spans = [s for s in _spans(text) if not (s[2] == "NAME" and _is_place_name(text, s[0], s[1]))]
    spans = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    merged: List[Tuple[int, int, str]] = []
    for s in spans:
        if merged and s[0] < merged[-1][1]:
            last = merged[-1]
            if s[1] > last[1]:
                merged[-1] = (last[0], s[1], last[2])
            continue
        merged.append(s)
    out, pos = [], 0
    for start, end, tag in merged:
        out.append(text[pos:start])
        out.append(f"[{tag}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)
