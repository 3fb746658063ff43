"""Part 1: the router, in-process (per case) and through the CLI (`python -m bot route`)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bench.procs import PROJECT, SHARED_EVAL, VENV_BIN, bench_env
from bench.stats import summarize

CASE_FILES = [PROJECT / "tests" / "routing" / "cases.yaml", SHARED_EVAL / "routing_dev.yaml"]
CLI_FACTS = {"nation": "england", "service": "gp", "funding": "nhs", "stage": "not_raised", "months_since": 2,
             "issues": ["communication"], "outcomes": ["explanation", "apology"]}
CLI_CMD = ["-m", "bot", "route", "--facts", "-", "--json"]
HEAVY = ("tensorflow", "rasa", "keras", "torch", "spacy")

_SYS_MODULES_PROBE = r"""
import contextlib, io, json, sys
sys.argv = ["bot", "route", "--facts", "-", "--json"]
sys.stdin = io.StringIO(%r)
buf = io.StringIO()
from bot.cli import main
with contextlib.redirect_stdout(buf):
    rc = main()
heavy = %r
print(json.dumps({"rc": rc, "modules": len(sys.modules),
                  "loaded": {h: any(m == h or m.startswith(h + ".") for m in sys.modules) for h in heavy}}))
"""


def load_cases() -> List[Dict[str, Any]]:
    cases = []
    for path in CASE_FILES:
        if path.exists():
            for c in yaml.safe_load(path.read_text()) or []:
                cases.append({"id": c.get("id", "?"), "facts": c.get("facts") or {}, "file": path.name})
    return cases


def in_process(reps: int) -> Dict[str, Any]:
    """Time route_case() over every case, `reps` times each (after a warm-up pass)."""
    t0 = time.perf_counter()
    from bot.routing import FactError, get_router, route_case

    get_router()
    load_ms = (time.perf_counter() - t0) * 1000
    cases = load_cases()
    refused = []
    for c in cases:  # warm-up, and find the cases the router refuses (they are timed all the same)
        try:
            route_case(c["facts"])
        except FactError as e:
            refused.append({"id": c["id"], "error": str(e)[:120]})
    calls: List[float] = []
    per_case = []
    perf = time.perf_counter_ns
    for c in cases:
        times = []
        for _ in range(reps):
            t = perf()
            try:
                route_case(c["facts"])
            except FactError:
                pass
            times.append((perf() - t) / 1e6)
        calls += times
        per_case.append({"id": c["id"], **summarize(times, 4)})
    per_case.sort(key=lambda x: x["p50"] or 0, reverse=True)
    return {"cases": len(cases), "files": [p.name for p in CASE_FILES if p.exists()], "reps": reps,
            "router_load_ms": round(load_ms, 1), "refused": refused, "per_call_ms": summarize(calls, 4),
            "slowest_cases": per_case[:5]}


def cli(runs: int) -> Dict[str, Any]:
    """Wall time of the CLI as a user runs it, and proof that it imports no TensorFlow (nor Rasa)."""
    py = str(VENV_BIN / "python")
    env = bench_env()
    stdin = json.dumps(CLI_FACTS)
    walls, problems = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([py, *CLI_CMD], input=stdin, capture_output=True, text=True, cwd=PROJECT, env=env,
                           timeout=60)
        walls.append((time.perf_counter() - t0) * 1000)
        try:
            ok = r.returncode == 0 and json.loads(r.stdout)["routes"]
        except (ValueError, KeyError):
            ok = False
        if not ok:
            problems.append(f"exit {r.returncode}: {(r.stderr or r.stdout)[-200:]}")

    # 1. python -X importtime: every module the command imports, with its cumulative import time
    r = subprocess.run([py, "-X", "importtime", *CLI_CMD], input=stdin, capture_output=True, text=True,
                       cwd=PROJECT, env=env, timeout=60)
    imports = parse_importtime(r.stderr)
    # 2. sys.modules after running the command's main() in a fresh interpreter
    r2 = subprocess.run([py, "-c", _SYS_MODULES_PROBE % (stdin, HEAVY)], capture_output=True, text=True,
                        cwd=PROJECT, env=env, timeout=60)
    try:
        modules = json.loads(r2.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        modules = {"error": (r2.stderr or r2.stdout)[-300:]}
    heavy_seen = sorted({m.split(".")[0] for m in imports["modules"] if m.split(".")[0] in HEAVY})
    loaded = modules.get("loaded", {}) if isinstance(modules, dict) else {}
    return {"runs": runs, "wall_ms": summarize(walls, 1), "problems": problems,
            "importtime": {"modules": len(imports["modules"]), "total_import_ms": imports["total_ms"],
                           "heavy_imported": heavy_seen, "slowest_top_level": imports["slowest"]},
            "sys_modules": modules,
            "tensorflow_imported": bool("tensorflow" in heavy_seen or loaded.get("tensorflow")),
            "rasa_imported": bool("rasa" in heavy_seen or loaded.get("rasa"))}


def parse_importtime(stderr: str) -> Dict[str, Any]:
    """Modules and timings from `python -X importtime` output (`import time: self | cumulative | name`)."""
    modules, top = [], []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        cumulative, raw_name = int(parts[1]), parts[2]
        name = raw_name.strip()
        modules.append(name)
        depth = (len(raw_name) - len(raw_name.lstrip(" "))) // 2
        if depth == 0:  # imported at top level (by the program or by site), not by another module
            top.append((name, cumulative / 1000))
    top.sort(key=lambda x: x[1], reverse=True)
    return {"modules": modules, "total_ms": round(sum(ms for _, ms in top), 1),
            "slowest": [{"module": n, "ms": round(ms, 1)} for n, ms in top[:5]]}


def run(quick: bool) -> Dict[str, Any]:
    return {"in_process": in_process(reps=20 if quick else 200), "cli": cli(runs=3 if quick else 10),
            "python": sys.version.split()[0]}
