"""Routing: the knowledge base of bodies, the declarative rules, and the engine."""

from bot.routing.engine import Router, get_router
from bot.routing.facts import FactError, Facts, parse_facts

__all__ = ["Router", "get_router", "FactError", "Facts", "parse_facts", "route_case"]


def route_case(raw: dict) -> dict:
    """Route a decoded JSON case strictly (raises FactError on bad input)."""
    return get_router().route(parse_facts(raw))
