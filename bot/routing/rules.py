"""Load rules.yml and questions.yml into checked, compiled structures.

Each part of the files has a pydantic model (`RulesFile`, `RuleSpec`, `RouteSpec`, ...), as the
bodies have (bot/routing/knowledge.py): the models check the shape (known fields, types, roles,
placeholders); the loader then checks what needs the knowledge base (route ids, advocacy bodies)
and compiles the conditions. Errors name the file, the rule (or section) and the field, as the
knowledge base loader does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Literal, Mapping, Sequence, Tuple, Type, TypeVar

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator

from bot.routing.conditions import ConditionError, Predicate, Vocabulary, compile_condition
from bot.routing.facts import FACT_KEYS, SCHEMA
from bot.routing.knowledge import KNOWLEDGE_DIR, KnowledgeBase, KnowledgeError, _short

RULES_FILE = KNOWLEDGE_DIR / "rules.yml"
QUESTIONS_FILE = KNOWLEDGE_DIR / "questions.yml"
ROLES = ("urgent", "primary", "alternative", "also", "next_step", "support")
PLACEHOLDERS = ("service", "nation", "months", "who")


@dataclass(frozen=True)
class RouteAction:
    """A route a rule adds, compiled."""

    route: str
    role: str
    why: str
    when: Predicate
    check_time_limit: bool


@dataclass(frozen=True)
class Rule:
    """A rule, compiled: when it applies and the routes it adds."""

    id: str
    when: Predicate
    routes: Tuple[RouteAction, ...]
    fallback: bool = False  # applies only when no earlier rule named a primary
    settles: bool = False  # once it applies, later rules add only routes run alongside (also, support)


@dataclass(frozen=True)
class Derivation:
    """A derived fact (like `sector`): its cases, first match wins."""

    key: str
    cases: Tuple[Tuple[str, Predicate], ...]


@dataclass(frozen=True)
class WarningRule:
    """A warning, compiled."""

    code: str
    when: Predicate
    text: str


@dataclass(frozen=True)
class Question:
    """A fact the conversation may ask about, compiled."""

    fact: str
    ask_when: Predicate


@dataclass
class RuleSet:
    """Everything rules.yml and questions.yml say, checked and compiled, for the engine."""

    derivations: List[Derivation]
    rules: List[Rule]
    advocacy: List[Tuple[str, Predicate]]
    warnings: List[WarningRule]
    phrases: Dict[str, Dict[str, str]]
    time_limit_text: Dict[str, Any]
    questions: List[Question] = field(default_factory=list)


# --------------------------------------------------------------------------- the files' shape
class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


def _placeholders_known(text: str) -> str:
    import string

    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}}")
    return text


class RouteSpec(_Strict):
    """One route a rule adds: which body, in what role, and why (written to the person)."""

    route: str
    role: Literal[ROLES]
    why: str
    when: Any = None
    check_time_limit: bool = False

    @validator("why")
    def _why(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("required")
        return _placeholders_known(v)


class RuleSpec(_Strict):
    """One rule: when it applies, and the routes it adds."""

    id: str
    when: Any = None
    routes: List[RouteSpec]
    fallback: bool = False
    settles: bool = False

    @validator("id")
    def _id(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("required")
        return v

    @validator("routes")
    def _routes(cls, v: List[RouteSpec]) -> List[RouteSpec]:
        if not v:
            raise ValueError("needs at least one route")
        return v


class DeriveCase(_Strict):
    """One case of a derived fact: its value when the condition holds."""

    value: str
    when: Any = Field(...)


class AdvocacySpec(_Strict):
    """An advocacy service and when it is the one offered."""

    id: str
    when: Any = None


class WarningSpec(_Strict):
    """A warning and when it is given."""

    code: str
    text: str
    when: Any = None

    @validator("code", "text")
    def _required(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("required")
        return v

    @validator("text")
    def _text(cls, v: str) -> str:
        return _placeholders_known(v)


class QuestionSpec(_Strict):
    """A fact the conversation may ask about, and when it is worth asking."""

    fact: str
    ask_when: Any = None

    @validator("fact")
    def _fact(cls, v: str) -> str:
        if v not in FACT_KEYS:
            raise ValueError(f"unknown fact {v!r}")
        return v


class RulesFile(_Strict):
    """rules.yml as a whole. Items are checked one by one (below) so errors can name them."""

    groups: Dict[str, List[str]]
    phrases: Dict[str, Any]
    derive: Dict[str, List[Any]]
    rules: List[Any]
    advocacy: List[Any]
    warnings: List[Any]
    time_limit_text: Dict[str, Any]

    @validator("groups", "derive", "rules", "advocacy", "warnings", pre=True)
    def _empty(cls, v: Any, field: Any) -> Any:
        # an empty section ("warnings:") reads as null in YAML
        if v is None:
            return {} if field.name in ("groups", "derive") else []
        return v

    @validator("derive")
    def _derive(cls, v: Dict[str, List[Any]]) -> Dict[str, List[Any]]:
        clash = [key for key in v if key in SCHEMA]
        if clash:
            raise ValueError(f"'{clash[0]}' clashes with a case fact")
        return v


class QuestionsFile(_Strict):
    """questions.yml."""

    questions: List[Any]

    @validator("questions", pre=True)
    def _some(cls, v: Any) -> Any:
        if not v:
            raise ValueError("no questions")
        return v


_Model = TypeVar("_Model", bound=BaseModel)


def _parse(model: Type[_Model], raw: Any, where: str) -> _Model:
    """`raw` checked against `model`; a `KnowledgeError` naming `where` and the field if it does not fit."""
    try:
        return model.parse_obj(raw)
    except ValidationError as e:
        raise KnowledgeError(f"{where}: {_describe(e)}") from None


def _describe(err: ValidationError) -> str:
    """Pydantic's errors in one line: "field 'routes #2.role': unexpected value; ..."."""
    parts = []
    for e in err.errors():
        names: List[str] = []
        for x in e["loc"]:
            if isinstance(x, int) and names:
                names[-1] = f"{names[-1]} #{x + 1}"
            elif x != "__root__":
                names.append(str(x))
        msg = e["msg"]
        if e["type"] == "value_error.missing":
            msg = "required"
        parts.append(f"field '{'.'.join(names)}': {msg}" if names else msg)
    return "; ".join(parts)


