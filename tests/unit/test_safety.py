"""Safety: recall on the held-out risk phrasings, false alarms on ordinary complaints."""

# risk_blind / ordinary_blind were written by an independent writer who never saw the training data;
# first pass (before any change made for them): recall 138/145, false alarms 9/148. See docs/conversation.md.
from pathlib import Path

import pytest
import yaml

from bot.safety import assess, get_detector

DATA = Path(__file__).resolve().parents[1] / "data" / "safety"


def _load(name):
    return [e["text"] for e in yaml.safe_load((DATA / name).read_text())["examples"]]


@pytest.fixture(scope="module")
def detector():
    d = get_detector()
    assert d.classifier is not None, "the safety classifier must be built (make setup)"
    return d


@pytest.mark.parametrize(
    "name",
    [
        "risk_heldout.yml",
        "risk_final.yml",
        "risk_blind.yml",
        "risk_blind2.yml",
        "risk_blind3.yml",
        "risk_blind4.yml",
        "risk_blind5.yml",
        "risk_blind6.yml",
        "risk_blind7.yml",
        "risk_blind8.yml",
        "risk_blind9.yml",
        "risk_blind10.yml",
        "risk_blind11.yml",
        "risk_blind12.yml",
        "risk_blind13.yml",
        "risk_blind14.yml",
        "risk_blind15.yml",
        "risk_blind16.yml",
        "risk_blind17.yml",
        "risk_blind18.yml",
    ],
)
def test_recall_on_held_out_risk_phrasings_is_total(detector, name):
    texts = _load(name)
    assert len(texts) >= 80
    missed = [t for t in texts if not detector.judge(t).risk]
    assert missed == [], f"{len(missed)} missed"


@pytest.mark.parametrize(
    "name",
    [
        "ordinary_heldout.yml",
        "ordinary_final.yml",
        "ordinary_blind.yml",
        "ordinary_blind2.yml",
        "ordinary_blind3.yml",
        "ordinary_blind4.yml",
        "ordinary_blind5.yml",
        "ordinary_blind6.yml",
        "ordinary_blind7.yml",
        "ordinary_blind8.yml",
        "ordinary_blind9.yml",
        "ordinary_blind10.yml",
        "ordinary_blind11.yml",
        "ordinary_blind12.yml",
        "ordinary_blind13.yml",
        "ordinary_blind14.yml",
        "ordinary_blind15.yml",
        "ordinary_blind16.yml",
        "ordinary_blind17.yml",
        "ordinary_blind18.yml",
    ],
)
def test_false_alarms_on_ordinary_sentences_are_under_2_percent(detector, name):
    texts = _load(name)
    assert len(texts) >= 80
    alarms = [t for t in texts if detector.judge(t).risk]
    assert len(alarms) / len(texts) < 0.02, alarms


@pytest.mark.parametrize(
    "text, kind",
    [
        ("I can't go on", "suicide"),
        ("he said he'd hurt me tonight", "abuse_now"),
        ("she's not breathing and her lips are blue", "medical_emergency"),
        ("the carer hit her yesterday and she's scared he's coming back tonight", None),
    ],
)
def test_indirect_phrasing_counts_and_names_the_kind(detector, text, kind):
    v = detector.judge(text)
    assert v.risk
    if kind:
        assert v.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "my dad died in hospital last month",
        "the wait was a killer",
        "I could kill for a straight answer",
        "my back is killing me after that chair",
    ],
)
def test_ordinary_sentences_that_sound_alarming(detector, text):
    assert not detector.judge(text).risk


def test_empty_input_is_not_risk():
    assert not assess("").risk and not assess("   ").risk


def test_recall_and_false_alarms_on_the_causes_sets(detector):
    """Welsh of every kind, everyday English words, buried risk; reported, joked, disputed and past risk words."""
    missed = [t for t in _load("risk_causes.yml") if not detector.judge(t).risk]
    assert missed == [], missed
    alarms = [t for t in _load("ordinary_causes.yml") if detector.judge(t).risk]
    assert len(alarms) / len(_load("ordinary_causes.yml")) < 0.05, alarms


def test_welsh_mutated_forms_are_matched():
    from bot.safety import welsh_forms

    assert {"tabledi", "dabledi", "nhabledi", "thabledi"} <= set(welsh_forms("tabledi"))
    assert {"gwely", "wely", "ngwely"} <= set(welsh_forms("gwely"))
    assert "harian" in welsh_forms("arian")
    for text in [
        "Mae hi am gymryd ei holl dabledi heno",
        "Dw i newydd lyncu'r tabledi i gyd",
        "Mae'r gofalwr yn cymryd cerdyn banc Taid",
        "Sa i moyn dihuno fory",
    ]:
        assert assess(text).risk, text


def test_welsh_y_is_not_text_speak():
    from bot.understand.normalise import normalise

    assert "why" not in normalise("Bydda i wedi mynd cyn y bore").split()
    assert normalise("y did u do that") == "why did you do that"


@pytest.mark.parametrize(
    "text",
    [
        "i dont want to die or anything lol just sick of waiting",
        "Dw i ddim eisiau marw, dw i jyst wedi blino ar aros",
        "Mum always says 'I'll be dead before they ring back', it's a family joke.",
        "The letter says I disclosed suicidal thoughts. I never said that and want it corrected.",
        "She wants to die in her own bed at home, not on a ward.",
        "My son says he'll literally die if he has to wear the brace.",
        "A few years back a carer was taking his money; police dealt with it and she was convicted.",
    ],
)
def test_words_not_meant_or_in_the_past_are_not_risk(detector, text):
    assert not detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I'm not joking, I want to die tonight",
        "Honestly I don't think I'll see next week. Not being dramatic.",
        "I think I doubled up my digoxin and my heart is racing",
        "The carer takes him to the cashpoint and told him not to tell us",
    ],
)
def test_a_denial_of_a_joke_or_everyday_words_still_count(detector, text):
    assert detector.judge(text).risk
