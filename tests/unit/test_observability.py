"""Metrics and structured logs (bot.observability): counting, aggregation over processes, no personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import reset_settings
from prometheus_client import REGISTRY

from bot import observability as obs

PROJECT = Path(__file__).resolve().parents[2]
PHONE, PHONE_INTL, EMAIL = "07700 900123", "+447700900123", "jo.bloggs@example.com"


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture()
def keys(tmp_path, monkeypatch):
    """A pseudonym key of the test's own, so nothing is written under var/."""
    monkeypatch.setenv("PSEUDONYM_KEY", "test-pseudonym-key")
    from bot.privacy import _pseudonym_key

    _pseudonym_key.cache_clear()
    yield
    _pseudonym_key.cache_clear()


# ----------------------------------------------------------------- metrics
def test_a_message_is_counted_timed_and_its_safety_responses_counted():
    before = (
        value("complaints_messages_total", channel="rest", outcome="ok"),
        value("complaints_message_seconds_count", channel="rest"),
        value("complaints_safety_responses_total", kind="suicide"),
    )
    obs.message_done(
        "rest",
        "ok",
        0.42,
        messages=[
            {"text": "I'm really sorry"},
            {"custom": {"safety": True, "kind": "suicide"}},
            {"custom": {"ask": "nation"}},
        ],
    )
    assert value("complaints_messages_total", channel="rest", outcome="ok") == before[0] + 1
    assert value("complaints_message_seconds_count", channel="rest") == before[1] + 1
    assert value("complaints_safety_responses_total", kind="suicide") == before[2] + 1


def test_known_label_values_start_at_zero_so_rates_work_from_the_first_scrape():
    obs.metrics.metrics()
    text = obs.exposition().decode()
    assert 'complaints_messages_total{channel="sms",outcome="store_unavailable"}' in text
    assert 'complaints_referrals_total{outcome="not_saved"}' in text
    assert 'complaints_fallbacks_total{kind="core"}' in text


def test_label_values_come_from_fixed_sets_so_no_personal_data_reaches_metrics():
    obs.message_done(
        PHONE_INTL,
        "my GP was rude to " + EMAIL,
        0.1,
        sender=PHONE_INTL,
        messages=[{"custom": {"safety": True, "kind": "Jo Bloggs"}}],
    )
    obs.error("/home/" + EMAIL)
    obs.fallback(PHONE)
    text = obs.exposition().decode()
    for secret in (PHONE, PHONE_INTL, EMAIL, "Jo Bloggs", "rude"):
        assert secret not in text
    assert 'complaints_messages_total{channel="other",outcome="other"}' in text
    assert value("complaints_safety_responses_total", kind="general") >= 1


def test_fallbacks_are_counted_from_a_conversations_new_events():
    from rasa.shared.core.events import ActionExecuted, UserUttered

    nlu, core = value("complaints_fallbacks_total", kind="nlu"), value("complaints_fallbacks_total", kind="core")
    obs.count_events(
        [
            UserUttered("blah", intent={"name": "nlu_fallback", "confidence": 0.2}),
            ActionExecuted("action_two_stage_fallback"),
            UserUttered("my gp", intent={"name": "tell_story", "confidence": 0.9}),
            ActionExecuted("action_default_fallback"),
            ActionExecuted("action_listen"),
        ]
    )
    assert value("complaints_fallbacks_total", kind="nlu") == nlu + 1
    assert value("complaints_fallbacks_total", kind="core") == core + 1


def test_referrals_are_counted_saved_or_not_saved_and_the_failure_still_reaches_the_caller(keys):
    from bot.record import StoreUnavailable

    saved, lost = (
        value("complaints_referrals_total", outcome="saved"),
        value("complaints_referrals_total", outcome="not_saved"),
    )
    ok = obs.counted_referral(lambda **kw: "CR-1234")
    assert ok(conversation="c" * 24, channel="rest", contact={"phone": PHONE}) == "CR-1234"

    def down(**kw):
        raise StoreUnavailable("database is down")

    with pytest.raises(StoreUnavailable):
        obs.counted_referral(down)(conversation="c" * 24, channel="rest")
    assert value("complaints_referrals_total", outcome="saved") == saved + 1
    assert value("complaints_referrals_total", outcome="not_saved") == lost + 1


