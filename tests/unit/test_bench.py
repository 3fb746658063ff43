"""The benchmark's helpers on fake data: percentiles, summaries, targets, the table, the results file.

Fast: no servers, no Rasa. The measurements themselves are exercised by `python -m bench --quick`.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report
from bench.multiload import DEFAULT_SCRIPT as MULTI_SCRIPT
from bench.load import DEFAULT_SCRIPT
from bench.profile import summarize as summarize_profile
from bench.routing import parse_importtime
from bench.scale import summarize_rounds
from bench.stats import Target, check, fmt, percentile, ratio, summarize, table, targets_summary, write_results

PROJECT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ percentiles
def chatload_quantile(lat, p):
    """The exact expression in ../shared/eval/chatload.py (before its rounding)."""
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else None


@pytest.mark.parametrize(
    "values", [[5.0], [3.0, 1.0, 2.0], list(range(1, 101)), [float(x) for x in range(37, 0, -1)], [10.0] * 7 + [500.0]]
)
@pytest.mark.parametrize("p", [0.0, 0.5, 0.95, 0.99, 1.0])
def test_percentile_is_chatloads_rule(values, p):
    assert percentile(values, p) == chatload_quantile(values, p)


def test_percentile_examples():
    assert percentile([], 0.5) is None
    assert percentile(list(range(1, 101)), 0.5) == 51  # sorted[int(0.5 * 100)]
    assert percentile(list(range(1, 101)), 0.99) == 100
    assert percentile([1, 2, 3, 4], 0.95) == 4
    assert percentile([4, 1, 3, 2], 0.0) == 1


def test_summarize():
    s = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s == {"count": 5, "mean": 22.0, "p50": 3.0, "p95": 100.0, "p99": 100.0, "min": 1.0, "max": 100.0}
    assert summarize([])["count"] == 0 and summarize([])["p50"] is None


def test_ratio():
    assert ratio(3, 2) == 1.5
    assert ratio(None, 2) is None and ratio(3, None) is None and ratio(3, 0) is None


# ------------------------------------------------------------------ targets
def test_check_pass_fail_skip():
    assert check("a", 100.0, 150.0, "<=", " ms").status == "PASS"
    assert check("a", 151.0, 150.0, "<=", " ms").status == "FAIL"
    assert check("a", 1.5, 1.4, ">=", "x").status == "PASS"
    assert check("a", 0, 0, "==").status == "PASS"
    assert check("a", 2, 0, "==").status == "FAIL"
    assert check("a", None, 1.0).status == "SKIP"
    assert check("a", 1.0, None).status == "SKIP"
    line = check("p95", 120.0, 150.0, "<=", " ms", "stock 100 ms").line()
    assert line.startswith("PASS") and "120 ms <= 150 ms" in line and "stock 100 ms" in line


def test_targets_summary():
    ts = [Target("a", "PASS", ""), Target("b", "FAIL", ""), Target("c", "PASS", ""), Target("d", "SKIP", "")]
    assert targets_summary(ts) == {"PASS": 2, "FAIL": 1, "SKIP": 1}


def fake_run(assistant, c, p50, p95, errors=0, mps=10.0):
    return {
        "assistant": assistant,
        "concurrency": c,
        "conversations": 2 * c,
        "messages": 12 * c,
        "errors": errors,
        "msg_per_s": mps,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "mean_ms": p50 * 1.1,
        "first_errors": [],
    }


def fake_doc():
    return {
        "meta": {
            "started_at": "2026-01-01 00:00:00",
            "quick": False,
            "parts": ["routing", "chat", "scale"],
            "duration_s": 600.0,
            "git": "abc1234",
            "rasa": "3.6.21",
            "python": "3.10.13",
            "host": {
                "cpus": 2,
                "memory_gb": 23.5,
                "loadavg_start": [0.1, 0.2, 0.3],
                "loadavg_end": [1.0],
                "cpu_busy_before_pct": 3.0,
                "busy_note": "",
            },
        },
        "routing": {
            "in_process": {
                "cases": 181,
                "files": ["cases.yaml", "routing_dev.yaml"],
                "reps": 200,
                "router_load_ms": 300.0,
                "refused": [],
                "per_call_ms": summarize([0.1, 0.2, 0.3, 4.0]),
                "slowest_cases": [{"id": "d06", "p50": 1.1}],
            },
            "cli": {
                "runs": 10,
                "wall_ms": summarize([340.0, 350.0, 360.0]),
                "problems": [],
                "importtime": {
                    "modules": 195,
                    "total_import_ms": 100.0,
                    "heavy_imported": [],
                    "slowest_top_level": [{"module": "bot.routing", "ms": 75.0}],
                },
                "sys_modules": {"rc": 0, "modules": 183, "loaded": {"tensorflow": False, "rasa": False}},
                "tensorflow_imported": False,
                "rasa_imported": False,
            },
        },
        "chat": {
            "script": DEFAULT_SCRIPT,
            "turns": 6,
            "levels": [1, 10, 25],
            "runs": [
                fake_run("stock", 1, 50.0, 80.0),
                fake_run("ours", 1, 100.0, 110.0),
                fake_run("ours", 10, 800.0, 1300.0),
                fake_run("stock", 10, 400.0, 800.0),
                fake_run("stock", 25, 900.0, 1500.0),
                fake_run("ours", 25, 2000.0, 3000.0, errors=2),
            ],
            "cold_start": {
                "stock": {"ready_s": 30.0, "first_reply_s": 30.5},
                "ours": {"ready_s": 60.0, "first_reply_s": 61.0},
            },
            "memory": {
                "stock": {"idle": {"total_mb": 1100.0}, "after_load": {"total_mb": 1120.0}},
                "ours": {
                    "idle": {"total_mb": 1500.0},
                    "after_load": {"total_mb": 1600.0, "processes": [{"name": "rasa server", "rss_mb": 1000.0}]},
                },
            },
            "training": {"stock": {"wall_s": 70.0, "peak_rss_mb": 1150.0}, "ours": {"source": "not recorded"}},
            "script_check": {"stock": {"ok": True, "turns": []}, "ours": {"ok": True, "turns": []}},
            "model": {"name": "x.tar.gz", "inputs_fingerprint": "x", "up_to_date": True},
        },
        "scale": {
            "concurrency": 25,
            "order": [1, 2, 2, 1],
            "configs": {
                "1": {
                    "rounds": 2,
                    "messages": 600,
                    "errors": 0,
                    "msg_per_s": 10.0,
                    "msg_per_s_each": [10.0, 10.0],
                    "p50_ms": 2000.0,
                    "p95_ms": 3000.0,
                },
                "2": {
                    "rounds": 2,
                    "messages": 600,
                    "errors": 0,
                    "msg_per_s": 13.0,
                    "msg_per_s_each": [13.0, 13.0],
                    "p50_ms": 1500.0,
                    "p95_ms": 2500.0,
                },
            },
            "rounds": [{"rasa_servers": 1, "messages": 300, "errors": 0}],
            "ratio": 1.3,
        },
        "errors": {},
    }


def test_evaluate_the_targets_on_fake_figures():
    ts = {t.name: t for t in report.evaluate(fake_doc())}
    by = lambda text: next(t for n, t in ts.items() if text in n)  # noqa: E731
    assert by("at 1 concurrent").status == "PASS"  # 110 <= 1.5 x 80 = 120
    assert by("at 10 concurrent").status == "FAIL"  # 1300 > 1.5 x 800
    assert by("zero errors at 25 concurrent (ours").status == "FAIL"
    assert by("single-conversation p50").status == "PASS"  # 100 <= 150
    assert by("two Rasa servers").status == "FAIL"  # 1.3 < 1.4
    assert by("one and two servers").status == "PASS"
    assert by("routing in-process").status == "PASS"
    assert by("< 1 s").status == "PASS"
    assert by("no TensorFlow").status == "PASS"


def test_evaluate_skips_what_was_not_measured():
    doc = {"meta": {}, "routing": fake_doc()["routing"]}
    statuses = {t.name: t.status for t in report.evaluate(doc)}
    assert statuses["routing in-process p50 well under 5 ms"] == "PASS"
    assert sum(s == "SKIP" for s in statuses.values()) == 7  # the training target is skipped too when no chat part ran


def test_render_prints_every_section_and_the_targets():
    text = report.render(fake_doc())
    for title in (
        "Routing in-process",
        "Routing CLI",
        "Chat latency",
        "Cold start, memory and training",
        "Two Rasa servers vs one",
        "Targets",
    ):
        assert f"== {title}" in text
    assert "ours/stock p95: 1 concurrent 1.38x, 10 concurrent 1.62x, 25 concurrent 2.00x" in text
    assert "throughput ratio two/one: 1.30x" in text
    assert "FAIL  two Rasa servers" in text
    # stock before ours at each level, whatever order they ran in
    rows = [ln.split() for ln in text.splitlines() if ln.strip().startswith(("stock ", "ours "))]
    assert [(r[0], r[1]) for r in rows[:6]] == [
        ("stock", "1"),
        ("ours", "1"),
        ("stock", "10"),
        ("ours", "10"),
        ("stock", "25"),
        ("ours", "25"),
    ]


def test_table_aligns_text_left_and_numbers_right():
    out = table(["name", "n", "ms"], [["a", 1, 2.5], ["long name", 100, None]]).splitlines()
    assert out[0] == "  name         n    ms"
    assert out[2] == "  a            1  2.50"
    assert out[3] == "  long name  100     -"
    assert len({len(x) for x in out[:3]}) == 1


def test_fmt():
    assert fmt(None) == "-" and fmt(True) == "yes" and fmt(3) == "3"
    assert fmt(1234.567) == "1235" and fmt(12.34) == "12.3" and fmt(1.234) == "1.23" and fmt(0.01234) == "0.012"
    assert fmt(float("nan")) == "-"


# ------------------------------------------------------------------ results file
def test_write_results_writes_stamped_and_latest(tmp_path):
    doc = fake_doc()
    doc["targets"] = report.evaluate(doc)
    path = write_results(doc, tmp_path / "results", "20260101-000000")
    assert path.name == "bench-20260101-000000.json"
    latest = tmp_path / "results" / "latest.json"
    assert json.loads(path.read_text()) == json.loads(latest.read_text())
    back = json.loads(latest.read_text())
    assert back["targets"][0]["status"] in ("PASS", "FAIL", "SKIP")
    assert not list((tmp_path / "results").glob("*.tmp"))
    # the table renders the same from the file as from memory
    assert report.render(back) == report.render(doc)


def test_show_prints_an_earlier_results_file(tmp_path):
    doc = fake_doc()
    path = write_results(doc, tmp_path, "x")
    r = subprocess.run(
        [sys.executable, "-m", "bench", "--show", str(path)], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert "== Targets" in r.stdout


# ------------------------------------------------------------------ other helpers
def test_scale_rounds_summary():
    rounds = [
        {"messages": 300, "wall_s": 30.0, "errors": 0, "msg_per_s": 10.0, "p50_ms": 100.0, "p95_ms": 200.0},
        {"messages": 300, "wall_s": 20.0, "errors": 1, "msg_per_s": 15.0, "p50_ms": 80.0, "p95_ms": 100.0},
    ]
    s = summarize_rounds(rounds)
    assert s["msg_per_s"] == 12.0 and s["errors"] == 1 and s["p95_ms"] == 150.0 and s["messages"] == 600
    assert summarize_rounds([]) == {"msg_per_s": None}


def test_parse_importtime():
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       100 |        100 |   _io",
            "import time:      3311 |      17747 | site",
            "import time:       520 |      18945 |     pydantic.json",
            "import time:       392 |     100681 | bot.routing",
            "some other line",
        ]
    )
    out = parse_importtime(stderr)
    assert out["modules"] == ["_io", "site", "pydantic.json", "bot.routing"]
    assert [s["module"] for s in out["slowest"]] == ["bot.routing", "site"]
    assert out["total_ms"] == round(100.681 + 17.747, 1)


def test_profile_summary_shares():
    rasa = {
        "timers": {
            "turn: Agent.handle_message (lock wait + turn)": [12.0, 12.0],
            "turn: inside the conversation lock": [10.0, 10.0],
            "node: run_DIETClassifier5": [4.0, 6.0],
        },
        "kinds": {"node: run_DIETClassifier5": "cpu"},
        "hot": [],
        "cumulative": [],
        "elapsed_s": 1.0,
    }
    actions = {"timers": {"action server: action_intake": [3.0, 5.0]}}
    s = summarize_profile(rasa, actions)
    assert s["messages"] == 2 and s["turn_ms_mean"] == 10.0
    diet = next(r for r in s["stages"] if r["stage"] == "node: run_DIETClassifier5")
    assert diet["ms_per_message"] == 5.0 and diet["share_pct"] == 50.0 and diet["kind"].startswith("event loop")
    assert s["actions"][0]["stage"] == "action_intake" and s["actions"][0]["calls"] == 2


def test_multiload_uses_the_chatload_script():
    assert MULTI_SCRIPT == DEFAULT_SCRIPT
    src = PROJECT.parent / "shared" / "eval" / "chatload.py"
    if src.exists():
        assert all(line in src.read_text() for line in ['"hello"', '"thanks, bye"'])


def test_render_profile_section():
    rasa = {
        "timers": {
            "turn: Agent.handle_message (lock wait + turn)": [12.0, 12.0],
            "turn: inside the conversation lock": [10.0, 10.0],
            "custom action: response validation (jsonschema)": [6.0, 7.0],
        },
        "kinds": {"custom action: response validation (jsonschema)": "cpu"},
        "counts": {"events per action response": [3, 5]},
        "hot": [{"function": "iter_errors", "pct": 4.2}],
        "cumulative": [],
        "elapsed_s": 1.0,
    }
    level = summarize_profile(rasa, {"timers": {}})
    level.update(
        client={"p50_ms": 100.0, "p95_ms": 150.0, "msg_per_s": 8.0, "errors": 0},
        cpu_ms_per_msg={"rasa": 90.0, "actions": 5.0},
    )
    text = report.render({"meta": {}, "profile": {"levels": {"10": level}}})
    assert "== Profile at 10 concurrent" in text
    assert "response validation (jsonschema)" in text and "events per action response mean 4 (max 5)" in text
    assert "Rasa server 90.0 ms" in text and "4.20%  iter_errors" in text


def test_multiload_spreads_each_conversation_over_the_servers():
    """bench.multiload against two tiny fake webhooks: every turn answered, turns alternate servers."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []  # (port, sender)

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.server.server_address[1], body["sender"]))
            out = json.dumps([{"recipient_id": body["sender"], "text": "ok"}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Hook) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    try:
        urls = ",".join(f"http://127.0.0.1:{s.server_address[1]}/webhooks/rest/webhook" for s in servers)
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.multiload",
                urls,
                "--conversations",
                "6",
                "--turns",
                "4",
                "--concurrency",
                "3",
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout.strip().splitlines()[-1])
    finally:
        for s in servers:
            s.shutdown()
    assert out["messages"] == 24 and out["errors"] == 0 and out["per_server"] == [12, 12]
    # chatload.py's fields are all there, so the figures read the same way
    assert {
        "messages",
        "errors",
        "first_errors",
        "wall_s",
        "msg_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "mean_ms",
    } <= set(out)
    by_sender = {}
    for port, sender in seen:
        by_sender.setdefault(sender, []).append(port)
    assert len(by_sender) == 6
    for ports in by_sender.values():
        assert all(a != b for a, b in zip(ports, ports[1:]))  # consecutive turns on different servers


def test_cleanup_stops_a_tree_even_children_in_their_own_session(tmp_path):
    """What the bench relies on: our stack's supervisor starts its children in new sessions."""
    import time

    import psutil

    from bench.procs import Cleanup

    c = Cleanup()
    folder = c.tempdir("bench-test-")
    proc = c.spawn("tree", ["bash", "-c", "setsid sleep 120 & sleep 120 & wait"], tmp_path / "log")
    deadline = time.time() + 10
    while time.time() < deadline and len(psutil.Process(proc.pid).children(recursive=True)) < 2:
        time.sleep(0.05)
    pids = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)] + [proc.pid]
    assert len(pids) == 3
    c.watch(proc.pid)
    assert c.close() == []
    assert not folder.exists()
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
