"""The knowledge base and the rules: complete, sourced, dated, and checked on load."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.routing.knowledge import BODIES_DIR, KnowledgeError, load_bodies
from bot.routing.rules import QUESTIONS_FILE, RULES_FILE, load_rules

CONTRACT_IDS = """provider pals icb nhs_england phso council lgsco housing_ombudsman cqc_feedback cqc_mha healthwatch
care_opinion gmc nmc gdc hcpc gphc goc gosc gcc social_work_england psni sssc social_care_wales niscc iscas
dental_complaints_service occs avma clinical_negligence_solicitor coroner emergency_999 crisis_support
adult_safeguarding children_safeguarding police nhs_complaints_advocacy care_act_advocacy imha spso pass_scotland
care_inspectorate psow llais care_inspectorate_wales nipso patient_client_council rqia childrens_advocacy
hiw healthcare_improvement_scotland mental_welfare_commission ppo chc_review_panel marthas_rule""".split()


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


# ------------------------------------------------------------------ source policy (docs/routing.md)
from bot.routing.sources import allowed, is_copy_host, policy_problems  # noqa: E402


def test_the_shipped_knowledge_base_keeps_the_source_policy(kb):
    assert policy_problems(kb) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.staging.content.citizensadvice.org.uk/scotland/health/",
        "https://uat.spso.org.uk/there-time-limit-for-sending-complaint-to-you",
        "https://wikimili.com/en/Action_Against_Medical_Accidents",
        "https://web.archive.org/web/2020/https://www.gmc-uk.org/",
        "https://psow-old.spindogsombudsman.co.uk/how-to-complain/",
        "https://test2.cornwall.gov.uk/births-marriages-deaths/",
        "https://dcswebsite.azurewebsites.net/about/",
    ],
)
def test_copies_of_sites_are_recognised(url):
    assert is_copy_host(url)


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://www.nmc.org.uk/concerns/referral", True),  # the body's own domain
        ("https://dcs.gdc-uk.org/contact", True),  # a subdomain of its own domain
        ("https://www.legislation.gov.uk/uksi/2009/309", True),  # an official site
        ("https://www.gov.uk/after-a-death", True),
        ("https://woking.gov.uk/council/ombudsman", False),  # a council's page for another body
        ("https://slaglanemedicalcentre.nhs.uk/complaints", False),  # a GP practice, not nhs.uk
        ("https://healthwatchtameside.co.uk/making-nhs-complaint", False),
        ("https://www.kingsviewchambers.com/gmcs-five-year-rule/", False),  # a law firm
        ("https://cdn.staging.content.citizensadvice.org.uk/x", False),
    ],
)
def test_which_pages_a_contact_fact_may_rest_on(url, ok):
    assert allowed(url, ["nmc.org.uk", "gdc-uk.org"]) is ok


@pytest.mark.parametrize(
    "where, change",
    [
        ("phone", lambda e: e["contact"].update(phone="0300 123 4567", phone_source="https://woking.gov.uk/ombudsman")),
        ("email", lambda e: e["contact"].update(email="x@lgo.org.uk", email_source="https://wikimili.com/en/LGO")),
        ("time limit", lambda e: e["time_limit"].update(source="https://www.solicitors.example.co.uk/lgo")),
    ],
)
def test_the_policy_names_a_contact_fact_or_time_limit_resting_on_a_weak_page(tmp_path, where, change):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "social_care.yml", "lgsco", change)
    problems = policy_problems(load_bodies(bodies.glob("*.yml")))
    assert any(p.startswith("lgsco") and where in p for p in problems), problems


def test_an_email_without_its_source_fails(tmp_path):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "private.yml", "iscas", lambda e: e["contact"].update(email="a@b.org"))
    with pytest.raises(KnowledgeError, match="iscas.*email_source"):
        load_bodies(bodies.glob("*.yml"))


def test_a_time_limit_in_months_without_its_source_fails(tmp_path):
    bodies = _copy_kb(tmp_path)
    _edit(bodies / "wales.yml", "psow", lambda e: e["time_limit"].pop("source"))
    with pytest.raises(KnowledgeError, match="psow.*source"):
        load_bodies(bodies.glob("*.yml"))


def test_no_source_is_a_mirror_staging_copy_or_the_pages_the_audit_named(kb):
    weak = (
        "wikimili",
        "staging",
        "gov.im",
        "uat.",
        "slaglanemedicalcentre",
        "healthwatchtameside",
        "healthwatchkirklees",
        "doctorkrishnan",
        "nhs.uk/chq",
        "medical-negligence-claim",
        "tmsolicitors",
        "coodes",
        "lindsayandgilmour",
        "hcpc-uk.org/about-us/corporate-governance/oversight",
        "returnonideas",
        "manchester.gov.uk",
        "woking.gov.uk",
    )
    for body in kb:
        urls = [s.url for s in body.sources] + [
            c.phone_source or "" for c in [body.contact] + [v.contact for v in body.variants.values() if v.contact]
        ]
        for url in urls:
            assert not any(w in url for w in weak), (body.id, url)


def test_no_text_still_presents_putting_things_right_as_the_current_process(kb):
    wales = kb["provider"].for_nation("wales")
    assert "Listening to People" in wales.remit and "£50,000" in wales.remit
    assert "replaced Putting Things Right" in wales.remit
    project = Path(__file__).resolve().parents[2]
    texts = [RULES_FILE.read_text()] + [p.read_text() for p in (project / "domain").glob("*.yml")]
    texts.append((project / "bot" / "dialogue" / "phrases.yml").read_text())
    for text in texts:
        assert "modest compensation" not in text
        assert "process called Putting Things Right" not in text


@pytest.mark.parametrize("body_id", ["gmc", "gphc", "social_care_wales", "niscc", "hcpc"])
def test_a_regulator_with_a_five_year_rule_says_so(kb, body_id):
    limit = kb[body_id].time_limit
    assert limit.months == 60 and "5 years" in limit.text and limit.source


# ------------------------------------------------------------------ the freshness report (CONTRACT section 9)
from bot.routing.sources import facts, months_between, report  # noqa: E402


def test_the_report_lists_every_fact_oldest_first_with_source_date_and_uncertainty(kb):
    out = report(kb, dt.date(2026, 12, 2))
    dates = [f["checked"] for f in out["facts"]]
    assert dates == sorted(dates) and len(dates) == out["facts_total"] == len(facts(kb))
    assert all(f["source"].startswith("http") and f["body"] and f["fact"] for f in out["facts"])
    nmc_phone = [f for f in out["facts"] if f["body"] == "nmc" and f["fact"].startswith("phone")]
    assert nmc_phone and "020 3307 6802" in nmc_phone[0]["fact"] and "nmc.org.uk" in nmc_phone[0]["source"]
    assert any(f["uncertain"] for f in out["facts"])


def test_facts_become_due_twelve_months_after_they_were_checked(kb):
    checked = sorted({f.checked for f in facts(kb)})
    newest = checked[-1]
    assert report(kb, newest)["due"] == 0
    later = newest.replace(year=newest.year + 1)
    assert report(kb, later)["due"] == report(kb, later)["facts_total"]
    just_before = later - dt.timedelta(days=1)
    assert 0 <= report(kb, just_before)["due"] < report(kb, later)["due"]
    assert months_between(dt.date(2025, 12, 2), dt.date(2026, 12, 1)) == 11
    assert months_between(dt.date(2025, 12, 2), dt.date(2026, 12, 2)) == 12


def test_the_cli_prints_the_report_as_json_for_a_given_day():
    import json
    import subprocess
    import sys

    project = Path(__file__).resolve().parents[2]
    p = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "report", "--json", "--today", "2030-01-01"],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["today"] == "2030-01-01" and out["due"] == out["facts_total"] > 50
    p = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "report", "--today", "2026-12-02"],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert p.returncode == 0 and "due for a re-check" in p.stdout


@pytest.mark.parametrize(
    "mutate,message",
    [
        # an unknown field, named with its rule
        (
            lambda d: d["rules"][0].update(colour="red"),
            r"rule 'risk-call-999': field 'colour': extra fields not permitted",
        ),
        (
            lambda d: d["rules"][0]["routes"][0].update(priority=1),
            r"rule 'risk-call-999': field 'routes #1.priority': extra fields not permitted",
        ),
        # a wrong type
        (
            lambda d: d["rules"][0].update(fallback="sometimes"),
            r"rule 'risk-call-999': field 'fallback': value could not be parsed to a boolean",
        ),
        (
            lambda d: d["rules"][0].update(routes="emergency_999"),
            r"rule 'risk-call-999': field 'routes': value is not a valid list",
        ),
        (
            lambda d: d["rules"][0]["routes"][0].update(role="main"),
            r"rule 'risk-call-999': field 'routes #1.role': unexpected value; permitted: 'urgent'",
        ),
        (lambda d: d["rules"][0]["routes"][0].pop("why"), r"rule 'risk-call-999': field 'routes #1.why': required"),
        (
            lambda d: d["rules"][0]["routes"][0].update(why="Call {doctor}"),
            r"rule 'risk-call-999': field 'routes #1.why': unknown placeholder \{doctor\}",
        ),
        (lambda d: d["rules"][0].update(routes=[]), r"rule 'risk-call-999': field 'routes': needs at least one route"),
        # an unknown body id
        (
            lambda d: d["rules"][0]["routes"][0].update(route="no_such_body"),
            r"rule 'risk-call-999' route #1: field 'route': unknown route id 'no_such_body'",
        ),
        (lambda d: d["advocacy"][0].update(id="phso"), r"advocacy #1: field 'id': 'phso' is not an advocacy body"),
        # the rest of the file
        (lambda d: d["rules"].append(dict(d["rules"][0])), r"rule 'risk-call-999': field 'id': duplicate"),
        (lambda d: d["warnings"][0].update(text=None), r"warning 'local_process_first': field 'text': none is not"),
        (
            lambda d: d["derive"]["sector"][0].update(also=1),
            r"derive 'sector' #1: field 'also': extra fields not permitted",
        ),
        (lambda d: d.pop("advocacy"), r"missing section 'advocacy'"),
        (lambda d: d.update(extras={}), r"field 'extras': extra fields not permitted"),
    ],
)
def test_a_malformed_rule_fails_with_a_message_naming_the_rule_and_field(tmp_path, kb, mutate, message):
    path = _rules_with(tmp_path, mutate)
    with pytest.raises(KnowledgeError, match=r"^bot/knowledge/rules\.yml: |rules\.yml: ") as err:
        load_rules(kb, path, QUESTIONS_FILE)
    assert re.search(message, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)
