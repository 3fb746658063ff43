"""A complaint letter drafted from the conversation: pure functions, no storage, no I/O.

`draft(facts, story, ...)` puts together what the advocates' templates and the ombudsmen's
checklists ask for (docs/letter.md): who is writing (and for whom, with their consent), what
happened in the person's own words, when, where and who, the impact, numbered questions, what
they want to happen, and a request to acknowledge in the time the rules give, with an offer to
meet. For an ombudsman: the final response's date and why it did not settle things. Anything the
person did not tell us is a gap in square brackets: the letter never guesses a date, a name or a
number. An anonymous person gets a concern that needs no reply, and a note saying why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from bot.letter import wording as W
from bot.letter.rules import ack_days
from bot.routing import Facts, get_router, parse_facts

#: One page: the most words a letter should have (an A4 page in 11 point holds about 500 with its addresses).
MAX_WORDS = 450
#: Kinds of body a letter asks to review a complaint after the organisation's final response.
REVIEW_KINDS = ("ombudsman", "mediation")
#: Kinds of body whose own complaints process a letter starts.
LOCAL_KINDS = ("provider", "commissioner")
#: Routes that take a written complaint or concern as the first step, beyond those kinds.
LETTER_ROUTES = ("pals", "care_inspectorate", "healthcare_improvement_scotland")
#: Sectors where what went wrong is "the service" rather than "care".
SERVICE_SECTORS = ("council_care", "children", "housing")


@dataclass(frozen=True)
class Letter:
    """A drafted letter. `body` is the whole letter, ready to send once the gaps are filled in;
    `note` is a short message for the person (never part of the letter)."""

    to: str
    subject: str
    body: str
    note: str = ""

    def as_marker(self) -> Dict[str, Dict[str, str]]:
        """The conversation's marker (CONTRACT section 4): `{"letter": {"to", "subject", "body"}}`."""
        return {"letter": {"to": self.to, "subject": self.subject, "body": self.body}}

    def as_dict(self) -> Dict[str, str]:
        """Every field, for JSON."""
        return {"to": self.to, "subject": self.subject, "body": self.body, "note": self.note}

    @property
    def words(self) -> int:
        """How many words the letter has (its length on the page)."""
        return len(self.body.split())


@dataclass(frozen=True)
class _Case:
    facts: Facts
    route: Mapping[str, Any]
    sector: Optional[str]
    style: str
    voice: str  # "self" or "behalf"
    consent: str  # yes, no, cannot_give, deceased, unknown (only when writing for someone)

    @property
    def words(self) -> Dict[str, str]:
        return W.VOICES[self.voice]


