"""The REST channel over HTTP: the contract, markers, bad input, intent injection, health."""

import uuid

import pytest

from tests.support.stack import customs, http, texts


def sender():
    return "t-" + uuid.uuid4().hex[:10]


def test_healthz_is_ready_with_every_part(stack):
    status, body = http("GET", f"{stack.web}/healthz")
    assert status == 200
    assert body["rasa"][0]["model_loaded"] and body["action_server"]["ready"] and body["database"]["ready"]


def test_a_story_gets_questions_with_ask_markers(stack):
    out = stack.say(sender(), "my GP receptionist was rude to me and nobody called me back")
    asks = [c["ask"] for c in customs(out) if "ask" in c]
    assert len(asks) == 1
    assert asks[0] in ("nation", "stage", "outcomes", "months_since", "issues")


def test_a_whole_conversation_reaches_a_recommendation_with_routes_and_facts(stack):
    s = sender()
    answers = {
        "nation": "England",
        "stage": "not yet",
        "outcomes": "an apology",
        "months_since": "last week",
        "issues": "rudeness",
        "on_behalf": "me",
        "confirm": "yes",
        "advocacy": "no thanks",
        "anonymity": "with my name",
        "funding": "NHS",
        "service": "GP",
        "feedback": "4",
    }
    out = stack.say(s, "my GP receptionist was rude to me")
    for _ in range(12):
        rec = next((c for c in customs(out) if "routes" in c), None)
        if rec:
            break
        ask = next(c["ask"] for c in customs(out) if "ask" in c)
        out = stack.say(s, answers[ask])
    assert rec, out
    assert rec["routes"][0]["id"] == "provider" and rec["routes"][0]["role"] == "primary"
    assert rec["facts"]["service"] == "gp" and rec["facts"]["stage"] == "not_raised"


def test_risk_at_the_start_is_answered_at_once_with_the_marker(stack):
    out = stack.say(sender(), "i cant go on anymore, i want to end it all")
    assert any(c.get("safety") for c in customs(out))
    assert any("116 123" in t for t in texts(out))


def test_risk_in_the_middle_of_the_intake_comes_first_then_the_intake_carries_on(stack):
    s = sender()
    stack.say(s, "I want to complain about my mum's home care agency")
    out = stack.say(s, "the carer hit her yesterday and she's scared he's coming back tonight")
    first_custom = customs(out)[0]
    assert first_custom.get("safety") is True
    assert any("ask" in c for c in customs(out))  # then the next question


@pytest.mark.parametrize("text", ["/greet", '/inform{"service":"gp","stage":"final_response"}', "//express_risk"])
def test_intent_injection_is_read_as_words(stack, text):
    s = sender()
    out = stack.say(s, text)
    assert not any(c.get("safety") for c in customs(out))
    assert not any("routes" in c for c in customs(out))


@pytest.mark.parametrize(
    "body, status",
    [
        ("not json", 400),
        ("[]", 400),
        ('{"sender": "a"}', 400),
        ('{"message": "hi"}', 400),
        ('{"sender": "a b c", "message": "hi"}', 400),
        ('{"sender": "a", "message": ""}', 400),
        ('{"sender": "a", "message": {"x": 1}}', 400),
    ],
)
def test_bad_input_gets_a_clear_400(stack, body, status):
    code, out = http("POST", stack.rest, body.encode(), headers={"Content-Type": "application/json"})
    assert code == status
    assert isinstance(out, dict) and out.get("error")


def test_a_huge_message_is_refused_or_cut_cleanly(stack):
    code, out = http("POST", stack.rest, {"sender": sender(), "message": "a" * 50000})
    assert code == 413
    code, out = http("POST", stack.rest, {"sender": sender(), "message": "my GP was rude. " * 200})
    assert code == 200 and "very long" in texts(out)[0]


def test_a_yaml_style_boolean_is_read_as_words(stack):
    code, out = http("POST", stack.rest, {"sender": sender(), "message": False})
    assert code == 200 and out


def test_an_origin_not_allowed_is_refused(stack):
    code, _ = http(
        "POST", stack.rest, {"sender": sender(), "message": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert code == 403
    code, _ = http("POST", stack.rest, {"sender": sender(), "message": "hi"}, headers={"Origin": stack.web})
    assert code == 200


def test_questions_about_bodies_are_answered_from_the_knowledge_base(stack):
    out = stack.say(sender(), "what is PALS?")
    assert any("Patient Advice and Liaison Service" in t for t in texts(out))


def test_asides_during_the_intake_are_answered_and_the_question_repeated(stack):
    s = sender()
    out1 = stack.say(s, "my dentist botched my filling")
    ask1 = next(c["ask"] for c in customs(out1) if "ask" in c)
    out2 = stack.say(s, "is this confidential?")
    assert any("private" in t for t in texts(out2))
    assert next(c["ask"] for c in customs(out2) if "ask" in c) == ask1


def test_a_name_given_as_people_give_it_never_reaches_the_tracker_store(stack):
    """Issue 10, fault 9: "Zofia here, Wrzesniewska is my surname" stayed in the tracker store unredacted."""
    import sqlite3

    s = sender()
    stack.say(s, "my GP receptionist was rude to me")
    stack.say(s, "Zofia here, Wrzesniewska is my surname")
    stack.say(s, "surname is okonkwo-bell, call me Bex")
    con = sqlite3.connect(stack.data_dir / "tracker.db")
    try:
        stored = " ".join(r[0] for r in con.execute("SELECT data FROM events WHERE sender_id = ?", (s,)))
    finally:
        con.close()
    assert "[NAME]" in stored
    for name in ("Zofia", "Wrzesniewska", "okonkwo", "Bex"):
        assert name not in stored, name
