"""Turn what people say about time ("last March", "two years ago", "3 wks") into months.

`months_since(text)` returns the number of months since the earliest time the
text mentions (the event, rather than a later letter), or None when it says no
time. Works on normalised text, relative to `today`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, List, Optional

from bot.understand.normalise import normalise

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "couple": 2,
    "a couple": 2,
    "a couple of": 2,
    "couple of": 2,
    "few": 3,
    "a few": 3,
    "several": 4,
    "some": 3,
    "half a": 0.5,
    "a half": 0.5,
}
UNIT_MONTHS = {"day": 1 / 30.4, "week": 12 / 52, "fortnight": 24 / 52, "month": 1.0, "year": 12.0}
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update(
    {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
SEASONS = {
    "spring": 4,
    "summer": 7,
    "autumn": 10,
    "winter": 1,
    "christmas": 12,
    "xmas": 12,
    "easter": 4,
    "new year": 1,
    "bonfire night": 11,
    "halloween": 10,
    # Welsh: "ers y Pasg" (since Easter), "adeg y Nadolig" (at Christmas), "yr haf diwetha" (last summer)
    "pasg": 4,
    "nadolig": 12,
    "dolig": 12,
    "haf": 7,
    "gwanwyn": 4,
    "gaeaf": 1,
}

_NUM = (
    r"(\d+(?:\.\d+)?|half an?|an? half|a couple of|a couple|couple of|a few|few|several|some|an?|"
    + "|".join(k for k in NUMBER_WORDS if " " not in k and k not in ("a", "an"))
    + r")"
)
_UNIT = r"(days?|weeks?|fortnights?|months?|years?)"
# "3 weeks", "two years ago", "a few months back", "18 months" (not "4 year old", "20 hours a week")
_SPAN = re.compile(
    rf"(?<![\w£$])(?:over |about |around |nearly |almost |roughly |just over |under |more than |less than |the last |the past |last |past )?{_NUM} (?:and an? half )?{_UNIT}(?! old)(?: ago| back| before)?"
)
_OTHER = [
    (
        re.compile(
            r"\b(today|this morning|this afternoon|this evening|tonight|last night|yesterday|earlier today|just now|right now|at the moment|currently|still happening|ongoing|every day)\b"
        ),
        0.0,
    ),
    (re.compile(r"\b(the other day|a few days ago|couple of days ago|this week|few days)\b"), 0.1),
    (re.compile(r"\blast week(end)?\b"), 0.25),
    (re.compile(r"\b(?:last|on|this|on the) (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"), 0.15),
    # "Monday there", "Tuesday past", "Friday gone": Irish and Scots English for the last one
    (
        re.compile(
            r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday) (?:there|past|gone|just gone|just past)\b"
        ),
        0.15,
    ),
    (re.compile(r"\bfor (?:a few |some )?weeks\b"), 1.0),
    (re.compile(r"\bfor (?:a few |some |several )?months\b"), 3.0),
    (re.compile(r"\bfor (?:a few |some |several )?years\b"), 24.0),
    (re.compile(r"\bfor ages\b"), 6.0),
    (re.compile(r"\b(this month|earlier this month|a fortnight ago|two weeks ago)\b"), 0.5),
    (re.compile(r"\blast month\b"), 1.0),
    (re.compile(r"\b(a while ago|a while back)\b"), 3.0),
    (re.compile(r"\b(earlier this year|this year)\b"), None),  # handled below (depends on today)
    (re.compile(r"\blast year\b"), 12.0),
    (re.compile(r"\b(over|more than) a year\b"), 14.0),
    (re.compile(r"\b(a year and a half|year and a half)\b"), 18.0),
    (
        re.compile(
            r"\b(many years|a long time ago|ages ago|(?<!\d )(?<!one )(?<!two )(?<!few )(?<!several )(?<!couple of )years ago)\b"
        ),
        36.0,
    ),
]
_MONTH_NAME = re.compile(
    r"\b(?:(last|this|in|since|from|back in|early|late|mid|end of|start of|beginning of) )?("
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\b(?: (\d{4}|last year|this year))?"
)
_SEASON = re.compile(
    r"\b(?:(last|this|in the|since|over|at|around|before|after|ers y|ers yr|adeg y|adeg yr|dros y|dros yr|yn y|yn yr|cyn y|ar ôl y) )?("
    + "|".join(sorted(SEASONS, key=len, reverse=True))
    + r")\b(?: (\d{4}|last year))?"
)
_YEAR = re.compile(r"\b(?:in|since|from|back in|during) (20\d\d|19\d\d)\b")
_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")


# Welsh: numbers and units as they are said, with their mutations ("dau fis", "tair wythnos",
# "dwy flynedd", "ers mis"), and the common phrases ("mis diwetha", "llynedd", "ym mis Hydref").
WELSH_NUMBERS = {
    "un": 1,
    "dau": 2,
    "dwy": 2,
    "tri": 3,
    "tair": 3,
    "pedwar": 4,
    "pedair": 4,
    "pump": 5,
    "pum": 5,
    "chwe": 6,
    "chwech": 6,
    "saith": 7,
    "wyth": 8,
    "naw": 9,
    "deg": 10,
    "deuddeg": 12,
    "ychydig": 3,
    "cwpl o": 2,
    "cwpwl o": 2,
    "sawl": 4,
}
WELSH_UNITS = {
    "mis": "month",
    "fis": "month",
    "misoedd": "month",
    "wythnos": "week",
    "wythnosau": "week",
    "blwyddyn": "year",
    "flwyddyn": "year",
    "blynedd": "year",
    "mlynedd": "year",
    "flynedd": "year",
    "diwrnod": "day",
    "ddiwrnod": "day",
    "niwrnod": "day",
    "diwrnodau": "day",
    "dydd": "day",
}
WELSH_MONTHS = {
    "ionawr": 1,
    "chwefror": 2,
    "mawrth": 3,
    "ebrill": 4,
    "mai": 5,
    "mehefin": 6,
    "gorffennaf": 7,
    "awst": 8,
    "medi": 9,
    "hydref": 10,
    "tachwedd": 11,
    "rhagfyr": 12,
}
_CY_SPAN = re.compile(
    r"\b("
    + "|".join(sorted(WELSH_NUMBERS, key=len, reverse=True))
    + r"|\d+) ("
    + "|".join(sorted(WELSH_UNITS, key=len, reverse=True))
    + r")\b"
)
_CY_OTHER = [
    (re.compile(r"\b(heddiw|ddoe|neithiwr|bore 'ma|bore ma|ar hyn o bryd)\b"), 0.0),
    (re.compile(r"\b(wythnos diwetha|wythnos diwethaf|yr wythnos diwetha|yr wythnos diwethaf|wythnos yma)\b"), 0.25),
    (re.compile(r"\b(mis diwetha|mis diwethaf|y mis diwetha|y mis diwethaf|mis yma|fis diwetha)\b"), 1.0),
    (re.compile(r"\b(llynedd|y llynedd|blwyddyn diwetha|flwyddyn diwetha)\b"), 12.0),
    (re.compile(r"\b(ers talwm|blynyddoedd yn ôl)\b"), 36.0),
    (re.compile(r"\b(mis|fis) yn ôl\b"), 1.0),
    # "tua mis" (about a month), "bron i flwyddyn" (nearly a year): a unit alone is one of it
    (re.compile(r"\b(tua|ryw|rhyw|bron i|bron) (mis|fis)\b"), 1.0),
    (re.compile(r"\b(tua|ryw|rhyw|bron i|bron) (wythnos|pythefnos|bythefnos)\b"), 0.25),
    (re.compile(r"\b(tua|ryw|rhyw|bron i|bron) (blwyddyn|flwyddyn)\b"), 12.0),
    (re.compile(r"\bwythnos yn ôl\b"), 0.25),
    (re.compile(r"\b(blwyddyn|flwyddyn) yn ôl\b"), 12.0),
    # compounds: "deufis" (two months), "pythefnos" (a fortnight), "deuddydd"/"tridiau" (two or three days)
    (re.compile(r"\b(deufis|ddeufis)\b"), 2.0),
    (re.compile(r"\b(pythefnos|bythefnos|mhythefnos)\b"), 0.5),
    (re.compile(r"\b(deuddydd|ddeuddydd|tridiau|dridiau)\b"), 0.1),
]
_OTHER += _CY_OTHER  # the Welsh phrases are read like the English ones (_phrases)
_CY_MONTH = re.compile(r"\b(?:ym mis|mis|fis) (" + "|".join(WELSH_MONTHS) + r")\b")


# ------------------------------------------------------------------ one reader per way of saying a time
# Each reader returns the months ago of every mention of its kind in the normalised text.


def _spans(t: str, today: dt.date) -> List[float]:
    """ "3 weeks", "two years ago", "a few months back", "18 months"."""
    found = (_span_months(m, t) for m in _SPAN.finditer(t))
    return [n for n in found if n is not None]


def _wait_spans(t: str, today: dt.date) -> List[float]:
    """Spans including how long a wait was: in answer to "when did it happen?", "waiting 6 months" is when."""
    found = (_span_months(m, t, waits=True) for m in _SPAN.finditer(t))
    return [n for n in found if n is not None]


def _span_months(m: re.Match, t: str, waits: bool = False) -> Optional[float]:
    """The months of one span, or None when it is not when it happened (a rate, a limit, the future, a wait)."""
    prefix = t[max(0, m.start() - 12) : m.start()]
    num_text, unit = m.group(1), m.group(2).rstrip("s")
    if _is_rate(m, prefix) or _is_time_limit(t[m.end() : m.end() + 24]) or _is_not_past(m, prefix):
        return None
    if (
        m.group(2).startswith("year")
        and not m.group(0).endswith(("ago", "back", "before"))
        and _AGE_BEFORE.search(prefix)
    ):
        return None  # an age ("my son 8 year have pain"), not when it happened
    if not waits and _is_a_wait(t[max(0, m.start() - 30) : m.start()], t[m.end() : m.end() + 24]):
        return None
    n = _number(num_text)
    if n is None:
        return None
    if "and a half" in m.group(0) or "and an half" in m.group(0):
        n += 0.5
    if n > 100 and unit in ("day", "week"):
        return None
    return n * UNIT_MONTHS[unit]


_CUE_BEFORE = re.compile(r"(over|about|around|nearly|almost|for|than|past|last|just|within|under) $")
_CUE_START = (
    "over",
    "about",
    "around",
    "nearly",
    "almost",
    "more",
    "the",
    "last",
    "past",
    "just",
    "under",
    "roughly",
    "less",
)


def _is_rate(m: re.Match, prefix: str) -> bool:
    """ "a week" / "a month" alone is usually a rate ("20 hours a week"): it needs a cue."""
    return (
        m.group(1) in ("a", "an")
        and not re.search(r"(ago|back|before)$", m.group(0))
        and not _CUE_BEFORE.search(prefix + " ")
        and not m.group(0).startswith(_CUE_START)
    )


def _is_time_limit(after: str) -> bool:
    """ "a 12 month limit", "the 6 month rule": a time limit, not when it happened."""
    return bool(re.match(r"s? (time )?(limit|rule|deadline|cut ?off|window|time limit|wait|waiting list)", after))


_WAIT_BEFORE = re.compile(
    r"\b(wait|waiting list|list|queue|waited|waiting|backlog)( time)?( was| is| of| for| would be| would have been| had been)?"
    r"( over| about| nearly| almost| more than| at least| around)? $"
)
_WAIT_AFTER = re.compile(
    r"^s?( of)? (on the (waiting )?list|wait\b|waiting\b|to be seen|for (my|his|her|the) (op|operation|surgery))"
)


#: How long someone has lived with a condition is not when the care happened: "eight years I've had this",
#: "I've had endometriosis for 8 years", "suffering with my back for years".
_ILLNESS_BEFORE = re.compile(
    r"\b(had|lived with|living with|suffered with|suffering with|suffered from|suffering from|struggled with|"
    r"struggling with|battled|battling)( \w+){0,3} for $"
)
#: How long someone has paid in, worked, lived somewhere or been a patient is not when it happened either:
#: "paid my taxes for 46 years", "been with that practice for 20 years".
_BELONGED_BEFORE = re.compile(
    r"\b(taxes|tax|insurance|stamp|worked( there| here)?|lived( here| there)?|been with (them|the practice|this \w+|that \w+|the \w+)|"
    r"registered( there| with them| with the \w+)?|a patient( there| of theirs| at the \w+)?|been going there|known (her|him|them)|"
    r"been under (them|the \w+)) (for|over) $"
)
_ILLNESS_AFTER = re.compile(
    r"^ (i|she|he|we|they) (have|has) (had|lived with|suffered|been suffering|been living) (this|it)\b"
)


def _is_a_wait(before: str, after: str) -> bool:
    """ "the NHS list was 2 years", "2 years on the waiting list": how long a wait is, not when it happened;
    nor how long an illness has lasted ("I've had this for eight years")."""
    found = (
        _WAIT_BEFORE.search(before),
        _WAIT_AFTER.match(after),
        _ILLNESS_BEFORE.search(before),
        _ILLNESS_AFTER.match(after),
        _BELONGED_BEFORE.search(before),  # nor how long they have paid in or been a patient there
    )
    return any(found)


#: Before a number of years, these make it someone's age: "my son 8 year have pain", "mum, 84 years".
_AGE_BEFORE = re.compile(r"\b(son|daughter|child|boy|girl|baby|mum|dad|mother|father|nan|gran|he|she|aged|age)\W* $")


def _is_not_past(m: re.Match, prefix: str) -> bool:
    """ "every 2 weeks", "in 3 weeks" (the future) are not when it happened ("for", "since" before them are)."""
    repeated_or_future = (
        re.search(r"(every|per|times a|hours a|\d) $", prefix)
        or re.search(r"\bin $", prefix)
        and not m.group(0).endswith("ago")
    )
    return bool(repeated_or_future) and not re.search(r"(for|since) ", prefix)


def _number(num_text: str) -> Optional[float]:
    """A number said in words ("a few", "two") or digits."""
    n = NUMBER_WORDS.get(num_text)
    if n is not None:
        return n
    try:
        return float(num_text)
    except ValueError:
        return None


def _phrases(t: str, today: dt.date) -> List[float]:
    """Set phrases, English and Welsh ("yesterday", "last month", "llynedd")."""
    found: List[float] = []
    for pattern, value in _OTHER:
        for _ in pattern.finditer(t):
            # None: "earlier this year", roughly half of the months so far
            found.append(max(0.5, (today.month - 1) / 2) if value is None else value)
    return found


_SHORT_MONTHS = ("mar", "jan", "dec", "sept", "sep", "oct", "nov", "aug", "apr", "jun", "jul", "feb")


def _month_names(t: str, today: dt.date) -> List[float]:
    """ "last March", "in Sept 2023" ("may" alone is the verb; a short name needs a qualifier or year)."""
    found: List[float] = []
    for m in _MONTH_NAME.finditer(t):
        qualifier, name, year = m.group(1), m.group(2), m.group(3)
        if (name == "may" or name in _SHORT_MONTHS) and not (qualifier or year):
            continue
        found.append(_months_to(today, MONTHS[name], year, qualifier))
    return found


def _seasons(t: str, today: dt.date) -> List[float]:
    """ "last summer", "at Christmas" (a season alone needs a qualifier or year)."""
    found: List[float] = []
    for m in _SEASON.finditer(t):
        qualifier, name, year = m.group(1), m.group(2), m.group(3)
        if name in ("spring", "summer", "autumn", "winter", "haf", "gwanwyn", "gaeaf") and not qualifier and not year:
            continue
        found.append(_months_to(today, SEASONS[name], year, qualifier))
    return found


def _years(t: str, today: dt.date) -> List[float]:
    """ "in 2022", "since 2019": the middle of that year (this year: half the months so far)."""
    found: List[float] = []
    for m in _YEAR.finditer(t):
        year = int(m.group(1))
        if year < today.year:
            found.append(max(0.5, (today.year - year) * 12 + today.month - 6.5))
        elif year == today.year:
            found.append(max(0.5, (today.month - 1) / 2))
    return found


def _dates(t: str, today: dt.date) -> List[float]:
    """ "3/4/2024", "03.04.24": a date in the past."""
    found: List[float] = []
    for m in _DATE.finditer(t):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            when = dt.date(y + 2000 if y < 100 else y, mo, d)
        except ValueError:
            continue
        if when <= today:
            found.append((today - when).days / 30.4)
    return found


def _welsh_spans(t: str, today: dt.date) -> List[float]:
    """Welsh spans with their mutations ("dau fis", "tair wythnos", "dwy flynedd")."""
    found: List[float] = []
    for m in _CY_SPAN.finditer(t):
        n = WELSH_NUMBERS.get(m.group(1))
        n = float(m.group(1)) if n is None else n
        found.append(n * UNIT_MONTHS[WELSH_UNITS[m.group(2)]])
    return found


def _welsh_months(t: str, today: dt.date) -> List[float]:
    """ "ym mis Hydref": the last October."""
    return [_months_to(today, WELSH_MONTHS[m.group(1)], None, "last") for m in _CY_MONTH.finditer(t)]


#: Every way of saying a time, each read on its own; the earliest mention wins (months_since).
_BARE = re.compile(
    r"^(?:(?:about|around|roughly|nearly|almost|just|only|maybe|probably|over) )?(?:a|an|one) "
    r"(day|week|fortnight|month|year)(?: or (?:so|two))?(?:ish)?(?: now)?[ .!]*$"
)


def _bare_unit(t: str, today: dt.date) -> List[float]:
    """A whole answer that is only "a month" or "about a week": when it happened, not a rate."""
    m = _BARE.match(t.strip())
    return [UNIT_MONTHS[m.group(1)]] if m else []


MENTIONS: List[Callable[[str, dt.date], List[float]]] = [
    _bare_unit,
    _spans,
    _phrases,
    _month_names,
    _seasons,
    _years,
    _dates,
    _welsh_spans,
    _welsh_months,
]


def months_since(text: str, today: Optional[dt.date] = None, answering: bool = False) -> Optional[float]:
    """Months since the earliest time mentioned in `text`, or None if it mentions none.

    How long a wait was ("the list was 2 years") is not when it happened, unless it is all an answer to
    "when did it happen?" says (`answering`): "we've been waiting 6 months"."""
    today = today or dt.date.today()
    t = normalise(text)
    found = [months for read in MENTIONS for months in read(t, today)]
    if not found and answering:
        found = _wait_spans(t, today)
    if not found:
        return None
    return round(max(found), 2)


def _months_to(today: dt.date, month: int, year: Optional[str], qualifier: Optional[str]) -> float:
    """Months from the given month (of the most recent past year that fits) to today."""
    if year and year.isdigit():
        y = int(year)
    elif year == "last year":
        y = today.year - 1
    else:
        y = today.year if month <= today.month else today.year - 1
        if qualifier == "last" and month >= today.month:
            y = today.year - 1
    months = (today.year - y) * 12 + (today.month - month) + (today.day - 15) / 30.4
    return max(0.0, round(months, 1))
