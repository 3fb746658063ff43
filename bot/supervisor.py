"""`python -m bot run`: start and supervise the whole stack in the foreground.

Starts the action server, one or more Rasa servers and the web app; prefixes
and redacts their output (identifiers never reach the console or var/logs);
restarts a process that dies, with back-off; and on Ctrl-C or SIGTERM stops
everything it started.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.settings import PROJECT_DIR, action_port, data_dir, rasa_port, web_port

VENV_BIN = Path(sys.executable).parent


@dataclass
class Proc:
    name: str
    cmd: List[str]
    env: Dict[str, str]
    popen: Optional[subprocess.Popen] = None
    restarts: List[float] = field(default_factory=list)
    stopping: bool = False


class Supervisor:
    def __init__(self, procs: List[Proc], log_dir: Path):
        self.procs = procs
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stop_event = threading.Event()
        self._lock = threading.Lock()

    def start(self, proc: Proc) -> None:
        proc.popen = subprocess.Popen(proc.cmd, cwd=PROJECT_DIR, env=proc.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True)
        threading.Thread(target=self._pump, args=(proc, proc.popen), daemon=True).start()
        self.say(f"started {proc.name} (pid {proc.popen.pid})")

    def _pump(self, proc: Proc, popen: subprocess.Popen) -> None:
        from bot.privacy import redact

        log_file = open(self.log_dir / f"{proc.name}.log", "a", encoding="utf-8")
        try:
            for line in popen.stdout:  # type: ignore[union-attr]
                line = redact(line.rstrip("\n"))
                log_file.write(line + "\n")
                log_file.flush()
                with self._lock:
                    print(f"{proc.name:>8} | {line}", flush=True)
        finally:
            log_file.close()

    def say(self, text: str) -> None:
        with self._lock:
            print(f"{'run':>8} | {text}", flush=True)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop_event.set())
        for p in self.procs:
            self.start(p)
        self.say(f"web app: http://localhost:{web_port()}  (health: /healthz)   Ctrl-C stops everything")
        while not self.stop_event.wait(0.5):
            for p in self.procs:
                if p.popen and p.popen.poll() is not None and not p.stopping:
                    code = p.popen.returncode
                    now = time.time()
                    p.restarts = [t for t in p.restarts if now - t < 60] + [now]
                    if len(p.restarts) > 5:
                        self.say(f"{p.name} keeps failing (exit {code}); stopping everything")
                        self.stop_event.set()
                        break
                    self.say(f"{p.name} exited with {code}; restarting")
                    time.sleep(min(5, len(p.restarts)))
                    self.start(p)
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        self.say("stopping...")
        for p in self.procs:
            p.stopping = True
            if p.popen and p.popen.poll() is None:
                try:
                    os.killpg(p.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for p in self.procs:
            if p.popen:
                try:
                    p.popen.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(p.popen.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.popen.wait()
        self.say("stopped")


def plan(rasa_servers: int = 1) -> List[Proc]:
    """The processes of the stack, configured from the environment."""
    from bot import runconfig

    base = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
                SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONWARNINGS="ignore")
    run_dir = data_dir() / "run"
    procs = [Proc("actions", [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                              "--port", str(action_port())], base)]
    urls = []
    for i in range(rasa_servers):
        port = rasa_port() + i
        env = dict(base, RASA_INSTANCE=f"rasa-{i + 1}")
        os.environ["RASA_INSTANCE"] = env["RASA_INSTANCE"]
        paths = runconfig.write(run_dir / env["RASA_INSTANCE"])
        procs.append(Proc(f"rasa-{i + 1}" if rasa_servers > 1 else "rasa",
                          [str(VENV_BIN / "rasa"), "run", "--model", str(PROJECT_DIR / "models" / "current.tar.gz"),
                           "--endpoints", str(paths["endpoints"]), "--credentials", str(paths["credentials"]),
                           "--port", str(port), "--interface", os.environ.get("RASA_HOST", "0.0.0.0")], env))
        urls.append(f"http://127.0.0.1:{port}")
    procs.append(Proc("web", [str(VENV_BIN / "python"), "-m", "bot.web"], dict(base, RASA_URLS=",".join(urls))))
    return procs


def main(rasa_servers: int = 1) -> int:
    from bot.record.db import upgrade

    model = PROJECT_DIR / "models" / "current.tar.gz"
    if not model.exists():
        print("run: no trained model; run `make setup` first", file=sys.stderr)
        return 1
    upgrade()
    return Supervisor(plan(rasa_servers), data_dir() / "logs").run()
