"""Privacy: redaction recall on realistic identifiers, pseudonyms, sealed contact details."""
from pathlib import Path

import pytest
import yaml

from bot.privacy import pseudonym, redact, seal, unseal

DATA = Path(__file__).resolve().parents[1] / "data" / "redaction.yml"


def test_redaction_recall_is_at_least_95_percent():
    items = yaml.safe_load(DATA.read_text())
    total = sum(len(i["identifiers"]) for i in items)
    assert total >= 60
    missed = []
    for item in items:
        out = redact(item["text"])
        for ident in item["identifiers"]:
            if ident in out:
                missed.append(ident)
    recall = 1 - len(missed) / total
    assert recall >= 0.95, (round(recall, 3), missed)


def test_look_alikes_are_mostly_left_alone():
    items = [i for i in yaml.safe_load(DATA.read_text()) if not i["identifiers"]]
    changed = [i["text"] for i in items if redact(i["text"]) != i["text"]]
    assert len(changed) <= len(items) * 0.15, changed


def test_pseudonyms_are_stable_and_one_way(tmp_data_dir):
    a = pseudonym("+447700900123")
    assert a == pseudonym("+447700900123") and a != pseudonym("+447700900124")
    assert "7700" not in a and len(a) == 24


def test_contact_details_are_sealed(tmp_data_dir):
    token = seal({"phone": "07700900123"})
    assert "07700900123" not in token
    assert unseal(token) == {"phone": "07700900123"}
