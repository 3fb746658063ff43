"""The follow-up after the advice, as pure steps: consent to share the chat, contact, the referral."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.dialogue.followup import step
from bot.dialogue.intake import Context, Turn
from bot.record import StoreUnavailable

SLOTS = {
    "nation": "england",
    "service": "gp",
    "funding": "nhs",
    "stage": "not_raised",
    "issues": ["staff_conduct"],
    "outcomes": ["apology"],
    "on_behalf": False,
    "months_since": 1,
    "advocacy": True,
    "anonymity": "named",
    "case_summary": "It is about the GP.",
}


class Saver:
    def __init__(self, fail: bool = False):
        self.calls: List[Dict[str, Any]] = []
        self.fail = fail

    def __call__(self, **kw):
        if self.fail:
            raise StoreUnavailable("down")
        self.calls.append(kw)
        return "KX7-4PQ-2M"


def ctx(saver) -> Context:
    return Context(
        conversation="c1",
        channel="rest",
        touched=["making-1"],
        save_referral=saver,
        save_feedback=lambda **kw: None,
        transcript=lambda: [("person", "my GP was rude"), ("bot", "I'm sorry")],
    )


def turn(text: str, requested, slots) -> Turn:
    return Turn(text=text, intent="inform", entities=[], requested=requested, slots=slots)


def run(answers, saver, slots=None):
    slots = dict(slots or SLOTS)
    out = step(turn("", None, slots), ctx(saver))
    slots.update(out.slots)
    asked = [out.requested]
    for a in answers:
        out = step(turn(a, out.requested, slots), ctx(saver))
        slots.update(out.slots)
        asked.append(out.requested)
    return slots, asked, out


@pytest.mark.parametrize(
    "answer,shared", [("yes", True), ("yes, that's fine", True), ("no", False), ("not sure", False), ("skip", False)]
)
def test_sharing_the_chat_is_asked_first_and_only_a_clear_yes_shares_it(answer, shared):
    saver = Saver()
    slots, asked, _ = run([answer, "jo@example.org"], saver)
    assert asked[:2] == ["transcript_consent", "contact"]
    call = saver.calls[0]
    assert call["transcript_consent"] is shared
    assert (call["transcript"] is not None) is shared
    assert slots["referral_ref"] == "KX7-4PQ-2M"


def test_an_unclear_answer_is_asked_again_once_then_taken_as_no():
    saver = Saver()
    slots, asked, _ = run(["banana", "banana", "no thanks"], saver)
    assert asked[:3] == ["transcript_consent", "transcript_consent", "contact"]
    assert slots["transcript_consent"] is False


def test_anonymous_referrals_are_never_asked_to_share_or_for_contact():
    saver = Saver()
    slots, asked, _ = run([], saver, {**SLOTS, "anonymity": "anonymous"})
    assert asked[0] != "transcript_consent" and asked[0] != "contact"
    assert saver.calls[0]["contact"] is None and saver.calls[0]["transcript"] is None


def test_a_failed_save_is_never_confirmed():
    slots, _, out = run(["yes", "07700 900123"], Saver(fail=True))
    responses = [m.get("response") for m in out.messages]
    assert "utter_referral_not_saved" in responses and "utter_contact_saved" not in responses
    assert not slots.get("referral_ref")


def test_the_pure_step_leaves_the_idempotency_key_to_the_adapter():
    saver = Saver()
    run(["no", "jo@example.org"], saver)
    assert "idempotency_key" not in saver.calls[0]


def _events(*kinds_at):
    return [{"event": kind, "timestamp": at} for kind, at in kinds_at]


def test_a_referral_key_is_one_per_case_not_one_per_conversation():
    from bot.dialogue.followup import referral_key

    first_case = _events(("action", 100.0), ("session_started", 100.5), ("user", 101.0), ("bot", 102.0))
    key = referral_key("conv", first_case)
    # A retried turn of the same case: the same key (the same referral, never two).
    assert referral_key("conv", first_case + _events(("user", 150.0), ("bot", 151.0))) == key
    # "Start again": a new case in the same conversation gets its own key.
    restarted = first_case + _events(("user", 200.0), ("restart", 200.1), ("session_started", 200.2), ("user", 201.0))
    assert referral_key("conv", restarted) not in (key, None)
    # A new session after two hours of silence (nothing carried over) is a new case too.
    later = first_case + _events(("session_started", 9000.0), ("user", 9001.0))
    assert len({key, referral_key("conv", restarted), referral_key("conv", later)}) == 3
    assert referral_key("other", first_case) != key
    assert len(referral_key("c" * 24, restarted)) <= 80  # the column's size
