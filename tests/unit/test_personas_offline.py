"""Personas played through the dialogue's pure steps (bot.dialogue.offline): a fast regression net.

The real measure is ../shared/eval/simulate.py against a running stack; this catches a change in
understanding or routing that breaks a persona, in seconds and without Rasa.
"""

from pathlib import Path

import pytest
import yaml

from bot.dialogue.offline import play

PROJECT = Path(__file__).resolve().parents[2]
SETS = [PROJECT.parent / "shared" / "eval" / "personas_dev.yaml", PROJECT / "tests" / "eval" / "personas_extra.yaml"]
PERSONAS = [p for f in SETS for p in yaml.safe_load(f.read_text())]


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["id"] for p in PERSONAS])
def test_persona_reaches_the_expected_advice(persona):
    r = play(persona)
    assert r["fails"] == [], r["fails"]
    assert r["turns"] <= 12
