"""Reading a reply to one question, where short answers make sense.

`interpret_answer(slot, text)` returns an `Answer`:
  status "ok"       value understood (value is the fact's value)
  status "unknown"  the person does not know or would rather not say
  status "unclear"  nothing usable; ask again differently or move on
`other_facts` holds any other case facts the reply mentioned ("no, and it was
the dentist actually"), so corrections are never lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Dict, List, Optional

from bot.understand.normalise import normalise

YES = {
    "yes",
    "yeah",
    "yea",
    "yep",
    "yup",
    "aye",
    "correct",
    "right",
    "sure",
    "ok",
    "okay",
    "please",
    "definitely",
    "absolutely",
    "certainly",
    "y",
    "ya",
    "yh",
    "yess",
    "yesss",
    "true",
    "agreed",
    "go",
    "fine",
    "course",
    "affirmative",
    "ie",
    "ia",
    "ydw",
    "ydy",
    "ydyn",
    "ydych",
    "oes",
    "yndw",
    "iawn",
    "cywir",
    "do",
    "wrth gwrs",
}
NO = {
    "no",
    "nope",
    "nah",
    "not",
    "none",
    "never",
    "n",
    "nay",
    "neither",
    "negative",
    "wrong",
    "incorrect",
    "na",
    "naddo",
    "nag",
    "nac",
    "anghywir",
}
DONT_KNOW = (
    "do not know",
    "not sure",
    "no idea",
    "unsure",
    "can not remember",
    "cannot remember",
    "not certain",
    "no clue",
    "i dunno",
    "dunno",
    "hard to say",
    "can not say",
    "not really sure",
    "i forget",
    "maybe",
    # Welsh
    "dwn i ddim",
    "wn i ddim",
    "dwi ddim yn gwybod",
    "dw i ddim yn gwybod",
    "dydw i ddim yn gwybod",
    "sai'n gwybod",
    "sa i'n gwybod",
    "smo fi'n gwybod",
    "sa i n gwybod",
    "sai yn gwybod",
    "dim syniad",
    "ddim yn siwr",
    "ddim yn siŵr",
    "dim yn siwr",
    "dim yn siŵr",
    "ddim yn cofio",
    "dw i ddim yn cofio",
    "efallai",
    "falle",
)
SKIP = (
    "skip",
    "pass",
    "rather not say",
    "rather not",
    "prefer not",
    "do not want to say",
    "do not want to answer",
    "next question",
    "no comment",
    "leave it",
    "move on",
    "not telling",
)
FEEDBACK_WORDS = {
    "strongly disagree": 1,
    "totally disagree": 1,
    "not at all": 1,
    "disagree": 2,
    "not really": 2,
    "neutral": 3,
    "neither": 3,
    "somewhat": 3,
    "a bit": 3,
    "partly": 3,
    "sort of": 3,
    "kind of": 3,
    "agree": 4,
    "mostly": 4,
    "yes mostly": 4,
    "strongly agree": 5,
    "completely": 5,
    "totally agree": 5,
    "definitely": 5,
    "absolutely": 5,
    "fully": 5,
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?|0)(?:\d[\s-]?){9,10}\d?")


@dataclass
class Answer:
    """What a reply said to one question: its status, the value, and any other facts it mentioned."""

    status: str  # ok | unknown | unclear
    value: Any = None
    other_facts: Dict[str, Any] = field(default_factory=dict)


def _tokens(norm: str) -> set:
    return set(re.findall(r"[a-z0-9]+", norm))


def _has(norm: str, phrases) -> bool:
    padded = f" {norm} "
    return any(f" {p} " in padded for p in phrases)


def yes_no(text: str) -> Optional[bool]:
    """True for a yes, False for a no, None when it is neither or both."""
    norm = normalise(text)
    toks = _tokens(norm)
    first = next(iter(re.findall(r"[a-z]+", norm)), "")
    if first in YES:
        return True
    if first in NO:
        return False
    y, n = bool(toks & YES), bool(toks & NO)
    if y and not n:
        return True
    if n and not y:
        return False
    return None


#: Words that take back what came before them in the same answer ("England... actually no sorry, Scotland").
#: Words that correct what came before in the same answer. "rather" only as "or rather" ("I'd rather not say"
#: corrects nothing); "actually" unless it is an adverb of the verb before it (see `_corrections`).
_CORRECTION = re.compile(
    r"\b(actually|sorry|i mean|i meant|no wait|oh wait|wait no|correction|scratch that|my mistake|"
    r"that'?s wrong|that is wrong|not quite|or rather)\b",
    re.IGNORECASE,
)
#: Before "actually", these make it part of the verb ("I've never actually complained", "I did actually ring").
_ADVERB_BEFORE = frozenset(
    "never not n't nt have has had did do does was were is are am ve i we they he she you it".split()
)


#: Around "sorry", these make it an apology or politeness, not a correction ("she say sorry", "sorry to bother you").
_APOLOGY_BEFORE = frozenset("say said says saying was am im i'm so very really not no me they she he we".split())


def _an_apology(before: str, after: str) -> bool:
    """ "she said sorry", "I'm so sorry", "sorry for the long message": not "Wales, sorry, England"."""
    return before in _APOLOGY_BEFORE or bool(re.match(r"\s+(for|to|about|that|if|but)\b", after.lower()))


def _corrections(text: str) -> List[re.Match]:
    """The correction marks in `text` ("Wales - sorry, England"), without the adverb "actually"."""
    marks = []
    for m in _CORRECTION.finditer(text):
        before = (re.findall(r"[\w'’]+", text[: m.start()].lower()) or [""])[-1].replace("’", "'")
        verb = before in _ADVERB_BEFORE or before.endswith("n't") or before.split("'")[-1] in _ADVERB_BEFORE
        if m.group(1).lower() == "actually" and verb:
            continue
        if m.group(1).lower() == "sorry" and _an_apology(before, text[m.end() :]):
            continue
        marks.append(m)
    return marks


def interpret_answer(slot: str, text: str, today=None) -> Answer:
    """Interpret `text` as the answer to the question for `slot`.

    When the person corrects themselves inside the answer, what follows the last correction wins."""
    marks = _corrections(text or "")
    tail = text[marks[-1].end() :] if marks else ""
    if tail.strip(" .,!-:;"):
        later = _interpret(slot, tail, today)
        if later.status == "ok":
            whole = _interpret(slot, text, today)
            later.other_facts = {k: v for k, v in {**whole.other_facts, **later.other_facts}.items() if k != slot}
            return later
    return _interpret(slot, text, today)


def _interpret(slot: str, text: str, today=None) -> Answer:
    from bot.understand import extract_facts

    norm = normalise(text)
    ex = extract_facts(text, answer_to=slot, today=today)
    facts = dict(ex.facts)
    value = facts.pop(slot, None) if slot in facts else None
    if value is None and (_has(norm, DONT_KNOW) or _has(norm, SKIP)) and slot not in ("feedback", "contact"):
        return Answer("unknown", None, facts)
    answer = _specific(slot, norm, value, text, facts)
    # Whatever else they told us is kept as other facts (a correction, an extra detail).
    if answer.status == "ok" and slot in answer.other_facts:
        answer.other_facts.pop(slot)
    if answer.status != "ok" and _has(norm, SKIP):
        answer.status = "unknown"
    elif answer.status != "ok" and _has(norm, DONT_KNOW):
        answer.status = "unknown"
    return answer


#: Facts the fact extractor reads from any message: when it found the value, that is the answer.
EXTRACTED = (
    "nation",
    "service",
    "stage",
    "professional",
    "anonymity",
    "issues",
    "outcomes",
    "months_since",
    "on_behalf",
    "risk_now",
)


@dataclass
class Reply:
    """One reply as a reader sees it: the normalised text, the value the extractor found for the
    fact asked about (or None), the raw text, and the other facts it mentioned."""

    norm: str
    value: Any
    raw: str
    others: Dict[str, Any]

    @cached_property
    def yn(self) -> Optional[bool]:
        """The reply as a yes or a no (None when it is neither or both)."""
        return yes_no(self.raw)

    def ok(self, value: Any) -> Answer:
        """The question answered with `value` (other facts kept)."""
        return Answer("ok", value, self.others)

    def unclear(self) -> Answer:
        """Nothing usable for this question (other facts kept)."""
        return Answer("unclear", None, self.others)


def _specific(slot: str, norm: str, value: Any, raw: str, others: Dict[str, Any]) -> Answer:
    """Read a reply to the question for `slot` with that fact's own reader (READERS)."""
    reply = Reply(norm, value, raw, others)
    if slot in EXTRACTED and value is not None:
        return reply.ok(value)
    return READERS.get(slot, _read_nothing_more)(reply)


