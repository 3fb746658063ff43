"""The "I statements" of My expectations, and which bot actions serve which statement."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE_FILE = HERE / "my_expectations.yaml"
MAPPING_FILE = HERE / "mapping.yml"


@dataclass(frozen=True)
class Statement:
    id: str
    stage: str
    stage_name: str
    text: str


@lru_cache(maxsize=1)
def statements() -> Dict[str, Statement]:
    """All statements by id, in the framework's order."""
    doc = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    out: Dict[str, Statement] = {}
    for stage in doc["stages"]:
        for s in stage["statements"]:
            out[s["id"]] = Statement(s["id"], stage["id"], stage["name"], s["text"])
    return out


@lru_cache(maxsize=1)
def _mapping() -> Tuple[Dict[str, List[str]], List[str]]:
    doc = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    known = statements()
    for action, ids in doc["actions"].items():
        for sid in ids:
            if sid not in known:
                raise ValueError(f"{MAPPING_FILE.name}: action {action!r}: unknown statement {sid!r}")
    for sid in doc["feedback_priority"]:
        if sid not in known:
            raise ValueError(f"{MAPPING_FILE.name}: feedback_priority: unknown statement {sid!r}")
    return doc["actions"], doc["feedback_priority"]


def statements_for(action: str) -> List[str]:
    """The statement ids a bot action serves (exact names first, then patterns)."""
    actions, _ = _mapping()
    if action in actions:
        return list(actions[action])
    for pattern, ids in actions.items():
        if "*" in pattern and fnmatch.fnmatchcase(action, pattern):
            return list(ids)
    return []


def feedback_choice(
    touched: Iterable[str], limit: int = 3, counts: Optional[Dict[str, int]] = None, seed: str = ""
) -> List[str]:
    """Up to `limit` statements to ask about, among those the conversation touched.

    The ones with the fewest feedback answers so far (`counts`) come first, so answers spread
    across the statements; ties go by a stable shuffle of the conversation id (`seed`), then by
    the framework's priority (mapping.yml)."""
    _, priority = _mapping()
    touched = set(touched)
    counts = counts or {}
    candidates = [sid for sid in priority if sid in touched]
    rank = {sid: i for i, sid in enumerate(candidates)}

    def key(sid: str):
        shuffle = hashlib.sha256(f"{seed}:{sid}".encode()).hexdigest() if seed else ""
        return (counts.get(sid, 0), shuffle, rank[sid])

    return sorted(candidates, key=key)[:limit]
