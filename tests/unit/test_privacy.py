"""Privacy: redaction recall on realistic identifiers, pseudonyms, sealed contact details."""

from pathlib import Path

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


# ---- issue 10, fault 9: names in the forms people use in a chat or a text
NAMES = Path(__file__).resolve().parents[1] / "data" / "redaction_names.yml"
HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "redaction_heldout.yml"


def _measure(path):
    items = yaml.safe_load(path.read_text())
    total = sum(len(i["identifiers"]) for i in items)
    missed = [x for i in items for x in i["identifiers"] if x in redact(i["text"])]
    alike = [i["text"] for i in items if not i["identifiers"]]
    changed = [t for t in alike if redact(t) != t]
    return 1 - len(missed) / total, missed, len(alike), changed


def test_the_name_that_was_kept_is_redacted():
    out = redact("Zofia here, Wrzesniewska is my surname")
    assert "Zofia" not in out and "Wrzesniewska" not in out
    for text, name in (
        ("it's Zofia", "Zofia"),
        ("name's Kwame Mensah", "Kwame Mensah"),
        ("surname is wrzesniewska", "wrzesniewska"),
        ("Okonkwo is my last name", "Okonkwo"),
        ("Declan speaking, I'm the son", "Declan"),
        ("thanks for your help. Kasia x", "Kasia"),
    ):
        assert name not in redact(text), text


def test_names_in_chat_forms_recall_at_least_95_percent_and_look_alikes_left_alone():
    recall, missed, n, changed = _measure(NAMES)
    assert recall >= 0.95, (round(recall, 3), missed)
    assert len(changed) <= n * 0.05, changed


def test_a_held_out_set_is_not_worse_than_measured():
    # Written after the rules were tuned, never tuned on: 18/23 names, 0/15 look-alikes changed.
    recall, missed, n, changed = _measure(HELD_OUT)
    assert recall >= 0.75, (round(recall, 3), missed)
    assert len(changed) <= 1, changed


def test_realistic_messages_without_names_are_left_alone():
    import glob

    texts = []
    for f in sorted(
        glob.glob(str(Path(__file__).resolve().parents[3] / "shared" / "eval" / "personas*.yaml"))
        + glob.glob(str(Path(__file__).resolve().parents[1] / "eval" / "personas*.yaml"))
    ):
        for p in yaml.safe_load(Path(f).read_text()) or []:
            if isinstance(p, dict):
                texts += [p.get("opening") or ""] + [v for v in (p.get("answers") or {}).values() if isinstance(v, str)]
    texts = [t for t in texts if t]
    assert len(texts) > 1000
    changed = [t for t in texts if redact(t) != t]
    assert len(changed) <= len(texts) * 0.005, changed[:5]


def test_redaction_takes_linear_time_on_punctuation_floods():
    import time

    for text in ("(" * 1999, '"' * 1999, "!?" * 999, "Zofia Zofia " * 166):
        started = time.perf_counter()
        redact(text)
        assert time.perf_counter() - started < 0.2, text[:10]
