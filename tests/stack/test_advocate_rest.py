"""The conversation a good advocate would have (issue 12), over REST on the whole stack.

The scenarios are those of tests/conversation/test_advocate.py, run unchanged: they talk to a `talk`
object with `say(text)` and `tracker()`, and here `talk` is a conversation over the REST channel of
the running stack. The stack does not expose Rasa's HTTP API (no `--enable-api`), so `tracker()`
rebuilds the tracker from what the stack stored, as the other stack tests read state: the events
in the data folder's tracker.db, replayed with the domain's slots. One stack for the session (the
`stack` fixture of tests/stack/conftest.py).
"""

import asyncio
import json
import sqlite3
import uuid
from functools import lru_cache

import pytest

from tests.support.stack import PROJECT

# Imported to be collected here, with the `talk` fixture below: the same scenarios over REST.
from tests.conversation.test_advocate import (  # noqa: F401
    test_a_child_at_risk_is_not_sent_to_adult_safeguarding,
    test_a_death_is_met_with_condolence,
    test_a_plain_request_is_not_met_with_sympathy_for_harm,
    test_a_welsh_story_the_english_classifier_cannot_read_starts_the_intake,
    test_advice_comes_before_any_survey_advocacy_or_anonymity_question,
    test_after_a_safety_reply_the_form_does_not_apologise,
    test_an_answer_to_another_question_is_taken_without_an_apology,
    test_chest_pain_of_the_writer_is_not_told_to_stay_with_them,
    test_each_kind_of_risk_gets_its_own_help,
    test_feedback_comes_after_the_advice_and_asks_about_what_was_served,
    test_no_question_is_asked_three_times_in_the_same_words,
    test_no_sentence_is_repeated_in_a_conversation,
    test_praise_with_a_concern_hears_the_praise,
    test_risk_after_two_asides_in_a_row_is_still_answered_first,
    test_the_advice_fits_a_phone_screen,
    test_the_invitation_is_not_said_a_third_time,
    test_the_ombudsman_said_no_is_not_a_dead_end,
    test_the_summary_waits_for_a_yes_when_facts_were_read_from_the_story,
    test_unclear_words_in_answer_to_tell_me_what_happened_are_the_story,
    test_welsh_is_answered_in_welsh_and_english,
    test_welsh_risk_is_recognised,
)
from tests.conversation import test_advocate as _in_process

pytestmark = pytest.mark.asyncio

#: Every scenario of the in-process module is imported above: a new one there must be added here too.
SCENARIOS = sorted(n for n in dir(_in_process) if n.startswith("test_"))


@lru_cache(maxsize=1)
def _slots():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT / "domain")).slots


class RestTalk:
    """One conversation over the stack's REST channel, with the interface of the in-process `Talk`."""

    def __init__(self, stack, sender):
        self.stack, self.sender = stack, sender

    async def say(self, text, metadata=None):
        assert metadata is None, "the REST adapter sends text only"
        return await asyncio.to_thread(self.stack.say, self.sender, text)

    async def tracker(self):
        from rasa.shared.core.trackers import DialogueStateTracker

        con = sqlite3.connect(self.stack.data_dir / "tracker.db")
        try:
            rows = con.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (self.sender,)).fetchall()
        finally:
            con.close()
        assert rows, f"nothing stored for {self.sender}"
        return DialogueStateTracker.from_dict(self.sender, [json.loads(r[0]) for r in rows], _slots())


@pytest.fixture()
def talk(stack):
    return RestTalk(stack, "rest-advocate-" + uuid.uuid4().hex[:10])


def test_every_in_process_scenario_also_runs_over_rest():
    here = {
        n
        for n, v in globals().items()
        if n.startswith("test_") and getattr(v, "__module__", "") == _in_process.__name__
    }
    assert set(SCENARIOS) == here, set(SCENARIOS) ^ here


async def test_the_rest_tracker_reads_slots_and_bot_turns(talk):
    """The adapter itself: what it reads back is what the conversation set and said."""
    out = await talk.say("my dentist botched my filling, I'm in Cardiff")
    tracker = await talk.tracker()
    assert tracker.get_slot("service") == "dentist" and tracker.get_slot("nation") == "wales"
    said = [e.text for e in tracker.events if getattr(e, "type_name", "") == "bot" and e.text]
    assert said and said[-len([m for m in out if m.get("text")]) :] == [m["text"] for m in out if m.get("text")]
