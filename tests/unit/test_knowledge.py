"""The knowledge base and the rules: complete, sourced, dated, and checked on load."""
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.routing.engine import Router
from bot.routing.facts import SCHEMA
from bot.routing.knowledge import BODIES_DIR, KnowledgeError, load_bodies
from bot.routing.rules import QUESTIONS_FILE, RULES_FILE, load_rules

CONTRACT_IDS = """provider pals icb nhs_england phso council lgsco housing_ombudsman cqc_feedback cqc_mha healthwatch
care_opinion gmc nmc gdc hcpc gphc goc gosc gcc social_work_england psni sssc social_care_wales niscc iscas
dental_complaints_service occs avma clinical_negligence_solicitor coroner emergency_999 crisis_support
adult_safeguarding children_safeguarding police nhs_complaints_advocacy care_act_advocacy imha spso pass_scotland
care_inspectorate psow llais care_inspectorate_wales nipso patient_client_council rqia""".split()


@pytest.fixture(scope="module")
def kb():
    return load_bodies()


def test_every_contract_route_id_exists(kb):
    assert set(CONTRACT_IDS) <= set(kb.ids)


def test_every_entry_has_sources_and_a_checked_date(kb):
    for body in kb:
        assert body.sources, body.id
        assert all(s.url.startswith(("http://", "https://")) for s in body.sources), body.id
        assert isinstance(body.checked, dt.date) and body.checked <= dt.date.today(), body.id


def test_phone_numbers_always_have_the_page_they_came_from(kb):
    for body in kb:
        for contact in [body.contact] + [v.contact for v in body.variants.values() if v.contact]:
            if contact.phone:
                assert contact.phone_source, body.id


def _copy_kb(tmp_path):
    bodies = tmp_path / "bodies"
    shutil.copytree(BODIES_DIR, bodies)
    return bodies


def _edit(path: Path, body_id: str, change):
    data = yaml.safe_load(path.read_text())
    for entry in data:
        if entry["id"] == body_id:
            change(entry)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("field", ["sources", "checked"])
def test_a_missing_source_or_date_fails_with_file_entry_and_field(tmp_path, field):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "scotland.yml", "spso", lambda e: e.pop(field))
    with pytest.raises(KnowledgeError) as err:
        load_bodies(bodies.glob("*.yml"))
    msg = str(err.value)
    assert "scotland.yml" in msg and "'spso'" in msg and field in msg


def test_an_empty_source_list_fails(tmp_path):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "wales.yml", "psow", lambda e: e.update(sources=[]))
    with pytest.raises(KnowledgeError, match="psow.*sources"):
        load_bodies(bodies.glob("*.yml"))


def test_a_phone_without_its_source_fails(tmp_path):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "private.yml", "iscas", lambda e: e["contact"].update(phone="0300 123 4567"))
    with pytest.raises(KnowledgeError, match="iscas.*phone_source"):
        load_bodies(bodies.glob("*.yml"))


def _rules_with(tmp_path, mutate):
    doc = yaml.safe_load(RULES_FILE.read_text())
    mutate(doc)
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_a_rule_naming_an_unknown_route_fails(tmp_path, kb):
    path = _rules_with(tmp_path, lambda d: d["rules"][0]["routes"][0].update(route="no_such_body"))
    with pytest.raises(KnowledgeError, match="unknown route id 'no_such_body'"):
        load_rules(kb, path, QUESTIONS_FILE)


def test_a_rule_naming_an_unknown_fact_value_fails(tmp_path, kb):
    path = _rules_with(tmp_path, lambda d: d["rules"][0].update(when={"service": "dentistry"}))
    with pytest.raises(KnowledgeError, match="unknown value 'dentistry' for service"):
        load_rules(kb, path, QUESTIONS_FILE)


def test_a_rule_naming_an_unknown_fact_fails(tmp_path, kb):
    path = _rules_with(tmp_path, lambda d: d["rules"][0].update(when={"shoe_size": "9"}))
    with pytest.raises(KnowledgeError, match="unknown fact 'shoe_size'"):
        load_rules(kb, path, QUESTIONS_FILE)


def test_a_warning_naming_an_unknown_route_fails(tmp_path, kb):
    path = _rules_with(tmp_path, lambda d: d["warnings"][0]["when"].update(route=["nope"]))
    with pytest.raises(KnowledgeError, match="unknown route id 'nope'"):
        load_rules(kb, path, QUESTIONS_FILE)


def test_the_shipped_rules_load_and_every_route_id_is_reachable(kb):
    rules = load_rules(kb)
    named = {a.route for r in rules.rules for a in r.routes} | {a for a, _ in rules.advocacy}
    assert set(CONTRACT_IDS) <= named


def test_no_phone_number_in_any_answer_is_missing_from_the_knowledge_base(kb):
    """Bot responses and rules may only repeat phone numbers the knowledge base sources."""
    known = set()
    for body in kb:
        for c in [body.contact] + [v.contact for v in body.variants.values() if v.contact]:
            if c.phone:
                known.add(c.phone.replace(" ", ""))
    known |= {"999", "101", "111", "116123", "85258"}  # in crisis_support's sourced text
    project = Path(__file__).resolve().parents[2]
    texts = [p.read_text() for p in (project / "domain").glob("*.yml")] + [RULES_FILE.read_text()]
    for text in texts:
        for number in re.findall(r"(?<![\w/.-])(0\d{2,4}(?: ?\d{2,6}){1,3}|999|101|111|116 123|85258)(?![\w/-])", text):
            assert number.replace(" ", "") in known, number
