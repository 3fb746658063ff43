"""A postcode given in a conversation is used and forgotten (issue 15): over the REST channel, one
person puts theirs in the story and asks for an advocate who may read the chat, another answers the
place question with theirs. The answers name their health board and ICB, and afterwards neither
postcode is anywhere under DATA_DIR (tracker store, journals, the record, logs), in any case, with or
without its space."""

from __future__ import annotations

import time

from tests.integration.helpers import ANSWERS, ASK_FOR_ADVOCATE, SAVED
from tests.stack.test_sms_privacy import everything
from tests.support.stack import customs, texts

IN_STORY, ANSWERED = "LL11 1AY", "EH1 1YZ"


def _asks(out):
    return [c["ask"] for c in customs(out) if "ask" in c]


def test_a_postcode_names_the_organisation_and_is_nowhere_under_data_dir(stack):
    # 1. In the story, then a referral with the chat shared.
    sender = f"place-story-{time.time_ns()}"
    answers = {
        **ANSWERS,
        "nation": "Wales",
        "advocacy": "yes please",
        "contact": "email me at place.person@example.org",
    }
    out = stack.say(
        sender, f"My postcode is {IN_STORY} and the hospital cancelled my operation twice without saying why"
    )
    said, advice = [], None
    for _ in range(20):
        said += texts(out)
        if SAVED.search(" ".join(texts(out))):
            break
        if any("routes" in c for c in customs(out)):
            advice = next(c for c in customs(out) if "routes" in c)
            assert "postcode" not in _asks(out)  # known already: not asked
            out = stack.say(sender, ASK_FOR_ADVOCATE)
            continue
        asks = _asks(out)
        assert asks, said
        out = stack.say(sender, answers[asks[-1]])
    else:
        raise AssertionError("the referral was never saved")
    assert advice and any(
        (r.get("organisation") or {}).get("name") == "Betsi Cadwaladr University Health Board" for r in advice["routes"]
    ), advice
    assert "Betsi Cadwaladr University Health Board" in " ".join(said)
    # The status answer names it too (issue 15: everywhere it shows).
    ref = SAVED.search(" ".join(texts(out))).group(1)
    status = " ".join(texts(stack.say(f"place-status-{time.time_ns()}", ref)))
    assert ref in status and "Betsi Cadwaladr University Health Board" in status, status

    # 2. As the answer to the place question.
    sender = f"place-answer-{time.time_ns()}"
    out = stack.say(sender, "The hospital cancelled my operation twice without saying why")
    for _ in range(14):
        if "postcode" in _asks(out):
            break
        out = stack.say(sender, {**ANSWERS, "nation": "Scotland"}[_asks(out)[-1]])
    else:
        raise AssertionError("the place question was never asked")
    out = stack.say(sender, f"it's {ANSWERED.lower()}")
    assert "NHS Lothian" in " ".join(texts(out))

    time.sleep(2)  # let the logs and the tracker store's journal settle
    blob = everything(stack.data_dir).lower()
    assert b"cancelled my operation twice" in blob  # what they typed is there, redacted
    assert b"w06000006" in blob  # and so is the area, kept instead
    for postcode in (IN_STORY, ANSWERED):
        for form in (postcode, postcode.replace(" ", "")):
            assert form.lower().encode() not in blob, f"{form} found under DATA_DIR"
