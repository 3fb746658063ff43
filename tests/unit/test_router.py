"""The router: the development cases, the project's own cases, and its behaviour as a whole."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.routing import FactError, get_router, parse_facts, route_case
from bot.routing.facts import SCHEMA

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT.parent / "shared" / "eval"))
from route_eval import check  # noqa: E402  (the shared scorer, so the tests judge as acceptance does)

CASES = yaml.safe_load((PROJECT / "tests" / "routing" / "cases.yaml").read_text())
DEV = yaml.safe_load((PROJECT.parent / "shared" / "eval" / "routing_dev.yaml").read_text())


@pytest.mark.parametrize("case", DEV + CASES, ids=lambda c: c["id"])
def test_routing_case(case):
    out = route_case(case["facts"])
    assert check(case, out) == []


def test_the_project_cases_cover_every_nation_and_at_least_80():
    assert len(CASES) >= 80
    nations = {c["facts"].get("nation") for c in CASES}
    assert {"england", "scotland", "wales", "northern_ireland"} <= nations


def test_the_project_cases_cover_every_route_id():
    from tests.unit.test_knowledge import CONTRACT_IDS

    expected = set()
    for c in CASES:
        expected |= set(c.get("includes", [])) | set(c.get("includes_any", [])) | set(c.get("primary_in", []))
        expected |= set(c.get("urgent_in", [])) | ({c["primary"]} if "primary" in c else set())
        expected |= {c["advocacy"]} if "advocacy" in c else set()
    assert set(CONTRACT_IDS) <= expected, set(CONTRACT_IDS) - expected


def test_order_of_roles():
    order = ["urgent", "primary", "alternative", "also", "next_step", "support"]
    out = route_case(
        {
            "nation": "england",
            "service": "care_home",
            "risk_now": True,
            "issues": ["abuse_neglect"],
            "outcomes": ["compensation"],
            "stage": "not_raised",
        }
    )
    roles = [r["role"] for r in out["routes"]]
    assert roles == sorted(roles, key=order.index)
    assert roles.count("primary") == 1
    assert out["routes"][0]["id"] == "emergency_999"


def test_every_route_item_has_the_contract_fields():
    out = route_case({"nation": "wales", "service": "gp"})
    for r in out["routes"]:
        assert {"id", "role", "name", "why", "how", "time_limit"} <= set(r)
        assert all(isinstance(r[k], str) and r[k] for k in ("name", "why", "how", "time_limit"))


def test_why_speaks_of_this_persons_facts():
    out = route_case({"nation": "england", "service": "dentist", "funding": "nhs", "stage": "not_raised"})
    primary = next(r for r in out["routes"] if r["role"] == "primary")
    assert "dental practice" in primary["why"]


def test_missing_lists_only_facts_that_change_the_answer():
    router = get_router()
    facts = parse_facts({"nation": "england", "service": "gp", "stage": "not_raised"})
    base = router.decide(facts).signature
    for fact in router.missing(facts):
        values = router._candidates(fact)
        assert any(router.decide(facts.with_value(fact, v)).signature != base for v in values), fact


def test_missing_puts_the_most_decisive_first():
    out = route_case({})
    assert out["missing"][:2] == ["nation", "service"]
    assert "funding" in route_case({"nation": "england", "service": "care_home"})["missing"]


def test_nothing_missing_when_everything_is_known():
    out = route_case(
        {
            "nation": "england",
            "service": "gp",
            "funding": "nhs",
            "stage": "not_raised",
            "months_since": 2,
            "issues": ["communication"],
            "outcomes": ["explanation"],
            "risk_now": False,
            "on_behalf": False,
        }
    )
    assert out["missing"] == []


@pytest.mark.parametrize(
    "raw, message",
    [
        ("[]", "must be a JSON object"),
        ('{"colour": "blue"}', "unknown key 'colour'"),
        ('{"nation": "france"}', "unknown value 'france' for nation"),
        ('{"months_since": "three"}', "months_since must be a number"),
        ('{"risk_now": "yes"}', "risk_now must be true or false"),
        ('{"issues": "care_treatment, death"}', "unknown value"),
        ('{"issues": [1]}', "must be a list of strings"),
        ('{"months_since": -4}', "from 0 to"),
        ("not json", "not valid JSON"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line_with_exit_2(raw, message):
    p = subprocess.run(
        [sys.executable, "-m", "bot", "route", "--facts", "-", "--json"],
        input=raw,
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert p.returncode == 2
    assert message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert p.stdout == ""


def test_the_cli_answers_json(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"nation": "scotland", "service": "hospital", "stage": "final_response"}))
    p = subprocess.run(
        [sys.executable, "-m", "bot", "route", "--facts", str(f), "--json"], capture_output=True, text=True, cwd=PROJECT
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out) == {"routes", "advocacy", "warnings", "missing"}
    assert out["routes"][0]["id"] == "spso"


def test_the_cli_does_not_load_tensorflow():
    code = (
        "import sys, io, json; sys.stdin = io.StringIO('{}'); from bot.cli import main; main(['route', '--facts', '-', '--json']);"
        "print('TF' if 'tensorflow' in sys.modules else 'NO_TF', file=sys.stderr)"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    assert "NO_TF" in p.stderr


# postcodes from every nation, full and outward, one on a boundary (issue 15)
POSTCODES = ["LS1 4AP", "CF10 1EP", "EH1 1YZ", "BT1 5GS", "LS1", "RG40", "BT71", "ll11 1ay"]
case_values = st.fixed_dictionaries(
    {},
    optional={
        key: (
            st.sampled_from(POSTCODES)
            if kind == "postcode"
            else st.sampled_from(values)
            if kind == "choice"
            else st.lists(st.sampled_from(values), max_size=4)
            if kind == "list"
            else st.booleans()
            if kind == "bool"
            else st.floats(min_value=0, max_value=1200, allow_nan=False)
        )
        for key, (kind, values) in SCHEMA.items()
    },
)


@settings(max_examples=400, deadline=None)
@given(case_values)
def test_the_router_never_crashes_and_always_names_one_first_step(raw):
    out = route_case(raw)
    primaries = [r for r in out["routes"] if r["role"] == "primary"]
    assert len(primaries) == 1
    if raw.get("risk_now"):
        assert out["routes"][0]["role"] == "urgent"
    assert all(m in SCHEMA for m in out["missing"])
    assert not set(out["missing"]) & {k for k, v in raw.items() if v not in (None, [], "unknown")}


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=5),
        max_leaves=12,
    )
)
def test_random_json_is_either_routed_or_refused_cleanly(raw):
    try:
        route_case(raw)
    except FactError as e:
        assert "\n" not in str(e)


def test_a_welsh_nhs_case_gets_the_2026_process_by_name_stages_and_redress_limit():
    out = route_case(
        {"nation": "wales", "service": "hospital", "funding": "nhs", "stage": "not_raised", "months_since": 2}
    )
    primary = next(r for r in out["routes"] if r["role"] == "primary")
    text = primary["why"]
    assert "Listening to People" in text and "early resolution" in text and "investigation" in text
    assert "£50,000" in text and "Putting Things Right" not in text and "modest" not in text
    redress = route_case({"nation": "wales", "service": "gp", "outcomes": ["compensation"]})
    assert any(w["code"] == "redress_possible" and "£50,000" in w["text"] for w in redress["warnings"])


def test_an_older_case_gets_the_time_limit_warning_of_the_regulators_five_year_rule():
    out = route_case(
        {
            "nation": "england",
            "service": "hospital",
            "funding": "nhs",
            "stage": "not_raised",
            "months_since": 70,
            "outcomes": ["accountability"],
            "professional": "doctor",
        }
    )
    gmc = next(r for r in out["routes"] if r["id"] == "gmc")
    assert "5 years" in gmc["time_limit"]
    warning = next(w for w in out["warnings"] if w.get("route") == "gmc")
    assert warning["code"] == "time_limit_passed" and "General Medical Council" in warning["text"]
    recent = route_case(
        {
            "nation": "england",
            "service": "hospital",
            "funding": "nhs",
            "stage": "not_raised",
            "months_since": 20,
            "outcomes": ["accountability"],
            "professional": "doctor",
        }
    )
    assert not any(w.get("route") == "gmc" for w in recent["warnings"])
