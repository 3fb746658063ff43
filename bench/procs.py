"""Processes and folders the bench starts, and how it always gets rid of them.

Every server is started in its own session (process group) and registered with `Cleanup`,
which remembers the pid and start time of each process and of every descendant it has seen,
so that after a graceful stop it can finish off any survivor by pid, and never touches a
process it did not start (a recycled pid has a different start time).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import psutil

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT / ".venv" / "bin"
SHARED_EVAL = PROJECT.parent / "shared" / "eval"

BASE_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ, **BASE_ENV)
    env.update(extra)
    return env


# ------------------------------------------------------------------ HTTP
def http_json(method: str, url: str, body: Any = None, timeout: float = 30) -> Tuple[int, Any]:
    """(status, decoded JSON or text); 0 and the error name when the server cannot be reached."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    except (OSError, ValueError) as e:  # refused, reset, timeout
        return 0, type(e).__name__
    try:
        return status, json.loads(raw.decode() or "null")
    except (ValueError, UnicodeDecodeError):
        return status, raw.decode(errors="replace")


def say(url: str, sender: str, text: str, timeout: float = 60) -> Tuple[int, Any, float]:
    """POST one message to a REST webhook: (status, body, milliseconds)."""
    t0 = time.perf_counter()
    status, body = http_json("POST", url, {"sender": sender, "message": text}, timeout=timeout)
    return status, body, (time.perf_counter() - t0) * 1000


# ------------------------------------------------------------------ memory
def tree(pid: int) -> List[psutil.Process]:
    """The process and all its descendants (those still alive)."""
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int) -> Dict[str, Any]:
    """Sum of resident memory (MB) over a process tree, with the share of each process."""
    parts = []
    for p in tree(pid):
        try:
            rss = p.memory_info().rss
            parts.append({"pid": p.pid, "name": _label(p), "rss_mb": round(rss / 2**20, 1)})
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return {"total_mb": round(sum(x["rss_mb"] for x in parts), 1), "processes": parts}


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a tree."""
    total = 0.0
    for p in tree(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def cpu_per_message(pids: List[int], run: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    """Run a load (a function returning a load tool's JSON) and add the servers' CPU ms per message."""
    before = sum(tree_cpu(p) for p in pids)
    out = run()
    used = sum(tree_cpu(p) for p in pids) - before
    out["server_cpu_s"] = round(used, 2)
    out["server_cpu_ms_per_msg"] = round(1000 * used / out["messages"], 1) if out.get("messages") else None
    return out


def _label(p: psutil.Process) -> str:
    try:
        cmd = p.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return p.name()
    text = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))
    for key, label in (("rasa_sdk", "action server"), ("bot.action_server", "action server"), ("bot.web", "web app"), ("bot run", "supervisor"),
                       (" run ", "rasa server"), ("redis-server", "redis"), ("postgres", "postgres"),
                       ("bench.probe", "probe")):
        if key in f" {text} ":
            return label
    return text[:40]


class PeakRss:
    """Samples the RSS of a process tree in a thread; `.peak_mb` is the highest sum seen."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss(self.pid)["total_mb"])
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# ------------------------------------------------------------------ cleanup
class Cleanup:
    """LIFO registry of undo actions, plus the processes we started (and their descendants)."""

    def __init__(self) -> None:
        self._actions: List[Tuple[str, Callable[[], None]]] = []
        # root pid -> {pid: create_time} of every process of that tree we saw
        self._seen: Dict[int, Dict[int, float]] = {}
        self._lock = threading.Lock()

    # folders
    def tempdir(self, prefix: str = "bench-") -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix))
        self.add(f"remove {path}", lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def add(self, what: str, action: Callable[[], None]) -> None:
        with self._lock:
            self._actions.append((what, action))

    # processes
    def spawn(self, name: str, cmd: List[str], log: Path, cwd: Path = PROJECT,
              env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        """Start a server in its own session, output to `log`; stopped (group, then tree) at cleanup."""
        out = open(log, "ab")
        proc = subprocess.Popen(cmd, cwd=cwd, env=env or bench_env(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        out.close()
        self.watch(proc.pid)
        self.add(f"stop {name} (pid {proc.pid})", lambda: self.stop_process(proc))
        return proc

    def watch(self, pid: int) -> None:
        """Remember a process tree of ours (call again later to catch new descendants)."""
        seen = self._seen.setdefault(pid, {})
        for p in tree(pid):
            try:
                seen.setdefault(p.pid, p.create_time())
            except psutil.NoSuchProcess:
                continue

    def stop_process(self, proc: subprocess.Popen, timeout: float = 30) -> None:
        """SIGTERM the group, wait, SIGKILL the group; then any descendant we saw that is still alive."""
        self.watch(proc.pid)
        if proc.poll() is None:
            _killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.reap_survivors(proc.pid)

    def reap_survivors(self, root: Optional[int] = None, grace: float = 10) -> None:
        """Terminate (then kill) the processes of one tree of ours (or of all) still alive, by pid and start time."""
        alive = []
        roots = [root] if root is not None else list(self._seen)
        for r in roots:
            for pid, created in list(self._seen.get(r, {}).items()):
                try:
                    p = psutil.Process(pid)
                    if abs(p.create_time() - created) < 0.01 and p.status() != psutil.STATUS_ZOMBIE:
                        alive.append(p)
                except psutil.NoSuchProcess:
                    self._seen[r].pop(pid, None)
        for p in alive:
            try:
                p.terminate()
            except psutil.NoSuchProcess:
                pass
        _, still = psutil.wait_procs(alive, timeout=grace)
        for p in still:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass

    def mark(self) -> int:
        """A point to unwind to (see `unwind`)."""
        with self._lock:
            return len(self._actions)

    def unwind(self, mark: int = 0) -> List[str]:
        """Undo everything registered after `mark`, newest first; return what failed (never raises)."""
        problems = []
        while True:
            with self._lock:
                if len(self._actions) <= mark:
                    break
                what, action = self._actions.pop()
            try:
                action()
            except BaseException as e:  # keep cleaning up, even on a second Ctrl-C
                problems.append(f"{what}: {type(e).__name__}: {e}")
        return problems

    def close(self) -> List[str]:
        """Undo everything, then finish off any process of ours still alive."""
        problems = self.unwind(0)
        try:
            self.reap_survivors()
        except Exception as e:
            problems.append(f"reap: {e}")
        return problems


def _killpg(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.2,
               alive: Optional[subprocess.Popen] = None, what: str = "condition", log: Optional[Path] = None) -> float:
    """Poll until predicate() is true; return seconds waited. Fails fast if `alive` exits."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {alive.returncode}" + _tail(log))
        try:
            if predicate():
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what}: not after {timeout:.0f} s" + _tail(log))


def _tail(log: Optional[Path], chars: int = 2000) -> str:
    if log and log.exists():
        return f"; end of {log}:\n" + log.read_text(errors="replace")[-chars:]
    return ""


_T0 = time.perf_counter()


def note(message: str) -> None:
    """A progress line on standard error (the results table goes to standard output)."""
    import sys

    print(f"[bench {time.perf_counter() - _T0:6.0f}s] {message}", file=sys.stderr, flush=True)
