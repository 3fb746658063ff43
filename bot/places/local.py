"""Which routes mean a local organisation, and which organisation that is for a place.

`icb` is the person's ICB (England); `council` their council with social care duties
(the county or unitary council, never a district); `provider` is the health board
(Wales), the NHS board (Scotland) or the HSC trust (Northern Ireland) for the services
those run. In England the provider of hospital care is one of several trusts, and PALS
belongs to that trust: a postcode cannot say which, so neither is named from a place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from bot.places.organisations import Directory, Organisation, get_directory
from bot.places.postcodes import get_index, normalise_postcode

#: The organisation kind that runs each service, where it is a health board or trust.
PROVIDER_KINDS = {"wales": "health_board", "scotland": "nhs_board", "northern_ireland": "hsc_trust"}
PROVIDER_SERVICES = {
    "wales": {"hospital", "community_health", "mental_health", "continuing_healthcare"},
    "scotland": {"hospital", "community_health", "mental_health", "continuing_healthcare"},
    # HSC trusts run hospitals, community and mental health services, and social care.
    "northern_ireland": {
        "hospital",
        "community_health",
        "mental_health",
        "council_social_care",
        "children_social_care",
    },
}
COUNCIL_NATIONS = {"england", "wales", "scotland"}


@dataclass(frozen=True)
class Place:
    """Where the person is, as candidate areas (ONS codes). Never holds the postcode itself.

    `kind` says how it was given: `postcode` (a full postcode: one area), `outward`
    (the first part: its areas, most postcodes first), `name` (a town, council or
    health board named in words) or `codes` (rebuilt from stored `area_codes`).
    `matched` is the text it was read from, so the caller can redact it; it is not
    part of `area_codes`.
    """

    areas: Tuple[str, ...]
    kind: str
    label: str = ""
    matched: str = ""

    @property
    def nations(self) -> Tuple[str, ...]:
        """The nations of the candidate areas, each once, in order."""
        d = get_directory()
        return tuple(dict.fromkeys(d.areas[a].nation for a in self.areas if a in d.areas))

    @property
    def nation(self) -> Optional[str]:
        """The nation, when every candidate area is in the same one."""
        nations = self.nations
        return nations[0] if len(nations) == 1 else None


def place_from_postcode(postcode: Optional[str]) -> Optional[Place]:
    """The place a postcode or outward code is in (None when it is not one, or is not in the data)."""
    normal = normalise_postcode(postcode) if postcode else None
    if not normal:
        return None
    found = get_index().lookup(normal)
    if not found.areas:
        return None
    kind = "outward" if " " not in normal else "postcode"
    return Place(found.codes, kind, label=_label(found.codes), matched=postcode or "")


def area_codes(place: Place) -> Dict[str, Any]:
    """What may be kept instead of a postcode: the candidate areas and the nation (JSON-ready)."""
    return {"areas": list(place.areas), "nation": place.nation, "kind": place.kind}


def place_from_codes(codes: Optional[Mapping[str, Any]]) -> Optional[Place]:
    """A place rebuilt from `area_codes` (unknown codes are dropped)."""
    if not codes:
        return None
    known = get_directory().areas
    areas = tuple(a for a in codes.get("areas") or () if isinstance(a, str) and a in known)
    return Place(areas, "codes", label=_label(areas)) if areas else None


def _label(areas: Iterable[str]) -> str:
    known = get_directory().areas
    names = [known[a].name.split(" (")[0] for a in areas if a in known]
    return " or ".join(dict.fromkeys(names))


# --------------------------------------------------------------- which route, which organisation
def local_kind(route_id: str, facts: Mapping[str, Any], nation: Optional[str] = None) -> Optional[str]:
    """The kind of local organisation a route means for these facts, or None."""
    nation = facts.get("nation") or nation
    if route_id == "icb" and nation in (None, "england"):
        return "icb"
    if route_id == "council" and nation in COUNCIL_NATIONS | {None}:
        return "council"
    if route_id == "provider" and facts.get("service") in PROVIDER_SERVICES.get(nation, ()):
        return PROVIDER_KINDS[nation]
    return None


def wants_place(result: Mapping[str, Any], facts: Optional[Mapping[str, Any]] = None) -> bool:
    """Whether knowing where the person is would let the answer name a local organisation.

    `result` is the router's answer; `facts` the case (needed for the provider: a
    health board or trust only for the services it runs). False once a route already
    names its organisation.
    """
    facts = facts or {}
    return any(local_kind(r.get("id", ""), facts) and "organisation" not in r for r in result.get("routes", ()))


def candidates(
    kind: str, place: Place, nation: Optional[str] = None, directory: Optional[Directory] = None
) -> List[Organisation]:
    """Every organisation of a kind that covers any of the place's areas (in the case's nation, if known)."""
    d = directory or get_directory()
    found: Dict[str, Organisation] = {}
    for area in place.areas:
        if nation and area in d.areas and d.areas[area].nation != nation:
            continue
        for org in d.covering(area, kind):
            found.setdefault(org.id, org)
    return list(found.values())


def organisation_for(route_id: str, facts: Mapping[str, Any], place: Optional[Place]) -> Optional[Dict[str, str]]:
    """The local organisation a route means for this place, as shown (only confirmed facts), or None.

    None also when the place could be in more than one such organisation's area: the
    caller then says less, or asks, rather than guess.
    """
    if place is None:
        return None
    kind = local_kind(route_id, facts, place.nation)
    if kind is None:
        return None
    found = candidates(kind, place, facts.get("nation"))
    return found[0].shown() if len(found) == 1 else None


def attach_organisations(routes: List[Dict[str, Any]], facts: Mapping[str, Any], place: Optional[Place]) -> None:
    """Add `organisation` to each route that means a local organisation known for this place."""
    for route in routes:
        org = organisation_for(route["id"], facts, place)
        if org:
            route["organisation"] = org
