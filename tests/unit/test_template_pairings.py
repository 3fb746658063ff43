"""Templates that read right for every service, nation and role (issue 12, point 6).

Every text the assistant builds from the knowledge base and its phrase files is rendered here for
every combination that changes it, and each sentence is checked against a declared list of WRONG
PAIRINGS: a wording that is wrong for a service, a nation, a stage, or for whom it is about.

What is rendered:
* the advice (bot/dialogue/advice.py: every message, and the SMS version channels/sms.py builds from
  its marker), with the router's `why` and `how` of every route in it (bot/routing), for every
  nation x service x funding x stage x on_behalf, each also unknown; then for nation x service with
  the facts that bring in other rules and warnings (a risk now, a death, abuse, a crime, the Mental
  Health Act, compensation, only wanting someone to know, a regulator, anonymity, time limits, the
  ombudsman said no, a solicitor or an inquest, several organisations);
* the summary the person confirms (bot/dialogue/text.py) for the same grid;
* what the assistant says about each organisation (bot/dialogue/bodies.py) in every nation;
* the safety help (bot/safety/help.py, help.yml) for every kind x who x nation, in English and Welsh;
* the opening line (bot/dialogue/opening.py, domain/intake.yml) for every kind of story.

A pairing found here is fixed in the knowledge base or the dialogue, not listed as an exception.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest
import yaml

from bot.routing.facts import NATIONS, SERVICES
from tests.unit.test_readability import MAX_WORDS, long_sentences

PROJECT = Path(__file__).resolve().parents[2]

UNKNOWN = None
GRID_NATIONS = NATIONS + (UNKNOWN,)
GRID_SERVICES = SERVICES + (UNKNOWN,)
GRID_FUNDING = ("nhs", "council", "self_funded", "private", UNKNOWN)
GRID_STAGES = ("not_raised", "raised_informally", "in_progress", "final_response", UNKNOWN)
GRID_ON_BEHALF = (True, False, UNKNOWN)

#: Facts that bring in the other rules, routes and warnings, tried for every nation and service
#: (with the stage unknown and each stage that changes the wording, and funding unknown).
EXTRA_CASES: Dict[str, Dict[str, Any]] = {
    "risk now, about me": {"risk_now": True, "on_behalf": False},
    "risk now, for someone else": {"risk_now": True, "on_behalf": True},
    "risk now, abuse": {"risk_now": True, "issues": ["abuse_neglect"], "on_behalf": True},
    "risk now, crime": {"risk_now": True, "issues": ["crime"]},
    "a death": {"issues": ["death"], "on_behalf": True},
    "abuse or neglect": {"issues": ["abuse_neglect"]},
    "a crime": {"issues": ["crime"]},
    "Mental Health Act": {"issues": ["mental_health_act"]},
    "compensation": {"outcomes": ["compensation", "apology"]},
    "only wants someone to know": {"outcomes": ["concern_only"]},
    "wants changes": {"outcomes": ["change_practice", "protect_others"]},
    "a doctor held to account": {"professional": "doctor", "outcomes": ["accountability"]},
    "a pharmacist, crime": {"professional": "pharmacist", "issues": ["crime"]},
    "a social worker, abuse": {"professional": "social_worker", "issues": ["abuse_neglect"]},
    "a care worker, abuse": {"professional": "care_worker", "issues": ["abuse_neglect"]},
    "anonymous": {"anonymity": "anonymous"},
    "confidential": {"anonymity": "confidential"},
    "near the time limit": {"months_since": 10.5},
    "past the time limit": {"months_since": 30},
    "ombudsman said no": {"after_ombudsman": True, "issues": ["care_treatment"]},
    "a solicitor": {"legal": "solicitor"},
    "an inquest": {"legal": "inquest", "issues": ["death"]},
    "several organisations": {"other_services": ["hospital", "care_home"]},
}
EXTRA_STAGES = ("not_raised", "in_progress", "final_response", UNKNOWN)

#: Services no council arranges or pays for: council social-care wording never fits them.
NHS_ONLY = (
    "gp",
    "hospital",
    "dentist",
    "pharmacy",
    "optician",
    "ambulance",
    "nhs_111",
    "prison_healthcare",
    "continuing_healthcare",
    "mental_health",
    "community_health",
    "private_hospital",
)
#: Services with a practice manager.
PRACTICES = ("gp", "dentist", "pharmacy", "optician")
DEVOLVED = ("scotland", "wales", "northern_ireland")


# ------------------------------------------------------------------ what is rendered
@dataclass(frozen=True)
class Rendered:
    what: str  # advice #1, why of provider, summary, help, opening ...
    text: str
    ctx: Mapping[str, Any] = field(default_factory=dict)  # the facts, and kind/who/language for help

    def label(self) -> str:
        shown = {k: v for k, v in self.ctx.items() if v is not None}
        return f"{self.what} for {shown}"


def _facts(raw: Dict[str, Any]):
    from bot.routing import parse_facts

    return parse_facts({k: v for k, v in raw.items() if v is not None and k != "case"})


def _advice(ctx: Dict[str, Any]) -> Iterator[Rendered]:
    from bot.dialogue.advice import build_advice
    from channels.sms import compact_advice

    texts, marker, result = build_advice(_facts(ctx))
    for i, text in enumerate(texts):
        yield Rendered(f"advice #{i + 1}", text, ctx)
    yield Rendered("SMS advice", compact_advice(marker), ctx)
    for r in result["routes"]:
        yield Rendered(f"why of {r['id']} ({r['role']})", r["why"], {**ctx, "route": r["id"]})
        yield Rendered(f"how of {r['id']} ({r['role']})", r["how"], {**ctx, "route": r["id"]})
    for w in result["warnings"]:
        yield Rendered(f"warning {w['code']}", w["text"], ctx)


def _summary(ctx: Dict[str, Any]) -> Rendered:
    from bot.dialogue.text import summary

    return Rendered("summary", summary(_facts(ctx)), ctx)


def grid() -> Iterator[Dict[str, Any]]:
    for nation, service, funding, stage, on_behalf in itertools.product(
        GRID_NATIONS, GRID_SERVICES, GRID_FUNDING, GRID_STAGES, GRID_ON_BEHALF
    ):
        yield {"nation": nation, "service": service, "funding": funding, "stage": stage, "on_behalf": on_behalf}


def extra_grid() -> Iterator[Dict[str, Any]]:
    for (label, extra), nation, service, stage in itertools.product(
        EXTRA_CASES.items(), GRID_NATIONS, GRID_SERVICES, EXTRA_STAGES
    ):
        yield {
            "nation": nation,
            "service": service,
            "funding": None,
            "stage": stage,
            "on_behalf": None,
            **extra,
            "case": label,
        }


def descriptions() -> Iterator[Rendered]:
    from bot.dialogue.bodies import describe
    from bot.routing import get_router

    for body in get_router().kb:
        for nation in body.nations:
            yield Rendered(
                f"description of {body.id}",
                describe(body.id, _facts({"nation": nation})),
                {"nation": nation, "route": body.id},
            )


WHO = ("self", "self_child", "child", "other")


def safety_help() -> Iterator[Rendered]:
    from bot.safety.help import choice_text, help_text, kinds

    for kind, who, nation, language in itertools.product(kinds(), WHO, GRID_NATIONS, ("en", "cy")):
        yield Rendered(
            "safety help",
            help_text(kind, nation, who, language),
            {"kind": kind, "who": who, "nation": nation, "language": language},
        )
    yield Rendered("safety choice", choice_text(), {})


@lru_cache(maxsize=1)
def _responses() -> Dict[str, List[Dict[str, Any]]]:
    out: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted((PROJECT / "domain").glob("*.yml")):
        out.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return out


OPENING_ISSUES = ((), ("death",), ("staff_conduct",), ("other",), ("care_treatment", "death"))
OPENING_OUTCOMES = ((), ("concern_only",), ("apology",))


def openings() -> Iterator[Rendered]:
    from bot.dialogue.opening import OPENINGS, opening_kind

    for issues, outcomes, praise in itertools.product(OPENING_ISSUES, OPENING_OUTCOMES, (True, False)):
        kind = opening_kind(list(issues), list(outcomes), praise)
        for v in _responses()[OPENINGS[kind]]:
            yield Rendered(
                f"opening {OPENINGS[kind]}", v["text"], {"issues": issues, "outcomes": outcomes, "praise": praise}
            )


@contextlib.contextmanager
def _without_missing() -> Iterator[None]:
    """The router's `missing` (which facts to ask for next) tries every value of every unknown fact: nine
    tenths of the time of a route, and no text. It is left out while rendering."""
    from bot.routing import get_router

    router = get_router()
    router.missing = lambda facts, decision=None: []
    try:
        yield
    finally:
        del router.missing


@lru_cache(maxsize=1)
def rendered() -> Tuple[Rendered, ...]:
    with _without_missing():
        return _rendered()


def _rendered() -> Tuple[Rendered, ...]:
    out: List[Rendered] = []
    seen = set()

    def add(r: Rendered) -> None:
        key = (r.what, r.text, tuple(sorted((k, str(v)) for k, v in r.ctx.items())))
        if key not in seen:
            seen.add(key)
            out.append(r)

    for ctx in itertools.chain(grid(), extra_grid()):
        for r in _advice(ctx):
            add(r)
        add(_summary(ctx))
    for source in (descriptions(), safety_help(), openings()):
        for r in source:
            add(r)
    return tuple(out)


# ------------------------------------------------------------------ the wrong pairings
def _sentences(text: str) -> List[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


@dataclass(frozen=True)
class Pairing:
    """`wrong` must not be said when `when(ctx)` holds, in a sentence not matching `unless`."""

    name: str
    wrong: str  # a regular expression, case-sensitive
    when: Callable[[Mapping[str, Any]], bool]
    reason: str
    unless: Optional[str] = None  # a sentence where the words are right after all
    only: Tuple[str, ...] = ()  # the renderings it applies to (prefixes of `what`); all if empty
    skip: Tuple[str, ...] = ()  # renderings it does not apply to

    def applies(self, r: Rendered) -> bool:
        if self.only and not r.what.startswith(self.only):
            return False
        if self.skip and r.what.startswith(self.skip):
            return False
        return self.when(r.ctx)

    def found(self, text: str) -> List[str]:
        return [
            s for s in _sentences(text) if re.search(self.wrong, s) and not (self.unless and re.search(self.unless, s))
        ]


def _nation_is(*nations: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda c: c.get("nation") in nations


def _always(_: Mapping[str, Any]) -> bool:
    return True


#: Telling the person to go to the organisation first, as the first step's `why` does.
COMPLAIN_FIRST = r"(Complain|complain|raise it) (to|with) [^.]{0,60}\bfirst\b|Start with the organisation"

WRONG_PAIRINGS: Tuple[Pairing, ...] = (
    # ---------------------------------------------------------------- service
    Pairing(
        "practice manager outside a practice",
        r"practice manager",
        lambda c: c.get("service") is not None and c["service"] not in PRACTICES + ("other",),
        "Only GP, dental, pharmacy and optician practices have a practice manager: a prison healthcare "
        "team, a hospital or a care home does not (issue 12: a practice manager for prison healthcare).",
    ),
    Pairing(
        "your GP practice for another service",
        r"[Yy]our GP practice",
        lambda c: c.get("service") is not None and c["service"] != "gp",
        "The case is about another service: 'complain to your GP practice' would send the person to the wrong "
        "place. Naming the GP practice as somewhere to ask for help (NHS 111, finding the ICB) is right.",
        unless=r"ask NHS 111 or your GP practice|when your GP practice is closed",
    ),
    Pairing(
        "council social care for an NHS-only service",
        r"council (arranges|pays)|[Cc]omplain to the council|raise it with the council|council's (final )?answer|"
        r"council's social (work|services)|council tries",
        lambda c: c.get("service") in NHS_ONLY,
        "No council arranges or pays for a GP, a hospital or another NHS-only service: council social-care "
        "wording would send the person to the wrong body.",
        skip=("summary", "description"),
    ),
    Pairing(
        "private care said of NHS or council care",
        r"This was private care|private provider's|[Pp]rivate care (you|that you) paid for",
        lambda c: c.get("funding") == "nhs",
        "The NHS pays for this care: telling the person it was private sends them past the NHS ombudsman. "
        "(A council does not pay a private hospital; the conversation never has that pair.)",
    ),
    # ---------------------------------------------------------------- stage
    Pairing(
        "complain first, to someone with the final answer",
        COMPLAIN_FIRST,
        lambda c: c.get("stage") == "final_response",
        "The person has complained and had the final answer (issue 12: 'Complain to NHS 111 first' to someone "
        "who already had).",
        only=("why", "advice #1", "SMS advice"),
    ),
    Pairing(
        "a final answer the person has not had",
        r"You have had (a|the|their|[^.]{0,30}'s) (final )?(answer|reply)",
        lambda c: c.get("stage") not in ("final_response",),
        "Only someone who has had the final answer can be told they have had it.",
    ),
    Pairing(
        "wait for the final answer, to someone who has it",
        r"will normally only look at it after",
        lambda c: c.get("stage") == "final_response",
        "The person has the final answer already: the ombudsman can look at it now.",
    ),
    # ---------------------------------------------------------------- role: who it is about
    Pairing(
        "someone else, when it is about the writer",
        r"raising (this|it) for someone else|their permission",
        lambda c: c.get("on_behalf") is False,
        "The person said it is about them: asking for someone else's permission is wrong.",
    ),
    Pairing(
        "stay with them, to the person at risk",
        r"stay with them",
        lambda c: c.get("who") in ("self", "self_child"),
        "The writer is the one at risk (issue 12: chest pain of the writer was told 'stay with them').",
    ),
    Pairing(
        "do not drive yourself, to a bystander",
        r"Do not drive yourself",
        lambda c: c.get("who") in ("child", "other"),
        "Someone else is at risk: the writer is not the patient.",
    ),
    Pairing(
        "the writer's own safety, when someone else is at risk",
        r"happening to you|[Yy]ou are feeling like this|Your (safety|health) (matters|comes)|You deserve",
        lambda c: c.get("who") in ("child", "other"),
        "Someone else is at risk: the words are for them, not the writer.",
    ),
    Pairing(
        "someone else's safety, when the writer is at risk",
        r"\bTheir (safety|health)\b|\bThey (deserve|do not have to)\b",
        lambda c: c.get("who") in ("self", "self_child"),
        "The writer is at risk: speak to them.",
    ),
    Pairing(
        "adult safeguarding for a child",
        r"[Aa]dult (safeguarding|protection|social care)|protect an adult|an adult who needs care",
        lambda c: c.get("who") in ("child", "self_child"),
        "A child at risk needs children's services (issue 12: 'your council's safeguarding team can protect "
        "an adult' for a 6-year-old).",
    ),
    # ---------------------------------------------------------------- nation
    Pairing(
        "the Health Service Ombudsman outside England",
        r"Health Service Ombudsman|\bPHSO\b",
        _nation_is(*DEVOLVED),
        "The PHSO covers the NHS in England only; Scotland, Wales and Northern Ireland have their own ombudsman.",
    ),
    Pairing(
        "the Social Care Ombudsman outside England",
        r"Social Care Ombudsman|\bLGSCO\b",
        _nation_is(*DEVOLVED),
        "The Local Government and Social Care Ombudsman covers England only.",
    ),
    Pairing(
        "Putting Things Right",
        r"Putting Things Right",
        _always,
        "NHS Wales replaced Putting Things Right with Listening to People on 1 April 2026; the old name is "
        "only said to explain the new one.",
        unless=r"replaced Putting Things Right",
    ),
    Pairing(
        "Listening to People outside Wales",
        r"Listening to People",
        _nation_is("england", "scotland", "northern_ireland"),
        "Listening to People is the NHS Wales concerns process.",
    ),
    Pairing(
        "an ICB outside England",
        r"\bICBs?\b|Integrated Care Board",
        _nation_is(*DEVOLVED),
        "Integrated Care Boards are England's; Scotland and Wales have health boards, Northern Ireland HSC Trusts.",
    ),
    Pairing(
        "NHS England outside England",
        r"\bNHS England\b",
        _nation_is(*DEVOLVED),
        "NHS England does not pay for or review care in Scotland, Wales or Northern Ireland.",
    ),
    Pairing(
        "an HSC Trust outside Northern Ireland",
        r"\bHSC\b|Health and Social Care Trust",
        _nation_is("england", "scotland", "wales"),
        "Health and Social Care Trusts exist only in Northern Ireland.",
    ),
    Pairing(
        "council social care in Northern Ireland",
        r"[Cc]omplain to the council|raise it with the council|council (arranges|pays)|council's (adult|social|children's)",
        _nation_is("northern_ireland"),
        "In Northern Ireland social care and safeguarding are run by the HSC Trusts, not councils.",
        skip=("summary",),
    ),
    Pairing(
        "the CQC outside England",
        r"\bCQC\b|Care Quality Commission",
        _nation_is(*DEVOLVED),
        "The Care Quality Commission regulates England only.",
    ),
    Pairing(
        "PALS or Healthwatch outside England",
        r"\bPALS\b|Healthwatch",
        _nation_is(*DEVOLVED),
        "PALS and Healthwatch are England's (Scotland has PASS, Wales Llais, Northern Ireland the PCC).",
    ),
    Pairing(
        "Martha's Rule outside England",
        r"Martha's Rule",
        _nation_is(*DEVOLVED),
        "Martha's Rule is being brought in by NHS England only.",
    ),
    Pairing(
        "the Scottish ombudsman outside Scotland",
        r"Scottish Public Services Ombudsman|\bSPSO\b",
        _nation_is("england", "wales", "northern_ireland"),
        "The SPSO covers Scotland only.",
    ),
    Pairing(
        "the Welsh ombudsman outside Wales",
        r"Public Services Ombudsman for Wales|Welsh Ombudsman",
        _nation_is("england", "scotland", "northern_ireland"),
        "The PSOW covers Wales only.",
    ),
    Pairing(
        "the NI ombudsman outside Northern Ireland",
        r"Northern Ireland Public Services Ombudsman|\bNIPSO\b",
        _nation_is("england", "scotland", "wales"),
        "NIPSO covers Northern Ireland only.",
    ),
    Pairing(
        "Llais outside Wales",
        r"\bLlais\b",
        _nation_is("england", "scotland", "northern_ireland"),
        "Llais is the Welsh citizen voice body.",
    ),
    Pairing(
        "Care Inspectorate Wales outside Wales",
        r"Care Inspectorate Wales|Healthcare Inspectorate Wales",
        _nation_is("england", "scotland", "northern_ireland"),
        "Welsh inspectors cover Wales only.",
    ),
    Pairing(
        "the RQIA or the PCC outside Northern Ireland",
        r"\bRQIA\b|Patient and Client Council",
        _nation_is("england", "scotland", "wales"),
        "Northern Ireland's regulator and advocacy body.",
    ),
    # ---------------------------------------------------------------- any text
    Pairing("a template slot left in", r"[{}]", _always, "A placeholder was not filled."),
    Pairing(
        "None or unknown rendered",
        r"\bNone\b|\bunknown\b|\bnull\b",
        _always,
        "A missing fact was printed instead of left out.",
    ),
    Pairing("doubled spaces", r"[^\S\n]{2,}", _always, "A slot filled with nothing, or careless joining."),
    Pairing(
        "doubled full stops",
        r"(?<!\.)\.\.(?!\.)|[.!?,;:]\s*[.]$|\s[.,;:]",
        _always,
        "A sentence ending in a full stop was put before another.",
    ),
    # Fixed 2026-12-03 (bot/routing/engine.py WAITING_ROUTES): someone waiting on the answer is told to wait.
    Pairing(
        "complain first, to someone waiting for the answer",
        COMPLAIN_FIRST,
        lambda c: c.get("stage") == "in_progress",
        "The person has complained and is waiting for the answer: they need to hear what happens next.",
        only=("why", "advice #1", "SMS advice"),
    ),
)

#: Wrong pairings still rendered, each with why it is not fixed yet: the test of each fails when it is fixed,
#: so that it moves to WRONG_PAIRINGS.
KNOWN_PAIRINGS: Tuple[Pairing, ...] = ()  # none left: each one found has been fixed

#: Opening lines: the kind of story decides the opening (bot/dialogue/opening.py).
OPENING_PAIRINGS: Tuple[Pairing, ...] = (
    Pairing(
        "condolence without a death",
        r"sorry for your loss",
        lambda c: "death" not in c["issues"],
        "Condolence is for a death only.",
    ),
    Pairing(
        "praise not given",
        r"went well",
        lambda c: not c["praise"] or "death" in c["issues"],
        "Only praise the person gave is heard; a death comes first.",
    ),
    Pairing(
        "sympathy for a plain request",
        r"sorry this happened",
        lambda c: not c["issues"] or set(c["issues"]) == {"other"},
        "'I want to complain about the care agency' needs 'I can help with that' (issue 12).",
    ),
)


def _failures(pairings, renders) -> Dict[str, List[str]]:
    """Each pairing's wrong sentences, with where they were rendered (each text is searched once)."""
    by_text: Dict[str, List[Rendered]] = {}
    for r in renders:
        by_text.setdefault(r.text, []).append(r)
    out: Dict[str, List[str]] = {}
    for text, renders_of_text in by_text.items():
        for p in pairings:
            if not re.search(p.wrong, text):
                continue
            found = p.found(text)
            for r in renders_of_text if found else ():
                if p.applies(r):
                    out.setdefault(p.name, []).extend(f"    {r.label()}: {s}" for s in found)
    return out


