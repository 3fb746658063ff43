"""Load rules.yml and questions.yml into checked, compiled structures.

Errors name the file, the rule (or section) and the field, as the knowledge
base loader does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import yaml

from bot.routing.conditions import ConditionError, Predicate, Vocabulary, compile_condition
from bot.routing.facts import FACT_KEYS, SCHEMA
from bot.routing.knowledge import KNOWLEDGE_DIR, KnowledgeBase, KnowledgeError, _short

RULES_FILE = KNOWLEDGE_DIR / "rules.yml"
QUESTIONS_FILE = KNOWLEDGE_DIR / "questions.yml"
ROLES = ("urgent", "primary", "alternative", "also", "next_step", "support")
PLACEHOLDERS = ("service", "nation", "months", "who")


@dataclass(frozen=True)
class RouteAction:
    route: str
    role: str
    why: str
    when: Predicate
    check_time_limit: bool


@dataclass(frozen=True)
class Rule:
    id: str
    when: Predicate
    routes: Tuple[RouteAction, ...]
    fallback: bool = False   # applies only when no earlier rule named a primary
    settles: bool = False    # once it applies, later rules add only routes run alongside (also, support)


@dataclass(frozen=True)
class Derivation:
    key: str
    cases: Tuple[Tuple[str, Predicate], ...]


@dataclass(frozen=True)
class WarningRule:
    code: str
    when: Predicate
    text: str


@dataclass(frozen=True)
class Question:
    fact: str
    ask_when: Predicate


@dataclass
class RuleSet:
    derivations: List[Derivation]
    rules: List[Rule]
    advocacy: List[Tuple[str, Predicate]]
    warnings: List[WarningRule]
    phrases: Dict[str, Dict[str, str]]
    time_limit_text: Dict[str, Any]
    questions: List[Question] = field(default_factory=list)


def load_rules(kb: KnowledgeBase, rules_file: Path = RULES_FILE,  # noqa: C901 - issue 14 point 5: pydantic
               questions_file: Path = QUESTIONS_FILE) -> RuleSet:
    """Load, check and compile the rules against the knowledge base."""
    where = _short(rules_file)
    doc = _read(rules_file)
    for section in ("groups", "phrases", "derive", "rules", "advocacy", "warnings", "time_limit_text"):
        if section not in doc:
            raise KnowledgeError(f"{where}: missing section '{section}'")
    groups = doc["groups"] or {}
    if not isinstance(groups, Mapping) or not all(isinstance(v, list) for v in groups.values()):
        raise KnowledgeError(f"{where}: section 'groups': each group must be a list of values")

    # Derived facts first: their values become part of the vocabulary.
    derived_values: Dict[str, List[str]] = {}
    for key, cases in (doc["derive"] or {}).items():
        if key in SCHEMA:
            raise KnowledgeError(f"{where}: derive '{key}': field 'key': clashes with a case fact")
        derived_values[key] = [c.get("value") for c in cases if isinstance(c, Mapping)]
    vocab = Vocabulary(derived_values, groups, kb.ids)

    def cond(value: Any, label: str, fieldname: str = "when", allow_route: bool = False) -> Predicate:
        try:
            return compile_condition(value, vocab, allow_route=allow_route)
        except ConditionError as e:
            raise KnowledgeError(f"{where}: {label}: field '{fieldname}': {e}") from None

    derivations = []
    for key, cases in (doc["derive"] or {}).items():
        compiled = []
        for i, case in enumerate(cases):
            label = f"derive '{key}' #{i + 1}"
            if not isinstance(case, Mapping) or set(case) != {"value", "when"}:
                raise KnowledgeError(f"{where}: {label}: needs exactly 'value' and 'when'")
            compiled.append((case["value"], cond(case["when"], label)))
        derivations.append(Derivation(key, tuple(compiled)))

    rules, seen = [], set()
    for i, raw in enumerate(doc["rules"] or []):
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        label = f"rule '{rid or '#' + str(i + 1)}'"
        if not rid:
            raise KnowledgeError(f"{where}: {label}: field 'id': required")
        if rid in seen:
            raise KnowledgeError(f"{where}: {label}: field 'id': duplicate")
        seen.add(rid)
        extra = set(raw) - {"id", "when", "routes", "fallback", "settles"}
        if extra:
            raise KnowledgeError(f"{where}: {label}: field '{sorted(extra)[0]}': not allowed")
        actions = []
        for j, item in enumerate(raw.get("routes") or []):
            alabel = f"{label} route #{j + 1}"
            if not isinstance(item, Mapping):
                raise KnowledgeError(f"{where}: {alabel}: must be a mapping")
            extra = set(item) - {"route", "role", "why", "when", "check_time_limit"}
            if extra:
                raise KnowledgeError(f"{where}: {alabel}: field '{sorted(extra)[0]}': not allowed")
            if item.get("route") not in kb:
                raise KnowledgeError(f"{where}: {alabel}: field 'route': unknown route id {item.get('route')!r}")
            if item.get("role") not in ROLES:
                raise KnowledgeError(f"{where}: {alabel}: field 'role': must be one of {', '.join(ROLES)}")
            why = item.get("why")
            if not isinstance(why, str) or not why.strip():
                raise KnowledgeError(f"{where}: {alabel}: field 'why': required")
            _check_placeholders(why, f"{where}: {alabel}: field 'why'")
            actions.append(RouteAction(item["route"], item["role"], " ".join(why.split()),
                                       cond(item.get("when"), alabel), bool(item.get("check_time_limit"))))
        if not actions:
            raise KnowledgeError(f"{where}: {label}: field 'routes': needs at least one route")
        rules.append(Rule(rid, cond(raw.get("when"), label), tuple(actions), bool(raw.get("fallback")),
                          bool(raw.get("settles"))))

    advocacy = []
    for i, item in enumerate(doc["advocacy"] or []):
        label = f"advocacy #{i + 1}"
        if item.get("id") not in kb or kb[item["id"]].kind != "advocacy":
            raise KnowledgeError(f"{where}: {label}: field 'id': {item.get('id')!r} is not an advocacy body")
        advocacy.append((item["id"], cond(item.get("when"), label)))

    warnings = []
    for i, item in enumerate(doc["warnings"] or []):
        label = f"warning '{item.get('code', '#' + str(i + 1))}'"
        if not item.get("code") or not item.get("text"):
            raise KnowledgeError(f"{where}: {label}: fields 'code' and 'text' are required")
        _check_placeholders(item["text"], f"{where}: {label}: field 'text'")
        warnings.append(WarningRule(item["code"], cond(item.get("when"), label, allow_route=True),
                                    " ".join(item["text"].split())))

    phrases = doc["phrases"]
    for key in ("service", "nation"):
        fact_values = set(SCHEMA[key][1]) | {"unknown"}
        missing = fact_values - set(phrases.get(key, {}))
        if missing:
            raise KnowledgeError(f"{where}: phrases '{key}': no phrase for {sorted(missing)[0]!r}")

    ruleset = RuleSet(derivations, rules, advocacy, warnings, phrases, doc["time_limit_text"])
    ruleset.questions = _load_questions(questions_file, cond)
    return ruleset


def _load_questions(path: Path, cond) -> List[Question]:
    where = _short(path)
    doc = _read(path)
    out = []
    for i, item in enumerate(doc.get("questions") or []):
        label = f"question #{i + 1}"
        if item.get("fact") not in FACT_KEYS:
            raise KnowledgeError(f"{where}: {label}: field 'fact': unknown fact {item.get('fact')!r}")
        out.append(Question(item["fact"], cond(item.get("ask_when"), f"question '{item['fact']}'", "ask_when")))
    if not out:
        raise KnowledgeError(f"{where}: no questions")
    return out


def _check_placeholders(text: str, label: str) -> None:
    import string

    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise KnowledgeError(f"{label}: unknown placeholder {{{name}}}")


def _read(path: Path) -> Dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise KnowledgeError(f"{_short(path)}: cannot read: {' '.join(str(e).split())}") from None
    if not isinstance(doc, dict):
        raise KnowledgeError(f"{_short(path)}: must be a mapping")
    return doc
