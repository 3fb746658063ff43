"""The blind persona sets of 2026-12-03 as a regression gate (issues 11 and 12).

Each set was written by someone who never saw the code, measured at first look, then its causes were
fixed (never its sentences) and it was frozen here. Played offline through the dialogue's pure steps
(bot.dialogue.offline): a set may not fall below what it reached when frozen, nor take more turns.
The real measure stays ../shared/eval/simulate.py against a running stack (same figures or better).
"""

import statistics
from pathlib import Path

import pytest
import yaml

from bot.dialogue.offline import play

EVAL = Path(__file__).resolve().parents[1] / "eval"
#: set: (passed when frozen, out of, median turns to the advice)
FROZEN = {
    "b1": (60, 64, 4),
    "b2": (58, 64, 5),
    "b3": (62, 64, 5),
    "b4": (63, 64, 4),
    "b5": (44, 48, 4),
    "b6": (55, 56, 4),
    "b7": (44, 48, 4),
    "b8": (46, 48, 5),
    "b9": (36, 40, 4),
    "b10": (39, 40, 5),
    "b11": (46, 48, 4),
    "b12": (39, 40, 5),
    "b13": (47, 48, 4),
    "b14": (39, 40, 4),
    "b15": (40, 40, 5),
    "b16": (38, 40, 5),
    "b17": (31, 40, 5),
    "b18": (39, 40, 5),
    "b19": (40, 40, 4),
    "b20": (38, 40, 4),
    "b21": (33, 40, 4),
    "b22": (39, 40, 5),
}


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_a_frozen_blind_set_does_not_get_worse(name):
    personas = yaml.safe_load((EVAL / f"personas_blind_{name}.yaml").read_text())
    floor, total, turns = FROZEN[name]
    assert len(personas) == total
    results = [(p["id"], play(p)) for p in personas]
    failed = [(pid, r["fails"]) for pid, r in results if r["fails"]]
    assert total - len(failed) >= floor, failed
    assert statistics.median(r["turns"] for _, r in results) <= turns
