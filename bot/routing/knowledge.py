"""The knowledge base of bodies: one YAML list per group under `bot/knowledge/bodies/`.

Each entry says what a body is for, in plain English, what it can and cannot
achieve, its preconditions and time limits, how to contact it, and where each
fact came from and when it was checked. The loader validates every entry and
names the file, the entry and the field of anything wrong, so the team can edit
the data without touching code. See docs/routing.md.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Dict, Iterable, List, Literal, Optional

import yaml
from pydantic import BaseModel, Extra, ValidationError, root_validator, validator

from bot.routing.facts import NATIONS

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
BODIES_DIR = KNOWLEDGE_DIR / "bodies"

Achieve = Literal["yes", "no", "sometimes"]
Nation = Literal[NATIONS]  # bot/knowledge/vocabulary.yml
ACHIEVEMENTS = ("explanation", "apology", "change", "refund", "compensation", "discipline")
_PHONE = re.compile(r"^(999|101|111|116 123|0\d{2,4}( \d{2,6}){1,3}|text \w+ to \d{5})$")


class KnowledgeError(ValueError):
    """The knowledge base or the rules are wrong; the message names file, entry and field."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Source(_Strict):
    """A page a fact was read from, what it supports, and when it was compared with it."""

    url: str
    supports: str
    checked: Optional[dt.date] = None  # when this page was compared; default: the body's `checked`

    @validator("checked")
    def _not_future(cls, v: Optional[dt.date]) -> Optional[dt.date]:
        if v is not None and v > dt.date.today():
            raise ValueError("cannot be in the future")
        return v

    @validator("url")
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            raise ValueError("must be an http(s) URL")
        return v


class Precondition(_Strict):
    code: str
    text: str


class TimeLimit(_Strict):
    """A time limit in machine-readable form, with its plain-English statement."""

    months: Optional[float]  # None: no fixed limit
    start: Literal["event_or_aware", "final_response", "none"]
    long_stop_months: Optional[float] = None
    extendable: bool
    text: str
    exceptions: Optional[str] = None
    source: Optional[str] = None  # the page the limit was read from (required when there are months)

    @validator("source")
    def _url(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            raise ValueError("must be an http(s) URL")
        return v

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict) -> dict:
        if values.get("months") is None and values.get("start") != "none":
            raise ValueError("months is required unless start is 'none'")
        if values.get("months") is not None and values.get("start") == "none":
            raise ValueError("start 'none' means no months")
        if values.get("months") is not None and not values.get("source"):
            raise ValueError("a time limit in months needs source (the page it was read from)")
        return values