def _report(failures: Dict[str, List[str]]) -> str:
    lines = []
    for name, found in failures.items():
        reason = next(p.reason for p in WRONG_PAIRINGS + KNOWN_PAIRINGS + OPENING_PAIRINGS if p.name == name)
        examples = sorted(set(found))
        lines.append(f"  {name} ({len(found)} times): {reason}")
        lines += examples[:6] + ([f"    ... and {len(examples) - 6} more"] if len(examples) > 6 else [])
    return f"{len(failures)} wrong pairings rendered:\n" + "\n".join(lines)


# ------------------------------------------------------------------ the tests
def test_every_combination_is_rendered():
    renders = rendered()
    whats = {r.what.split(" (")[0].split(" #")[0] for r in renders}
    assert {"advice", "SMS advice", "summary", "safety help", "safety choice"} <= whats, whats
    assert any(w.startswith("why of ") for w in whats) and any(w.startswith("how of ") for w in whats)
    assert any(w.startswith("description of ") for w in whats) and any(w.startswith("opening ") for w in whats)
    n_grid = len(GRID_NATIONS) * len(GRID_SERVICES) * len(GRID_FUNDING) * len(GRID_STAGES) * len(GRID_ON_BEHALF)
    summaries = [r for r in renders if r.what == "summary"]
    assert len(summaries) == n_grid + len(EXTRA_CASES) * len(GRID_NATIONS) * len(GRID_SERVICES) * len(EXTRA_STAGES)
    from bot.routing import get_router
    from bot.safety.help import kinds

    routes = {r.ctx.get("route") for r in renders if r.what.startswith("why of ")}
    never = (
        {b.id for b in get_router().kb}
        - routes
        - {r.ctx.get("route") for r in renders if r.what.startswith("description")}
    )
    assert not never, f"bodies never rendered: {never}"
    helped = {(r.ctx["kind"], r.ctx["who"], r.ctx["nation"]) for r in renders if r.what == "safety help"}
    assert len(helped) == len(kinds()) * len(WHO) * len(GRID_NATIONS)


