"""The drafted complaint letter (bot/letter): over every nation and stage, what it holds and what it never makes up.

* the recipient: the primary route's organisation, by name where known, with its contact;
* who is writing: the writer's own details, or the person they write for with their consent (or that
  they have died, or cannot consent);
* outcomes as requests, numbered questions, the acknowledgement the rules give, an offer to meet;
* for an ombudsman: the final response's date and why it did not settle things;
* gaps in square brackets for what the person did not say, and no date, name or number they did not give;
* plain English (the project's readability test) on one page; an anonymous concern that needs no reply;
* the person's words tidied, not rewritten; the letter never kept in Rasa's tracker store; the CLI.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.letter import (
    LETTER_NOT_KEPT,
    MAX_WORDS,
    Letter,
    draft,
    for_referral,
    offers_letter,
    primary_route,
    redact_letter_event,
    tidy_story,
)
from bot.letter import wording as W
from bot.letter.rules import ACK_RULES
from bot.routing import get_router, parse_facts
from bot.routing.facts import ISSUES as ISSUES_ALL
from bot.routing.facts import NATIONS, OUTCOMES, STAGES
from tests.unit.test_readability import MIN_EASE, ease, long_sentences

PROJECT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 3)
STORY = (
    "The nurse did not give my dad his tablets on time. When I asked why, nobody could tell me. "
    "He was in pain all night and he was very upset."
)
#: (service, funding): NHS care, council care, self-funded care, a council service, children's services.
SERVICES = [
    ("gp", None),
    ("hospital", None),
    ("care_home", "council"),
    ("care_home", "self_funded"),
    ("council_social_care", None),
    ("children_social_care", None),
]
ISSUES = ["medication", "communication"]
WANTS = ["explanation", "apology", "change_practice"]
MONTHS = ("January February March April May June July August September October November December").split()


def case(nation, stage, service="hospital", funding=None, **more):
    facts = {"nation": nation, "stage": stage, "service": service, "issues": ISSUES, "outcomes": WANTS, **more}
    if funding:
        facts["funding"] = funding
    return facts


def letter_for(facts, story=STORY, **kw):
    kw.setdefault("on_behalf", bool(facts.get("on_behalf")))
    kw.setdefault("consent", None)
    kw.setdefault("anonymous", False)
    kw.setdefault("today", TODAY)
    return draft(facts, story, **kw)


def route_of(facts):
    return primary_route(get_router().route(parse_facts(facts, lenient=True))) or {}


def every_case():
    """Every nation and stage, for each kind of service, written for oneself and for someone else."""
    for nation, stage, (service, funding), behalf in itertools.product(NATIONS, STAGES, SERVICES, (False, True)):
        facts = case(nation, stage, service, funding, on_behalf=behalf)
        yield pytest.param(
            facts, id=f"{nation}-{stage}-{service}-{funding or 'default'}-{'behalf' if behalf else 'self'}"
        )


ALL = list(every_case())


# ------------------------------------------------------------------ what the letter holds
def _review(route, facts) -> bool:
    local = route.get("kind") in ("provider", "commissioner")
    return route.get("kind") in ("ombudsman", "mediation") or (facts["stage"] == "final_response" and not local)


@pytest.mark.parametrize("facts", ALL)
def test_every_letter_goes_to_the_primary_route_s_organisation(facts):
    route = route_of(facts)
    letter = letter_for(facts, consent="yes" if facts["on_behalf"] else None)
    if route.get("kind") in ("provider", "commissioner") and not _review(route, facts):
        # The organisation that gave the care (or the council): a gap naming what to fill in.
        assert letter.to.startswith(("The Complaints Manager", "The Concerns Team")), letter.to
        assert re.search(r"\[name of [^\]]+\]", letter.to), letter.to
    else:
        assert route["name"] in letter.to and route["name"] in letter.body
    assert letter.subject in letter.body and letter.body.index(letter.subject) < letter.body.index("Dear ")


@pytest.mark.parametrize("facts", ALL)
def test_every_letter_holds_what_the_templates_ask(facts):
    letter = letter_for(facts, consent="yes" if facts["on_behalf"] else None)
    body = letter.body
    # The date of the letter, the writer's details (gaps), the person's own words, the sign-off.
    assert "3 December 2026" in body and W.WRITER in body and STORY in body
    assert body.rstrip().endswith((W.SIGN_OFF, W.THEY_SIGN))
    # When, where and who, then impact, numbered questions, what they want, the acknowledgement.
    assert W.WHEN_WHERE in body and W.HEADINGS["questions"] in body
    assert re.search(r"^1\. .+\n2\. ", body, re.M) and W.MORE_QUESTIONS in body
    for outcome in WANTS:
        assert "- " + W.REQUESTS[outcome].split("{")[0] in body, outcome
    asks = re.search(r"(within \d working days|let me know soon)", body) or W.CHASE in body
    assert asks and ("meet you" in body or "talk to you" in body)


@pytest.mark.parametrize("facts", ALL)
def test_every_letter_says_who_it_is_for_and_for_an_ombudsman_the_final_response(facts):
    route = route_of(facts)
    body = letter_for(facts, consent="yes" if facts["on_behalf"] else None).body
    if facts["on_behalf"]:
        assert "[their full name]" in body and W.RELATION in body and W.SELF_DETAILS not in body
    else:
        assert W.SELF_DETAILS in body and "[their full name]" not in body
    review = _review(route, facts)
    assert (W.FINAL_DATE_GAP in body) == review and (W.UNRESOLVED in body) == review
    assert (W.CHASE in body) == (facts["stage"] == "in_progress" and not review)


@pytest.mark.parametrize("facts", ALL)
def test_every_letter_reads_plainly_on_one_page(facts):
    letter = letter_for(facts, consent="yes" if facts["on_behalf"] else None)
    assert ease(letter.body) >= MIN_EASE, letter.body
    assert long_sentences(letter.body) == [], letter.body
    assert ease(letter.note) >= MIN_EASE and long_sentences(letter.note) == []
    assert letter.words <= MAX_WORDS
    # The letter's own words leave room for an account of 150 words on the page.
    assert letter.words - len(STORY.split()) <= MAX_WORDS - 150


def test_even_the_longest_letter_leaves_room_for_the_account():
    everything = {
        "nation": "wales",
        "service": "hospital",
        "stage": "final_response",
        "professional": "nurse",
        "issues": list(ISSUES_ALL),
        "outcomes": list(OUTCOMES),
    }
    letter = letter_for(everything, story="", on_behalf=True, consent="no")
    assert letter.words - len(W.STORY_GAP.split()) <= MAX_WORDS - 60


@pytest.mark.parametrize("facts", ALL)
def test_nothing_is_invented(facts):
    """No date, name or number the person did not give: outside the gaps and their own words, the only
    numbers are the letter's date and the rules' working days, the only names those of the bodies."""
    route = route_of(facts)
    letter = letter_for(facts, consent="yes" if facts["on_behalf"] else None)
    ours = _ours(letter.body)
    numbers = set(re.findall(r"\d+", ours))
    allowed = {"3", "2026"} | {str(r.days) for r in ACK_RULES} | set(re.findall(r"\d+", json.dumps(route)))
    assert numbers <= allowed, (numbers - allowed, letter.body)
    names = _capitalised(ours) - _known_names(route)
    assert not names, (names, letter.body)


def _ours(body: str) -> str:
    """The letter without the person's words, the gaps and the numbers of its list of questions."""
    return re.sub(r"\[[^\]]*\]|^\d+\. ", " ", body.replace(STORY, " "), flags=re.M)