class Contact(_Strict):
    how: str
    website: Optional[str] = None
    phone: Optional[str] = None
    phone_hours: Optional[str] = None
    phone_source: Optional[str] = None
    email: Optional[str] = None
    email_source: Optional[str] = None

    @validator("website", "phone_source", "email_source")
    def _url(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            raise ValueError("must be an http(s) URL")
        return v

    @validator("phone")
    def _phone(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not _PHONE.match(v):
            raise ValueError(f"{v!r} does not look like a UK phone number written with spaces")
        return v

    @root_validator(skip_on_failure=True)
    def _phone_has_source(cls, values: dict) -> dict:
        # Never a phone number without the page it was read from.
        if values.get("phone") and not values.get("phone_source"):
            raise ValueError("a phone number needs phone_source (the page it was read from)")
        if values.get("email") and not values.get("email_source"):
            raise ValueError("an email address needs email_source (the page it was read from)")
        return values


class Variant(_Strict):
    """What differs for one nation (a name, how to reach it)."""

    name: Optional[str] = None
    short_name: Optional[str] = None
    remit: Optional[str] = None
    contact: Optional[Contact] = None
    time_limit: Optional[TimeLimit] = None
    achieves: Optional[Dict[str, Achieve]] = None  # only the outcomes that differ in this nation
    cannot: Optional[List[str]] = None  # replaces the whole list


class Body(_Strict):
    id: str
    name: str
    short_name: Optional[str] = None
    kind: Literal[
        "provider",
        "advice",
        "commissioner",
        "ombudsman",
        "regulator",
        "feedback",
        "advocacy",
        "safety",
        "legal",
        "mediation",
    ]
    remit: str
    for_whom: str
    nations: List[Nation]
    achieves: Dict[str, Achieve]
    cannot: List[str] = []
    preconditions: List[Precondition] = []
    time_limit: TimeLimit
    contact: Contact
    sources: List[Source]
    domains: List[str] = []  # the body's own web domains (source policy: bot/routing/sources.py)
    checked: dt.date
    # reference_notes: ../shared/reference; public_pages: stored copies of public pages found by search
    # (the body's own pages or the official sites, as stored, not visited live); live_site: the body's own
    # site, visited on the checked date.
    checked_against: Literal["reference_notes", "public_pages", "live_site"]
    uncertain: List[str] = []
    variants: Dict[Nation, Variant] = {}
    aliases: List[str] = []  # what people call it ("the ombudsman", "PALS"), for questions about it

    @validator("id")
    def _id(cls, v: str) -> str:
        if not re.match(r"^[a-z][a-z0-9_]*$", v):
            raise ValueError("must be lower_snake_case")
        return v

    @validator("domains", each_item=True)
    def _domain(cls, v: str) -> str:
        if not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", v):
            raise ValueError(f"{v!r} is not a bare domain name (like example.org.uk)")
        return v

    @validator("nations")
    def _nations(cls, v: List[str]) -> List[str]:
        if not v:
            raise ValueError("must name at least one nation")
        return v

    @validator("achieves", pre=True)
    def _yaml_booleans(cls, v: object) -> object:
        # YAML reads a bare yes/no as a boolean; the data is easier to edit without quotes.
        if isinstance(v, dict):
            return {k: ("yes" if x is True else "no" if x is False else x) for k, x in v.items()}
        return v

    @validator("achieves")
    def _achieves(cls, v: Dict[str, str]) -> Dict[str, str]:
        missing = [k for k in ACHIEVEMENTS if k not in v]
        extra = [k for k in v if k not in ACHIEVEMENTS]
        if missing or extra:
            raise ValueError(
                f"must give exactly {', '.join(ACHIEVEMENTS)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(extra)}" if extra else "")
            )
        return v

    @validator("sources")
    def _sources(cls, v: List[Source]) -> List[Source]:
        if not v:
            raise ValueError("needs at least one source")
        return v

    @validator("checked")
    def _checked(cls, v: dt.date) -> dt.date:
        if v > dt.date.today():
            raise ValueError("cannot be in the future")
        return v

    @validator("variants")
    def _variants(cls, v: Dict[str, Variant], values: dict) -> Dict[str, Variant]:
        for nation in v:
            if nation not in values.get("nations", []):
                raise ValueError(f"variant for {nation}, which is not in nations")
        return v

    # -- views used by the engine -------------------------------------------------
    def for_nation(self, nation: Optional[str]) -> "Body":
        """This body as it applies in one nation (variant fields replace the defaults)."""
        var = self.variants.get(nation) if nation else None
        if not var:
            return self
        changes = {k: v for k, v in var.dict(exclude_none=True).items()}
        if var.contact is not None:
            changes["contact"] = var.contact
        if var.time_limit is not None:
            changes["time_limit"] = var.time_limit
        if var.achieves:
            changes["achieves"] = {**self.achieves, **var.achieves}
        return self.copy(update=changes)

    @property
    def display_name(self) -> str:
        """The short name when there is one, else the full name."""
        return self.short_name or self.name


class KnowledgeBase:
    """All bodies by id."""

    def __init__(self, bodies: Dict[str, Body]):
        self.bodies = bodies

    def __getitem__(self, body_id: str) -> Body:
        return self.bodies[body_id]

    def __contains__(self, body_id: str) -> bool:
        return body_id in self.bodies

    def __iter__(self):
        return iter(self.bodies.values())

    @property
    def ids(self) -> List[str]:
        """Every body's id, in load order."""
        return list(self.bodies)


def load_bodies(paths: Optional[Iterable[Path]] = None) -> KnowledgeBase:
    """Load and validate every body file; raise `KnowledgeError` on the first bad entry."""
    files = sorted(paths) if paths is not None else sorted(BODIES_DIR.glob("*.yml"))
    if not files:
        raise KnowledgeError(f"{BODIES_DIR}: no body files found")
    bodies: Dict[str, Body] = {}
    for path in files:
        where = _short(path)
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise KnowledgeError(f"{where}: not valid YAML: {_one_line(e)}") from None
        if not isinstance(entries, list):
            raise KnowledgeError(f"{where}: must be a list of bodies")
        for i, entry in enumerate(entries):
            label = entry.get("id") if isinstance(entry, dict) and entry.get("id") else f"#{i + 1}"
            if not isinstance(entry, dict):
                raise KnowledgeError(f"{where}: entry {label}: must be a mapping")
            try:
                body = Body.parse_obj(entry)
            except ValidationError as e:
                raise KnowledgeError(f"{where}: entry '{label}': {_describe(e)}") from None
            if body.id in bodies:
                raise KnowledgeError(f"{where}: entry '{label}': field 'id': duplicate id")
            bodies[body.id] = body
    return KnowledgeBase(bodies)


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if x != "__root__")
        parts.append(f"field '{loc}': {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)


def _short(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(KNOWLEDGE_DIR.parent.parent))
    except ValueError:
        return str(path)


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


__all__ = ["Body", "KnowledgeBase", "KnowledgeError", "load_bodies", "NATIONS"]