# ------------------------------------------------------------------------ one reader per fact
# Each reader is given a reply in which the extractor found nothing for its fact (except funding,
# which also reads the extractor's "unknown"), and says what a short answer means for that question.


def _read_nothing_more(r: Reply) -> Answer:
    """nation, service, months_since and anything else: only the extractor reads them.
    ("UK" or "Britain" for the nation is no answer: it is asked again.)"""
    return r.unclear()


_WEEKDAY_FIRST = re.compile(r"^\W*(on )?(mon|tues|tue|wednes|wed|thurs|thu|fri|satur|sat|sun)(day)?\b")


def _read_months_since(r: Reply) -> Answer:
    """When it happened: only the extractor reads dates, but a reply that is a weekday ("Monday", "Friday
    night") is the last one, a few days ago."""
    if _WEEKDAY_FIRST.match(r.norm):
        return r.ok(0.15)
    return r.unclear()


def _read_funding(r: Reply) -> Answer:
    """Who pays: the extractor's reading, or "me"/"we do" for paying yourself."""
    if r.value == "unknown":
        return Answer("unknown", None, r.others)
    if r.value is not None:
        return r.ok(r.value)
    if _has(
        r.norm,
        (
            "me",
            "myself",
            "i do",
            "i pay",
            "she does",
            "he does",
            "they do",
            "we do",
            "us",
            "ourselves",
            "her",
            "him",
            "them",
        ),
    ):
        return r.ok("self_funded")
    return r.unclear()