def _capitalised(text: str) -> set:
    """Capitalised words that do not start a line or a sentence."""
    out = set()
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?:,])\s+", line.strip()):
            words = re.findall(r"[A-Za-z][\w'’-]*", sentence)
            out |= {w for w in words[1:] if w[0].isupper()}
    return out


def _known_names(route) -> set:
    names = " ".join([route.get("name") or "", json.dumps(route.get("contact") or {})])
    return (
        set(re.findall(r"[A-Z][\w'’-]*", names))
        | set(MONTHS)
        | {
            "I",
            "NHS",
            "Scotland",
            "Wales",
            "Health",
            "Social",
            "Care",
            "Complaints",
            "Manager",
            "Concerns",
            "Team",
            "PALS",
            "Sir",
            "Madam",
            "Mental",
            "Act",
            "If",
        }
    )


def test_the_invention_checks_can_fail():
    route = route_of(case("england", "not_raised"))
    made_up = "Dear Complaints Manager, I saw Dr Patel on 14 March at St Mary's."
    assert set(re.findall(r"\d+", _ours(made_up))) == {"14"}
    assert {"Patel", "March", "St", "Mary's"} - _known_names(route) == {"Patel", "St", "Mary's"}
    assert _capitalised(made_up) >= {"Patel", "St", "Mary's"}


