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
DOB = re.compile(
    rf"(?:{DOB_CUE})(?:{DATE_NUMERIC}|{DATE_WORDS}|{DATE_SHORT}|{DATE_ISO}|(?:19|20)\d{{2}})"
    rf"|(?<![\d/])(?:{DATE_NUMERIC})(?![\d/])|\b(?:{DATE_WORDS})\b|\b{DATE_ISO}\b",
    re.I,
)
STREET = (
    r"(?:road|rd\.?|street|st\.|avenue|ave|lane|close|drive|way|court|crescent|place|gardens|terrace|grove|"
    r"hill|park|square|walk|row|mews|green|parade|view|rise|vale|gate|wharf|chase|fold|croft|meadows?|fields?|estate|cottages?)"
)
_NOT_STREET_WORD = (
    r"(?!(?:in|on|at|of|to|the|a|an|and|or|for|hour|hours|minute|minutes|min|mins|day|days|week|weeks|"
    r"month|months|year|years|times|mg|ml|am|pm|people|patients|miles|beds?|staff)\b)"
)
ADDRESS = re.compile(
    rf"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:{_NOT_STREET_WORD}[A-Za-z'\-]+\s+){{1,3}}{STREET}(?![a-z])(?:,\s*[A-Za-z][a-z]+)?"
    rf"|\b\d{{1,4}}[a-z]?,?\s+the\s+{STREET}(?![a-z])(?:,\s*[A-Za-z][a-z]+)?"
    rf"|\b\d{{1,4}}[a-z]?\s+(?-i:[A-Z][a-z]+(?:way|gate|side|wood|field|fields|ton|ley|hurst|bury|holme|dale))\b"
    rf"|\b(?:flat|apartment|apt)\s+\d+[a-z]?\b",
    re.I,
)
TITLES = (
    r"(?:mr|mrs|ms|miss|mx|dr|doctor|prof|professor|nurse|sister|matron|sr|rev|reverend|sir|dame|lady|lord|"
    r"midwife|carer|receptionist|manager|consultant|surgeon|physio|paramedic|social worker|health visitor|"
    r"district nurse|support worker|care worker|practice manager|home manager|ward manager)"
)
RELATIONS = (
    r"(?:mum|mam|mother|dad|father|son|daughter|husband|wife|partner|brother|sister|nan|nana|gran|granny|grandma|grandad|"
    r"grandson|granddaughter|aunt|auntie|uncle|cousin|niece|nephew|friend|neighbour|carer|boyfriend|girlfriend|fiance|fiancee|baby|"
    r"boy|girl|father-in-law|mother-in-law|stepdad|stepmum|mate)"
)
_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿā-ž"
NAME_WORD = rf"(?:O'|Mc|Mac|D'|Ó |Ní |Ní )?[{_UP}][{_LOW}]+(?:['\-][{_UP}]?[{_LOW}]+)*"
TITLED = re.compile(rf"\b(?i:{TITLES})\.?,?\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)")
CALLED = re.compile(
    rf"(?i:\b(?:my name is|name is|surname is|first name is|last name is|i am called|i'm called|name's|"
    rf"called|named|signed|ask for|speak to|it's|its|this is|patient name|patient|name)[,:]?|"
    rf"(?:regards|thanks|cheers|love|best wishes|from),)\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)"
)
CUED_LOWER = re.compile(
    r"(?i:\b(?:my name is|name is|name|patient name|its|it's|this is|ask for))[,:]?\s+([a-z][a-z'\-]{2,})(?:\s+([a-z][a-z'\-]{2,}))?"
)
APPOSITIVE = re.compile(
    rf"(?i:\b(?:{TITLES}|mum|mother|dad|father|sister|brother|friend|neighbour|daughter|son|wife|husband|partner)),\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?),"
)
# "I'm Jo Bloggs", "i am sarah jones": a self-introduction. Checked against the name lists below.
SELF_INTRO = re.compile(
    rf"(?i:\b(?:i'm|i am|im|i m))\s+({NAME_WORD}|[a-z][a-z'\-]{{1,}})(?:\s+({NAME_WORD}|[a-z][a-z'\-]{{2,}}))?"
)
FIRST_FROM = re.compile(rf"(?:^|[.!?]\s+)((?:{NAME_WORD}))\s+from the\b")
# A name inside the name of a place ("Queen Elizabeth Hospital", "St Mary's Ward") is not a person.
PLACE_BEFORE = re.compile(r"(?:queen|king|prince|princess|st|saint|royal|lady|sir|the)\.?\s+$", re.I)
PLACE_AFTER = re.compile(
    r"^(?:'s)?\s+(?:hospital|house|ward|unit|centre|center|road|street|lane|avenue|wing|court|practice|surgery|infirmary|clinic|hospice|home)\b",
    re.I,
)
RELATION_NAME = re.compile(
    rf"(?i:\b(?:my|our|her|his)\s+(?:\w+\s+)?{RELATIONS})[,]?\s+((?:{NAME_WORD})(?:\s+(?:{NAME_WORD}))?)"
)
TITLED_LOWER = re.compile(rf"\b(?i:{TITLES})\.?\s+([a-z][a-z'\-]{{2,}})")
RELATION_NAME_LOWER = re.compile(
    rf"(?i:\b(?:my|our|her|his)\s+{RELATIONS})\s+([a-z][a-z'\-]{{2,}})(?:\s+([a-z][a-z'\-]{{2,}}))?"
)
_WORD = r"[A-Za-zÀ-ÖØ-öø-ž][A-Za-zÀ-ÖØ-öø-ž'\-]+"
_CAP = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ž'\-]+"
_PARTICLES = r"(?:(?:van|von|de|der|den|du|da|di|del|della|le|la|mac|mc|al|el|bin|ibn|ap|ní|nic|ó)\s+){0,2}"
_GREETING = r"(?:(?:hi|hello|hiya|hey|morning|good (?:morning|afternoon|evening))[,!.]?\s+)?"
# "Zofia here", "Declan speaking", "Anjali Raman (the patient's wife) here", "Zofia from Bradford here".
HERE_INTRO = re.compile(
    rf"(?:^|[.!?\n]\s*)(?i:{_GREETING})({_WORD})(?:\s+({_WORD}))??(?:\s*\([^)]{{0,60}}\))?"
    rf"(?:\s+from\s+{_WORD})?,?\s+(?i:here|speaking)\b"
)
# "Hi Sarah,", "Thanks Marcus,": a greeting or thanks, a name, a pause.
GREETED = re.compile(
    rf"(?i:\b(?:thanks|thank you|cheers|hi|hello|hiya|hey|dear|morning))\s+({_CAP})" rf"(?:\s+({_CAP}))?\s*[,.!]"
)
# A name signed at the very end: "... Kasia x", "Many thanks\nGwenllian Rees", or signed above lines of
# contact details only, as in an email signature: "Thanks\nPhilippa Thistlethwaite\n07700900456".
SIGNED_X = re.compile(rf"(?:^|[\s.,!?])({_CAP})(?:\s+({_CAP}))?\s+x{{1,3}}\s*$")
_CONTACT_LINES = rf"(?:[^\S\n]*\n\s*(?:{EMAIL.pattern}|{PHONE.pattern}|\[(?:PHONE|EMAIL)\])[^\S\n]*[.,]?)*"
SIGNED_AFTER_THANKS = re.compile(
    rf"(?i:thanks|thank you|regards|cheers|best wishes|love|ta)\b[^\n\w]*\n+\s*"
    rf"({_CAP})(?:\s+({_CAP}))?\s*[.!]?{_CONTACT_LINES}\s*$"
)
# Words that say a name follows, for lower case too: "names olumide", "name - harpreet kaur", "surname: ...".
STRONG_CUED = re.compile(
    rf"(?i:\b(?:my name is|my names|my name's|me name is|name is|name's|names|"
    rf"name\s*[:\-–]|name as|patient name|i am called|i'm called|im called))\s+"
    rf"({_WORD})(?:\s+({_WORD}))?"
)
SURNAME_CUED = re.compile(
    rf"(?i:\b(?:surname|last name|family name|maiden name|first name|christian name|given name|"
    rf"middle name)(?:'s|\s+is|\s*[:\-–]|,)?\s+)({_PARTICLES}{_WORD})(?:\s+({_WORD}))?"
)
# "Wrzesniewska is my surname", "Okonkwo is my last name", "Zofia is my first name".
IS_MY_NAME = re.compile(
    rf"(?:^|[.!?,;\n]\s*|\band\s+)({_WORD})(?:\s+({_WORD}))??\s+(?i:is|'s)\s+(?i:my)\s+"
    rf"(?i:(?:sur|first|last|middle|family|maiden|second|christian|given)\s?)?(?i:name)\b"
)
# "call me Bex", "I go by Sunny": only a capitalised word ("call me back", "I go by bus").
CALL_ME = re.compile(rf"(?i:\b(?:call me|i go by|known as))\s+({_CAP})")
_ADJECTIVE_ENDINGS = r"(?:ed|ful|less|ous|ive|able|ible|ly|ish|ic)$"
# "I'm Writing ...", typed in title case: -ing words people say of themselves (names like Xiaoling are not here).
_ING_WORDS = frozenset(
    """writing going calling complaining trying asking texting looking getting having being feeling
waiting contacting struggling coming leaving telling phoning ringing emailing hoping wondering thinking worrying
caring helping working living staying sitting lying dying suffering grieving desperate""".split()
)
# Lower-case abbreviated titles, then a name: "dr khan", "mrs bello".
TITLE_ABBR_LOWER = re.compile(r"\b(?i:dr|mr|mrs|ms|mx|prof)\.?\s+([a-z][a-z'\-]{1,})")
# Words after "the dr" that are not a name.
_AFTER_TITLE = frozenset(
    """said says told rang rings called calls refused refuses asked asks gave gives sent sends saw
sees came comes wanted wants thought thinks who whom whose and or but at in on i we he she they was is has had did
does will would could should can never always just only also then there here again surgery appointment appointments
receptionist receptionists practice office letter note notes wouldnt couldnt didnt doesnt wont cant isnt wasnt""".split()
)


