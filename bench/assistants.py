"""The two assistants under test: a stock `rasa init` one, and ours (`python -m bot run`)."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.load import first_reply
from bench.procs import PROJECT, VENV_BIN, Cleanup, PeakRss, bench_env, free_port, http_json, tree_rss, wait_until

RESULTS = PROJECT / "bench" / "results"


def _timed_child(cleanup: Cleanup, name: str, cmd: List[str], cwd: Path, env: Dict[str, str], log: Path,
                 timeout: float) -> Dict[str, Any]:
    """Run a command to completion (killed at cleanup if interrupted): wall time and peak tree RSS."""
    t0 = time.perf_counter()
    proc = cleanup.spawn(name, cmd, log, cwd=cwd, env=env)
    with PeakRss(proc.pid) as peak:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            cleanup.stop_process(proc)
            raise TimeoutError(f"{name} took more than {timeout:.0f} s; see {log}")
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed (exit {proc.returncode}): " + log.read_text(errors="replace")[-1500:])
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(peak.peak_mb, 1)}


# ====================================================================== stock
class StockAssistant:
    """`rasa init --no-prompt` in a temporary folder, served by `rasa run` with its own default files."""

    name = "stock"

    def __init__(self, root: Path):
        self.dir = root / "stock"
        self.port = 0
        self.proc: Optional[subprocess.Popen] = None
        self.log = root / "stock-run.log"

    def create(self, cleanup: Cleanup) -> Dict[str, Any]:
        """Create and train it (cold training cache); training time and peak memory."""
        self.dir.mkdir(parents=True, exist_ok=True)
        env = bench_env(RASA_CACHE_DIRECTORY=str(self.dir.parent / "stock-cache"))
        out = _timed_child(cleanup, "rasa init", [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir",
                                                   str(self.dir)], self.dir.parent, env,
                           self.dir.parent / "stock-init.log", timeout=1800)
        models = sorted((self.dir / "models").glob("*.tar.gz"))
        if not models:
            raise RuntimeError("rasa init produced no model")
        out.update(what="rasa init --no-prompt (writes the project and trains it, cold cache)",
                   model_mb=round(models[-1].stat().st_size / 2**20, 1))
        return out

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self, cleanup: Cleanup, timeout: float = 300) -> Dict[str, Any]:
        """Spawn `rasa run`; seconds to the server answering and to the first real reply."""
        self.port = free_port()
        cmd = [str(VENV_BIN / "rasa"), "run", "--model", "models", "--endpoints", "endpoints.yml",
               "--credentials", "credentials.yml", "--port", str(self.port), "--interface", "127.0.0.1"]
        t0 = time.perf_counter()
        self.proc = cleanup.spawn("stock rasa run", cmd, self.log, cwd=self.dir, env=bench_env())
        wait_until(lambda: http_json("GET", f"http://127.0.0.1:{self.port}/", timeout=2)[0] == 200, timeout,
                   0.1, self.proc, "stock rasa run", self.log)
        ready = time.perf_counter() - t0
        wait_until(lambda: first_reply(self.url), timeout, 0.1, self.proc, "stock first reply", self.log)
        first = time.perf_counter() - t0
        cleanup.watch(self.proc.pid)
        return {"ready_s": round(ready, 2), "ready_means": "GET / answers 200",
                "first_reply_s": round(first, 2)}

    def memory(self) -> Dict[str, Any]:
        return tree_rss(self.proc.pid) if self.proc else {}

    def stop(self, cleanup: Cleanup) -> None:
        if self.proc:
            cleanup.stop_process(self.proc)


# ====================================================================== ours
class OurAssistant:
    """Our whole stack through tests/support/stack.py's Stack: private ports, a private DATA_DIR."""

    name = "ours"

    def __init__(self, data_dir: Path, rasa_servers: int = 1, env: Optional[Dict[str, str]] = None):
        from tests.support.stack import Stack

        self.stack = Stack(data_dir, env=env, rasa_servers=rasa_servers)
        for key in ("TRACKER_DATABASE_URL", "DATABASE_URL", "REDIS_URL"):  # SQLite unless we say otherwise
            if key not in (env or {}):
                self.stack.env.pop(key, None)
        self.stack.env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
        self.rasa_servers = rasa_servers

    @property
    def url(self) -> str:
        return self.stack.rest

    @property
    def urls(self) -> List[str]:
        return [f"{self.stack.rasa_url(i)}/webhooks/rest/webhook" for i in range(self.rasa_servers)]

    @property
    def proc(self) -> Optional[subprocess.Popen]:
        return self.stack.proc

    def start(self, cleanup: Cleanup, timeout: float = 400) -> Dict[str, Any]:
        """Spawn `python -m bot run` as Stack.start does; seconds to /healthz 200 and to the first reply."""
        s = self.stack
        s.data_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        s.proc = cleanup.spawn(f"bot run ({self.rasa_servers} rasa)", [str(VENV_BIN / "python"), "-m", "bot", "run"],
                               s.log, cwd=PROJECT, env=s.env)
        wait_until(lambda: http_json("GET", f"{s.web}/healthz", timeout=3)[0] == 200, timeout, 0.1, s.proc,
                   "our stack /healthz", s.log)
        ready = time.perf_counter() - t0
        for url in self.urls:
            wait_until(lambda: first_reply(url), 60, 0.1, s.proc, "our first reply", s.log)
        first = time.perf_counter() - t0
        cleanup.watch(s.proc.pid)
        return {"ready_s": round(ready, 2), "ready_means": "GET /healthz answers 200 (model, actions, database)",
                "first_reply_s": round(first, 2)}

    def memory(self) -> Dict[str, Any]:
        return tree_rss(self.stack.proc.pid) if self.stack.proc else {}

    def stop(self, cleanup: Cleanup) -> None:
        if self.stack.proc:
            cleanup.stop_process(self.stack.proc, timeout=45)


# ====================================================================== training of ours
def current_model() -> Dict[str, Any]:
    from bot.build import CURRENT, model_fingerprint

    target = CURRENT.resolve() if CURRENT.exists() else None
    fp = model_fingerprint()
    return {"path": str(target) if target else None, "name": target.name if target else None,
            "inputs_fingerprint": fp, "up_to_date": bool(target and target.name == f"{fp}.tar.gz")}


def train_ours(cleanup: Cleanup, root: Path) -> Dict[str, Any]:
    """A full training of our model into a temporary folder (cold cache); models/ is not touched."""
    from bot.build import model_fingerprint

    fp = model_fingerprint()
    out_dir = root / "ours-model"
    env = bench_env(RASA_CACHE_DIRECTORY=str(root / "ours-cache"))
    cmd = [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain", "--data", "data",
           "--out", str(out_dir), "--fixed-model-name", f"bench-{fp}", "--quiet"]
    res = _timed_child(cleanup, "rasa train (ours)", cmd, PROJECT, env, root / "ours-train.log", timeout=3600)
    res.update(what="rasa train, full, cold cache, into a temporary folder", fingerprint=fp, source="measured now")
    return res


def recorded_training(fingerprint: str) -> Optional[Dict[str, Any]]:
    """Our training time for these inputs from an earlier `--train-ours` run, if any."""
    for path in sorted(RESULTS.glob("bench-*.json"), reverse=True):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        ours = ((doc.get("chat") or {}).get("training") or {}).get("ours") or {}
        if ours.get("source") == "measured now" and ours.get("fingerprint") == fingerprint:
            return dict(ours, source=f"recorded in bench/results/{path.name}")
    return None

