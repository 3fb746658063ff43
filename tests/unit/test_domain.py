"""The domain's responses against the code that sends them.

`rasa data validate` warns that responses sent by custom actions are "not used in any
story or rule" (a known limit of its validator, RasaHQ/rasa#11843): it cannot see our
actions. This test does the check it cannot: every response the code names exists in
the domain, and every response in the domain is sent by something.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\butter_[a-z0-9_]+\b")
NOT_RESPONSES = {"utter_message", "utter_action"}  # rasa_sdk's dispatcher method and event key
RASA_OWN = {"utter_default", "utter_ask_rephrase", "utter_restart"}  # sent by Rasa's own default actions


def domain_responses():
    out = {}
    for f in sorted((PROJECT / "domain").glob("*.yml")):
        out.update((yaml.safe_load(f.read_text()) or {}).get("responses") or {})
    return out


def domain_slots():
    out = {}
    for f in sorted((PROJECT / "domain").glob("*.yml")):
        out.update((yaml.safe_load(f.read_text()) or {}).get("slots") or {})
    return out


def names_in(paths):
    found = {}
    for p in paths:
        for n in NAME.findall(p.read_text(encoding="utf-8")):
            found.setdefault(n, p.relative_to(PROJECT))
    return found


def code_files():
    files = [
        *PROJECT.glob("actions/*.py"),
        *PROJECT.glob("bot/**/*.py"),
        *PROJECT.glob("channels/*.py"),
        *PROJECT.glob("bot/**/*.yml"),
    ]
    return [f for f in files if "knowledge" not in f.parts]


def test_every_response_the_code_sends_exists():
    responses = domain_responses()
    named = names_in(code_files())
    missing = {
        n: str(p) for n, p in named.items() if n not in responses and n not in NOT_RESPONSES and not n.endswith("_")
    }  # "utter_safety_*" in mapping.yml
    assert not missing, f"responses named in code but not in domain/: {missing}"


def test_every_response_in_the_domain_is_sent_by_something():
    responses = set(domain_responses())
    used = set(names_in(code_files() + [*PROJECT.glob("data/**/*.yml")]))
    used |= {f"utter_ask_{slot}" for slot in domain_slots()}  # asked by forms for their slots
    used |= RASA_OWN
    assert sorted(responses - used) == []


def test_every_kind_of_risk_gets_help_with_every_number_from_the_knowledge_base():
    """Each kind of risk, for each person and nation, is answered with help whose numbers are all sourced."""
    from bot.dialogue.intake import SAFETY_RESPONSES
    from bot.safety import PRIORITY
    from bot.safety.help import help_text, kinds

    responses = domain_responses()
    assert [r for r in SAFETY_RESPONSES if r not in responses] == []
    assert set(PRIORITY) <= set(kinds())
    known = sourced_numbers()
    for kind in kinds():
        for nation in (None, "england", "scotland", "wales", "northern_ireland"):
            for who in ("self", "child", "other", "self_child"):
                text = help_text(kind, nation, who)
                assert "999" in text, (kind, nation, who)
                unknown = [n for n in PHONE_LIKE.findall(text) if re.sub(r"\s", "", n) not in known]
                assert unknown == [], (kind, nation, who, unknown)


PHONE_LIKE = re.compile(r"(?<![\d£])(?:0\d{3}[ \d]{6,9}\d|\d{3} \d{3}|999|111|101|85258)(?!\d)")


def sourced_numbers():
    """Every phone-like number written in the knowledge base's bodies (each body's sources back it)."""
    kb_text = " ".join(f.read_text() for f in (PROJECT / "bot" / "knowledge" / "bodies").glob("*.yml"))
    return {re.sub(r"\s", "", n) for n in PHONE_LIKE.findall(kb_text)}


def test_every_number_the_bot_says_is_in_the_knowledge_base():
    """Never invent a phone number: each one in a response or in the safety help is in the knowledge base."""
    from bot.safety.help import help_text, kinds

    known = sourced_numbers()
    said = {}
    for name, variants in domain_responses().items():
        for v in variants:
            for n in PHONE_LIKE.findall(v.get("text") or ""):
                said.setdefault(re.sub(r"\s", "", n), name)
    for kind in kinds():
        for nation in (None, "england", "scotland", "wales", "northern_ireland"):
            for n in PHONE_LIKE.findall(help_text(kind, nation, "child")):
                said.setdefault(re.sub(r"\s", "", n), f"help for {kind} in {nation}")
    assert said, "the pattern finds no numbers at all"
    assert {n: r for n, r in said.items() if n not in known} == {}


def test_safety_help_by_nation_never_sends_someone_to_a_line_of_another_nation():
    from bot.safety.help import help_text

    for kind in ("suicide", "self_harm"):
        for nation in ("england", "scotland", "wales", "northern_ireland"):
            text = help_text(kind, nation, "self")
            for line, home in (
                ("Lifeline", "northern_ireland"),
                ("press 2", "wales"),
                ("NHS 24", "scotland"),
                ("mental health option", "england"),
            ):
                assert (line in text) == (nation == home), (kind, nation, line)
    for nation, line in (
        ("england", "0808 2000 247"),
        ("wales", "0808 80 10 800"),
        ("scotland", "0800 027 1234"),
        ("northern_ireland", "0808 802 1414"),
    ):
        assert line in help_text("abuse_now", nation, "self")
    assert "stay with them" not in help_text("medical_emergency", "england", "self")
    assert "adult" not in help_text("adult_at_risk", "england", "child")