# ------------------------------------------------------------------ the recipient
def test_a_known_organisation_is_named_with_its_contact():
    facts = case("england", "not_raised", "hospital")
    org = {
        "name": "Leeds Teaching Hospitals NHS Trust",
        "email": "complaints@example.nhs.uk",
        "phone": "0113 000 0000",
        "website": "https://www.example.nhs.uk",
    }
    letter = letter_for(facts, organisation=org)
    assert letter.to == "The Complaints Manager, Leeds Teaching Hospitals NHS Trust"
    assert "The Complaints Manager\nLeeds Teaching Hospitals NHS Trust\ncomplaints@example.nhs.uk" in letter.body
    assert "from Leeds Teaching Hospitals NHS Trust" in letter.subject and W.THEIR_CONTACT not in letter.body
    assert letter_for(facts, organisation="Riverside Surgery").to == "The Complaints Manager, Riverside Surgery"


def test_the_router_s_organisation_for_a_place_is_used(monkeypatch):
    facts = case("england", "not_raised", "hospital")
    real = get_router().route

    def with_place(f):
        out = real(f)
        for r in out["routes"]:
            if r["role"] == "primary":
                r["organisation"] = {"name": "NHS West Yorkshire ICB", "email": "wyicb.complaints@example.nhs.uk"}
        return out

    monkeypatch.setattr(get_router(), "route", with_place)
    letter = letter_for(facts)
    assert "NHS West Yorkshire ICB\nwyicb.complaints@example.nhs.uk" in letter.body


def test_an_ombudsman_is_addressed_by_its_name_with_its_confirmed_contact():
    facts = case("northern_ireland", "final_response", "hospital")
    route = route_of(facts)
    assert route["id"] == "nipso"
    letter = letter_for(facts, final_response_date="12 March 2026")
    contact = route["contact"]
    assert letter.to.startswith(route["name"])
    assert contact.get("email", contact.get("website", "")) in letter.body  # the confirmed contact, whichever it is
    assert "Their final response is dated 12 March 2026" in letter.body and W.FINAL_DATE_GAP not in letter.body
    assert "Dear Sir or Madam," in letter.body and W.NOTE_REVIEW in letter.note
    assert "- To know what they will change" in letter.body  # about the organisation, not the ombudsman
    dated = letter_for(facts, final_response_date=dt.date(2026, 3, 12))
    assert "Their final response is dated 12 March 2026" in dated.body


def test_pals_gets_a_concern_not_a_formal_complaint():
    facts = {
        "nation": "england",
        "service": "hospital",
        "funding": "nhs",
        "stage": "raised_informally",
        "issues": ["communication"],
        "outcomes": ["concern_only"],
    }
    assert route_of(facts)["id"] == "pals"
    letter = letter_for(facts)
    assert letter.to == "The PALS team, [name of the hospital or trust]" and "Dear PALS team," in letter.body
    assert W.OPENINGS["pals"].split("{")[0] in letter.body and "formal complaint" not in letter.body
    assert "Please let me know soon that you have had this concern." in letter.body


def test_a_letter_to_the_body_that_pays_is_about_the_care_it_paid_for(monkeypatch):
    import bot.letter.compose as compose

    gp = {"nation": "england", "service": "gp", "stage": "not_raised", "outcomes": ["apology"]}
    with_icb = dict(route_of(gp), id="icb", kind="commissioner", name="Integrated care board (ICB)")
    with monkeypatch.context() as m:
        m.setattr(compose, "primary_route", lambda result: with_icb)
        letter = letter_for(gp)
    assert letter.to == "The Complaints Manager, [name of your integrated care board]"
    assert letter.subject == "Complaint about care from [name of the GP practice]"
    chc = {
        "nation": "england",
        "service": "continuing_healthcare",
        "funding": "nhs",
        "stage": "not_raised",
        "outcomes": ["put_right"],
    }
    assert route_of(chc)["id"] == "icb"
    assert letter_for(chc).subject == "Complaint about care from [name of your integrated care board]"


