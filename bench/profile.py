"""Part `profile` (only when asked): where a turn's time goes inside our Rasa server, under load.

Starts our action server and one Rasa server as `bot run` would (same endpoints and credentials
from bot.runconfig, SQLite under a private DATA_DIR), each under bench/probe.py's timers, warms
them up, then, for each chosen concurrency (default 1 and 10), resets the timers and drives the
REST webhook with chatload.py while cProfile watches the Rasa event loop, and measures the CPU
time each server used per message. The web app is not needed for a turn and is not started.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.load import DEFAULT_SCRIPT, chatload, first_reply
from bench.procs import PROJECT, VENV_BIN, Cleanup, bench_env, free_port, http_json, note, tree_cpu, wait_until
from bench.stats import percentile

TURN_KEY = "turn: inside the conversation lock"


def run(cleanup: Cleanup, root: Path, levels: List[int], quick: bool,
        keep: Optional[Path] = None, script: List[str] = DEFAULT_SCRIPT) -> Dict[str, Any]:
    TURNS = len(script)
    data = root / "profile-data"
    data.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    env = bench_env(DATA_DIR=str(data), ACTION_PORT=str(action_port), RASA_PORT=str(rasa_port),
                    RASA_INSTANCE="rasa-1")
    for key in ("TRACKER_DATABASE_URL", "DATABASE_URL", "REDIS_URL"):
        env.pop(key, None)
    py = str(VENV_BIN / "python")
    run_dir = data / "run"
    subprocess.run([py, "-c", "import sys; from pathlib import Path; from bot import runconfig; "
                              "runconfig.write(Path(sys.argv[1]))", str(run_dir)],
                   cwd=PROJECT, env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([py, "-m", "bot", "db", "upgrade"], cwd=PROJECT, env=env, check=True, capture_output=True,
                   timeout=300)
    out_rasa, out_actions = root / "probe-rasa.json", root / "probe-actions.json"
    note("starting the action server and a Rasa server under the probe...")
    actions = cleanup.spawn("probe actions", [py, "-m", "bench.probe", "actions", str(out_actions), "--",
                                              "--actions", "actions", "--port", str(action_port)],
                            root / "probe-actions.log", env=env)
    rasa = cleanup.spawn("probe rasa", [py, "-m", "bench.probe", "rasa", str(out_rasa), "--", "run", "--model",
                                        str(PROJECT / "models" / "current.tar.gz"), "--endpoints",
                                        str(run_dir / "endpoints.yml"), "--credentials",
                                        str(run_dir / "credentials.yml"), "--port", str(rasa_port),
                                        "--interface", "127.0.0.1"],
                         root / "probe-rasa.log", env=env)
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    wait_until(lambda: http_json("GET", f"http://127.0.0.1:{action_port}/health", timeout=2)[0] == 200, 120, 0.2,
               actions, "probe action server", root / "probe-actions.log")
    wait_until(lambda: first_reply(url), 400, 0.2, rasa, "probe rasa server", root / "probe-rasa.log")
    note("warming up...")
    chatload(url, 4 if quick else 10, TURNS, 4 if quick else 5, script)
    result: Dict[str, Any] = {"levels": {}, "method": "timers from a pass without cProfile; hot functions "
                                                       "from a second, identical pass under cProfile"}
    procs = {"rasa": (rasa, out_rasa), "actions": (actions, out_actions)}

    def one_pass(mode: str, n: int, level: int) -> Dict[str, Any]:
        for proc, out in procs.values():
            out.unlink(missing_ok=True)
            Path(str(out) + ".mode").write_text(mode)
            os.kill(proc.pid, signal.SIGUSR2)
        time.sleep(0.5)
        cpu0 = {k: tree_cpu(proc.pid) for k, (proc, _) in procs.items()}
        client = chatload(url, n, TURNS, level, script)
        cpu = {k: tree_cpu(proc.pid) - cpu0[k] for k, (proc, _) in procs.items()}
        for proc, out in procs.values():
            os.kill(proc.pid, signal.SIGUSR1)
        for proc, out in procs.values():
            wait_until(lambda: out.exists(), 60, 0.2, proc, f"probe output {out.name}")
        msgs = client.get("messages") or 1
        return {"client": client, "cpu_ms_per_msg": {k: round(1000 * v / msgs, 1) for k, v in cpu.items()},
                "rasa": json.loads(out_rasa.read_text()), "actions": json.loads(out_actions.read_text())}

    for level in levels:
        n = max(2, level) if quick else max(5, 3 * level)
        note(f"profile, timers only: {n} conversations x {TURNS} turns, {level} at once...")
        timed = one_pass("timers", n, level)
        summary = summarize(timed["rasa"], timed["actions"])
        summary.update(concurrency=level, client=timed["client"], conversations=n,
                       cpu_ms_per_msg=timed["cpu_ms_per_msg"])
        note(f"  c={level}: p50 {timed['client']['p50_ms']} ms, {timed['client']['msg_per_s']} msg/s; CPU ms/msg "
             f"{timed['cpu_ms_per_msg']}")
        note(f"profile, under cProfile: {n} conversations x {TURNS} turns, {level} at once...")
        profiled = one_pass("profile", n, level)
        summary["hot_functions"] = profiled["rasa"].get("hot", [])[:25]
        summary["cumulative"] = profiled["rasa"].get("cumulative", [])[:40]
        summary["actions_hot"] = profiled["actions"].get("hot", [])[:15]
        summary["under_cprofile"] = {"client": profiled["client"], "cpu_ms_per_msg": profiled["cpu_ms_per_msg"]}
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("rasa", "actions"):
                src = root / f"probe-{name}.prof"
                if src.exists():
                    shutil.copyfile(src, keep / f"profile-c{level}-{name}.prof")
            summary["profile_files"] = [str(keep / f"profile-c{level}-{n}.prof") for n in ("rasa", "actions")]
        result["levels"][str(level)] = summary
    cleanup.stop_process(rasa)
    cleanup.stop_process(actions)
    return result


def summarize(rasa: Dict[str, Any], actions: Dict[str, Any]) -> Dict[str, Any]:
    """Timers -> one row per stage: calls, ms per message, share of the turn, p50/p95 per call."""
    timers: Dict[str, List[float]] = rasa.get("timers", {})
    kinds: Dict[str, str] = rasa.get("kinds", {})
    messages = len(timers.get("turn: Agent.handle_message (lock wait + turn)", [])) or 1
    turn = sum(timers.get(TURN_KEY, [])) / messages if timers.get(TURN_KEY) else None
    stages = []
    for name, values in timers.items():
        per_msg = sum(values) / messages
        stages.append({"stage": name, "kind": "event loop (CPU)" if kinds.get(name) == "cpu" else "wall (awaits)",
                       "calls": len(values), "ms_per_message": round(per_msg, 2),
                       "share_pct": round(100 * per_msg / turn, 1) if turn else None,
                       "p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2)})
    stages.sort(key=lambda r: r["ms_per_message"], reverse=True)
    act_rows = []
    for name, values in (actions.get("timers") or {}).items():
        act_rows.append({"stage": name.replace("action server: ", ""), "calls": len(values),
                         "p50_ms": round(percentile(values, 0.5), 2),
                         "mean_ms": round(statistics.mean(values), 2), "total_ms": round(sum(values), 1)})
    act_rows.sort(key=lambda r: r["total_ms"], reverse=True)
    counts = {name: {"calls": len(v), "mean": round(statistics.mean(v), 1), "max": max(v)}
              for name, v in (rasa.get("counts") or {}).items() if v}
    return {"messages": messages, "turn_ms_mean": round(turn, 1) if turn else None, "stages": stages,
            "counts": counts,
            "actions": act_rows, "hot_functions": rasa.get("hot", [])[:25],
            "cumulative": rasa.get("cumulative", [])[:40], "actions_hot": actions.get("hot", [])[:15],
            "profiled_s": rasa.get("elapsed_s")}