def test_store_availability_and_pending_conversations():
    obs.store_status("tracker", False, pending=3)
    assert value("complaints_store_available", store="tracker") == 0
    assert value("complaints_tracker_pending_conversations") == 3
    obs.store_status("tracker", True, pending=0)
    assert value("complaints_store_available", store="tracker") == 1
    assert value("complaints_tracker_pending_conversations") == 0


def test_helpers_never_raise(monkeypatch):
    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("broken metrics")

    monkeypatch.setattr(obs.metrics, "_metrics", Broken())
    obs.message_done("rest", "ok", 1.0, sender=object(), messages=[None, 3, {"custom": "x"}])
    obs.message_done(None, None, "not a number")  # type: ignore[arg-type]
    obs.fallback("nlu")
    obs.safety_response("suicide")
    obs.referral("saved")
    obs.error("web")
    obs.store_status("tracker", True, pending=None)
    obs.count_events([object(), None])
    obs.count_events(None)  # type: ignore[arg-type]
    obs.event(logging.getLogger("bot.test"), "x", weird=object())


def test_every_process_adds_up_in_multiprocess_mode(tmp_path):
    directory = obs.prepare_metrics_dir(tmp_path / "metrics")
    (directory / "counter_999999.db").write_bytes(b"stale")  # from a previous run: emptied at start
    obs.prepare_metrics_dir(directory)
    assert not list(directory.glob("*.db"))
    code = (
        "from bot import observability as o; o.message_done('sms', 'ok', 0.2); "
        "o.store_status('tracker', {ok}); import os; print(os.getpid())"
    )
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory))
    pids = [
        int(
            subprocess.run(
                [sys.executable, "-c", code.format(ok=ok)],
                cwd=PROJECT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        for ok in (True, False)
    ]
    text = obs.exposition(str(directory)).decode()
    assert 'complaints_messages_total{channel="sms",outcome="ok"} 2.0' in text
    assert 'complaints_message_seconds_count{channel="sms"} 2.0' in text
    assert 'complaints_store_available{store="tracker"} 0.0' in text  # the lowest: one process saw it down
    obs_env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory))
    subprocess.run(
        [sys.executable, "-c", f"from bot import observability as o; o.process_dead({pids[1]})"],
        cwd=PROJECT,
        env=obs_env,
        check=True,
    )
    text = obs.exposition(str(directory)).decode()
    assert 'complaints_store_available{store="tracker"} 1.0' in text  # the dead process no longer counts
    assert 'complaints_messages_total{channel="sms",outcome="ok"} 2.0' in text  # its counts do


