"""`python -m bot run`: start and supervise the whole stack in the foreground.

Starts the action server, one or more Rasa servers and the web app; prefixes
and redacts their output (identifiers never reach the console or var/logs);
restarts a process that dies, with back-off; and on Ctrl-C or SIGTERM stops
everything it started.

Output is text by default, or JSON lines with LOG_FORMAT=json (bot.observability).
Every child shares PROMETHEUS_MULTIPROC_DIR (DATA_DIR/metrics, emptied here at start),
so the web app's /metrics covers all of them. RUN_ONLY=rasa|actions|web (comma-separated)
starts only those parts, for one container per role (docker-compose.yml); METRICS_PORT
then serves /metrics from the supervisor itself.
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
from typing import Dict, List, Optional, Sequence

from bot import observability
from bot.settings import PROJECT_DIR, ROLES, data_dir, get_settings, reset_settings, settings_or_exit, web_port

VENV_BIN = Path(sys.executable).parent
LOG_FILE_LIMIT = 50 * 1024 * 1024  # DATA_DIR/logs/NAME.log rotates to NAME.log.1, .2 past this size


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
        self.gave_up = False
        self._lock = threading.Lock()

    def start(self, proc: Proc) -> None:
        """Start one child process, its output pumped to ours line by line."""
        proc.popen = subprocess.Popen(
            proc.cmd,
            cwd=PROJECT_DIR,
            env=proc.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        threading.Thread(target=self._pump, args=(proc, proc.popen), daemon=True).start()
        self.say(f"started {proc.name} (pid {proc.popen.pid})")

    def _pump(self, proc: Proc, popen: subprocess.Popen) -> None:
        from bot.observability import child_line, log_format, rotate_if_large

        fmt = log_format()
        path = self.log_dir / f"{proc.name}.log"
        log_file = open(path, "a", encoding="utf-8")
        try:
            for line in popen.stdout:  # type: ignore[union-attr]
                line = child_line(proc.name, line.rstrip("\n"), fmt)  # redacted
                log_file.write(line + "\n")
                log_file.flush()
                if log_file.tell() > LOG_FILE_LIMIT:
                    log_file.close()
                    rotate_if_large(path, LOG_FILE_LIMIT)
                    log_file = open(path, "a", encoding="utf-8")
                with self._lock:
                    print(line if fmt == "json" else f"{proc.name:>8} | {line}", flush=True)
        finally:
            log_file.close()

    def say(self, text: str, level: str = "info") -> None:
        """Print one line of the supervisor's own, in the stack's log format."""
        from bot.observability import supervisor_line

        with self._lock:
            line = supervisor_line(text, level=level)
            print(line if line != text else f"{'run':>8} | {text}", flush=True)

    def run(self) -> int:
        """Start every process, restart those that die (within limits) until stopped; return the exit code."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop_event.set())
        for p in self.procs:
            self.start(p)
        if any(p.name == "web" for p in self.procs):
            self.say(f"web app: http://localhost:{web_port()}  (health: /healthz)   Ctrl-C stops everything")
        while not self.stop_event.wait(0.5):
            for p in self.procs:
                if p.popen and p.popen.poll() is not None and not p.stopping:
                    code = p.popen.returncode
                    observability.process_dead(p.popen.pid)
                    now = time.time()
                    p.restarts = [t for t in p.restarts if now - t < 60] + [now]
                    if len(p.restarts) > 5:
                        self.say(f"{p.name} keeps failing (exit {code}); stopping everything", "error")
                        self.gave_up = True
                        self.stop_event.set()
                        break
                    self.say(f"{p.name} exited with {code}; restarting", "warning")
                    time.sleep(min(5, len(p.restarts)))
                    self.start(p)
        self.shutdown()
        return 1 if self.gave_up else 0

    def shutdown(self) -> None:
        """Stop every child process: a polite signal first, then kill those that do not stop."""
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
                observability.process_dead(p.popen.pid)
        self.say("stopped")


