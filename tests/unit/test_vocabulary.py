"""The nations, services and safety kinds are declared once (bot/knowledge/vocabulary.yml), and the
knowledge base, the rules, the understanding and the safety data use nothing that is not declared there."""

from typing import Any, Iterator, Set, Tuple

import pytest
import yaml

from bot.routing.knowledge import load_bodies
from bot.routing.rules import QUESTIONS_FILE, RULES_FILE
from bot.safety.help import HELP_FILE
from bot.vocabulary import (
    NATIONS,
    SAFETY_KINDS,
    SERVICE_GROUPS,
    SERVICES,
    VOCABULARY_FILE,
    VocabularyError,
    load_vocabulary,
)

UNKNOWN = "unknown"


def _yaml(path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _condition_values(cond: Any, groups: dict) -> Iterator[Tuple[str, str]]:
    """(fact, value) for every value a rules.yml condition names, groups expanded."""
    if not isinstance(cond, dict):
        return
    for key, spec in cond.items():
        if key == "not":
            yield from _condition_values(spec, groups)
        elif key == "any":
            for inner in spec:
                yield from _condition_values(inner, groups)
        else:
            values = spec.get("only", []) if isinstance(spec, dict) else spec if isinstance(spec, list) else [spec]
            for v in values:
                if isinstance(v, str) and v.startswith("@"):
                    yield from ((key, g) for g in groups[v[1:]])
                else:
                    yield key, v


def _rules_values(fact: str) -> Set[str]:
    doc = _yaml(RULES_FILE)
    conds = [c["when"] for cases in doc["derive"].values() for c in cases]
    for rule in doc["rules"]:
        conds += [rule.get("when")] + [r.get("when") for r in rule["routes"]]
    conds += [a.get("when") for a in doc["advocacy"]] + [w.get("when") for w in doc["warnings"]]
    conds += [q.get("ask_when") for q in _yaml(QUESTIONS_FILE)["questions"]]
    keys = {"service": ("service", "other_services"), "nation": ("nation",)}[fact]
    return {v for c in conds for k, v in _condition_values(c, doc["groups"]) if k in keys} - {UNKNOWN}


def test_the_shipped_vocabulary_loads_and_is_what_the_code_reads():
    from bot.routing.facts import SCHEMA
    from bot.safety import PRIORITY

    vocab = load_vocabulary()
    assert tuple(vocab.nations) == NATIONS == SCHEMA["nation"][1]
    assert tuple(vocab.services) == SERVICES == SCHEMA["service"][1] == SCHEMA["other_services"][1]
    assert tuple(vocab.safety_kinds) == SAFETY_KINDS == PRIORITY


def test_every_nation_used_is_declared():
    kb = load_bodies()
    used = {n for body in kb for n in list(body.nations) + list(body.variants)}
    rules = _yaml(RULES_FILE)
    used |= _rules_values("nation") | set(rules["phrases"]["nation"]) | set(rules["phrases"].get("service_in") or {})
    help_doc = _yaml(HELP_FILE)
    used |= {n for spec in help_doc["kinds"].values() for n in (spec.get("lines") or {})}
    from bot.dialogue.bodies import OMBUDSMEN
    from bot.places.local import COUNCIL_NATIONS, PROVIDER_KINDS, PROVIDER_SERVICES
    from bot.places.organisations import get_directory

    used |= set(OMBUDSMEN) | set(PROVIDER_KINDS) | set(PROVIDER_SERVICES) | COUNCIL_NATIONS
    used |= {org.nation for org in get_directory().organisations.values()}
    assert used - {UNKNOWN, "any"} <= set(NATIONS), sorted(used - set(NATIONS) - {UNKNOWN, "any"})
    # and every declared nation is one the bodies cover
    assert set(NATIONS) <= {n for body in kb for n in body.nations}


def test_every_service_used_is_declared():
    rules = _yaml(RULES_FILE)
    used = _rules_values("service") | {s for group in rules["groups"].values() for s in group if s in SERVICES}
    used |= set(rules["phrases"]["service"])
    used |= {s for by_nation in (rules["phrases"].get("service_in") or {}).values() for s in by_nation}
    lexicon = _yaml(VOCABULARY_FILE.parent.parent / "understand" / "lexicon.yml")
    used |= set(lexicon["service"])
    from bot.places.local import PROVIDER_SERVICES

    used |= {s for services in PROVIDER_SERVICES.values() for s in services}
    assert used - {UNKNOWN} <= set(SERVICES), sorted(used - set(SERVICES) - {UNKNOWN})
    # every declared service has its phrase in the rules
    assert set(SERVICES) <= set(rules["phrases"]["service"])


def test_every_safety_kind_used_is_declared_and_has_help():
    from bot.safety import PATTERNS_FILE

    patterns, help_doc = _yaml(PATTERNS_FILE), _yaml(HELP_FILE)
    used = set(patterns["categories"]) | set(help_doc["child_kinds"]) | set(help_doc["child_kinds"].values())
    assert used <= set(SAFETY_KINDS), sorted(used - set(SAFETY_KINDS))
    assert set(help_doc["kinds"]) == set(SAFETY_KINDS)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: d["nations"].append("england"), r"field 'nations': 'england' is listed twice"),
        (
            lambda d: d["service_groups"]["care"].append("spa"),
            r"field 'service_groups': group 'care': 'spa' is not a service",
        ),
        (lambda d: d["safety_kinds"].remove("general"), r"field 'safety_kinds': must include 'general'"),
        (lambda d: d.update(regions=[]), r"field 'regions': extra fields not permitted"),
    ],
)
def test_a_wrong_vocabulary_fails_with_a_message_naming_the_field(tmp_path, mutate, message):
    doc = _yaml(VOCABULARY_FILE)
    mutate(doc)
    path = tmp_path / "vocabulary.yml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(VocabularyError, match=message):
        load_vocabulary(path)


def test_service_groups_are_made_of_services():
    for name, members in SERVICE_GROUPS.items():
        assert set(members) <= set(SERVICES), name
