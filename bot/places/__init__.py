"""Places: where the person is, and the local organisations that serve them (issue 15).

- `normalise_postcode`, `lookup_postcode`: UK postcodes, offline (ONS data, OGL v3.0).
- `parse_place(text)`: a postcode, town, city, council or health board in a message.
- `area_codes(place)` / `place_from_codes(codes)`: what may be kept instead of a postcode.
- `wants_place(result, facts)`: whether a place would let the answer name a local organisation.
- `organisation_for(route_id, facts, place)`, `attach_organisations(...)`: used by the router.
- `redact_postcodes(text)`: for logs and stored text.

See docs/routing.md, "Places and local organisations".
"""

from bot.places.local import (
    Place,
    area_codes,
    attach_organisations,
    candidates,
    local_kind,
    organisation_for,
    place_from_codes,
    place_from_postcode,
    wants_place,
)
from bot.places.organisations import OrganisationError, get_directory, load_directory
from bot.places.parse import parse_place, redact_postcodes
from bot.places.postcodes import lookup_postcode, normalise_postcode

__all__ = [
    "Place",
    "area_codes",
    "attach_organisations",
    "candidates",
    "local_kind",
    "organisation_for",
    "place_from_codes",
    "place_from_postcode",
    "wants_place",
    "OrganisationError",
    "get_directory",
    "load_directory",
    "parse_place",
    "redact_postcodes",
    "lookup_postcode",
    "normalise_postcode",
]