# ------------------------------------------------------------------ who is writing
@pytest.mark.parametrize(
    "consent, expected",
    [
        ("yes", W.CONSENT["yes"]),
        ("no", W.CONSENT["no"]),
        ("cannot_give", W.CONSENT["cannot_give"]),
        (None, W.CONSENT["unknown"]),
        ("deceased", W.DECEASED),
    ],
)
def test_writing_for_someone_says_who_they_are_and_whether_they_agree(consent, expected):
    letter = letter_for(case("england", "not_raised", on_behalf=True), consent=consent)
    assert expected in letter.body
    assert (W.THEY_SIGN in letter.body) == (consent == "yes")
    assert ("How this has affected me and my family" in letter.body) == (consent == "deceased")


def test_a_death_told_in_the_issues_is_taken_as_the_person_having_died():
    facts = {**case("wales", "not_raised", on_behalf=True), "issues": ["death", "care_treatment"]}
    letter = letter_for(facts)
    assert W.DECEASED in letter.body and "What happened before they died" in letter.body
    assert W.CONSENT["unknown"] not in letter.body


def test_writing_for_someone_to_an_ombudsman_mentions_its_consent_form():
    letter = letter_for(case("england", "final_response", on_behalf=True), consent="yes")
    assert W.CONSENT["yes_review"] in letter.body and W.THEY_SIGN not in letter.body


# ------------------------------------------------------------------ what they want, what they ask
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_each_outcome_becomes_a_request(outcome):
    letter = letter_for({**case("england", "not_raised"), "outcomes": [outcome]})
    assert "- " + W.REQUESTS[outcome].format(subj="you", obj="you") in letter.body


def test_no_outcome_leaves_a_gap_and_wales_nhs_asks_for_redress():
    assert W.REQUEST_GAP in letter_for({**case("england", "not_raised"), "outcomes": []}).body
    wales = letter_for({**case("wales", "not_raised"), "outcomes": ["compensation"]})
    assert "redress under the NHS Wales concerns process" in wales.body


def test_the_person_s_own_questions_are_numbered_and_tidied():
    letter = letter_for(case("scotland", "not_raised"), questions=["why did nobody call me back", "Who decided? "])
    assert "1. Why did nobody call me back?\n2. Who decided?\n3. " + W.MORE_QUESTIONS in letter.body


def test_questions_follow_from_what_went_wrong_in_the_right_voice():
    mine = letter_for(case("england", "not_raised"))
    theirs = letter_for(case("england", "not_raised", on_behalf=True), consent="yes")
    assert "Why was I not told what was happening?" in mine.body
    assert "Why were they not told what was happening?" in theirs.body
    assert "How did the problem with their medicines happen?" in theirs.body


# ------------------------------------------------------------------ the rules on replies
@pytest.mark.parametrize(
    "facts, days",
    [
        (case("england", "not_raised", "gp"), 3),
        (case("england", "not_raised", "hospital"), 3),
        (case("england", "not_raised", "care_home", "council"), 3),
        (case("england", "not_raised", "children_social_care"), None),
        (case("england", "not_raised", "care_home", "self_funded"), None),
        (case("scotland", "not_raised", "hospital"), 3),
        (case("scotland", "not_raised", "council_social_care"), 3),
        (case("wales", "not_raised", "hospital"), None),  # the 2026 process: not confirmed
        (case("wales", "not_raised", "council_social_care"), 2),
        (case("northern_ireland", "not_raised", "hospital"), 2),
        (case("northern_ireland", "not_raised", "gp"), 3),
        (case("northern_ireland", "not_raised", "council_social_care"), 2),
        (case("england", "final_response", "hospital"), None),  # an ombudsman
        (case("england", "raised_informally", "hospital", outcomes=["concern_only"]), None),
    ],
)
def test_the_acknowledgement_asked_for_is_the_one_the_rules_give(facts, days):
    body = letter_for(facts).body
    if days:
        assert f"within {days} working days, as the complaint rules say" in body
    else:
        assert "working days" not in body and "Please let me know soon that you have had this" in body