# ------------------------------------------------------------------ the offer
def primary_route(route_result: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The router's primary route (the first place to go now), or None."""
    return next((r for r in route_result.get("routes") or () if r.get("role") == "primary"), None)


def offers_letter(route_result: Mapping[str, Any], anonymous: bool = False) -> bool:
    """Whether to offer a draft: the first step is a written complaint or concern.

    True when the primary route is the organisation itself, a commissioner, PALS, an ombudsman or
    a complaints service. An anonymous person is not offered a letter to an ombudsman or a complaints
    service, which can only look at a complaint from someone they can contact.
    """
    route = primary_route(route_result)
    if not route:
        return False
    kind = route.get("kind")
    if anonymous and kind in REVIEW_KINDS:
        return False
    return kind in LOCAL_KINDS + REVIEW_KINDS or route.get("id") in LETTER_ROUTES


# ------------------------------------------------------------------ the draft
def draft(
    facts: Union[Facts, Mapping[str, Any]],
    story: str,
    *,
    on_behalf: bool,
    consent: Optional[str],
    anonymous: bool,
    organisation: Union[None, str, Mapping[str, Any]] = None,
    final_response_date: Union[None, str, dt.date] = None,
    questions: Optional[Sequence[str]] = None,
    today: Optional[dt.date] = None,
) -> Letter:
    """Draft the letter for this case (CONTRACT section 2 facts) from the person's own words.

    `consent` (when writing for someone): "yes", "no", "cannot_give", "deceased" or None (not known).
    `organisation`: the recipient's name, or `{name, email, website, complaints_url, phone}`; by default
    the primary route's organisation where the router knows the place. `questions`: the person's own
    questions; by default questions that follow from what went wrong. `today`: the letter's date.
    """
    facts = facts if isinstance(facts, Facts) else parse_facts(dict(facts), lenient=True)
    router = get_router()
    route = primary_route(router.route(facts)) or {}
    case = _Case(
        facts=facts,
        route=route,
        sector=router.state(facts).get("sector"),
        style=_style(route, facts, anonymous),
        voice="behalf" if on_behalf else "self",
        consent=_consent(consent, facts) if on_behalf else "",
    )
    org = _organisation(organisation, route)
    recipient = _recipient_name(case, org)
    about = _about(case, recipient)
    to_lines = _recipient(case, org, recipient)
    date_text = _date(today or dt.date.today())
    subject = _subject(case, about)
    parts = [] if case.style == "anonymous" else [W.WRITER]
    parts += [date_text, "\n".join(to_lines), subject, f"Dear {_salutation(case)},"]
    parts += _paragraphs(case, tidy_story(story), about, final_response_date, questions)
    body = "\n\n".join(p for p in parts if p)
    to = ", ".join(to_lines[:2])
    return Letter(to=to, subject=subject, body=body, note=_note(case, body))


def _style(route: Mapping[str, Any], facts: Facts, anonymous: bool) -> str:
    """Which letter: an anonymous concern, a review by an ombudsman, a concern for PALS, a chaser for a
    complaint in progress, a concern, or a complaint (saying it was raised with staff already)."""
    if anonymous:
        return "anonymous"
    if _is_review(route, facts):
        return "review"
    if route.get("id") == "pals":
        return "pals"
    stage = facts.get("stage")
    if stage == "in_progress":
        return "chaser"
    if tuple(facts.get("outcomes") or ()) == ("concern_only",):
        return "concern"
    return "raised" if stage == "raised_informally" else "complaint"


def _is_review(route: Mapping[str, Any], facts: Facts) -> bool:
    """A letter asking a body to look at a complaint after the organisation's final response."""
    kind = route.get("kind")
    if kind in REVIEW_KINDS:
        return True
    return facts.get("stage") == "final_response" and kind not in LOCAL_KINDS and route.get("id") != "pals"


def _consent(consent: Optional[str], facts: Facts) -> str:
    if consent == "deceased" or (consent in (None, "unknown") and "death" in (facts.get("issues") or ())):
        return "deceased"
    return consent if consent in ("yes", "no", "cannot_give") else "unknown"


def _organisation(organisation: Union[None, str, Mapping[str, Any]], route: Mapping[str, Any]) -> Dict[str, str]:
    if isinstance(organisation, str):
        organisation = {"name": organisation}
    found = organisation or route.get("organisation") or {}
    return {k: str(v).strip() for k, v in found.items() if isinstance(v, (str, int)) and str(v).strip()}


def _service_gap(facts: Facts) -> str:
    service = facts.get("service")
    if service == "hospital":
        return W.HOSPITAL_GAPS.get(facts.get("nation"), "[name of the hospital]")
    return W.SERVICE_GAPS.get(service, W.ANY_SERVICE)


def _recipient_name(case: _Case, org: Mapping[str, str]) -> str:
    """The organisation the letter goes to: by name where known, else a gap naming what to fill in."""
    if org.get("name"):
        return org["name"]
    rid = case.route.get("id")
    if rid in W.ROUTE_GAPS:
        return W.ROUTE_GAPS[rid]
    if case.route.get("kind") == "provider":
        return _service_gap(case.facts)
    return case.route.get("name") or W.ANY_SERVICE


def _about(case: _Case, recipient: str) -> str:
    """The organisation whose care the letter is about: the recipient, unless the letter goes to an
    ombudsman, or to the body that pays for the care (an ICB, NHS England) about someone else's care."""
    paid_for = case.route.get("kind") == "commissioner" and case.facts.get("service") != "continuing_healthcare"
    if case.style == "review" or paid_for:
        return _service_gap(case.facts)
    return recipient


def _recipient(case: _Case, org: Mapping[str, str], name: str) -> List[str]:
    """The address block: who, which organisation, and how to reach it (only what is confirmed)."""
    local = case.route.get("kind") in LOCAL_KINDS or case.route.get("id") == "pals"
    if local and case.style != "review":
        lines = [_local_title(case), name]
    else:
        lines = [name]
        org = {**(case.route.get("contact") or {}), **org}
    contact = [org[k] for k in ("email", "complaints_url") if org.get(k)] or [
        org[k] for k in ("website",) if org.get(k)
    ]
    return lines + (contact or [W.THEIR_CONTACT])


def _local_title(case: _Case) -> str:
    if case.route.get("id") == "pals":
        return "The PALS team"
    if case.facts.get("nation") == "wales" and case.sector == "nhs":
        return "The Concerns Team"
    return "The Complaints Manager"


def _salutation(case: _Case) -> str:
    local = case.route.get("kind") in LOCAL_KINDS or case.route.get("id") == "pals"
    if not local or case.style == "review":
        return "Sir or Madam"
    return _local_title(case)[len("The ") :]


def _what(case: _Case) -> str:
    return "the service" if case.sector in SERVICE_SECTORS else "care"


def _subject(case: _Case, about: str) -> str:
    if case.style == "review":
        return f"Complaint about {about}, after their final response"
    if case.style in ("concern", "pals", "anonymous"):
        return f"A concern about {_what(case)} from {about}"
    if case.style == "chaser":
        return f"My complaint about {_what(case)} from {about}"
    return f"Complaint about {_what(case)} from {about}"


def _procedure(case: _Case) -> str:
    nation = case.facts.get("nation")
    if case.sector == "nhs" or case.route.get("id") in ("icb", "nhs_england"):
        return W.NHS_PROCEDURE.get(nation, W.OWN_PROCEDURE)
    if nation == "northern_ireland" and case.sector in ("council_care", "children"):
        return W.NHS_PROCEDURE["northern_ireland"]
    if nation == "england" and case.route.get("id") == "council":
        return W.ENGLAND_COUNCIL_PROCEDURE.get(case.sector, W.OWN_PROCEDURE)
    return W.OWN_PROCEDURE


# ------------------------------------------------------------------ the paragraphs
def _paragraphs(
    case: _Case, story: str, about: str, final_date: Union[None, str, dt.date], questions: Optional[Sequence[str]]
) -> List[str]:
    opening = W.OPENINGS[case.style].format(
        what=_what(case), about=about, procedure=_procedure(case), final_date=_final_date(final_date)
    )
    happened = "\n".join([W.HEADINGS["happened"], story or W.STORY_GAP, W.WHEN_WHERE + " " + _staff(case)])
    if case.style == "anonymous":
        return [opening, happened, W.HEADINGS["why_telling"] + "\n" + _anonymous_asks(case), W.ANONYMOUS_END]
    out = [opening, _who(case), happened]
    if case.style == "review":
        out.append(W.HEADINGS["unresolved"] + "\n" + W.UNRESOLVED)
    impact = case.consent if case.consent == "deceased" else case.voice
    out.append(W.HEADINGS[f"impact_{impact}"] + "\n" + W.IMPACT[impact])
    out.append(W.HEADINGS["questions"] + "\n" + _numbered(_questions(case, questions)))
    out.append(W.HEADINGS["requests"] + "\n" + "\n".join(f"- {r}" for r in _requests(case)))
    out.append(_closing(case))
    out.append(W.SIGN_OFF)
    if case.voice == "behalf" and case.consent == "yes" and case.style != "review":
        out.append(W.THEY_SIGN)
    return out


def _final_date(value: Union[None, str, dt.date]) -> str:
    if isinstance(value, dt.date):
        return _date(value)
    value = " ".join(str(value or "").split())
    return value or W.FINAL_DATE_GAP


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _who(case: _Case) -> str:
    """Who the letter is for: the writer's own details, or the person they write for and their consent."""
    if case.voice == "self":
        return W.SELF_DETAILS
    if case.consent == "deceased":
        return W.DECEASED
    key = "yes_review" if case.consent == "yes" and case.style == "review" else case.consent
    return W.BEHALF + " " + W.CONSENT[key]


def _staff(case: _Case) -> str:
    professional = W.PROFESSIONALS.get(case.facts.get("professional"))
    return W.STAFF_KNOWN.format(professional=professional) if professional else W.STAFF_GAP


def _questions(case: _Case, given: Optional[Sequence[str]]) -> List[str]:
    if given:
        own = [q for q in (_sentence(q) for q in given) if q]
        return own + [W.MORE_QUESTIONS]
    out = [W.EXPLAIN_QUESTION] if "explanation" in (case.facts.get("outcomes") or ()) else []
    for issue in case.facts.get("issues") or ():
        text = W.ISSUE_QUESTIONS.get(issue)
        if text and len(out) < W.MAX_QUESTIONS:
            out.append(text.format(**case.words))
    return [_capital(q) for q in out or [W.EXPLAIN_QUESTION]] + [W.MORE_QUESTIONS]


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, 1))