# ------------------------------------------------------------------------------ the loader
def load_rules(kb: KnowledgeBase, rules_file: Path = RULES_FILE, questions_file: Path = QUESTIONS_FILE) -> RuleSet:
    """Load, check and compile the rules against the knowledge base.

    Raises `KnowledgeError` naming the file, the rule (or section) and the field of the first problem."""
    where = _short(rules_file)
    doc = _read(rules_file)
    missing = [s for s in RulesFile.__fields__ if s not in doc]
    if missing:
        raise KnowledgeError(f"{where}: missing section '{missing[0]}'")
    spec = _parse(RulesFile, doc, where)
    # Derived facts first: their values become part of the vocabulary.
    cases = {
        key: [_parse(DeriveCase, c, f"{where}: derive '{key}' #{i + 1}") for i, c in enumerate(items)]
        for key, items in spec.derive.items()
    }
    loader = _Compiler(where, kb, Vocabulary({k: [c.value for c in v] for k, v in cases.items()}, spec.groups, kb.ids))
    ruleset = RuleSet(
        derivations=[loader.derivation(key, items) for key, items in cases.items()],
        rules=loader.rules(spec.rules),
        advocacy=[loader.advocacy(item, i) for i, item in enumerate(spec.advocacy)],
        warnings=[loader.warning(item, i) for i, item in enumerate(spec.warnings)],
        phrases=_checked_phrases(spec.phrases, where),
        time_limit_text=spec.time_limit_text,
    )
    ruleset.questions = _load_questions(questions_file, loader.cond)
    return ruleset


