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
NOT_RESPONSES = {"utter_message", "utter_action"}          # rasa_sdk's dispatcher method and event key
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
    files = [*PROJECT.glob("actions/*.py"), *PROJECT.glob("bot/**/*.py"), *PROJECT.glob("channels/*.py"),
             *PROJECT.glob("bot/**/*.yml")]
    return [f for f in files if "knowledge" not in f.parts]


def test_every_response_the_code_sends_exists():
    responses = domain_responses()
    named = names_in(code_files())
    missing = {n: str(p) for n, p in named.items() if n not in responses and n not in NOT_RESPONSES and not n.endswith("_")}  # "utter_safety_*" in mapping.yml
    assert not missing, f"responses named in code but not in domain/: {missing}"


def test_every_response_in_the_domain_is_sent_by_something():
    responses = set(domain_responses())
    used = set(names_in(code_files() + [*PROJECT.glob("data/**/*.yml")]))
    used |= {f"utter_ask_{slot}" for slot in domain_slots()}        # asked by forms for their slots
    used |= RASA_OWN
    assert sorted(responses - used) == []


def test_every_kind_of_risk_has_its_own_response():
    from bot.dialogue.intake import SAFETY_RESPONSES

    responses = domain_responses()
    assert {k: r for k, r in SAFETY_RESPONSES.items() if r not in responses} == {}
    assert len(set(SAFETY_RESPONSES.values())) == len(SAFETY_RESPONSES)


PHONE_LIKE = re.compile(r"(?<![\d£])(?:0\d{3}[ \d]{6,9}\d|\d{3} \d{3}|999|111|101|85258)(?!\d)")


def test_every_number_the_bot_says_is_in_the_knowledge_base():
    """Never invent a phone number: each one in a response is in the sourced knowledge base."""
    kb_text = " ".join(f.read_text() for f in (PROJECT / "bot" / "knowledge" / "bodies").glob("*.yml"))
    kb_numbers = {re.sub(r"\s", "", n) for n in PHONE_LIKE.findall(kb_text)}
    said = {}
    for name, variants in domain_responses().items():
        for v in variants:
            for n in PHONE_LIKE.findall(v.get("text") or ""):
                said.setdefault(re.sub(r"\s", "", n), name)
    assert said, "the pattern finds no numbers at all"
    assert {n: r for n, r in said.items() if n not in kb_numbers} == {}


def test_safety_help_by_nation_never_sends_someone_to_a_line_of_another_nation():
    responses = domain_responses()
    for name in ("utter_safety_suicide", "utter_safety_self_harm", "utter_safety_general", "utter_safety_violence"):
        for v in responses[name]:
            nation = next((c["value"] for c in v.get("condition") or [] if c.get("name") == "nation"), None)
            text = " ".join(v["text"].split())
            for line, home in (("Lifeline", "northern_ireland"), ("press 2", "wales"), ("NHS 24", "scotland"),
                               ("mental health option", "england")):
                if line in text:
                    assert nation == home, (name, nation, line)
                elif name in ("utter_safety_suicide", "utter_safety_self_harm"):
                    assert nation != home, (name, nation, f"should name {line}")
            if nation is None or nation == "northern_ireland":
                assert "111" not in text, (name, nation)
            assert "999" in text and v["custom"]["safety"] is True
