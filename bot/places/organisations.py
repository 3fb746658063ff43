"""Local organisations as data: ICBs, health boards, NHS boards, HSC trusts and councils.

One YAML list per group under `bot/knowledge/organisations/`, and the areas they cover
(`bot/knowledge/places/areas.yml`). Every contact fact carries the page it was read
from, which must be on the organisation's own site (`domains`), and the date it was
checked; a fact marked `uncertain` is kept for the record but never shown. The loader
validates everything and names the file, the entry and the field of anything wrong.
See docs/routing.md, "Places and local organisations".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Literal, Optional, Tuple
from urllib.parse import urlparse

import yaml
from pydantic import BaseModel, Extra, ValidationError, root_validator, validator

from bot.vocabulary import NATIONS

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
ORGANISATIONS_DIR = KNOWLEDGE_DIR / "organisations"
AREAS_FILE = KNOWLEDGE_DIR / "places" / "areas.yml"

Nation = Literal[NATIONS]  # bot/knowledge/vocabulary.yml
Kind = Literal["icb", "health_board", "nhs_board", "hsc_trust", "council"]
#: The contact facts, in the order they are shown.
CONTACT_FIELDS = ("website", "complaints_url", "phone", "email", "post")
# The same shape as the bodies' phone numbers (bot/routing/knowledge.py), plus 08 and 07 numbers.
_PHONE = re.compile(r"^0\d{2,4}( \d{2,6}){1,3}$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads these files ten times faster


class OrganisationError(ValueError):
    """The organisations' data is wrong; the message names file, entry and field."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Fact(_Strict):
    """One contact fact: its value, where it was read and when; or why it is not confirmed."""

    value: Optional[str]
    source: Optional[str] = None
    checked: Optional[dt.date] = None
    uncertain: Optional[str] = None  # set: not confirmed, never shown

    @validator("source")
    def _url(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not _URL.match(v):
            raise ValueError("must be an http(s) URL")
        return v

    @validator("checked")
    def _past(cls, v: Optional[dt.date]) -> Optional[dt.date]:
        if v is not None and v > dt.date.today():
            raise ValueError("cannot be in the future")
        return v

    @root_validator(skip_on_failure=True)
    def _confirmed_has_source(cls, values: dict) -> dict:
        if not values.get("uncertain") and not (values.get("value") and values.get("source") and values.get("checked")):
            raise ValueError("a confirmed fact needs value, source and checked (or say why it is uncertain)")
        return values

    @property
    def confirmed(self) -> bool:
        """Whether the fact has a value and is not marked uncertain."""
        return not self.uncertain and bool(self.value)


class Contact(_Strict):
    website: Optional[Fact] = None
    complaints_url: Optional[Fact] = None
    phone: Optional[Fact] = None
    email: Optional[Fact] = None
    post: Optional[Fact] = None

    @validator("website", "complaints_url")
    def _url(cls, v: Optional[Fact]) -> Optional[Fact]:
        if v is not None and v.value and not _URL.match(v.value):
            raise ValueError("must be an http(s) URL")
        return v

    @validator("phone")
    def _phone(cls, v: Optional[Fact]) -> Optional[Fact]:
        if v is not None and v.value and not _PHONE.match(v.value):
            raise ValueError(f"{v.value!r} does not look like a UK phone number written with spaces")
        return v

    @validator("email")
    def _email(cls, v: Optional[Fact]) -> Optional[Fact]:
        if v is not None and v.value and not _EMAIL.match(v.value):
            raise ValueError(f"{v.value!r} does not look like an email address")
        return v


class Organisation(_Strict):
    id: str
    kind: Kind
    nation: Nation
    name: str
    short_name: Optional[str] = None
    areas: List[str]
    aliases: List[str] = []
    domains: List[str] = []  # its own web sites: every confirmed fact's source is on one of them
    contact: Contact = Contact()
    uncertain: List[str] = []  # notes on anything not confirmed; never shown

    @validator("id")
    def _id(cls, v: str) -> str:
        if not re.match(r"^[a-z][a-z0-9_]*_?[A-Za-z0-9_]*$", v):
            raise ValueError("must be lower_snake_case (an ONS code may end it)")
        return v

    @validator("areas")
    def _areas(cls, v: List[str]) -> List[str]:
        if not v:
            raise ValueError("must name at least one area")
        return v

    @root_validator(skip_on_failure=True)
    def _own_site(cls, values: dict) -> dict:
        # Never a third party's page for a contact fact: the source must be on the organisation's own site.
        domains = values.get("domains") or []
        contact: Contact = values.get("contact")
        for name in CONTACT_FIELDS:
            fact: Optional[Fact] = getattr(contact, name)
            if fact is None or not fact.confirmed:
                continue
            urls = [fact.source] + ([fact.value] if name in ("website", "complaints_url") else [])
            for url in urls:
                if not _on(url, domains):
                    raise ValueError(
                        f"contact.{name}: {url} is not on the organisation's own site ({', '.join(domains) or 'no domains given'})"
                    )
        return values

    @property
    def display_name(self) -> str:
        """The short name when there is one, else the full name."""
        return self.short_name or self.name

    def shown(self) -> Dict[str, str]:
        """What may be shown: the name and the confirmed contact facts (CONTRACT section 3)."""
        out: Dict[str, str] = {"id": self.id, "name": self.name}
        sources: List[Tuple[str, dt.date]] = []
        for name in CONTACT_FIELDS:
            fact: Optional[Fact] = getattr(self.contact, name)
            if fact is not None and fact.confirmed:
                out[name] = fact.value
                sources.append((fact.source, fact.checked))
        if sources:
            # the page most facts were read from (the complaints contact page, when there is one)
            pages = [s for s, _ in sources]
            out["source"] = max(dict.fromkeys(pages), key=pages.count)
            out["checked"] = min(c for _, c in sources).isoformat()
        return out

    def has_complaints_contact(self) -> bool:
        """Whether a confirmed way to complain is known: a phone, an email, a complaints page or a postal address."""
        return any(
            getattr(self.contact, f) is not None and getattr(self.contact, f).confirmed
            for f in ("complaints_url", "phone", "email", "post")
        )


def _on(url: str, domains: Iterable[str]) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    nation: str
    county: Optional[str] = None


class Directory:
    """Areas and the organisations that cover them."""

    def __init__(self, areas: Dict[str, Area], organisations: Dict[str, Organisation]):
        self.areas = areas
        self.organisations = organisations
        self._by_area: Dict[Tuple[str, str], List[Organisation]] = {}
        for org in organisations.values():
            for code in org.areas:
                self._by_area.setdefault((code, org.kind), []).append(org)

    def covering(self, area: str, kind: str) -> List[Organisation]:
        """The organisations of one kind that cover an area (more than one where a boundary splits it)."""
        return self._by_area.get((area, kind), [])

    def __getitem__(self, org_id: str) -> Organisation:
        return self.organisations[org_id]

    def __iter__(self):
        return iter(self.organisations.values())


def load_directory(org_files: Optional[Iterable[Path]] = None, areas_file: Path = AREAS_FILE) -> Directory:
    """Load and validate the areas and every organisation file; raise `OrganisationError` on the first fault."""
    areas = _load_areas(areas_file)
    files = sorted(org_files) if org_files is not None else sorted(ORGANISATIONS_DIR.glob("*.yml"))
    if not files:
        raise OrganisationError(f"{ORGANISATIONS_DIR}: no organisation files found")
    orgs: Dict[str, Organisation] = {}
    for path in files:
        for i, entry in enumerate(_read_list(path)):
            label = entry.get("id") if isinstance(entry, dict) and entry.get("id") else f"#{i + 1}"
            try:
                org = Organisation.parse_obj(entry)
            except ValidationError as e:
                raise OrganisationError(f"{_short(path)}: entry '{label}': {_describe(e)}") from None
            if org.id in orgs:
                raise OrganisationError(f"{_short(path)}: entry '{label}': field 'id': duplicate id")
            unknown = [a for a in org.areas if a not in areas]
            if unknown:
                raise OrganisationError(f"{_short(path)}: entry '{label}': field 'areas': unknown area {unknown[0]}")
            orgs[org.id] = org
    return Directory(areas, orgs)


def _load_areas(path: Path) -> Dict[str, Area]:
    out: Dict[str, Area] = {}
    for i, entry in enumerate(_read_list(path)):
        try:
            area = Area(**entry)
        except TypeError:
            raise OrganisationError(f"{_short(path)}: entry #{i + 1}: needs code, name, nation (and county)") from None
        out[area.code] = area
    return out


def _read_list(path: Path) -> list:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as e:
        raise OrganisationError(f"{_short(path)}: not valid YAML: {' '.join(str(e).split())}") from None
    if not isinstance(data, list):
        raise OrganisationError(f"{_short(path)}: must be a list")
    return data


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


def coverage(directory: Optional[Directory] = None) -> Dict[str, Dict[str, Dict[str, int]]]:
    """Per nation and kind: how many organisations, how many with a confirmed complaints contact,
    and how many with each confirmed fact."""
    out: Dict[str, Dict[str, Dict[str, int]]] = {}
    for org in directory or get_directory():
        row = out.setdefault(org.nation, {}).setdefault(
            org.kind, {"organisations": 0, "complaints_contact": 0, **{f: 0 for f in CONTACT_FIELDS}}
        )
        row["organisations"] += 1
        row["complaints_contact"] += org.has_complaints_contact()
        for f in CONTACT_FIELDS:
            fact = getattr(org.contact, f)
            row[f] += bool(fact is not None and fact.confirmed)
    return out


@lru_cache(maxsize=1)
def get_directory() -> Directory:
    """The shipped areas and organisations (loaded once per process)."""
    return load_directory()
