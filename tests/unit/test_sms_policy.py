"""The SMS control policy (bot.sms): STOP, START, HELP as carriers read them and as people write them."""

import pytest

from bot.sms import asks_to_stop, carrier_keyword, conversation_over, decide, safety_texts


@pytest.mark.parametrize(
    "body",
    ["STOP", "stop", " Stop ", "STOP.", "stopall", "UNSUBSCRIBE", "cancel", "End", "QUIT", "quit!", "optout", "Revoke"],
)
def test_carrier_opt_out_keywords_are_the_whole_message_in_any_case(body):
    d = decide(body, opted_out=False, risk=False)
    assert (d.action, d.carrier_keyword) == ("opt_out", True)


@pytest.mark.parametrize(
    "body",
    [
        "stop please",
        "Stop texting me",
        "opt out",
        "STOP STOP",
        "please stop",
        "Opt-out",
        "unsubscribe me please",
        "stop sending me messages",
        "please don't text me again",
        "no more texts thanks",
        "I want you to stop",
        "stop it",
        "Stop!!! Stop!!!",
        "STOP  texting me now x",
    ],
)
def test_what_people_write_to_stop_texts_opts_out_and_is_confirmed_by_us(body):
    assert carrier_keyword(body) is None  # the carrier does not act on these ...
    d = decide(body, opted_out=False, risk=False)
    assert (d.action, d.carrier_keyword) == ("opt_out", False)  # ... so we do, and say so


@pytest.mark.parametrize(
    "body",
    [
        "the pain won't stop",
        "I want the GP to stop ignoring me",
        "my mum was told to stop her tablets",
        "cancel my appointment",
        "they said it would end soon",
        "the nurse told me to quit moaning",
        "I want to opt out of the care home contract",
        "stop the bus",
        "can a person help me",
        "end of life care was poor",
    ],
)
def test_stories_that_contain_the_words_are_not_opt_outs(body):
    assert not asks_to_stop(body)
    assert decide(body, opted_out=False, risk=False).action == "converse"


def test_start_yes_unstop_and_help():
    assert decide("START", opted_out=True, risk=False).action == "opt_in"
    assert decide("unstop", opted_out=True, risk=False).action == "opt_in"
    assert decide("Yes", opted_out=True, risk=False).action == "opt_in"
    assert decide("yes", opted_out=False, risk=False).action == "converse"  # an answer, not a keyword
    assert decide("HELP", opted_out=False, risk=False).action == "help"
    assert decide("info", opted_out=False, risk=False).action == "help"
    assert decide("HELP", opted_out=True, risk=False).action == "silent"  # the carrier would not deliver it


def test_after_stop_nothing_is_sent_but_the_safety_reply():
    assert decide("my GP was rude", opted_out=True, risk=False).action == "silent"
    d = decide("I want to kill myself", opted_out=True, risk=True)
    assert (d.action, d.safety) == ("safety_only", True)
    d = decide("I want to kill myself", opted_out=False, risk=True)
    assert (d.action, d.safety) == ("converse", True)  # the conversation gives the safety reply itself
    d = decide("stop texting me", opted_out=False, risk=True)
    assert (d.action, d.safety) == ("opt_out", True)


def test_an_unknown_opt_out_state_means_do_not_text_except_for_safety():
    assert decide("my GP was rude", opted_out=None, risk=False).action == "silent"
    assert decide("HELP", opted_out=None, risk=False).action == "silent"
    assert decide("I want to end my life", opted_out=None, risk=True).action == "safety_only"
    assert decide("STOP", opted_out=None, risk=False).action == "opt_out"


def test_stop_words_are_never_read_as_asking_for_a_person():
    for body in ("stop please", "Stop texting me", "opt out", "STOP STOP"):
        assert decide(body, opted_out=False, risk=False).action != "converse", body


def test_safety_texts_are_the_texts_marked_safe():
    messages = [
        {"text": "Call 999 now."},
        {"custom": {"safety": True, "kind": "suicide"}},
        {"text": "When you are ready, we can carry on."},
        {"custom": {"ask": "nation"}},
    ]
    assert safety_texts(messages) == ["Call 999 now."]
    assert safety_texts([{"text": "Hello"}]) == []


def _utter(name):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": name}}


def test_a_conversation_is_over_after_the_closing_or_a_goodbye_with_no_form_open():
    user = {"event": "user", "text": "x"}
    closing = [
        user,
        {"event": "action", "name": "followup_form"},
        {"event": "active_loop", "name": None},
        {"event": "action", "name": "action_close"},
        _utter("utter_closing"),
    ]
    assert conversation_over(closing)
    assert not conversation_over(closing + [user])  # a new message: the next turn decides
    assert conversation_over([user, _utter("utter_goodbye")])
    # A goodbye during the intake is answered, and the intake carries on: not over.
    assert not conversation_over([{"event": "active_loop", "name": "intake_form"}, user, _utter("utter_goodbye")])
    assert not conversation_over([user, _utter("utter_ask_nation")])
    assert not conversation_over(closing + [{"event": "restart"}])
