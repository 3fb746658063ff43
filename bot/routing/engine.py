"""The router: from case facts to ordered routes, warnings, advocacy and what is missing.

`Router.route(facts)` is the whole answer (CONTRACT section 3). The decision
itself (`Router.decide`) is separate from the wording, so `missing` can try
each possible value of an unknown fact cheaply and keep only the facts that
would change the answer. See docs/routing.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.routing.facts import SCHEMA, Facts
from bot.routing.knowledge import Body, KnowledgeBase, load_bodies
from bot.routing.rules import ROLES, RouteAction, RuleSet, load_rules

if TYPE_CHECKING:  # pragma: no cover
    from bot.places import Place

ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


#: Routes that mean the organisation itself: someone waiting on its answer is told to wait, not to complain.
WAITING_ROUTES = ("provider", "council")
#: Roles a rule may still add after a rule that `settles` the path (run alongside, or support).
SETTLED_ROLES = ("urgent", "also", "support")


@dataclass(frozen=True)
class Decision:
    """What the rules decided, before any wording: comparable and hashable."""

    routes: Tuple[Tuple[str, str], ...]  # (id, role) in final order
    actions: Tuple[RouteAction, ...]  # the rule item behind each route, same order
    warnings: Tuple[Tuple[str, str], ...]  # (code, text template) in order
    time_warnings: Tuple[Tuple[str, str, float, float], ...]  # (code, route id, limit, months)
    advocacy: Optional[str]

    @property
    def signature(self) -> Tuple[Any, ...]:
        """The routes, warning codes and advocacy: what two decisions share when they advise the same."""
        return (
            self.routes,
            tuple(c for c, _ in self.warnings),
            tuple(c for c, *_ in self.time_warnings),
            self.advocacy,
        )

    @property
    def first_step(self) -> Tuple[Any, ...]:
        """What the person is told to do first: the urgent and primary routes and their time limits."""
        return (
            tuple(r for r in self.routes if r[1] in ("urgent", "primary")),
            tuple((c, rid) for c, rid, *_ in self.time_warnings),
        )

    @property
    def path(self) -> Tuple[Any, ...]:
        """The first step and where to go after it: what an advocate checks before advising."""
        return self.first_step + (tuple(r for r in self.routes if r[1] == "next_step"),)


class Router:
    """Applies the rule set to facts. Build once (`get_router()`), call many times."""

    def __init__(self, kb: KnowledgeBase, rules: RuleSet):
        self.kb = kb
        self.rules = rules
        self._month_candidates = self._months_to_try()

    # ------------------------------------------------------------------ decide
    def state(self, facts: Facts) -> Dict[str, Any]:
        """The facts plus derived facts, as the conditions see them."""
        state: Dict[str, Any] = dict(facts.values)
        for d in self.rules.derivations:
            for value, when in d.cases:
                if when(state):
                    state[d.key] = value
                    break
        return state

    def decide(self, facts: Facts) -> Decision:
        """Apply the rules to the facts: routes with their roles, warnings, time-limit warnings, advocacy."""
        state = self.state(facts)
        chosen: Dict[str, RouteAction] = {}
        primary: Optional[str] = None
        settled = False
        for rule in self.rules.rules:
            if not rule.when(state) or (rule.fallback and primary is not None):
                continue
            for action in rule.routes:
                if action.route in chosen or not action.when(state) or (settled and action.role not in SETTLED_ROLES):
                    continue
                if action.role == "primary":
                    if primary is not None:
                        action = RouteAction(
                            action.route, "alternative", action.why, action.when, action.check_time_limit
                        )
                    else:
                        primary = action.route
                chosen[action.route] = action
            settled = settled or rule.settles
        advocacy = next((aid for aid, when in self.rules.advocacy if when(state)), None)
        if advocacy and advocacy not in chosen:
            body = self.kb[advocacy]
            chosen[advocacy] = RouteAction(advocacy, "support", body.remit, lambda s: True, False)
        order = sorted(chosen.values(), key=lambda a: ROLE_ORDER[a.role])  # stable: rule order within a role
        routes = tuple((a.route, a.role) for a in order)

        state["_routes"] = frozenset(chosen)
        warnings, seen = [], set()
        for w in self.rules.warnings:
            if w.when(state) and (w.code, w.text) not in seen:
                seen.add((w.code, w.text))
                warnings.append((w.code, w.text))
        return Decision(routes, tuple(order), tuple(warnings), self._time_warnings(facts, order), advocacy)

    def _time_warnings(self, facts: Facts, order: Sequence[RouteAction]) -> Tuple[Tuple[str, str, float, float], ...]:
        months = facts.get("months_since")
        if months is None:
            return ()
        near = float(self.rules.time_limit_text.get("near_months", 2))
        out = []
        for action in order:
            if action.role != "primary" and not action.check_time_limit:
                continue
            limit = self.kb[action.route].for_nation(facts.get("nation")).time_limit
            if limit.start != "event_or_aware" or limit.months is None:
                continue
            if months > limit.months:
                out.append(("time_limit_passed", action.route, limit.months, months))
            elif months >= limit.months - near:
                out.append(("time_limit_near", action.route, limit.months, months))
        return tuple(out)

    # ----------------------------------------------------------------- missing
    def missing(self, facts: Facts, decision: Optional[Decision] = None) -> List[str]:
        """Unknown facts that would change the answer, most decisive first."""
        return self._changing(facts, decision, lambda d: d.signature)

    def decisive(self, facts: Facts, decision: Optional[Decision] = None) -> List[str]:
        """The part of `missing` that would change the first step (urgent and primary routes, time limits).

        The conversation asks these before the advice; the rest only refine it ("you can also ...")."""
        first = self._changing(facts, decision, lambda d: d.first_step)
        # Who pays decides the whole path (an NHS or a private dentist end at different places), so
        # funding is also asked when it changes only where to go next.
        if "funding" not in first and "funding" in self._changing(facts, decision, lambda d: d.path):
            first.append("funding")
        return first

    def _changing(self, facts: Facts, decision: Optional[Decision], view) -> List[str]:
        base = view(decision or self.decide(facts))
        state = self.state(facts)
        out = []
        for q in self.rules.questions:
            if q.fact in facts or not q.ask_when(state):
                continue
            if any(view(self.decide(facts.with_value(q.fact, v))) != base for v in self._candidates(q.fact)):
                out.append(q.fact)
        return out

    def _candidates(self, key: str) -> Sequence[Any]:
        kind, values = SCHEMA[key]
        if kind == "bool":
            return (True, False)
        if kind == "number":
            return self._month_candidates
        if kind == "list":
            return [(v,) for v in values]
        return values

    def _months_to_try(self) -> Tuple[float, ...]:
        # Just inside, near and past every time limit in the knowledge base.
        near = float(self.rules.time_limit_text.get("near_months", 2))
        points = {0.5}
        for body in self.kb:
            limits = [body.time_limit] + [v.time_limit for v in body.variants.values() if v.time_limit]
            for tl in limits:
                if tl.months:
                    points.update({max(0.0, tl.months - near - 1), tl.months - near / 2, tl.months + 1})
        return tuple(sorted(points))

    # ------------------------------------------------------------------- route
    def route(self, facts: Facts, place: Optional["Place"] = None) -> Dict[str, Any]:
        """The router's whole answer, worded for this person (CONTRACT section 3).

        With a place (`place`, or the `postcode` fact), routes that mean a local
        organisation carry it (`organisation`), and an unknown nation is the place's.
        """
        place = place if place is not None else _place_of(facts)
        if place is not None and "nation" not in facts and place.nation:
            facts = facts.with_value("nation", place.nation)
        d = self.decide(facts)
        nation = facts.get("nation")
        phrases = self._phrases(facts)
        routes = []
        for action in d.actions:
            body = self.kb[action.route].for_nation(nation)
            routes.append(self._route_item(body, action, phrases, facts))
        warnings = [{"code": code, "text": text.format_map(phrases)} for code, text in d.warnings]
        for code, rid, limit, months in d.time_warnings:
            body = self.kb[rid].for_nation(nation)
            tmpl = self.rules.time_limit_text["passed" if code == "time_limit_passed" else "near"]
            text = " ".join(tmpl.split()).format(
                route=body.display_name,
                limit=_lower_first(body.time_limit.text.rstrip(".")),
                left=_months_phrase(max(limit - months, 0), bare=True),
            )
            warnings.append({"code": code, "text": text, "route": rid})
        if place is not None:
            from bot.places import attach_organisations

            attach_organisations(routes, facts.values, place)
        return {"routes": routes, "advocacy": d.advocacy, "warnings": warnings, "missing": self.missing(facts, d)}

    def _route_item(self, body: Body, action: RouteAction, phrases: Mapping[str, str], facts: Facts) -> Dict[str, Any]:
        contact = {
            k: v
            for k, v in body.contact.dict(exclude_none=True).items()
            if k in ("website", "phone", "phone_hours", "email")
        }
        how = body.contact.how
        if body.contact.phone and body.contact.phone not in how:
            how = f"{how} Phone: {body.contact.phone}" + (
                f" ({body.contact.phone_hours})." if body.contact.phone_hours else "."
            )
        return {
            "id": body.id,
            "role": action.role,
            "name": body.name,
            "why": self._why(body, action, phrases, facts),
            "how": how,
            "time_limit": body.time_limit.text,
            "contact": contact,
            "achieves": dict(body.achieves),
            "kind": body.kind,
        }

    def _why(self, body: Body, action: RouteAction, phrases: Mapping[str, str], facts: Facts) -> str:
        """The rule's reason, except for someone already waiting on the organisation's answer."""
        waiting = (self.rules.phrases.get("waiting") or {}).get("first_step")
        if (
            waiting
            and facts.get("stage") == "in_progress"
            and action.role in ("primary", "alternative")
            and body.id in WAITING_ROUTES
        ):
            return " ".join(waiting.split()).format_map(phrases)
        return action.why.format_map(phrases)

    def service_phrase(self, facts: Facts) -> Optional[str]:
        """The service as the person's nation names it, where that differs (rules.yml `phrases.service_in`)."""
        by_nation = (self.rules.phrases.get("service_in") or {}).get(facts.get("nation") or "unknown") or {}
        return by_nation.get(facts.get("service") or "unknown")

    def _phrases(self, facts: Facts) -> Dict[str, str]:
        p = self.rules.phrases
        months = facts.get("months_since")
        return {
            "service": self.service_phrase(facts) or p["service"].get(facts.get("service") or "unknown"),
            "nation": p["nation"].get(facts.get("nation") or "unknown"),
            "months": _months_phrase(months) if months is not None else "some time ago",
            "who": "they" if facts.get("on_behalf") else "you",
        }


def _lower_first(text: str) -> str:
    """ "Usually within 5 years. Older ..." read inside a sentence: only the first letter lowered."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _place_of(facts: Facts) -> Optional["Place"]:
    """The place of the case's postcode (issue 15), or None: nothing is loaded without one."""
    if not facts.get("postcode"):
        return None
    from bot.places import place_from_postcode

    return place_from_postcode(facts.get("postcode"))


def _months_phrase(months: float, bare: bool = False) -> str:
    """'about 3 months ago' (or '3 months' when bare)."""
    if months < 0.75:
        weeks = max(1, round(months * 52 / 12))
        text = "1 week" if weeks == 1 else f"{weeks} weeks"
    elif months < 24:
        n = max(1, round(months))
        text = "1 month" if n == 1 else f"{n} months"
    else:
        n = round(months / 12)
        text = f"{n} years"
    return text if bare else f"about {text} ago"


@lru_cache(maxsize=1)
def get_router() -> Router:
    """The router built from the shipped knowledge base (loaded once per process)."""
    kb = load_bodies()
    return Router(kb, load_rules(kb))