@lru_cache(maxsize=1)
def _names() -> Tuple[frozenset, frozenset]:
    doc = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    first = frozenset(n.lower() for n in doc["first_names"])
    stop = frozenset(w.lower() for w in doc["not_names"])
    return first, stop


Span = Tuple[int, int, str]


def _spans(text: str) -> List[Span]:
    """Every identifier found, as (start, end, tag); overlaps are merged by `redact`."""
    spans: List[Span] = []
    for rx, tag in (
        (EMAIL, "EMAIL"),
        (DOB, "DATE"),
        (NHS_NUMBER, "NHS_NUMBER"),
        (PHONE, "PHONE"),
        (POSTCODE, "POSTCODE"),
        (ADDRESS, "ADDRESS"),
    ):
        spans.extend((m.start(), m.end(), tag) for m in rx.finditer(text))
    first, stop = _names()
    for rule in _NAME_RULES:
        spans.extend((a, b, "NAME") for a, b in rule(text, first, stop))
    return spans


Found = List[Tuple[int, int]]


def _cued(text: str, first: frozenset, stop: frozenset) -> Found:
    """Capitalised names after titles, relation words and cues ("Dr Patel", "my son Jack", "it's Zofia").
    After a weak cue ("it's", "this is", "thanks,") a common word is not a name ("it's Monday")."""
    out: Found = []
    for rx in (TITLED, RELATION_NAME, APPOSITIVE):
        for m in rx.finditer(text):
            if m.group(1).split()[0].lower() not in _COMMON:
                out.append((m.start(1), m.end(1)))
    for m in CALLED.finditer(text):
        cue = text[m.start() : m.start(1)].lower()
        weak = not any(k in cue for k in ("name", "called", "named"))
        if weak and not _could_be_name(m.group(1).split()[0], stop):
            continue
        out.append((m.start(1), m.end(1)))
    for m in FIRST_FROM.finditer(text):
        if _could_be_name(m.group(1), stop):
            out.append((m.start(1), m.end(1)))
    return out


