"""The vocabulary the project shares: nations, services and their groups, safety kinds.

Declared once in bot/knowledge/vocabulary.yml, checked here when first imported (unique values,
lower_snake_case, groups made of known services, the "general" safety kind present), and read by
the case facts, the knowledge base, the dialogue and the safety help. This module imports nothing
of the project's own, so any module can use it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

VOCABULARY_FILE = Path(__file__).resolve().parent / "knowledge" / "vocabulary.yml"


class VocabularyError(ValueError):
    """vocabulary.yml is wrong; the message names the field."""


def _names(v: List[str]) -> List[str]:
    if not v:
        raise ValueError("must list at least one value")
    bad = [x for x in v if not re.match(r"^[a-z][a-z0-9_]*$", x)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not lower_snake_case")
    twice = [x for x in v if v.count(x) > 1]
    if twice:
        raise ValueError(f"{twice[0]!r} is listed twice")
    return v


class VocabularyFile(BaseModel):
    """vocabulary.yml."""

    nations: List[str]
    services: List[str]
    service_groups: Dict[str, List[str]]
    safety_kinds: List[str]

    class Config:
        extra = Extra.forbid

    _unique = validator("nations", "services", "safety_kinds", allow_reuse=True)(_names)

    @validator("service_groups")
    def _groups(cls, v: Dict[str, List[str]], values: dict) -> Dict[str, List[str]]:
        for name, members in v.items():
            unknown = [s for s in _names(members) if s not in values.get("services", [])]
            if unknown:
                raise ValueError(f"group {name!r}: {unknown[0]!r} is not a service")
        return v

    @validator("safety_kinds")
    def _general(cls, v: List[str]) -> List[str]:
        if "general" not in v:
            raise ValueError("must include 'general' (any other risk)")
        return v


def load_vocabulary(path: Path = VOCABULARY_FILE) -> VocabularyFile:
    """Read and check the vocabulary; `VocabularyError` names the field of anything wrong."""
    try:
        return VocabularyFile.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as e:
        where = "; ".join(f"field '{'.'.join(str(x) for x in err['loc'])}': {err['msg']}" for err in e.errors())
        raise VocabularyError(f"{path.name}: {where}") from None


_VOCABULARY = load_vocabulary()

#: The four UK nations.
NATIONS: Tuple[str, ...] = tuple(_VOCABULARY.nations)
#: The services a complaint can be about.
SERVICES: Tuple[str, ...] = tuple(_VOCABULARY.services)
#: Groups of services the code treats alike, by name.
SERVICE_GROUPS: Dict[str, Tuple[str, ...]] = {k: tuple(v) for k, v in _VOCABULARY.service_groups.items()}
#: The kinds of risk of harm, most urgent first.
SAFETY_KINDS: Tuple[str, ...] = tuple(_VOCABULARY.safety_kinds)


def service_group(name: str) -> Tuple[str, ...]:
    """The services of one group in vocabulary.yml (KeyError for a group not declared there)."""
    return SERVICE_GROUPS[name]