def test_metrics_need_the_token_when_one_is_set_and_loopback_otherwise(monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    assert obs.metrics_allowed("127.0.0.1", None) and obs.metrics_allowed("::1", None)
    assert not obs.metrics_allowed("10.0.0.7", None) and not obs.metrics_allowed(None, None)
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    reset_settings()  # settings are read once: a process started with the token
    assert obs.metrics_allowed("10.0.0.7", "Bearer s3cret-token")
    assert not obs.metrics_allowed("127.0.0.1", None)
    assert not obs.metrics_allowed("127.0.0.1", "Bearer wrong")


async def test_the_web_app_serves_metrics_to_loopback_and_with_the_token(tmp_path, monkeypatch):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.record import db

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    db.reset_engines()
    try:
        from bot.web.app import create_app

        async with TestClient(TestServer(create_app())) as client:
            resp = await client.get("/metrics")
            body = await resp.text()
            assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
            assert "complaints_messages_total" in body and 'complaints_store_available{store="record"} 1.0' in body
            monkeypatch.setenv("METRICS_TOKEN", "t0ken")
            reset_settings()
            assert (await client.get("/metrics")).status == 403
            assert (await client.get("/metrics", headers={"Authorization": "Bearer t0ken"})).status == 200
    finally:
        db.reset_engines()


# -------------------------------------------------------------------- logs
def _log_lines(fmt, monkeypatch, emit):
    monkeypatch.setenv("LOG_FORMAT", fmt)
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    reset_settings()
    out = io.StringIO()
    obs.configure_logging("test", stream=out, force=True)
    try:
        emit()
    finally:
        obs.configure_logging("test", force=True)  # back to standard output
    return [line for line in out.getvalue().splitlines() if line.strip()]


def test_json_log_lines_never_hold_phone_numbers_emails_or_message_text(monkeypatch, keys):
    log = logging.getLogger("channels.rest")

    def emit():
        obs.event(
            log,
            "turn",
            channel="sms",
            sender=PHONE_INTL,
            outcome="ok",
            duration_ms=812.4,
            detail=f"call me on {PHONE} or email {EMAIL}",
            phone=PHONE,
            text="my GP was rude to me",
            number=447700900123,
            nested={"contact": EMAIL, "note": f"ring {PHONE}"},
        )
        log.warning("sms from %s could not be read", PHONE_INTL)
        try:
            raise ValueError(f"bad number {PHONE_INTL} for {EMAIL}")
        except ValueError:
            log.exception("sms turn failed")

    lines = _log_lines("json", monkeypatch, emit)
    assert len(lines) == 3
    docs = [json.loads(line) for line in lines]  # one JSON object per line
    raw = "\n".join(lines)
    for secret in (PHONE, PHONE_INTL, "447700900123", "7700900123", EMAIL, "jo.bloggs", "rude"):
        assert secret not in raw, secret
    turn = docs[0]
    assert turn["event"] == "turn" and turn["level"] == "info" and turn["component"] == "test"
    assert turn["logger"] == "channels.rest" and turn["channel"] == "sms" and turn["outcome"] == "ok"
    assert turn["duration_ms"] == 812.4 and turn["ts"].endswith("Z")
    from bot.privacy import pseudonym

    assert turn["sender"] == pseudonym(PHONE_INTL)  # a pseudonymous id, the same as the record's
    assert turn["phone"] == turn["text"] == turn["number"] == "[withheld]"
    assert "[PHONE]" in turn["detail"] and "[EMAIL]" in turn["detail"]
    assert docs[1]["level"] == "warning" and "[PHONE]" in docs[1]["event"]
    assert docs[2]["error"] == "ValueError" and "Traceback" in docs[2]["exc"]


def test_text_log_lines_are_readable_and_redacted_too(monkeypatch, keys):
    def emit():
        obs.event(
            logging.getLogger("bot.record.tracker_store"),
            "store_unavailable",
            store="tracker",
            sender=EMAIL,
            detail=f"text {PHONE}",
        )

    [line] = _log_lines("text", monkeypatch, emit)
    assert "bot.record.tracker_store: store_unavailable store=tracker" in line
    assert EMAIL not in line and PHONE not in line


def test_sql_parameters_never_reach_a_log_line():
    text = (
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked\n"
        "[SQL: INSERT INTO events (data) VALUES (?)]\n"
        '[parameters: (\'{"text": "my nurse Sarah Jones was cruel"}\',)]\n'
        "(Background on this error at: https://sqlalche.me/e/14/e3q8)"
    )
    out = obs.scrub_exception(text)
    assert "cruel" not in out and "Sarah" not in out and "[SQL: INSERT INTO events" in out


DUMP = (
    'rasa.utils.endpoints.ClientResponseError: 500, Internal Server Error, body=\'b\'{"error":"boom",'
    '"request_body":{"next_action":"validate_intake_form","sender_id":"web-5f2c","tracker":{"sender_id":'
    '"web-5f2c","latest_message":{"text":"the ward sister shouted at my dad"}}}}\'\''
)


def test_a_conversation_dumped_by_a_failed_action_never_reaches_a_log_line(monkeypatch):
    """rasa_sdk answers a failed action with the whole tracker; Rasa logs that answer in its traceback."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))  # as Rasa's own handler
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        monkeypatch.setenv("LOG_FORMAT", "text")
        obs.configure_logging("test", stream=io.StringIO(), force=True)
        try:
            raise RuntimeError(DUMP)
        except RuntimeError:
            logging.getLogger("rasa.core.processor").exception("Encountered an exception while running action")
        logging.getLogger("rasa_sdk.endpoint").error("answer: %s", DUMP)
    finally:
        root.removeHandler(handler)
        obs.configure_logging("test", force=True)
    text = out.getvalue()
    assert "Encountered an exception" in text and "RuntimeError" in text and '"request_body":"[withheld]"' in text
    assert "web-5f2c" not in text and "shouted" not in text
    for fmt in ("text", "json"):  # and the supervisor withholds it from any child's output
        line = obs.child_line("rasa", "    " + DUMP, fmt)
        assert "web-5f2c" not in line and "shouted" not in line


def test_errors_logged_are_counted_by_component(monkeypatch):
    before = value("complaints_errors_total", component="tracker_store")
    _log_lines(
        "json", monkeypatch, lambda: logging.getLogger("bot.record.tracker_store").error("could not save conversation")
    )
    assert value("complaints_errors_total", component="tracker_store") == before + 1


def test_the_supervisor_writes_child_output_as_json_lines_without_identifiers(keys):
    wrapped = json.loads(obs.child_line("rasa", f"2024-01-05 10:00:00 ERROR rasa.core - sender {PHONE_INTL}", "json"))
    assert wrapped["component"] == "rasa" and wrapped["level"] == "error" and wrapped["event"] == "output"
    assert PHONE_INTL not in json.dumps(wrapped)
    child = json.dumps(
        {
            "ts": "2024-01-05T10:00:00.000Z",
            "level": "info",
            "logger": "channels.rest",
            "event": "turn",
            "conversation": "0123456789abcdef01234567",
            "email": EMAIL,
            "detail": f"ring {PHONE}",
        }
    )
    again = json.loads(obs.child_line("rasa", child, "json"))
    assert again["conversation"] == "0123456789abcdef01234567" and again["component"] == "rasa"
    assert again["ts"] == "2024-01-05T10:00:00.000Z"
    assert EMAIL not in json.dumps(again) and PHONE not in json.dumps(again)
    text = obs.child_line("rasa", f"turn conversation=0123456789abcdef01234567 from {PHONE}", "text")
    assert "conversation=0123456789abcdef01234567" in text and PHONE not in text


def test_log_files_rotate_past_their_limit(tmp_path):
    path = tmp_path / "rasa.log"
    path.write_text("x" * 100)
    assert not obs.rotate_if_large(path, limit=1000)
    assert obs.rotate_if_large(path, limit=10)
    assert (tmp_path / "rasa.log.1").exists() and not path.exists()


# -------------------------------------------------------------- supervisor
def test_run_only_starts_the_named_parts_and_by_default_all(tmp_path, monkeypatch):
    from bot import supervisor

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_URLS", "http://rasa-1:5005,http://rasa-2:5005")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.delenv("RASA_INSTANCE", raising=False)
    assert supervisor.parse_roles(None) == ["actions", "rasa", "web"]
    assert supervisor.parse_roles("web, rasa") == ["rasa", "web"]
    with pytest.raises(ValueError):
        supervisor.parse_roles("nginx")
    everything = supervisor.plan(2)
    assert [p.name for p in everything] == ["actions", "rasa-1", "rasa-2", "web"]
    assert all(p.env["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics") for p in everything)
    assert everything[-1].env["RASA_URLS"].count("http://127.0.0.1:") == 2
    [web] = supervisor.plan(1, ["web"])
    assert web.name == "web" and web.env["RASA_URLS"] == "http://rasa-1:5005,http://rasa-2:5005"
    assert [p.name for p in supervisor.plan(1, ["rasa"])] == ["rasa"]


def test_a_turn_is_logged_under_the_records_conversation_id_never_the_sender(monkeypatch, keys):
    from bot.privacy import pseudonym

    hexlike = "0123456789abcdef01234567"  # a sender that looks like a pseudonym is still turned into one

    def emit():
        obs.message_done("sms", "ok", 0.25, sender=f"sms-{hexlike}", messages=[{"text": "hello"}])
        obs.message_done("rest", "ok", 0.25, sender=hexlike, messages=[])

    lines = [json.loads(line) for line in _log_lines("json", monkeypatch, emit)]
    assert [d["conversation"] for d in lines] == [pseudonym(f"sms-{hexlike}"), pseudonym(hexlike)]
    assert all(hexlike not in json.dumps(d) for d in lines)
    assert lines[0]["event"] == "turn" and lines[0]["duration_ms"] == 250.0 and lines[0]["replies"] == 1
