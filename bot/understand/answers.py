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
from typing import Any, Dict, Optional

from bot.understand.normalise import normalise

YES = {"yes", "yeah", "yea", "yep", "yup", "aye", "correct", "right", "sure", "ok", "okay", "please", "definitely",
       "absolutely", "certainly", "y", "ya", "yh", "yess", "yesss", "true", "agreed", "go", "fine", "course", "affirmative",
       "ie", "ia", "ydw", "ydy", "ydyn", "ydych", "oes", "yndw", "iawn", "cywir", "do", "wrth gwrs"}
NO = {"no", "nope", "nah", "not", "none", "never", "n", "nay", "neither", "negative", "wrong", "incorrect",
      "na", "naddo", "nag", "nac", "anghywir"}
DONT_KNOW = ("do not know", "not sure", "no idea", "unsure", "can not remember", "cannot remember", "not certain",
             "no clue", "i dunno", "dunno", "hard to say", "can not say", "not really sure", "i forget", "maybe")
SKIP = ("skip", "pass", "rather not say", "rather not", "prefer not", "do not want to say", "do not want to answer",
        "next question", "no comment", "leave it", "move on", "not telling")
FEEDBACK_WORDS = {
    "strongly disagree": 1, "totally disagree": 1, "not at all": 1, "disagree": 2, "not really": 2,
    "neutral": 3, "neither": 3, "somewhat": 3, "a bit": 3, "partly": 3, "sort of": 3, "kind of": 3,
    "agree": 4, "mostly": 4, "yes mostly": 4, "strongly agree": 5, "completely": 5, "totally agree": 5,
    "definitely": 5, "absolutely": 5, "fully": 5,
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?|0)(?:\d[\s-]?){9,10}\d?")


@dataclass
class Answer:
    status: str                      # ok | unknown | unclear
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
_CORRECTION = re.compile(r"\b(actually|sorry|i mean|i meant|no wait|oh wait|wait no|correction|scratch that|my mistake|"
                         r"that'?s wrong|that is wrong|not quite|or rather|rather)\b", re.IGNORECASE)


def interpret_answer(slot: str, text: str, today=None) -> Answer:
    """Interpret `text` as the answer to the question for `slot`.

    When the person corrects themselves inside the answer, what follows the last correction wins."""
    marks = list(_CORRECTION.finditer(text or ""))
    tail = text[marks[-1].end():] if marks else ""
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
    if slot == "months_since" and value is None:
        value = None
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


def _specific(slot: str, norm: str, value: Any, raw: str, others: Dict[str, Any]) -> Answer:  # noqa: C901 - issue 14 point 5: one reader per fact
    yn = yes_no(raw)
    if slot in ("nation", "service", "stage", "professional", "anonymity", "issues", "outcomes", "months_since", "on_behalf", "risk_now"):
        if value is not None:
            if slot == "funding" and value == "unknown":
                return Answer("unknown", None, others)
            return Answer("ok", value, others)
    if slot == "funding":
        if value == "unknown":
            return Answer("unknown", None, others)
        if value is not None:
            return Answer("ok", value, others)
        if _has(norm, ("me", "myself", "i do", "i pay", "she does", "he does", "they do", "we do", "us", "ourselves", "her", "him", "them")):
            return Answer("ok", "self_funded", others)
        return Answer("unclear", None, others)
    if slot == "stage":
        if yn is False or _has(norm, ("not yet", "nothing", "nope", "no one", "nobody")):
            return Answer("ok", "not_raised", others)
        if yn is True:
            return Answer("ok", "raised_informally", others)
        return Answer("unclear", None, others)
    if slot == "risk_now":
        if _has(norm, ("danger", "at risk", "scared", "unsafe", "hurt", "harm")) and yn is not False:
            return Answer("ok", True, others)
        if yn is not None:
            return Answer("ok", yn, others)
        return Answer("unclear", None, others)
    if slot == "on_behalf":
        if _has(norm, ("someone else", "other person", "for them", "relative", "family member", "a friend", "my family")):
            return Answer("ok", True, others)
        if _has(norm, ("me", "myself", "i am", "mine", "my own", "just me", "for me", "about me")):
            return Answer("ok", False, others)
        return Answer("unclear", None, others)
    if slot == "professional":
        if yn is False or _has(norm, ("no one", "nobody", "not one", "no one in particular", "several", "the team", "everyone", "all of them")):
            return Answer("ok", "other", others)
        return Answer("unclear", None, others)
    if slot == "issues":
        # They described what went wrong in their own words: keep it as "other" rather than ask again.
        if len(norm.split()) >= 3:
            return Answer("ok", ["other"], others)
        return Answer("unclear", None, others)
    if slot == "outcomes":
        if _has(norm, ("nothing", "no idea", "not sure", "do not know")):
            return Answer("unknown", None, others)
        # A wish in their own words ("for the carers to come when they should") is a wish to put it right.
        if len(norm.split()) >= 3 and yn is None:
            return Answer("ok", ["put_right"], others)
        return Answer("unclear", None, others)
    if slot in ("confirm", "advocacy"):
        if others:
            return Answer("ok" if slot == "advocacy" and yn is not None else "unclear", yn, others)
        return Answer("ok", yn, others) if yn is not None else Answer("unclear", None, others)
    if slot == "transcript_consent":
        return Answer("ok", yn, others) if yn is not None else Answer("unclear", None, others)
    if slot == "consent":
        if _has(norm, ("died", "passed away", "dead", "deceased", "no longer with us")):
            return Answer("ok", "deceased", others)
        if _has(norm, ("can not", "unable", "lacks capacity", "lack capacity", "no capacity", "dementia", "too ill",
                       "not able", "does not understand", "can not understand", "power of attorney", "unconscious", "baby", "child", "too young")):
            return Answer("ok", "cannot_give", others)
        if yn is True or _has(norm, ("happy for me", "they know", "she knows", "he knows", "asked me", "wants me", "agreed", "said go")):
            return Answer("ok", "yes", others)
        if yn is False:
            return Answer("ok", "no", others)
        return Answer("unclear", None, others)
    if slot == "contact":
        email = EMAIL.search(raw)
        phone = PHONE.search(raw)
        if email or phone:
            return Answer("ok", {"email": email.group(0) if email else None,
                                 "phone": re.sub(r"[\s-]", "", phone.group(0)) if phone else None}, {})
        if yn is False or _has(norm, ("do not contact", "no thanks", "myself", "i will contact", "i will do it", "rather not")):
            return Answer("ok", None, {})
        return Answer("unclear", None, {})
    if slot == "feedback":
        m = re.search(r"\b([1-5])\b", norm)
        if m:
            return Answer("ok", int(m.group(1)), {})
        for word, n in NUMBER_WORDS.items():
            if re.search(rf"\b{word}\b", norm):
                return Answer("ok", n, {})
        for phrase in sorted(FEEDBACK_WORDS, key=len, reverse=True):
            if _has(norm, (phrase,)):
                return Answer("ok", FEEDBACK_WORDS[phrase], {})
        if yn is True:
            return Answer("ok", 4, {})
        if yn is False:
            return Answer("ok", 2, {})
        return Answer("unclear", None, {})
    if slot == "anonymity":
        if yn is True or _has(norm, ("name", "fine", "do not mind", "happy")):
            return Answer("ok", "named", others)
        return Answer("unclear", None, others)
    if slot == "nation":
        if _has(norm, ("uk", "britain", "united kingdom", "great britain")):
            return Answer("unclear", None, others)
        return Answer("unclear", None, others)
    return Answer("unclear", None, others)
