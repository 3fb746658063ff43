"""One referral per request (issue 10, fault 1): a person's second complaint is a second case.

Before: the referral's idempotency key was the conversation, so after "start again" a dentist complaint
in Scotland was told "Your request is saved" with the reference of the earlier GP complaint, and was
never stored; over SMS one number was one conversation for ever, so every texter's second complaint
was lost the same way. Now each case has its own key, and an SMS conversation that has ended starts
again with the next text.
"""

from __future__ import annotations

import json
import sqlite3
import uuid

from tests.integration.helpers import ANSWERS, ASK_FOR_ADVOCATE, SAVED
from tests.stack.test_sms import _questions, number, sms
from tests.support.stack import customs, texts

GP = {**ANSWERS, "advocacy": "yes please", "consent": "no", "contact": "email me at two.cases@example.org"}
DENTIST = {**GP, "nation": "Scotland", "service": "dentist", "funding": "NHS"}
CLOSING = "I hope it gets sorted out"


def _rest_until_saved(stack, sender, opening, answers):
    out = stack.say(sender, opening)
    for _ in range(20):
        said = " ".join(texts(out))
        found = SAVED.search(said)
        if found:
            return found.group(1), out
        if any("routes" in c for c in customs(out)):
            out = stack.say(sender, ASK_FOR_ADVOCATE)  # advocacy is one word away in the advice
            continue
        asks = [c["ask"] for c in customs(out) if "ask" in c]
        assert asks, said
        out = stack.say(sender, answers[asks[-1]])
    raise AssertionError("the referral was never confirmed")


def _rows(stack):
    con = sqlite3.connect(stack.data_dir / "record.db")
    try:
        return con.execute("SELECT ref, conversation, channel, facts, idempotency_key FROM rec_referrals").fetchall()
    finally:
        con.close()


def _status(stack, ref):
    return " ".join(texts(stack.say("look-" + uuid.uuid4().hex[:8], ref)))


def test_after_start_again_a_second_complaint_is_a_second_referral(stack):
    sender = "two-" + uuid.uuid4().hex[:10]
    first, _ = _rest_until_saved(stack, sender, "my GP receptionist was rude to me", GP)
    restarted = stack.say(sender, "start again")
    assert any("start again" in t for t in texts(restarted)), restarted
    second, _ = _rest_until_saved(stack, sender, "my dentist in Scotland botched my filling", DENTIST)
    assert second != first
    rows = {r[0]: r for r in _rows(stack) if r[0] in (first, second)}
    assert set(rows) == {first, second}  # two rows, two references
    assert rows[first][1] == rows[second][1]  # from the one conversation
    assert json.loads(rows[first][3])["service"] == "gp"
    assert json.loads(rows[second][3])["service"] == "dentist" and json.loads(rows[second][3])["nation"] == "scotland"
    # Each status lookup names its own case.
    for ref, other in ((first, second), (second, first)):
        said = _status(stack, ref)
        assert ref in said and other not in said and "waiting for someone" in said, said


def _sms_until(stack, frm, opening, answers, until):
    questions = _questions()
    parts = sms(stack, frm, opening)
    seen, asked_for_advocate = [], False
    for _ in range(24):
        text = " ".join(" ".join(parts).split())
        seen.append(text)
        if until(text):
            return " ".join(seen)
        if "What to do first:" in text and not asked_for_advocate:
            asked_for_advocate = True  # advocacy is one word away in the advice
            parts = sms(stack, frm, ASK_FOR_ADVOCATE)
            continue
        ask = next((a for start, a in questions.items() if start.split("{")[0][:30] in text), None)
        assert ask, text
        parts = sms(stack, frm, answers.get(ask, "I'm not sure"))
    raise AssertionError(f"never reached the end: {seen}")


def test_a_texters_second_complaint_is_a_second_referral(stack):
    frm = number()
    text_me = {**GP, "contact": "yes", "feedback": "4"}
    # The first complaint, through to its referral and the closing.
    said = _sms_until(stack, frm, "my GP receptionist was rude to me", text_me, lambda t: CLOSING in t)
    first = SAVED.search(said).group(1)
    # Later, from the same number: a new case, not the end of the old one.
    said = _sms_until(
        stack,
        frm,
        "my dentist in Scotland botched my filling",
        {**DENTIST, "contact": "yes"},
        lambda t: bool(SAVED.search(t)),
    )
    second = SAVED.search(said).group(1)
    assert second != first
    rows = {r[0]: r for r in _rows(stack) if r[0] in (first, second)}
    assert set(rows) == {first, second} and {r[2] for r in rows.values()} == {"sms"}
    assert json.loads(rows[second][3])["service"] == "dentist"
    for ref, other in ((first, second), (second, first)):
        said = " ".join(sms(stack, frm, ref))
        assert ref in said and other not in said and "waiting for someone" in said, said