def _requests(case: _Case) -> List[str]:
    outcomes = list(case.facts.get("outcomes") or ())
    own = W.REQUESTS_WALES_NHS if case.facts.get("nation") == "wales" and case.sector == "nhs" else {}
    who = {"subj": "they", "obj": "them"} if case.style == "review" else {"subj": "you", "obj": "you"}
    return [(own.get(o) or W.REQUESTS[o]).format(**who) for o in outcomes if o in W.REQUESTS] or [W.REQUEST_GAP]


def _anonymous_asks(case: _Case) -> str:
    wanted = [
        W.REQUESTS[o].format(subj="you", obj="you")
        for o in case.facts.get("outcomes") or ()
        if o in W.ANONYMOUS_REQUESTS
    ]
    return "\n".join([W.ANONYMOUS_ASK] + [f"- I would like {r[0].lower()}{r[1:]}" for r in wanted])


def _closing(case: _Case) -> str:
    if case.style == "review":
        return W.acknowledgement(None, "letter") + " " + W.MEET_REVIEW
    if case.style == "chaser":
        return W.CHASE + " " + W.MEET
    thing = "concern" if case.style in ("concern", "pals") else "complaint"
    days = None if case.style == "pals" else ack_days(case.route, case.facts, case.sector)
    return W.acknowledgement(days, thing) + " " + W.MEET