def _self_intro(text: str, first: frozenset, stop: frozenset) -> Found:
    """ "I'm Jo Bloggs", "i am sarah jones", "hello im Ifeoma and ...": checked against the name lists."""
    out: Found = []
    for m in SELF_INTRO.finditer(text):
        a, b = m.group(1), m.group(2)
        a_name = a.lower() in first and a.lower() not in stop
        both_caps = (
            b is not None
            and a[:1].isupper()
            and b[:1].isupper()
            and not a.isupper()
            and a.lower() not in _COMMON
            and b.lower() not in _COMMON
            and a.lower() not in stop
            and a.lower() not in _NOT_SURNAME
            and a.lower() not in _FEELINGS
            and not a.lower().endswith("ing")
        )
        if a_name or both_caps:
            end = m.end(1)
            if (
                b
                and b.lower() not in _COMMON
                and b.lower() not in stop
                and b.lower() not in _NOT_SURNAME
                and (b[:1].isupper() or a[:1].islower())
            ):
                end = m.end(2)
            out.append((m.start(1), end))
        elif _lone_capitalised_name(text, m, stop):
            out.append((m.start(1), m.end(1)))
    return out


def _lone_capitalised_name(text: str, m: "re.Match", stop: frozenset) -> bool:
    """ "I am Xiaoling, ...": one capitalised word that is not a feeling, then a pause or "and"."""
    a = m.group(1)
    if not (a[:1].isupper() and not a.isupper() and _could_be_name(a, stop)):
        return False
    w = a.lower()
    if w in _FEELINGS or w in _NOT_SURNAME or w in _ING_WORDS or re.search(_ADJECTIVE_ENDINGS, w):
        return False
    return bool(re.match(r"\s*(?:[,.!?;]|$|\s(?:and|from|here|speaking|x+)\b)", text[m.end(1) :]))