class _Compiler:
    """Checks what needs the knowledge base (route ids, advocacy bodies) and compiles the conditions."""

    def __init__(self, where: str, kb: KnowledgeBase, vocab: Vocabulary):
        self.where, self.kb, self.vocab = where, kb, vocab

    def cond(self, value: Any, label: str, fieldname: str = "when", allow_route: bool = False) -> Predicate:
        """The compiled condition; a `KnowledgeError` naming the item and field if it is wrong."""
        try:
            return compile_condition(value, self.vocab, allow_route=allow_route)
        except ConditionError as e:
            raise KnowledgeError(f"{self.where}: {label}: field '{fieldname}': {e}") from None

    def derivation(self, key: str, cases: Sequence[DeriveCase]) -> Derivation:
        """A derived fact's cases, compiled."""
        return Derivation(
            key, tuple((c.value, self.cond(c.when, f"derive '{key}' #{i + 1}")) for i, c in enumerate(cases))
        )

    def rules(self, items: Sequence[Any]) -> List[Rule]:
        """Every rule, checked and compiled; rule ids are unique."""
        rules: List[Rule] = []
        for i, raw in enumerate(items):
            rid = raw.get("id") if isinstance(raw, Mapping) else None
            label = f"rule '{rid or '#' + str(i + 1)}'"
            if any(r.id == rid for r in rules):
                raise KnowledgeError(f"{self.where}: {label}: field 'id': duplicate")
            rules.append(self.rule(_parse(RuleSpec, raw, f"{self.where}: {label}"), label))
        return rules

    def rule(self, spec: RuleSpec, label: str) -> Rule:
        """One rule, its routes checked against the knowledge base."""
        actions = []
        for j, item in enumerate(spec.routes):
            alabel = f"{label} route #{j + 1}"
            if item.route not in self.kb:
                raise KnowledgeError(f"{self.where}: {alabel}: field 'route': unknown route id {item.route!r}")
            actions.append(
                RouteAction(
                    item.route,
                    item.role,
                    " ".join(item.why.split()),
                    self.cond(item.when, alabel),
                    item.check_time_limit,
                )
            )
        return Rule(spec.id, self.cond(spec.when, label), tuple(actions), spec.fallback, spec.settles)

    def advocacy(self, raw: Any, i: int) -> Tuple[str, Predicate]:
        """An advocacy entry: its id must be an advocacy body."""
        label = f"advocacy #{i + 1}"
        item = _parse(AdvocacySpec, raw, f"{self.where}: {label}")
        if item.id not in self.kb or self.kb[item.id].kind != "advocacy":
            raise KnowledgeError(f"{self.where}: {label}: field 'id': {item.id!r} is not an advocacy body")
        return item.id, self.cond(item.when, label)

    def warning(self, raw: Any, i: int) -> WarningRule:
        """A warning; its condition may name routes."""
        code = raw.get("code") if isinstance(raw, Mapping) else None
        label = f"warning '{code or '#' + str(i + 1)}'"
        item = _parse(WarningSpec, raw, f"{self.where}: {label}")
        return WarningRule(item.code, self.cond(item.when, label, allow_route=True), " ".join(item.text.split()))


def _checked_phrases(phrases: Dict[str, Any], where: str) -> Dict[str, Any]:
    """The phrases, with one for every service and nation (and for not knowing it)."""
    for key in ("service", "nation"):
        fact_values = set(SCHEMA[key][1]) | {"unknown"}
        missing = fact_values - set(phrases.get(key) or {})
        if missing:
            raise KnowledgeError(f"{where}: phrases '{key}': no phrase for {sorted(missing)[0]!r}")
    return phrases


def _load_questions(path: Path, cond) -> List[Question]:
    where = _short(path)
    spec = _parse(QuestionsFile, _read(path), where)
    out = []
    for i, raw in enumerate(spec.questions):
        item = _parse(QuestionSpec, raw, f"{where}: question #{i + 1}")
        out.append(Question(item.fact, cond(item.ask_when, f"question '{item.fact}'", "ask_when")))
    return out


def _read(path: Path) -> Dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise KnowledgeError(f"{_short(path)}: cannot read: {' '.join(str(e).split())}") from None
    if not isinstance(doc, dict):
        raise KnowledgeError(f"{_short(path)}: must be a mapping")
    return doc
