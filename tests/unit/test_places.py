"""Places (issue 15): postcodes to areas, areas to local organisations, and the router naming them."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.places import (
    area_codes,
    candidates,
    get_directory,
    load_directory,
    lookup_postcode,
    normalise_postcode,
    organisation_for,
    parse_place,
    place_from_codes,
    place_from_postcode,
    redact_postcodes,
    wants_place,
)
from bot.places.organisations import AREAS_FILE, OrganisationError
from bot.places.parse import name_index
from bot.places.postcodes import DATA_FILE, POSTCODE_AREAS, get_index
from bot.routing import FactError, get_router, parse_facts, route_case

PROJECT = Path(__file__).resolve().parents[2]


def council_of(postcode: str) -> str:
    [org] = candidates("council", place_from_postcode(postcode))
    return org.name


def health_of(postcode: str, kind: str):
    return [o.name for o in candidates(kind, place_from_postcode(postcode))]


# ------------------------------------------------------------------------------------ postcodes
@pytest.mark.parametrize(
    "text,normal",
    [
        ("LS1 4AP", "LS1 4AP"),
        ("ls14ap", "LS1 4AP"),
        ("  ls1   4ap ", "LS1 4AP"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("LS1", "LS1"),
        ("cf10", "CF10"),
        ("B1", "B1"),
    ],
)
def test_postcodes_are_normalised(text, normal):
    assert normalise_postcode(text) == normal


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "XYZ",
        "LS1 4A",
        "LS1 4APP",
        "12345",
        "hello there",
        "QQ1 1AA",
        "JE2 3AB",
        "GY1 1AA",
        "IM1 1AA",
        "LS",
        "L",
        "LS1 4AP LS1",
        None,
        12,
    ],
)
def test_anything_else_is_not_a_postcode(bad):
    assert normalise_postcode(bad) is None
    assert lookup_postcode(bad) is None if isinstance(bad, str) else True


@pytest.mark.parametrize(
    "postcode,area,nation",
    [
        ("LS1 4AP", "E08000035", "england"),  # Leeds
        ("CF10 1EP", "W06000015", "wales"),  # Cardiff
        ("EH1 1YZ", "S12000036", "scotland"),  # City of Edinburgh
        ("BT1 5GS", "N09000003", "northern_ireland"),  # Belfast
        ("LL11 1AY", "W06000006", "wales"),  # Wrexham
        ("IV2 3BW", "S12000017", "scotland"),  # Highland
    ],
)
def test_a_full_postcode_gives_one_area_in_every_nation(postcode, area, nation):
    found = lookup_postcode(postcode)
    assert found.codes == (area,)
    place = place_from_postcode(postcode)
    assert place.kind == "postcode" and place.nation == nation


def test_an_outward_code_in_one_area_gives_it():
    assert lookup_postcode("LS1").codes == ("E08000035",)
    assert place_from_postcode("LS1").kind == "outward"


def test_an_outward_code_across_areas_gives_every_candidate_most_first():
    found = lookup_postcode("RG40")  # Wokingham, with a little of Bracknell Forest and Windsor and Maidenhead
    assert len(found.codes) >= 2 and found.codes[0] == "E06000041"
    shares = [share for _, share in found.areas]
    assert shares == sorted(shares, reverse=True) and abs(sum(shares) - 1) < 0.01
    assert found.single is None


def test_an_outward_code_across_councils_names_no_council_but_the_shared_icb():
    place = place_from_postcode("RG40")
    facts = {"nation": "england", "service": "council_social_care"}
    assert organisation_for("council", facts, place) is None  # three councils: say less
    assert organisation_for("icb", facts, place)["name"] == "NHS Thames Valley Integrated Care Board"


def test_a_postcode_newer_than_the_data_falls_back_to_its_outward_code():
    assert lookup_postcode("LS1 9ZZ").codes == lookup_postcode("LS1").codes


# ------------------------------------------------------------------ councils: county, not district
@pytest.mark.parametrize(
    "postcode,council",
    [
        ("GU15 3SY", "Surrey County Council"),  # Surrey Heath district
        ("CB2 1TN", "Cambridgeshire County Council"),  # Cambridge district
        ("S80 2AA", "Nottinghamshire County Council"),  # Bassetlaw district
        ("TN23 1PL", "Kent County Council"),  # Ashford district
        ("LS1 4AP", "Leeds City Council"),  # metropolitan borough
        ("ME4 4TR", "Medway Council"),  # unitary inside Kent
        ("CF10 1EP", "Cardiff Council"),
        ("EH1 1YZ", "The City of Edinburgh Council"),
    ],
)
def test_the_council_is_the_one_with_social_care_duties(postcode, council):
    assert council_of(postcode) == council


def test_northern_ireland_has_no_council_for_social_care_the_trust_runs_it():
    place = place_from_postcode("BT1 5GS")
    assert candidates("council", place) == []
    facts = {"nation": "northern_ireland", "service": "council_social_care"}
    assert organisation_for("provider", facts, place)["name"] == "Belfast Health and Social Care Trust"


@pytest.mark.parametrize(
    "postcode,kind,names",
    [
        ("LS1 4AP", "icb", ["NHS West Yorkshire Integrated Care Board"]),
        ("S80 2AA", "icb", ["NHS South Yorkshire Integrated Care Board"]),  # Bassetlaw: not Nottinghamshire's ICB
        ("GU15 3SY", "icb", ["NHS Surrey and Sussex Integrated Care Board"]),  # Surrey Heath, from Frimley, April 2026
        ("GU14 7JU", "icb", ["NHS Hampshire and the Isle of Wight Integrated Care Board"]),  # Rushmoor
        ("SL1 1AA", "icb", ["NHS Thames Valley Integrated Care Board"]),  # Slough
        ("CO1 1AA", "icb", ["NHS Essex Integrated Care Board"]),  # Colchester
        ("IP1 1AA", "icb", ["NHS Norfolk and Suffolk Integrated Care Board"]),
        ("BD23 1UD", "icb", ["NHS West Yorkshire Integrated Care Board"]),  # Skipton: former Craven district
        ("HG1 1AA", "icb", ["NHS Humber and North Yorkshire Integrated Care Board"]),
        ("CA11 7QF", "icb", ["NHS North East and North Cumbria Integrated Care Board"]),  # Penrith: former Eden
        ("LA9 4DL", "icb", ["NHS Lancashire and South Cumbria Integrated Care Board"]),  # Kendal
        ("CF10 1EP", "health_board", ["Cardiff and Vale University Health Board"]),
        ("LL11 1AY", "health_board", ["Betsi Cadwaladr University Health Board"]),
        ("EH1 1YZ", "nhs_board", ["NHS Lothian"]),
        ("G1 1AA", "nhs_board", ["NHS Greater Glasgow and Clyde"]),
        ("BT48 6AA", "hsc_trust", ["Western Health and Social Care Trust"]),
    ],
)
def test_the_health_organisation_of_each_nation(postcode, kind, names):
    assert health_of(postcode, kind) == names


def test_a_split_district_in_northern_ireland_gives_both_trusts_not_a_guess():
    place = place_from_postcode("BT71 4AA")  # Mid Ulster: Northern and Southern trusts
    assert len(candidates("hsc_trust", place)) == 2
    assert organisation_for("provider", {"nation": "northern_ireland", "service": "hospital"}, place) is None


# ------------------------------------------------------------------------------------- the data
def test_every_area_in_the_postcode_data_is_described_and_covered():
    d = get_directory()
    codes = get_index().codes
    assert set(codes) == set(d.areas)
    two_trusts = {"N09000004", "N09000007", "N09000009", "N09000010"}
    for code in codes:
        area = d.areas[code]
        health = {"england": "icb", "wales": "health_board", "scotland": "nhs_board", "northern_ireland": "hsc_trust"}[
            area.nation
        ]
        assert len(d.covering(code, health)) == (2 if code in two_trusts else 1), code
        assert len(d.covering(code, "council")) == (0 if area.nation == "northern_ireland" else 1), code
        for org in d.covering(code, "council"):
            assert org.nation == area.nation


def test_the_organisations_are_all_there():
    kinds = {}
    for org in get_directory():
        kinds.setdefault((org.kind, org.nation), []).append(org)
    assert len(kinds[("icb", "england")]) == 36
    assert len(kinds[("health_board", "wales")]) == 7
    assert len(kinds[("nhs_board", "scotland")]) == 14
    assert len(kinds[("hsc_trust", "northern_ireland")]) == 5
    assert len(kinds[("council", "england")]) == 153
    assert len(kinds[("council", "wales")]) == 22
    assert len(kinds[("council", "scotland")]) == 32
    assert not any("district" in o.name.lower() for o in get_directory() if o.kind == "council")


def test_the_postcode_areas_list_matches_the_data():
    outward = {line.split("\t")[1] for line in gzip.open(DATA_FILE, "rt") if line.startswith("O\t")}
    assert {re.match("[A-Z]+", o).group() for o in outward} == POSTCODE_AREAS


def test_the_extract_says_its_source_licence_and_date():
    meta = get_index().meta
    assert "Office for National Statistics" in meta["attribution"]
    assert "Open Government Licence" in meta["licence"]
    assert "2025" in meta["data"] and meta["built on"]


def test_only_confirmed_facts_are_shown():
    for org in get_directory():
        shown = org.shown()
        for field in ("website", "complaints_url", "phone", "email", "post"):
            fact = getattr(org.contact, field)
            assert (field in shown) == bool(fact is not None and fact.confirmed), (org.id, field)
        if len(shown) > 2:
            assert shown["source"].startswith("http") and shown["checked"] <= time.strftime("%Y-%m-%d")


def _write_org(tmp_path, contact, domains=("example.gov.uk",)):
    path = tmp_path / "orgs.yml"
    path.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "council_test",
                    "kind": "council",
                    "nation": "england",
                    "name": "Test Council",
                    "areas": ["E08000035"],
                    "domains": list(domains),
                    "contact": contact,
                }
            ]
        )
    )
    return path


def test_a_phone_number_from_a_third_partys_page_is_refused(tmp_path):
    path = _write_org(
        tmp_path,
        {
            "phone": {
                "value": "0113 222 4444",
                "source": "https://www.somedirectory.co.uk/leeds",
                "checked": "2026-11-30",
            }
        },
    )
    with pytest.raises(OrganisationError, match="not on the organisation's own site"):
        load_directory([path], AREAS_FILE)


def test_a_confirmed_fact_needs_its_source_and_date(tmp_path):
    path = _write_org(tmp_path, {"email": {"value": "complaints@example.gov.uk"}})
    with pytest.raises(OrganisationError, match="needs value, source and checked"):
        load_directory([path], AREAS_FILE)


def test_an_uncertain_fact_is_kept_but_not_shown(tmp_path):
    path = _write_org(
        tmp_path,
        {
            "phone": {"value": "0113 222 4444", "uncertain": "read on a directory site, not the council's"},
            "email": {
                "value": "complaints@example.gov.uk",
                "source": "https://www.example.gov.uk/complaints",
                "checked": "2026-11-30",
            },
        },
    )
    org = load_directory([path], AREAS_FILE)["council_test"]
    assert org.shown() == {
        "id": "council_test",
        "name": "Test Council",
        "email": "complaints@example.gov.uk",
        "source": "https://www.example.gov.uk/complaints",
        "checked": "2026-11-30",
    }


def test_a_bad_phone_number_names_the_file_entry_and_field(tmp_path):
    path = _write_org(
        tmp_path, {"phone": {"value": "call us", "source": "https://www.example.gov.uk/c", "checked": "2026-11-30"}}
    )
    with pytest.raises(OrganisationError, match=r"orgs.yml: entry 'council_test': field 'contact.phone'"):
        load_directory([path], AREAS_FILE)


# ----------------------------------------------------------------------------------------- speed
def test_lookups_are_well_under_five_milliseconds():
    get_index(), get_directory(), name_index()  # loaded once per process
    postcodes = ["LS1 4AP", "CF10 1EP", "EH1 1YZ", "BT1 5GS", "RG40", "GU15 3SY", "SW1A 1AA", "ZE1 0AA"]
    timings = []
    for _ in range(250):
        for pc in postcodes:
            t = time.perf_counter()
            place = place_from_postcode(pc)
            candidates("council", place)
            timings.append(time.perf_counter() - t)
    timings.sort()
    median, p99 = timings[len(timings) // 2], timings[int(len(timings) * 0.99)]
    # the machine is shared, so one slow outlier says nothing; 99 in 100 must be well under 5 ms
    assert median < 0.0005 and p99 < 0.005, (median, p99)


# ---------------------------------------------------------------------------------------- router
def test_the_route_names_the_organisation_with_a_postcode_and_not_without():
    case = {"nation": "england", "service": "council_social_care", "stage": "not_raised"}
    without = route_case(case)
    with_place = route_case({**case, "postcode": "LS1 4AP"})
    council = next(r for r in with_place["routes"] if r["id"] == "council")
    assert council["organisation"]["name"] == "Leeds City Council"
    assert not any("organisation" in r for r in without["routes"])
    strip = [{k: v for k, v in r.items() if k != "organisation"} for r in with_place["routes"]]
    assert strip == without["routes"] and with_place["missing"] == without["missing"]


def test_the_icb_route_names_the_icb():
    out = route_case({"nation": "england", "service": "gp", "funding": "nhs", "stage": "not_raised", "postcode": "LS1"})
    icb = [r for r in out["routes"] if r["id"] == "icb"]
    assert icb and icb[0]["organisation"]["name"] == "NHS West Yorkshire Integrated Care Board"
    assert not any("organisation" in r for r in out["routes"] if r["id"] != "icb")


def test_a_welsh_hospital_names_the_health_board_and_the_nation_comes_from_the_postcode():
    out = route_case({"service": "hospital", "stage": "not_raised", "postcode": "LL11 1AY"})
    provider = next(r for r in out["routes"] if r["id"] == "provider")
    assert provider["organisation"]["name"] == "Betsi Cadwaladr University Health Board"
    assert "nation" not in out["missing"]
    assert any(r["id"] == "psow" for r in out["routes"])


def test_a_gp_in_england_names_no_provider_from_a_postcode():
    out = route_case({"nation": "england", "service": "gp", "stage": "not_raised", "postcode": "LS1 4AP"})
    assert not any("organisation" in r for r in out["routes"] if r["id"] in ("provider", "pals"))


def test_a_postcode_in_another_nation_names_nothing_there():
    out = route_case(
        {"nation": "england", "service": "council_social_care", "stage": "not_raised", "postcode": "CF10 1EP"}
    )
    assert not any("organisation" in r for r in out["routes"])


def test_the_router_never_asks_for_a_postcode_itself():
    for case in (
        {},
        {"nation": "england", "service": "council_social_care"},
        {"nation": "wales", "service": "hospital"},
    ):
        assert "postcode" not in route_case(case)["missing"]


def test_wants_place_says_when_a_place_would_name_an_organisation():
    council_case = {"nation": "england", "service": "council_social_care", "stage": "not_raised"}
    assert wants_place(route_case(council_case), council_case)
    assert not wants_place(route_case({**council_case, "postcode": "LS1 4AP"}), council_case)  # named already
    welsh = {"nation": "wales", "service": "hospital", "stage": "not_raised"}
    assert wants_place(route_case(welsh), welsh)
    dentist = {"nation": "england", "service": "dentist", "funding": "private", "stage": "not_raised"}
    assert not wants_place(route_case(dentist), dentist)


def test_a_stored_place_routes_like_the_postcode_it_came_from():
    facts = parse_facts({"nation": "england", "service": "council_social_care", "stage": "not_raised"})
    place = place_from_codes(json.loads(json.dumps(area_codes(place_from_postcode("GU15 3SY")))))
    out = get_router().route(facts, place)
    assert next(r for r in out["routes"] if r["id"] == "council")["organisation"]["name"] == "Surrey County Council"


def test_a_bad_postcode_is_bad_input():
    with pytest.raises(FactError, match="postcode must be a UK postcode"):
        route_case({"postcode": "not a postcode"})
    assert parse_facts({"postcode": "nope"}, lenient=True).get("postcode") is None
    assert parse_facts({"postcode": "ls14ap"}).get("postcode") == "LS1 4AP"


def test_a_rule_cannot_branch_on_a_postcode(tmp_path):
    from bot.routing.knowledge import KnowledgeError, load_bodies
    from bot.routing.rules import QUESTIONS_FILE, RULES_FILE, load_rules

    doc = yaml.safe_load(RULES_FILE.read_text())
    doc["rules"][0]["when"] = {"postcode": "LS1"}
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(KnowledgeError, match="'postcode' cannot be used in a condition"):
        load_rules(load_bodies(), path, QUESTIONS_FILE)


@pytest.mark.parametrize(
    "facts,code",
    [
        ('{"postcode": "XYZ 123"}', 2),
        ('{"postcode": 12}', 2),
        ('{"nation": "wales", "postcode": "cf101ep", "service": "hospital"}', 0),
    ],
)
def test_the_route_cli_takes_a_postcode(facts, code):
    p = subprocess.run(
        [sys.executable, "-m", "bot", "route", "--facts", "-", "--json"],
        input=facts,
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert p.returncode == code, p.stderr
    if code == 2:
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
        assert "XYZ" not in p.stderr  # the value is not echoed
    else:
        out = json.loads(p.stdout)
        assert out["routes"][0]["organisation"]["name"] == "Cardiff and Vale University Health Board"


# ------------------------------------------------------------------------------- parsing a message
@pytest.mark.parametrize(
    "text,expect",
    [
        ("I'm in Wrexham", "Betsi Cadwaladr University Health Board"),
        ("I live in Cardiff", "Cardiff and Vale University Health Board"),
        ("we live near Swansea", "Swansea Bay University Health Board"),
        ("my postcode is CF10 1EP", "Cardiff and Vale University Health Board"),
        ("it was at Cardiff and Vale University Health Board", "Cardiff and Vale University Health Board"),
        ("I'm from Aberystwyth", "Hywel Dda University Health Board"),
        ("I live in Merthyr Tydfil", "Cwm Taf Morgannwg University Health Board"),
    ],
)
def test_a_welsh_place_in_a_message_gives_its_health_board(text, expect):
    place = parse_place(text)
    assert [o.name for o in candidates("health_board", place)] == [expect]


@pytest.mark.parametrize(
    "text,label",
    [
        ("my GP in Leeds was rude", "Leeds"),
        ("I live near Reading", "Reading"),
        ("it's in Huddersfield", "Huddersfield"),
        ("Leeds council never replied", "Leeds"),
        ("I live in Kent", "Kent"),
        ("NHS Lothian lost my notes", "NHS Lothian"),
        ("my mum lives in Stoke but I live in Leeds", "Leeds"),
        ("i live in harrogate", "harrogate"),
    ],
)
def test_a_place_named_in_words_is_found(text, label):
    assert parse_place(text).label == label


@pytest.mark.parametrize(
    "text",
    [
        "Dr Hart was rude",
        "I was reading the letter",
        "no",
        "not sure",
        "I live in bath and cannot get out",
        "LS1",
        "the nurse was from the agency",
        "I waited 3 hours",
        "B12 injections were stopped",
    ],
)
def test_words_that_only_look_like_places_are_not_taken(text):
    assert parse_place(text) is None


@pytest.mark.parametrize(
    "text,kind",
    [("LS1", "outward"), ("it's LS1", "outward"), ("Wrexham", "name"), ("bath", "name"), ("ls1 4ap", "postcode")],
)
def test_an_answer_to_where_do_you_live_can_be_bare(text, kind):
    assert parse_place(text, expecting=True).kind == kind


def test_a_name_in_two_places_gives_both():
    place = parse_place("we're from Bangor")
    assert {"W06000002", "N09000011"} <= set(place.areas) and place.nation is None


def test_every_town_resolves_to_an_area():
    towns = yaml.safe_load((PROJECT / "bot/knowledge/places/towns.yml").read_text())
    index = dict(name_index())
    for town in towns:
        key = " ".join(town["name"].lower().replace("-", " ").split())
        assert index.get(key), town["name"]


def test_area_codes_keep_no_postcode():
    place = parse_place("my postcode is LS1 4AP")
    assert place.matched == "LS1 4AP"
    codes = area_codes(place)
    assert "LS1" not in json.dumps(codes) and codes["areas"] == ["E08000035"] and codes["nation"] == "england"
    assert place_from_codes(codes).areas == place.areas
    assert place_from_codes({"areas": ["nonsense"]}) is None and place_from_codes(None) is None


def test_postcodes_are_redacted():
    text = "I'm at LS1 4AP, my mum is at ls14ap. My postcode is LS1. The B12 was late."
    assert (
        redact_postcodes(text)
        == "I'm at [postcode], my mum is at [postcode]. My postcode is [postcode]. The B12 was late."
    )
    assert redact_postcodes("LS1", expecting=True) == "[postcode]"
    assert redact_postcodes("I live in Leeds") == "I live in Leeds"


def test_the_places_report_counts_confirmed_complaints_contacts():
    from bot.places.organisations import coverage

    report = coverage()
    assert report["england"]["icb"]["organisations"] == 36
    assert report["northern_ireland"]["hsc_trust"]["organisations"] == 5
    for kinds in report.values():
        for row in kinds.values():
            assert 0 <= row["complaints_contact"] <= row["organisations"]
            assert row["complaints_contact"] <= sum(row[f] for f in ("complaints_url", "phone", "email", "post"))
    p = subprocess.run(
        [sys.executable, "-m", "bot", "places", "report", "--json"], capture_output=True, text=True, cwd=PROJECT
    )
    assert p.returncode == 0 and json.loads(p.stdout) == json.loads(json.dumps(report))