def _lower_cued(text: str, first: frozenset, stop: frozenset) -> Found:
    """Lower-case names after cues, titles and relation words, where the name lists know them."""
    out: Found = []
    for rx, groups, hyphen_ok in (
        (CUED_LOWER, (1, 2), True),
        (TITLED_LOWER, (1,), False),
        (RELATION_NAME_LOWER, (1, 2), True),
    ):
        for m in rx.finditer(text):
            for g in groups:
                w = m.group(g)
                if (
                    w
                    and (w.lower() in first or (hyphen_ok and "-" in w and (g == 1 or rx is CUED_LOWER)))
                    and w.lower() not in stop
                ):
                    out.append((m.start(g), m.end(g)))
    return out


def _said_to_be_a_name(text: str, first: frozenset, stop: frozenset) -> Found:
    """After words that say a name follows ("my name is", "surname", "name -", "call me"), or before
    words that say it was one ("Wrzesniewska is my surname"): any word that could be a name, in any case."""
    out: Found = []
    for rx in (STRONG_CUED, SURNAME_CUED, IS_MY_NAME):
        for m in rx.finditer(text):
            words = [g for g in (1, 2) if m.group(g)]
            if not words or not _could_be_named(m.group(words[0]), stop):
                continue
            end = m.end(words[0])
            if len(words) > 1 and _could_be_named(m.group(words[1]), stop):
                end = m.end(words[1])
            out.append((m.start(words[0]), end))
    for m in CALL_ME.finditer(text):  # a strong cue: a name that is also a word ("Sunny") counts too
        if _could_be_named(m.group(1), stop):
            out.append((m.start(1), m.end(1)))
    for m in TITLE_ABBR_LOWER.finditer(text):  # "dr khan never rang back" (not "the dr said")
        w = m.group(1).lower()
        if _could_be_named(w, stop) and w not in _AFTER_TITLE and not re.search(r"(?:ed|n't)$", w):
            out.append((m.start(), m.end(1)))
    return out


def _introduced(text: str, first: frozenset, stop: frozenset) -> Found:
    """ "Zofia here", "Declan speaking", "Anjali Raman (the patient's wife) here", "Hi Sarah," and a name
    signed at the end ("... Kasia x", "Many thanks\nGwenllian Rees")."""
    out: Found = []
    for rx in (HERE_INTRO, GREETED, SIGNED_X, SIGNED_AFTER_THANKS):
        for m in rx.finditer(text):
            words = [g for g in (1, 2) if m.group(g)]
            if all(_intro_word(m.group(g), first, stop) for g in words):
                out.append((m.start(words[0]), m.end(words[-1])))
    return out


def _intro_word(word: str, first: frozenset, stop: frozenset) -> bool:
    """In an introduction: a capitalised word that could be a name, or a known first name in lower case."""
    if word[:1].isupper() and not word.isupper():
        return _could_be_name(word, stop)
    return word.lower() in first and word.lower() not in stop


def _could_be_name(word: str, stop: frozenset) -> bool:
    """A capitalised word that is not a common word, a place, a service or a greeting."""
    w = word.lower().strip("'")
    return (
        len(w) >= 2
        and w not in _COMMON
        and w not in _NOT_PERSON
        and w not in _places()
        and (w not in stop or word[:1].isupper() and w in _NAMES_ALSO_WORDS_OK)
    )


def _could_be_named(word: str, stop: frozenset) -> bool:
    """After a cue that says a name follows: any word but a function word or a common one, in any case."""
    w = word.lower().strip("'")
    return (
        len(w) >= 2
        and w not in _FUNCTION_WORDS
        and w not in _COMMON
        and w not in _NOT_PERSON
        and not w.endswith(("ing", "n't"))
        and not w.isdigit()
    )


# Capitalised words that are never people's names in these messages.
_COMMON = frozenset(
    """the a an i my our her his their this that it we you they he she please hi hello dear yes no
nhs hospital trust council commission care quality royal queen king street road centre center practice ward bay team
service services ombudsman england scotland wales ireland northern general university infirmary medical health social
surgery clinic unit department a&e gp doctor nurse monday tuesday wednesday thursday friday saturday sunday january
february march april may june july august september october november december christmas easter cubicle room bed
pals icb cqc dental pharmacy""".split()
)