def _read_stage(r: Reply) -> Answer:
    """Have you raised it with them yet: no is not raised; yes is raised informally."""
    if r.yn is False or _has(r.norm, ("not yet", "nothing", "nope", "no one", "nobody")):
        return r.ok("not_raised")
    if r.yn is True:
        return r.ok("raised_informally")
    return r.unclear()


def _read_risk_now(r: Reply) -> Answer:
    """Is anyone in danger now: words of danger count as yes unless it is a plain no."""
    if _has(r.norm, ("danger", "at risk", "scared", "unsafe", "hurt", "harm")) and r.yn is not False:
        return r.ok(True)
    return r.ok(r.yn) if r.yn is not None else r.unclear()


def _read_on_behalf(r: Reply) -> Answer:
    """Is it about you or someone else."""
    if _has(r.norm, ("someone else", "other person", "for them", "relative", "family member", "a friend", "my family")):
        return r.ok(True)
    if _has(r.norm, ("me", "myself", "i am", "mine", "my own", "just me", "for me", "about me")):
        return r.ok(False)
    return r.unclear()


def _read_professional(r: Reply) -> Answer:
    """Which professional: no one in particular (or several) is "other"."""
    if r.yn is False or _has(
        r.norm,
        ("no one", "nobody", "not one", "no one in particular", "several", "the team", "everyone", "all of them"),
    ):
        return r.ok("other")
    return r.unclear()


def _read_issues(r: Reply) -> Answer:
    """What went wrong, in their own words: kept as "other" rather than asked again."""
    return r.ok(["other"]) if len(r.norm.split()) >= 3 else r.unclear()