def test_every_rule_names_a_primary_source():
    assert all(r.source.startswith("https://") for r in ACK_RULES)
    assert {r.nation for r in ACK_RULES} == set(NATIONS)


def test_a_complaint_in_progress_asks_what_is_happening():
    letter = letter_for(case("england", "in_progress"))
    assert W.CHASE in letter.body and "[the date you complained]" in letter.body


def test_raised_with_staff_already_says_so():
    letter = letter_for(case("england", "raised_informally", "gp"))
    assert "I raised this with staff on [the date you raised it]" in letter.body


# ------------------------------------------------------------------ anonymous
def test_an_anonymous_person_gets_a_concern_that_needs_no_reply_and_is_told_why():
    letter = letter_for(
        {**case("england", "not_raised", "care_home", "self_funded"), "outcomes": ["apology", "change_practice"]},
        anonymous=True,
    )
    body = letter.body
    assert "I am not giving my name, so I do not need a reply." in body
    for gone in (
        W.WRITER,
        "[Your full name]",
        "date of birth",
        "working days",
        "meet you",
        W.HEADINGS["questions"],
        "An apology.",
    ):
        assert gone not in body, gone
    assert "I would like to know what you will change" in body
    assert W.NOTE_ANONYMOUS in letter.note and ease(letter.note) >= MIN_EASE
    assert letter.subject.startswith("A concern about")


def test_no_letter_is_offered_to_an_ombudsman_for_an_anonymous_person():
    facts = parse_facts(case("england", "final_response"), lenient=True)
    result = get_router().route(facts)
    assert offers_letter(result) and not offers_letter(result, anonymous=True)
    letter = letter_for(case("england", "final_response"), anonymous=True)
    assert W.NOTE_ANONYMOUS_REVIEW in letter.note


# ------------------------------------------------------------------ the offer
def test_a_letter_is_offered_where_the_first_step_is_a_written_complaint_or_concern():
    import yaml

    cases = yaml.safe_load((PROJECT / "tests" / "routing" / "cases.yaml").read_text(encoding="utf-8"))
    offered = {}
    for c in cases:
        result = get_router().route(parse_facts(c["facts"], lenient=True))
        route = primary_route(result)
        offered.setdefault(route["id"] if route else None, set()).add(offers_letter(result))
    assert offered["provider"] == {True} and offered["council"] == {True} and offered["phso"] == {True}
    assert offered["pals"] == {True} and offered["icb"] == {True}
    for rid, kinds in offered.items():
        assert len(kinds) == 1, rid  # the same answer for a route, whatever the case
    assert not offers_letter({"routes": [{"id": "emergency_999", "role": "urgent", "kind": "safety"}]})
    assert not offers_letter({"routes": [{"id": "gmc", "role": "primary", "kind": "regulator"}]})
    assert not offers_letter({"routes": []})


# ------------------------------------------------------------------ length, words
def test_a_long_account_is_kept_whole_and_the_person_is_told_the_letter_is_over_a_page():
    story = " ".join([STORY] * 12)
    letter = letter_for(case("england", "not_raised"), story=story)
    assert story in letter.body and letter.words > MAX_WORDS
    assert f"({letter.words} words)" in letter.note


def test_an_empty_account_leaves_a_gap():
    assert W.STORY_GAP in letter_for(case("england", "not_raised"), story="   ").body


@pytest.mark.parametrize(
    "raw, tidy",
    [
        (
            "my gp receptionist was rude to me when i asked ,and nobody called me back",
            "My GP receptionist was rude to me when I asked, and nobody called me back.",
        ),
        (
            "  i went to a&e .  they said i'm fine!! then nhs 111 said no\n\n\n\nnext day   it got worse",
            "I went to A&E. They said I'm fine!! Then NHS 111 said no.\n\nNext day it got worse.",
        ),
        ("Dr [NAME] saw me on [DATE], call me on [PHONE]", "Dr [name] saw me on [date], call me on [phone number]."),
        ("email me at i.jones@example.com, i think", "Email me at i.jones@example.com, I think."),
        ("It cost £3.50 , a lot.", "It cost £3.50, a lot."),
    ],
)
def test_the_person_s_words_are_tidied_not_rewritten(raw, tidy):
    assert tidy_story(raw) == tidy


