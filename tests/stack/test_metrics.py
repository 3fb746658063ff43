"""Prometheus metrics and logs over the whole stack: counters move, nothing personal leaks."""

from __future__ import annotations

import time
import uuid

from prometheus_client.parser import text_string_to_metric_families

from tests.support.stack import customs, http


def scrape(stack) -> tuple[dict, str]:
    status, body = http("GET", f"{stack.web}/metrics")
    assert status == 200, (status, body)
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, body


def v(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_messages_latency_safety_and_rejections_are_counted_across_processes(stack):
    before, _ = scrape(stack)
    sender = "t-metrics-" + uuid.uuid4().hex[:8]
    stack.say(sender, "my GP receptionist was rude to me and nobody called me back")
    risky = stack.say("t-metrics-" + uuid.uuid4().hex[:8], "i cant go on anymore, i want to end it all")
    assert any(c.get("safety") for c in customs(risky))
    status, _ = http("POST", stack.rest, {"sender": sender, "message": ""})
    assert status == 400

    deadline = time.time() + 10
    while True:  # the Rasa server writes, the web app reads: normally at once
        after, body = scrape(stack)
        if (
            v(after, "complaints_messages_total", channel="rest", outcome="ok")
            >= v(before, "complaints_messages_total", channel="rest", outcome="ok") + 2
            or time.time() > deadline
        ):
            break
        time.sleep(0.5)

    assert (
        v(after, "complaints_messages_total", channel="rest", outcome="ok")
        >= v(before, "complaints_messages_total", channel="rest", outcome="ok") + 2
    )
    assert (
        v(after, "complaints_messages_total", channel="rest", outcome="rejected")
        >= v(before, "complaints_messages_total", channel="rest", outcome="rejected") + 1
    )
    assert (
        v(after, "complaints_message_seconds_count", channel="rest")
        >= v(before, "complaints_message_seconds_count", channel="rest") + 2
    )
    assert v(after, "complaints_message_seconds_sum", channel="rest") > v(
        before, "complaints_message_seconds_sum", channel="rest"
    )

    def safety(samples):
        return sum(val for (name, _), val in samples.items() if name == "complaints_safety_responses_total")

    assert safety(after) >= safety(before) + 1
    assert v(after, "complaints_store_available", store="tracker") == 1
    assert v(after, "complaints_store_available", store="record") == 1
    for family in ("complaints_fallbacks_total", "complaints_referrals_total", "complaints_errors_total"):
        assert family in body
    assert sender not in body and "rude" not in body


def test_turns_are_logged_with_a_pseudonym_never_the_sender_or_the_words(stack):
    sender = "t-logs-" + uuid.uuid4().hex[:8]
    stack.say(sender, "the ward sister shouted at my dad in front of everyone")
    log = stack.data_dir / "logs" / "rasa.log"
    if stack.env.get("LOG_LEVEL", "INFO").upper() in ("DEBUG", "INFO"):  # tests/conftest.py sets WARNING
        deadline = time.time() + 10
        while "outcome=ok" not in log.read_text() and time.time() < deadline:
            time.sleep(0.5)
        assert "channels.rest: turn channel=rest conversation=" in log.read_text()
    # and the supervisor's own log files hold nothing of it either
    for path in (stack.data_dir / "logs").glob("*.log"):
        content = path.read_text()
        assert sender not in content and "shouted at my dad" not in content, path.name