def test_no_wrong_pairing_is_rendered():
    failures = _failures(WRONG_PAIRINGS, [r for r in rendered() if not r.what.startswith("opening ")])
    assert not failures, _report(failures)


def test_openings_fit_what_was_said():
    failures = _failures(OPENING_PAIRINGS, [r for r in rendered() if r.what.startswith("opening ")])
    assert not failures, _report(failures)


def test_no_rendered_sentence_is_over_25_words():
    # The readability test checks the routing cases; here every combination (phone numbers and web
    # addresses count as one word, as there).
    texts = {r.text: r.what for r in rendered()}
    failures = sorted({f"  {n} words in {what}: {s}" for text, what in texts.items() for n, s in long_sentences(text)})
    assert not failures, f"{len(failures)} sentences over {MAX_WORDS} words:\n" + "\n".join(failures[:30])


# ------------------------------------------------------------------ the checks themselves
@pytest.mark.parametrize(
    "pairing, ctx, text",
    [
        ("practice manager outside a practice", {"service": "prison_healthcare"}, "Ask for the practice manager."),
        ("complain first, to someone with the final answer", {"stage": "final_response"}, "Complain to NHS 111 first."),
        (
            "stay with them, to the person at risk",
            {"who": "self"},
            "Call 999 now, and stay with them if it is safe to.",
        ),
        (
            "adult safeguarding for a child",
            {"who": "child"},
            "Your council's safeguarding team can protect an adult who needs care.",
        ),
        (
            "the Health Service Ombudsman outside England",
            {"nation": "wales"},
            "The Health Service Ombudsman can look at it.",
        ),
        ("Putting Things Right", {"nation": "wales"}, "Use Putting Things Right."),
        ("an ICB outside England", {"nation": "scotland"}, "Complain to your ICB."),
        ("an HSC Trust outside Northern Ireland", {"nation": "england"}, "Ask the HSC Trust."),
        ("council social care for an NHS-only service", {"service": "gp"}, "The council arranges this care."),
        ("your GP practice for another service", {"service": "dentist"}, "Complain to your GP practice first."),
        ("a template slot left in", {}, "Complain to {service} first."),
        ("None or unknown rendered", {}, "It is about None."),
        ("doubled spaces", {}, "Complain to  the hospital."),
        ("doubled full stops", {}, "Complain to the hospital.."),
    ],
)
def test_each_pairing_catches_what_it_names(pairing, ctx, text):
    p = next(p for p in WRONG_PAIRINGS if p.name == pairing)
    r = Rendered("why of provider (primary)", text, ctx)
    assert p.applies(r) and p.found(text), pairing
    assert not _failures(WRONG_PAIRINGS, [Rendered("why of provider (primary)", "Complain to the hospital.", ctx)])


def test_a_right_mention_is_not_a_wrong_pairing():
    wales = {"nation": "wales", "service": "dentist"}
    ok = [
        "Since 1 April 2026 NHS Wales uses a process called Listening to People. It replaced Putting Things Right.",
        "Each ICB has its own complaints team. Find yours on the NHS website, or ask NHS 111 or your GP practice.",
    ]
    assert not _failures(WRONG_PAIRINGS, [Rendered("how of icb (alternative)", ok[1], {**wales, "nation": "england"})])
    assert not _failures(WRONG_PAIRINGS, [Rendered("description of provider", ok[0], wales)])


def test_every_pairing_has_a_reason():
    every = WRONG_PAIRINGS + KNOWN_PAIRINGS + OPENING_PAIRINGS
    for p in every:
        assert len(p.reason.split()) >= 4, p.name
        re.compile(p.wrong)
    assert len({p.name for p in every}) == len(every)
