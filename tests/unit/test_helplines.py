"""The helplines the safety replies use (bot/knowledge/bodies/helplines.yml, docs/routing.md "The helplines").

Each kind of risk of harm has the right line for each UK nation, every number rests on a page the source
policy allows, and the person sees the same number the knowledge base records.
"""

import re

import pytest
import yaml

from bot.routing.knowledge import BODIES_DIR, load_bodies
from bot.routing.sources import allowed

HELPLINES_FILE = BODIES_DIR / "helplines.yml"
NATIONS = ("england", "scotland", "wales", "northern_ireland")

#: The urgent mental health line and the domestic abuse line of each nation.
URGENT_MENTAL_HEALTH = {
    "england": "nhs111_mental_health",
    "wales": "nhs111_mental_health",
    "scotland": "nhs111_mental_health",
    "northern_ireland": "lifeline_ni",
}
DOMESTIC_ABUSE = {
    "england": "domestic_abuse_helpline",
    "wales": "live_fear_free",
    "scotland": "scotland_domestic_abuse_helpline",
    "northern_ireland": "ni_domestic_abuse_helpline",
}
#: Lines for the whole UK.
UK_WIDE = ("samaritans", "shout", "papyrus", "childline", "nspcc_helpline")


@pytest.fixture(scope="module")
def kb():
    return load_bodies()


@pytest.fixture(scope="module")
def helpline_ids():
    return [e["id"] for e in yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))]


def _contacts(body):
    yield "", body.contact
    for nation, variant in body.variants.items():
        if variant.contact:
            yield nation, variant.contact


def test_every_helpline_is_a_safety_body_with_a_sourced_number_the_person_sees(kb, helpline_ids):
    assert len(helpline_ids) >= 12
    for body_id in helpline_ids:
        body = kb[body_id]
        assert body.kind == "safety" and body.domains and body.checked_against == "public_pages", body_id
        for nation, contact in _contacts(body):
            where = f"{body_id} {nation}".strip()
            assert contact.phone and allowed(contact.phone_source, body.domains), where
            # The text the person reads gives the very number the knowledge base records.
            assert contact.phone in contact.how, where
            # Hours are given, or the entry says they could not be confirmed.
            assert contact.phone_hours or any("hours" in note for note in body.uncertain), where


@pytest.mark.parametrize("nation", NATIONS)
def test_each_nation_has_its_own_urgent_mental_health_line_open_day_and_night(kb, nation):
    body = kb[URGENT_MENTAL_HEALTH[nation]]
    assert nation in body.nations
    contact = body.for_nation(nation).contact
    assert contact.phone and contact.phone_hours == "24 hours a day, 7 days a week"
    assert allowed(contact.phone_source, body.domains)


def test_the_111_line_is_worded_for_each_nation(kb):
    body = kb["nhs111_mental_health"]
    assert "northern_ireland" not in body.nations  # Northern Ireland has no 111 mental health line: Lifeline instead
    assert "mental health option" in body.for_nation("england").contact.how
    assert "press 2" in body.for_nation("wales").contact.how
    assert "NHS 24" in body.for_nation("scotland").contact.how
    assert "bcuhb.nhs.wales" in body.for_nation("wales").contact.phone_source
    assert "gov.scot" in body.for_nation("scotland").contact.phone_source


@pytest.mark.parametrize("nation", NATIONS)
def test_each_nation_has_its_own_domestic_abuse_line_and_only_that_one(kb, nation):
    body = kb[DOMESTIC_ABUSE[nation]]
    assert body.nations == [nation]
    assert body.contact.phone and body.contact.phone_hours == "24 hours a day, 7 days a week"
    others = [kb[i] for n, i in DOMESTIC_ABUSE.items() if n != nation]
    assert all(nation not in other.nations for other in others)


def test_the_domestic_abuse_lines_say_a_word_about_using_a_phone_safely(kb):
    assert "safer phone" in kb["domestic_abuse_helpline"].contact.how
    assert "safe to talk" in kb["live_fear_free"].contact.how
    assert "text" in kb["ni_domestic_abuse_helpline"].contact.how


@pytest.mark.parametrize("body_id", UK_WIDE)
def test_the_uk_wide_lines_serve_every_nation(kb, body_id):
    assert sorted(kb[body_id].nations) == sorted(NATIONS)


_NUMBER = re.compile(r"(?<![\w/.-])(0\d{2,4}(?: ?\d{2,6}){1,3}|999|101|111|116 123|85258)(?![\w/-])")


def test_every_number_a_helpline_text_gives_is_in_the_knowledge_base_with_its_page(kb, helpline_ids):
    """A text number (07860 077333) or a number in a remit rests on the entry's own sources, like its phone."""
    phones = {c.phone for b in kb for _, c in _contacts(b) if c.phone}
    known = {"".join(re.findall(r"\d", p)) for p in phones}
    for body_id in helpline_ids:
        body = kb[body_id]
        supported = {n.replace(" ", "") for s in body.sources for n in re.findall(r"\d[\d ]*\d", s.supports)}
        texts = [body.remit, body.contact.how] + [
            t for v in body.variants.values() for t in (v.remit, v.contact.how if v.contact else None) if t
        ]
        for text in texts:
            for number in _NUMBER.findall(text):
                digits = number.replace(" ", "")
                assert digits in known | supported, (body_id, number)