def _read_outcomes(r: Reply) -> Answer:
    """What they want: a wish in their own words ("for the carers to come when they should") is a wish
    to put it right; "nothing" or "no idea" is not knowing."""
    if _has(r.norm, ("nothing", "no idea", "not sure", "do not know")):
        return Answer("unknown", None, r.others)
    if len(r.norm.split()) >= 3 and r.yn is None:
        return r.ok(["put_right"])
    return r.unclear()


def _read_yes_no(r: Reply) -> Answer:
    """A plain yes or no (advocacy, transcript consent)."""
    return r.ok(r.yn) if r.yn is not None else r.unclear()


def _read_confirm(r: Reply) -> Answer:
    """Is the summary right: a yes or a no, unless the reply corrects a fact (other_facts), which the
    intake applies instead."""
    if r.others:
        return Answer("unclear", r.yn, r.others)
    return _read_yes_no(r)


def _read_consent(r: Reply) -> Answer:
    """Does the person it is about agree: deceased, cannot give it, yes or no."""
    if _has(r.norm, ("died", "passed away", "dead", "deceased", "no longer with us")):
        return r.ok("deceased")
    if _has(
        r.norm,
        (
            "can not",
            "unable",
            "lacks capacity",
            "lack capacity",
            "no capacity",
            "dementia",
            "too ill",
            "not able",
            "does not understand",
            "can not understand",
            "power of attorney",
            "unconscious",
            "baby",
            "child",
            "too young",
        ),
    ):
        return r.ok("cannot_give")
    if r.yn is True or _has(
        r.norm, ("happy for me", "they know", "she knows", "he knows", "asked me", "wants me", "agreed", "said go")
    ):
        return r.ok("yes")
    return r.ok("no") if r.yn is False else r.unclear()


def _read_contact(r: Reply) -> Answer:
    """An email address or phone number to be contacted on, or no contact (None). Never other facts."""
    email, phone = EMAIL.search(r.raw), PHONE.search(r.raw)
    if email or phone:
        return Answer(
            "ok",
            {
                "email": email.group(0) if email else None,
                "phone": re.sub(r"[\s-]", "", phone.group(0)) if phone else None,
            },
            {},
        )
    if r.yn is False or _has(
        r.norm, ("do not contact", "no thanks", "myself", "i will contact", "i will do it", "rather not")
    ):
        return Answer("ok", None, {})
    return Answer("unclear", None, {})


def _read_feedback(r: Reply) -> Answer:
    """A score from 1 to 5: a digit, a number word, agreement words, or yes (4) and no (2)."""
    m = re.search(r"\b([1-5])\b", r.norm)
    if m:
        return Answer("ok", int(m.group(1)), {})
    score = next((n for word, n in NUMBER_WORDS.items() if re.search(rf"\b{word}\b", r.norm)), None)
    if score is None:
        score = next(
            (FEEDBACK_WORDS[p] for p in sorted(FEEDBACK_WORDS, key=len, reverse=True) if _has(r.norm, (p,))), None
        )
    if score is None:
        score = {True: 4, False: 2}.get(r.yn)
    return Answer("ok", score, {}) if score is not None else Answer("unclear", None, {})


def _read_anonymity(r: Reply) -> Answer:
    """May we give your name: yes (or "fine", "happy") is named."""
    if r.yn is True or _has(r.norm, ("name", "fine", "do not mind", "happy")):
        return r.ok("named")
    return r.unclear()


#: The reader for each fact asked about; a fact not listed is read by the extractor only.
READERS: Dict[str, Callable[[Reply], Answer]] = {
    "funding": _read_funding,
    "stage": _read_stage,
    "months_since": _read_months_since,
    "risk_now": _read_risk_now,
    "on_behalf": _read_on_behalf,
    "professional": _read_professional,
    "issues": _read_issues,
    "outcomes": _read_outcomes,
    "confirm": _read_confirm,
    "advocacy": _read_yes_no,
    "transcript_consent": _read_yes_no,
    "consent": _read_consent,
    "contact": _read_contact,
    "feedback": _read_feedback,
    "anonymity": _read_anonymity,
}
