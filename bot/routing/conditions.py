"""The condition language of rules.yml and questions.yml, compiled to predicates.

A condition is a mapping; every key must hold. See the header of rules.yml for
the forms. Compilation checks every key, value and group name, so a typo is
an error at load time, not a silent non-match at run time.
"""

from __future__ import annotations

from typing import Any, Callable, FrozenSet, Iterable, List, Mapping, Sequence, Set

from bot.routing.facts import SCHEMA

UNKNOWN = "unknown"
#: A state is the facts plus derived facts (and, for warnings, the chosen route ids).
State = Mapping[str, Any]
Predicate = Callable[[State], bool]


class ConditionError(ValueError):
    """A condition that names an unknown key, value, group or operator."""


class Vocabulary:
    """What a condition may mention: fact keys and values, derived facts, groups, route ids."""

    def __init__(
        self, derived: Mapping[str, Iterable[str]], groups: Mapping[str, Sequence[str]], route_ids: Iterable[str]
    ):
        self.derived = {k: set(v) for k, v in derived.items()}
        self.groups = {k: list(v) for k, v in groups.items()}
        self.route_ids = set(route_ids)

    def kind(self, key: str) -> str:
        """The kind of a fact (its schema type, or "choice" for a derived one); ConditionError if unusable."""
        if key in SCHEMA and SCHEMA[key][0] == "postcode":
            # issue 15: a place only names the local organisation (bot/places); rules never branch on it
            raise ConditionError(f"fact {key!r} cannot be used in a condition: a place only names organisations")
        if key in SCHEMA:
            return SCHEMA[key][0]
        if key in self.derived:
            return "choice"
        raise ConditionError(f"unknown fact {key!r}")

    def allowed(self, key: str) -> Set[Any]:
        """The values a condition on this fact may name, "unknown" included."""
        if key in self.derived:
            return self.derived[key] | {UNKNOWN}
        kind, values = SCHEMA[key]
        if kind == "bool":
            return {True, False, UNKNOWN}
        return set(values) | {UNKNOWN}


def compile_condition(cond: Any, vocab: Vocabulary, *, allow_route: bool = False) -> Predicate:
    """Compile a `when` mapping into a predicate over a state mapping."""
    if cond is None:
        return lambda state: True
    if not isinstance(cond, Mapping):
        raise ConditionError(f"a condition must be a mapping, not {type(cond).__name__}")
    parts: List[Predicate] = []
    for key, spec in cond.items():
        if key == "not":
            inner = compile_condition(spec, vocab, allow_route=allow_route)
            parts.append(lambda s, inner=inner: not inner(s))
        elif key == "any":
            if not isinstance(spec, list) or not spec:
                raise ConditionError("'any' needs a non-empty list of conditions")
            inners = [compile_condition(c, vocab, allow_route=allow_route) for c in spec]
            parts.append(lambda s, inners=inners: any(p(s) for p in inners))
        elif key == "route":
            if not allow_route:
                raise ConditionError("'route' is only allowed in warnings")
            ids = _as_list(spec)
            bad = [i for i in ids if i not in vocab.route_ids]
            if bad:
                raise ConditionError(f"unknown route id {bad[0]!r}")
            wanted = frozenset(ids)
            parts.append(lambda s, wanted=wanted: bool(wanted & s.get("_routes", frozenset())))
        else:
            parts.append(_compile_key(key, spec, vocab))
    if len(parts) == 1:
        return parts[0]
    return lambda s, parts=tuple(parts): all(p(s) for p in parts)


def _compile_key(key: str, spec: Any, vocab: Vocabulary) -> Predicate:
    kind = vocab.kind(key)
    if kind == "number":
        if not isinstance(spec, Mapping) or not spec:
            raise ConditionError(f"{key} needs a comparison such as {{gte: 12}}")
        ops = {
            "lt": lambda a, b: a < b,
            "lte": lambda a, b: a <= b,
            "gt": lambda a, b: a > b,
            "gte": lambda a, b: a >= b,
        }
        checks = []
        for op, bound in spec.items():
            if op not in ops or isinstance(bound, bool) or not isinstance(bound, (int, float)):
                raise ConditionError(f"{key}: unknown comparison {op!r}")
            checks.append((ops[op], bound))
        return lambda s: s.get(key) is not None and all(f(s[key], b) for f, b in checks)
    if isinstance(spec, Mapping):
        if kind != "list" or set(spec) != {"only"}:
            raise ConditionError(f"{key}: only list facts take {{only: [...]}}")
        only = frozenset(_expand(key, spec["only"], vocab))
        return lambda s: bool(s.get(key)) and set(s[key]) <= only
    values = _expand(key, spec, vocab)
    want_unknown = UNKNOWN in values
    wanted: FrozenSet[Any] = frozenset(v for v in values if v != UNKNOWN)
    if kind == "list":
        return lambda s: (not s.get(key) and want_unknown) or bool(wanted.intersection(s.get(key) or ()))
    return lambda s: (s.get(key) is None and want_unknown) or (s.get(key) is not None and s.get(key) in wanted)


def _expand(key: str, spec: Any, vocab: Vocabulary) -> List[Any]:
    out: List[Any] = []
    for item in _as_list(spec):
        if isinstance(item, str) and item.startswith("@"):
            name = item[1:]
            if name not in vocab.groups:
                raise ConditionError(f"unknown group {item!r}")
            members = vocab.groups[name]
        else:
            members = [item]
        allowed = vocab.allowed(key)
        for m in members:
            if m not in allowed:
                raise ConditionError(f"unknown value {m!r} for {key}")
            out.append(m)
    return out


def _as_list(spec: Any) -> List[Any]:
    return list(spec) if isinstance(spec, (list, tuple)) else [spec]


__all__ = ["ConditionError", "Predicate", "Vocabulary", "compile_condition", "UNKNOWN"]