def _note(case: _Case, body: str) -> str:
    notes = [W.NOTE_GAPS] if "[" in body else []
    if case.style == "anonymous":
        notes.append(W.NOTE_ANONYMOUS)
        if case.route.get("kind") in REVIEW_KINDS:
            notes.append(W.NOTE_ANONYMOUS_REVIEW)
    if case.style == "review":
        notes.append(W.NOTE_REVIEW)
    words = len(body.split())
    if words > MAX_WORDS:
        notes.append(W.NOTE_LONG.format(words=words))
    return " ".join(notes)


# ------------------------------------------------------------------ the person's words
#: Identifiers that redaction took out of the conversation, as gaps to fill in again.
_REDACTED = {
    "NAME": "[name]",
    "DATE": "[date]",
    "PHONE": "[phone number]",
    "EMAIL": "[email address]",
    "POSTCODE": "[postcode]",
    "ADDRESS": "[address]",
    "NHS_NUMBER": "[NHS number]",
}
_TAG = re.compile(r"\[(" + "|".join(_REDACTED) + r")\]")
_LOWER_I = re.compile(r"(?<![\w'’])i(?=(?:['’](?:m|ve|d|ll)\b)|\b)(?![\w.-]*@)")
_SPACE_BEFORE = re.compile(r"[ \t]+([,.;:!?])(?=\s|$)")
_SPACE_AROUND = re.compile(r"(?<=[A-Za-z])[ \t]+([,;])(?=[A-Za-z])")
_NO_SPACE_AFTER = re.compile(r"(?<=[A-Za-z])([,;])(?=[A-Za-z])")
#: Short forms a person often types in small letters.
_ACRONYMS = {"gp": "GP", "gps": "GPs", "nhs": "NHS", "a&e": "A&E", "icu": "ICU", "pals": "PALS", "cqc": "CQC"}
_ACRONYM = re.compile(r"(?<![\w&@.])(" + "|".join(re.escape(a) for a in _ACRONYMS) + r")(?![\w&@]|\.\w)")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n\s*)([a-z])")


def tidy_story(story: Optional[str]) -> str:
    """The person's own words, tidied but not rewritten.

    Trims, joins broken spacing, keeps paragraphs, writes "i" as "I" and "gp" as "GP", starts sentences
    with a capital, ends with a full stop, and turns identifiers that redaction took out into gaps ("[name]").
    """
    text = _TAG.sub(lambda m: _REDACTED[m.group(1)], str(story or ""))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.replace("\r", ""))]
    text = "\n\n".join(_ending(p) for p in paragraphs if p)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AROUND.sub(r"\1", text)
    text = _NO_SPACE_AFTER.sub(r"\1 ", text)
    text = _ACRONYM.sub(lambda m: _ACRONYMS[m.group(1)], text)
    text = _LOWER_I.sub("I", text)
    text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def _ending(text: str) -> str:
    return text + "." if text and (text[-1].isalnum() or text[-1] == "]") else text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    """One of the person's own questions, tidied: a capital at the start, a question mark at the end."""
    text = " ".join(str(text or "").split()).rstrip(".")
    if not text:
        return ""
    text = _LOWER_I.sub("I", _capital(text))
    return text if text[-1] in "?!" else text + "?"