# Words that follow a first name without being a surname ("I'm Sam and ...", "i am jo here").
_NOT_SURNAME = frozenset(
    """and but or so here again too also now then just from at in on with who by for to of about
is was am has had have will would can could should not really very still""".split()
)


# Title-case words after "I'm" that describe, not name ("I'm Very Upset", "I Am Sorry To Bother You").
_FEELINGS = frozenset(
    """sorry very really so angry upset worried scared afraid frightened fed sick tired disgusted
furious annoyed confused desperate unhappy disappointed livid concerned anxious a an the not just only still
british english scottish welsh irish disabled deaf blind pregnant elderly old new""".split()
)


# Words that stand where a name could, but never are one: greetings, people by role, places of care,
# shops that people name instead of a person ("it's Boots").
_NOT_PERSON = frozenset(
    """mum mam mom dad mother father reception receptionist receptionists staff nobody everybody
everyone someone somebody anyone anybody noone no-one nothing everything physio yes hello hi hey hiya morning afternoon
evening thanks thank ok okay boots lloyds superdrug anyway here there now today tonight tomorrow yesterday again sorry
please speaking carer carers family patient patients son daughter wife husband partner friend neighbour team manager
ambulance paramedic paramedics police all just also still x xx xxx many kind best regards cheers love i i'm im me
what which who where when why how what's it's its this that""".split()
)
# After a cue that says a name follows, these words show it did not ("my surname is spelt wrong").
_FUNCTION_WORDS = frozenset(
    """a an and or but nor the of on in at to for with from by as is was were are be been being
has had have not no yes spelt spelled wrong missing different incorrect misspelt misspelled changed still also same blank
empty correct right listed written shown printed there here field box please only too important private confidential
unknown withheld anonymous down up over under above below new old left now then so if when what where which who why how
this that these those it its me my mine you your he she his her they them their we us our just really very used given
put shall will would can could should may might must do does did done on off into onto about again ever never fine
good bad great irrelevant secret mine simple easy hard long short common unusual difficult known needed required
attached below above enough fake real same""".split()
)
# First names that are also words ("Grace", "Hope") count as names after a strong cue only, in capitals.
_NAMES_ALSO_WORDS_OK: frozenset = frozenset()


@lru_cache(maxsize=1)
def _places() -> frozenset:
    """One-word place names of the four nations (bot/understand/places.yml): "Leeds here" is not a person."""
    from bot.settings import PROJECT_DIR

    path = PROJECT_DIR / "bot" / "understand" / "places.yml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        return frozenset()
    words = [w for kind in ("places", "nation_words") for ws in (doc.get(kind) or {}).values() for w in ws]
    return frozenset(w.lower() for w in words if isinstance(w, str) and " " not in w)


def _name_tokens(text: str, first: frozenset, stop: frozenset) -> List[Tuple[int, int, str]]:
    """Known first names (capitalised, or after a relation word), with a following capitalised surname."""
    out = []
    tokens = _tokens(text)
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


def _name_tokens_rule(text: str, first: frozenset, stop: frozenset) -> Found:
    return [(a, b) for a, b, _ in _name_tokens(text, first, stop)]


class _Token:
    __slots__ = ("text", "idx", "is_alpha")

    def __init__(self, m: "re.Match") -> None:
        self.text, self.idx = m.group(), m.start()
        self.is_alpha = self.text.isalpha()


#: Words (letters, with inner apostrophes and hyphens: "O'Brien", "Jean-Paul"; a final "'s" apart), numbers,
#: line breaks and single punctuation marks. A regular expression in linear time: spaCy's tokenizer took up
#: to a second on 2,000 brackets or quotes, on the event loop of the Rasa server.
_TOKEN = re.compile(r"\n|[^\W\d_]+(?:['\u2019\-](?!s\b)[^\W\d_]+)*|\d+|['\u2019]s\b|[^\w\s]")


def _tokens(text: str) -> List[_Token]:
    return [_Token(m) for m in _TOKEN.finditer(text)]


def _is_place_name(text: str, start: int, end: int) -> bool:
    return bool(PLACE_BEFORE.search(text[max(0, start - 12) : start]) or PLACE_AFTER.match(text[end : end + 20]))


_NAME_RULES = (_cued, _self_intro, _lower_cued, _said_to_be_a_name, _introduced, _name_tokens_rule)


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