def test_tidying_keeps_every_word():
    raw = "the ward was FILTHY and nobody cared. my mum cried  ,  she said 'get me out'"
    words = lambda t: [w.lower() for w in re.findall(r"[\w']+", t)]  # noqa: E731
    assert words(tidy_story(raw)) == words(raw)


# ------------------------------------------------------------------ privacy
def test_the_letter_is_redacted_from_the_stored_event_and_the_live_event_keeps_it():
    from rasa.shared.core.events import BotUttered

    from bot.record.tracker_store import redact_event

    letter = letter_for(case("england", "not_raised"))
    event = BotUttered("Here is a draft letter.", data={"custom": letter.as_marker()}, metadata={"utter_action": "x"})
    stored = redact_event(event.as_dict())
    kept = stored["data"]["custom"]["letter"]
    assert kept == {"to": LETTER_NOT_KEPT, "subject": LETTER_NOT_KEPT, "body": LETTER_NOT_KEPT}
    assert STORY not in json.dumps(stored) and "Complaints Manager" not in json.dumps(stored)
    assert stored["text"] == "Here is a draft letter."
    assert event.data["custom"]["letter"]["body"] == letter.body  # the conversation's own copy is untouched


def test_other_events_are_left_alone():
    for data in (
        {"event": "bot", "text": "hi", "data": {"custom": {"ask": "letter"}}},
        {"event": "bot", "text": "hi", "data": None},
        {"event": "slot", "name": "x", "value": 1},
    ):
        before = json.dumps(data)
        assert json.dumps(redact_letter_event(data)) == before


def test_the_inbox_copy_needs_consent_and_is_redacted():
    letter = letter_for(case("england", "not_raised"), story="Dr Smith told me to go home. Call me on 07700 900123.")
    assert for_referral(letter, transcript_consent=False) is None
    assert for_referral(None, transcript_consent=True) is None
    shown = for_referral(letter, transcript_consent=True)
    assert shown["to"] == letter.to and "Smith" not in shown["body"] and "07700" not in shown["body"]
    assert "[NAME]" in shown["body"] and "[PHONE]" in shown["body"]
    assert for_referral(letter.as_marker()["letter"], transcript_consent=True)["subject"] == letter.subject


def test_the_marker_is_the_contract_s():
    letter = letter_for(case("england", "not_raised"))
    assert letter.as_marker() == {"letter": {"to": letter.to, "subject": letter.subject, "body": letter.body}}
    assert isinstance(letter, Letter) and set(letter.as_dict()) == {"to", "subject", "body", "note"}


# ------------------------------------------------------------------ the CLI
def run_cli(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "bot", "letter", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=120,
    )


def test_the_cli_prints_the_draft():
    facts = json.dumps(
        {
            "nation": "wales",
            "service": "council_social_care",
            "stage": "not_raised",
            "outcomes": ["apology"],
            "on_behalf": True,
        }
    )
    out = run_cli(
        "--facts", "-", "--story", "they never came", "--consent", "yes", "--today", "2026-12-03", "--json", stdin=facts
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"to", "subject", "body", "note"}
    assert "They never came." in doc["body"] and "within 2 working days" in doc["body"]
    assert W.CONSENT["yes"] in doc["body"] and "3 December 2026" in doc["body"]
    text = run_cli("--facts", "-", "--story", "they never came", stdin=facts)
    assert text.returncode == 0 and text.stdout.startswith("To: The Complaints Manager")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--facts", "-", "--story", "x"], "not json", "not valid JSON"),
        (["--facts", "-", "--story", "x"], '{"nation": "mars"}', "unknown value 'mars'"),
        (["--facts", "-", "--story", "x"], '{"colour": "red"}', "unknown key 'colour'"),
        (["--facts", "-", "--story", "  "], "{}", "the story is empty"),
        (["--facts", "-", "--story", "x", "--consent", "maybe"], "{}", "unknown consent"),
        (["--facts", "-", "--story", "x", "--today", "3/12/26"], "{}", "--today must be a date"),
        (["--facts", "/no/such/file", "--story", "x"], "", "cannot read"),
    ],
)
def test_bad_input_is_refused_in_one_line_with_exit_2(args, stdin, message):
    out = run_cli(*args, stdin=stdin)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
