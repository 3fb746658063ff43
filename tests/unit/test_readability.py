"""Every bot sentence is plain English, for a worried person reading on a phone.

What is checked, and how:

* Every text the bot can say: every response in domain/ (each variation, with its button
  titles), every phrase in bot/dialogue/phrases.yml (fragments inside the sentence the code
  puts them in), every person-facing text of the knowledge base (a body's remit, who it is
  for, what it cannot do, its preconditions, time limits and how to contact it, and the same
  in each nation's variant), the why-texts, warnings and time-limit texts of rules.yml, and
  the sentences written in the code (the case summary, channels/sms.py, channels/common.py).
  Then the messages the code builds from them: every body description, and the advice for
  every routing case (tests/routing/cases.yaml), on the web and by SMS. Not scored: the
  I statements quoted in the feedback question, which are the framework's own words, verbatim.
* Reading ease: Flesch reading ease (textstat 0.7.4, English) of each text as a whole must be
  at least 60, about age 11. Slots like {name} are filled with a short plain word; names of
  bodies on the reviewed allow-list (readability_names.yml) are replaced by a short word
  first, because a person needs the real name to find the body; phone numbers, web and email
  addresses count as one word.
* Sentence length: no sentence over 25 words.
* Jargon: where the bot first uses a term on the short jargon list, the same message explains
  it in a few words. Each message that can come first is checked on its own; the few that can
  only come after another message that explains the term are listed in FOLLOWS.

Every check collects all failures and lists them in one message, so they can be fixed at once.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import textstat
import yaml

PROJECT = Path(__file__).resolve().parents[2]
NAMES_FILE = Path(__file__).with_name("readability_names.yml")
MIN_EASE = 60.0
MAX_WORDS = 25

textstat.set_lang("en")

#: Words put in place of template slots: short and plain, as the real values are.
SLOT_WORDS = {
    "referral_ref": "KX7-4PQ-2M",
    "ref": "KX7-4PQ-2M",
    "date": "3 May 2025",
    "months": "about 3 months ago",
    "left": "2 months",
    "limit": "12 months",
}
FILL_WORD = "this"
NAME_WORD = "Name"
NUMBER_WORD = "this"

# Phone numbers as the knowledge base writes them, web and email addresses: one word each.
_ADDRESS = re.compile(
    r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b|https?://\S+?(?=[.,;:!?)]*(\s|$))|\b(www\.)?[\w-]+(\.[\w-]+)*\.(org|co|gov|nhs|net|com|scot|wales|info)(\.uk)?(/\S*)?\b"
)
_PHONE = re.compile(r"\b0\d{2,4}( \d{2,6}){1,3}\b|\b116 123\b|\b\d{5}\b")

Unit = Tuple[str, str]  # (where it comes from, the text)


# ------------------------------------------------------------------ the texts
def domain_texts() -> List[Unit]:
    """Every response variation in domain/, with its button titles as lines of the same message."""
    out = []
    for path in sorted((PROJECT / "domain").glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (doc.get("responses") or {}).items():
            for i, v in enumerate(variations):
                text = v.get("text") or ""
                titles = [b["title"] for b in v.get("buttons") or []]
                where = f"domain/{path.name}: {name}" + (f" #{i + 1}" if len(variations) > 1 else "")
                out.append((where, "\n".join([text] + [t + "." for t in titles])))
    return out


@lru_cache(maxsize=1)
def _phrases() -> Dict:
    return yaml.safe_load((PROJECT / "bot" / "dialogue" / "phrases.yml").read_text(encoding="utf-8"))


#: Phrases of the case summary (bot/dialogue/text.py): scored inside the summary the person confirms.
SUMMARY_GROUPS = ("service", "nation", "funding", "stage", "issues", "outcomes", "professional")


def phrase_texts() -> List[Unit]:
    """Every phrase in phrases.yml; a fragment inside the sentence the code puts it in, slots filled."""
    p = _phrases()
    out: List[Unit] = []
    for group, values in p.items():
        if group in SUMMARY_GROUPS:
            continue  # see confirm_texts()
        for key, value in values.items():
            where = f"bot/dialogue/phrases.yml: {group}.{key}"
            if isinstance(value, dict):  # body.things (in body.can), body.cannot_things (in body.cannot)
                carrier = p["body"]["can" if key == "things" else "cannot"]
                out += [(f"{where}.{k}", carrier.format(things=v)) for k, v in value.items()]
            elif group == "achieve_words":  # in advice.cannot_alone (bot/dialogue/advice.py outcome_notes)
                out.append((where, p["advice"]["cannot_alone"].format(primary="It", outcome=value)))
            elif group == "intent_descriptions":  # in fallback.did_you_mean (actions/info.py)
                out.append((where, p["fallback"]["did_you_mean"].format(described=value)))
            else:
                out.append((where, value))
    return out


#: A typical case; the summary is shown for it with each fact changed to each of its values in turn.
TYPICAL_CASE = {
    "nation": "england",
    "service": "gp",
    "stage": "not_raised",
    "months_since": 3,
    "issues": ["care_treatment"],
    "outcomes": ["explanation"],
    "on_behalf": False,
}


def confirm_texts() -> List[Unit]:
    """The confirm question (utter_ask_confirm) with the case summary for every value of every fact."""
    from bot.dialogue.text import summary
    from bot.routing import parse_facts
    from bot.routing.facts import SCHEMA

    question = next(v["text"] for v in _responses()["utter_ask_confirm"] if "{case_summary}" in v["text"])
    cases = [("no facts", {}), ("a typical case", TYPICAL_CASE)]
    for key, (kind, values) in SCHEMA.items():
        for value in {"bool": [True, False], "number": [0.1, 1, 14, 40]}.get(kind, values or []):
            cases.append((f"{key}={value}", {**TYPICAL_CASE, key: [value] if kind == "list" else value}))
    out = []
    for label, facts in cases:
        text = question.replace("{case_summary}", summary(parse_facts(facts, lenient=True)))
        out.append((f"domain/intake.yml: utter_ask_confirm with the summary of {label}", text))
    return out


def _responses() -> Dict[str, List[Dict]]:
    out: Dict[str, List[Dict]] = {}
    for path in sorted((PROJECT / "domain").glob("*.yml")):
        out.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return out


def _body_fields(where: str, entry: Dict) -> Iterable[Unit]:
    for field in ("remit", "for_whom"):
        if entry.get(field):
            yield f"{where}.{field}", entry[field]
    for i, text in enumerate(entry.get("cannot") or []):
        yield f"{where}.cannot #{i + 1}", text
    for p in entry.get("preconditions") or []:
        yield f"{where}.preconditions {p['code']}", p["text"]
    tl = entry.get("time_limit") or {}
    for field in ("text", "exceptions"):
        if tl.get(field):
            yield f"{where}.time_limit.{field}", tl[field]
    contact = entry.get("contact") or {}
    if contact.get("how"):
        yield f"{where}.contact.how", contact["how"]


def knowledge_texts() -> List[Unit]:
    """The person-facing texts of the knowledge base and the rules (not sources, notes or names)."""
    kdir = PROJECT / "bot" / "knowledge"
    out: List[Unit] = []
    for path in sorted((kdir / "bodies").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            where = f"bodies/{path.name}: {entry['id']}"
            out += _body_fields(where, entry)
            for nation, variant in (entry.get("variants") or {}).items():
                out += _body_fields(f"{where}.variants.{nation}", variant)
    rules = yaml.safe_load((kdir / "rules.yml").read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        for item in rule["routes"]:
            out.append((f"rules.yml: {rule['id']} -> {item['route']}", item["why"]))
    for w in rules["warnings"]:
        out.append((f"rules.yml: warning {w['code']}", w["text"]))
    for key in ("passed", "near"):
        out.append((f"rules.yml: time_limit_text.{key}", rules["time_limit_text"][key]))
    # questions.yml holds no texts: the questions themselves are responses in domain/intake.yml.
    return out


def code_texts() -> List[Unit]:
    """Sentences written in the code (the summary's sentences are in confirm_texts)."""
    from channels import common, sms

    return [
        (f"channels/sms.py: {n}", getattr(sms, n)) for n in ("HELP_TEXT", "START_TEXT", "NOT_TEXT_TEXT", "LONG_TEXT")
    ] + [
        (f"channels/common.py: {n}", getattr(common, n)) for n in ("STORE_DOWN_TEXT", "NO_REPLY_TEXT", "TOO_LONG_TEXT")
    ]


@lru_cache(maxsize=1)
def _routing_cases() -> Tuple[Dict, ...]:
    return tuple(yaml.safe_load((PROJECT / "tests" / "routing" / "cases.yaml").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def generated_texts() -> Tuple[Unit, ...]:
    """Whole messages as the code builds them: every body description (in each nation it serves), and
    for every routing case (tests/routing/cases.yaml) each message of the advice and the SMS version."""
    from bot.dialogue.advice import build_advice
    from bot.dialogue.bodies import describe
    from bot.routing import get_router, parse_facts
    from channels.sms import compact_advice

    out: List[Unit] = []
    for body in get_router().kb:
        for nation in body.nations:
            out.append((f"description of {body.id} ({nation})", describe(body.id, parse_facts({"nation": nation}))))
    for case in _routing_cases():
        texts, marker, _ = build_advice(parse_facts(case["facts"], lenient=True))
        for i, text in enumerate(texts):
            out.append((f"advice for {case['id']} #{i + 1}", text))
        out.append((f"SMS advice for {case['id']} (channels/sms.py compact_advice)", compact_advice(marker)))
    return tuple(out)


def every_text() -> List[Unit]:
    return domain_texts() + phrase_texts() + confirm_texts() + knowledge_texts() + code_texts()


# ------------------------------------------------------------------ scoring
@lru_cache(maxsize=1)
def allowed_names() -> List[str]:
    doc = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    return sorted((n["name"] for n in doc["names"]), key=len, reverse=True)


def prepared(text: str) -> str:
    """The text as scored: slots filled, allowed names, addresses and phone numbers made one short word."""
    fields = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    for f in set(fields):
        text = text.replace("{" + f + "}", SLOT_WORDS.get(f, FILL_WORD))
    for name in allowed_names():
        text = re.sub(rf"\b{re.escape(name)}\b", NAME_WORD, text, flags=re.IGNORECASE)
    text = _ADDRESS.sub(NUMBER_WORD, text)
    text = _PHONE.sub(NUMBER_WORD, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def ease(text: str) -> float:
    return textstat.flesch_reading_ease(prepared(text))


def sentences(text: str) -> List[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", prepared(text)) if s.strip()]


def long_sentences(text: str) -> List[Tuple[int, str]]:
    return [(n, s) for s in sentences(text) if (n := textstat.lexicon_count(s)) > MAX_WORDS]


def hard(units: Iterable[Unit]) -> List[Tuple[float, str, str]]:
    """(score, where, text) of every text under MIN_EASE, lowest first."""
    scored = ((ease(t), w, t) for w, t in units)
    return sorted(x for x in scored if x[0] < MIN_EASE)


def _report(title: str, failures: List[str]) -> str:
    return f"{len(failures)} {title}:\n" + "\n".join(failures)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ jargon
#: Terms a person may not know. Where the bot first uses one in a message, the same message
#: explains it in a few words; `explained` is what counts as that explanation.
JARGON = {
    "PALS": {"term": r"\bPALS\b", "explained": r"Patient Advice and Liaison Service|patient advice team"},
    "ICB": {"term": r"\bICBs?\b|Integrated Care Board", "explained": r"pays for|local NHS body"},
    "ombudsman": {"term": r"\bombudsm[ae]n\b", "explained": r"\bindependent\b|\breferee\b"},
    "advocacy": {"term": r"\badvoca(te|tes|cy)\b", "explained": r"\bfree\b.{0,40}\bhelp|\bhelps? you\b"},
    "safeguarding": {"term": r"\bsafeguarding\b", "explained": r"\bprotect\w*|\bkeeps? (\w+ ){1,2}safe\b"},
}

#: Responses that only ever follow one that explains the term (reviewed: the flow guarantees it).
FOLLOWS = {
    ("utter_ask_contact", "advocacy"): "asked only after the person said yes to utter_ask_advocacy",
    ("utter_referral_not_saved", "advocacy"): "after the advice, which names the advocacy service and its free help",
}


def _response_name(where: str) -> str:
    """'domain/followup.yml: utter_ask_contact #2' -> 'utter_ask_contact'."""
    return where.split(": ", 1)[-1].split(" #")[0]


def unexplained(units: Iterable[Unit]) -> List[str]:
    """Texts that use a jargon term without explaining it (each text on its own)."""
    out = []
    for where, text in units:
        for label, j in JARGON.items():
            if (_response_name(where), label) in FOLLOWS:
                continue
            if re.search(j["term"], text, re.IGNORECASE) and not re.search(j["explained"], text, re.IGNORECASE):
                out.append(f"  {label!r} not explained in {where}: {_one_line(text)}")
    return out


def first_use_unexplained(messages: List[Unit], already: Iterable[str] = ()) -> List[str]:
    """In a run of messages, the first one to use each term must explain it."""
    seen = set(already)
    out = []
    for where, text in messages:
        for label, j in JARGON.items():
            if label in seen or not re.search(j["term"], text, re.IGNORECASE):
                continue
            seen.add(label)
            if not re.search(j["explained"], text, re.IGNORECASE):
                out.append(f"  {label!r} first used without explanation in {where}: {_one_line(text)}")
    return out


# ------------------------------------------------------------------ the tests
def test_the_texts_are_all_found():
    counts = {
        "domain": len(domain_texts()),
        "phrases": len(phrase_texts()),
        "knowledge": len(knowledge_texts()),
        "code": len(code_texts()),
    }
    assert counts["domain"] >= 60 and counts["phrases"] >= 50 and counts["knowledge"] >= 300, counts
    names = {w.split(": ")[1].split(" #")[0] for w, _ in domain_texts()}
    assert {"utter_welcome", "utter_ask_confirm", "utter_safety_choice", "utter_privacy"} <= names
    # Every phrase of the summary is read in at least one summary.
    confirms = " ".join(t for _, t in confirm_texts())
    unread = [f"{g}.{k}" for g in SUMMARY_GROUPS for k, v in _phrases()[g].items() if v.lower() not in confirms.lower()]
    assert unread == [], f"summary phrases never shown in a summary: {unread}"


def test_every_text_reads_at_about_age_11():
    failures = hard(every_text())
    assert not failures, _report(
        f"texts read below Flesch reading ease {MIN_EASE:g} (lowest first)",
        [f"  {s:6.1f}  {w}: {_one_line(t)}" for s, w, t in failures],
    )


def test_every_message_the_code_builds_reads_at_about_age_11():
    failures = hard(generated_texts())
    assert not failures, _report(
        f"built messages read below Flesch reading ease {MIN_EASE:g} (lowest first)",
        [f"  {s:6.1f}  {w}: {_one_line(t)}" for s, w, t in failures],
    )


def test_no_sentence_is_over_25_words():
    failures = [
        f"  {n} words  {w}: {s}" for w, t in every_text() + list(generated_texts()) for n, s in long_sentences(t)
    ]
    assert not failures, _report(f"sentences over {MAX_WORDS} words", sorted(set(failures)))


def test_jargon_is_explained_where_first_used():
    # A message that can come first explains each term it uses: every response, every sentence in the code,
    # every body description (the answer to "what is PALS?").
    standalone = (
        domain_texts() + code_texts() + [(w, t) for w, t in generated_texts() if w.startswith("description of ")]
    )
    failures = unexplained(standalone)
    # The advice, message by message in the order sent: the first message to use a term explains it. It comes
    # after utter_ask_advocacy, which explains what an advocate is. (The SMS version is a short list of names
    # that the texter can ask about, and is left out here: the answer to such a question is checked above.)
    advice: Dict[str, List[Unit]] = {}
    for w, t in generated_texts():
        if w.startswith("advice for "):
            advice.setdefault(w.split(" #")[0], []).append((w, t))
    for messages in advice.values():
        failures += first_use_unexplained(messages, already=["advocacy"])
    assert not failures, _report("jargon terms used without a one-line explanation", sorted(set(failures)))


def test_the_allowed_names_are_reviewed_and_used():
    doc = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    everything = " ".join(t for _, t in every_text() + list(generated_texts())).lower()
    for n in doc["names"]:
        assert n.get("why"), f"{n['name']}: say why it is on the list"
        assert n["name"].lower() in everything, f"{n['name']}: not used by the bot any more; remove it"


def test_the_checks_can_fail():
    hard_text = (
        "Notwithstanding the aforementioned considerations, the organisation's complaints procedure necessitates "
        "comprehensive documentation demonstrating unsatisfactory resolution prior to independent adjudication."
    )
    assert ease(hard_text) < MIN_EASE and hard([("example", hard_text)])
    assert long_sentences("You can " + "and then wait " * 10 + "for the answer.")
    assert unexplained([("example", "Ask PALS or the ICB.")]) and not unexplained(
        [("example", "Ask the patient advice team (PALS), or the ICB, the local NHS body that pays for services.")]
    )
    assert first_use_unexplained([("1", "Go to the ombudsman."), ("2", "An ombudsman is independent.")])
    assert not first_use_unexplained([("1", "The ombudsman is independent."), ("2", "Then the ombudsman.")])


def test_names_and_slots_are_replaced_before_scoring():
    assert prepared("Call the Parliamentary and Health Service Ombudsman on 0345 015 4033.") == "Call the Name on this."
    assert prepared("Email england.contactus@nhs.net or see https://www.cqc.org.uk/x.") == "Email this or see this."
    assert prepared("Your reference is {referral_ref}, {name}.") == "Your reference is KX7-4PQ-2M, this."