def plan(rasa_servers: int = 1, roles: Sequence[str] = ROLES) -> List[Proc]:
    """The processes of the stack (or of the given roles), configured from the environment."""
    from bot import runconfig

    settings = get_settings()
    if settings.sms_dev and not settings.twilio_auth_token:
        # Development SMS: a throwaway token shared by the SMS channel and the /dev/sms page, which the
        # children inherit (set here, in this process's environment).
        import secrets

        os.environ["TWILIO_AUTH_TOKEN"] = "dev-" + secrets.token_hex(16)
        os.environ.setdefault("PUBLIC_URL", f"http://127.0.0.1:{settings.rasa_port}")
        reset_settings()
        settings = get_settings()
    token = settings.action_server_token or ""
    if not token and "actions" in roles and "rasa" in roles:
        # Both ends started here: they share a token made for this run (in their environment only), so even
        # on loopback the action server answers only Rasa. Set ACTION_SERVER_TOKEN when they run apart.
        import secrets

        token = secrets.token_urlsafe(32)
    base = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir()),
        **({"ACTION_SERVER_TOKEN": token} if token else {}),
    )
    # What the children read of their own (RASA_INSTANCE, LOG_COMPONENT, RASA_URLS...) is set in their env.
    run_dir = data_dir() / "run"
    procs = []
    if "actions" in roles:
        # On loopback unless ACTION_HOST says otherwise, and then only with ACTION_SERVER_TOKEN (bot/action_server.py).
        procs.append(
            Proc(
                "actions",
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "bot.action_server",
                    "--actions",
                    "actions",
                    "--port",
                    str(settings.action_port),
                ],
                dict(base, LOG_COMPONENT="actions"),
            )
        )
    urls = []
    for i in range(rasa_servers if "rasa" in roles else 0):
        port = settings.rasa_port + i
        name = f"rasa-{i + 1}" if rasa_servers > 1 else "rasa"
        # Sanic reads a whole request into memory before our channels see it: 1 MB is plenty for a chat message
        # or a Twilio form, where Sanic's default is 100 MB.
        env = dict(
            base,
            RASA_INSTANCE=f"rasa-{i + 1}",
            LOG_COMPONENT=name,
            SANIC_REQUEST_MAX_SIZE=str(settings.sanic_request_max_size),
        )
        paths = runconfig.write(run_dir / env["RASA_INSTANCE"], action_token=bool(token), settings=settings)
        procs.append(
            Proc(
                name,
                [
                    str(VENV_BIN / "python"),
                    "-m",
                    "bot.rasa_server",
                    "run",
                    "--model",
                    str(PROJECT_DIR / "models" / "current.tar.gz"),
                    "--endpoints",
                    str(paths["endpoints"]),
                    "--credentials",
                    str(paths["credentials"]),
                    "--port",
                    str(port),
                    "--interface",
                    settings.rasa_host,
                ],
                env,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    if "web" in roles:
        # The web app checks the Rasa servers started here; on its own, those named by RASA_URLS.
        web_env = dict(base, LOG_COMPONENT="web", **({"RASA_URLS": ",".join(urls)} if urls else {}))
        procs.append(Proc("web", [str(VENV_BIN / "python"), "-m", "bot.web"], web_env))
    return procs


def metrics_dir() -> Path:
    """Where every child writes its metrics: PROMETHEUS_MULTIPROC_DIR, or DATA_DIR/metrics."""
    return get_settings().prometheus_multiproc_dir or data_dir() / "metrics"


def parse_roles(value: Optional[str]) -> List[str]:
    """RUN_ONLY: a comma-separated subset of actions, rasa, web (empty: all of them)."""
    from bot.settings import parse_roles as roles_of

    try:
        return list(roles_of(value))
    except ValueError:
        raise ValueError(f"RUN_ONLY: unknown part in {value!r} (use {', '.join(ROLES)})") from None


def main(rasa_servers: Optional[int] = None, only: Optional[str] = None) -> int:
    """Start the stack (or the parts RUN_ONLY or `only` names) and supervise it until stopped; the exit status."""
    from bot.record.db import upgrade

    settings = settings_or_exit("run")
    try:
        roles = parse_roles(only) if only is not None else list(settings.run_only)
    except ValueError as e:
        print(f"run: {e}", file=sys.stderr)
        return 2
    from bot.action_server import is_loopback

    host = settings.action_host
    if "actions" in roles and not is_loopback(host) and not settings.action_server_token:
        print(
            f"run: ACTION_HOST={host} makes the action server reachable from other machines: "
            "set ACTION_SERVER_TOKEN (the same value where Rasa runs)",
            file=sys.stderr,
        )
        return 2
    model = PROJECT_DIR / "models" / "current.tar.gz"
    if "rasa" in roles and not model.exists():
        print("run: no trained model; run `make setup` first", file=sys.stderr)
        return 1
    directory = observability.prepare_metrics_dir(metrics_dir())  # counts start from zero with the stack
    os.environ[observability.MULTIPROC_ENV] = str(directory)  # for bot.observability in this process
    reset_settings()
    upgrade()
    supervisor = Supervisor(plan(rasa_servers or settings.rasa_servers, roles), data_dir() / "logs")
    if "web" in roles and settings.retention_auto:
        # Retention runs where the web app runs: once at start, then daily (RETENTION_DAYS).
        from bot.record.retention import run_daily

        threading.Thread(
            target=run_daily, args=(supervisor.stop_event, settings.retention_days), daemon=True, name="retention"
        ).start()
        supervisor.say(f"retention: records older than {settings.retention_days} days are deleted daily")
    port = settings.metrics_port
    if port:
        observability.serve_metrics(port, directory=str(directory))
        supervisor.say(f"metrics: port {port}, /metrics")
    return supervisor.run()
