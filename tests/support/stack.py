"""Start the whole stack (`python -m bot run`) for tests, on private ports and a private data folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body=None, headers: Optional[Dict[str, str]] = None, timeout: float = 60):
    """(status, decoded body) without raising on 4xx/5xx."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw.decode() or "null")
    except (ValueError, UnicodeDecodeError):
        return status, raw.decode(errors="replace")


class Stack:
    """A running stack: ports, URLs, the data folder, and control of its processes."""

    def __init__(self, data_dir: Path, env: Optional[Dict[str, str]] = None, rasa_servers: int = 1):
        self.data_dir = data_dir
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.web_port = free_port()
        while self.rasa_port + rasa_servers > 65000 or any(
            self._busy(self.rasa_port + i) for i in range(1, rasa_servers)
        ):
            self.rasa_port = free_port()
        self.env = dict(
            os.environ,
            DATA_DIR=str(data_dir),
            RASA_PORT=str(self.rasa_port),
            ACTION_PORT=str(self.action_port),
            WEB_PORT=str(self.web_port),
            RASA_SERVERS=str(rasa_servers),
            RASA_HOST="127.0.0.1",
            ALLOWED_ORIGINS=f"http://localhost:{self.web_port},http://127.0.0.1:{self.web_port}",
            **(env or {}),
        )
        self.env.pop("DATABASE_URL", None) if "DATABASE_URL" not in (env or {}) else None
        self.rasa_servers = rasa_servers
        self.proc: Optional[subprocess.Popen] = None
        self.log = data_dir / "stack.log"

    @staticmethod
    def _busy(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def rasa_url(self, i: int = 0) -> str:
        return f"http://127.0.0.1:{self.rasa_port + i}"

    def start(self, timeout: float = 240) -> "Stack":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [str(PROJECT / ".venv" / "bin" / "python"), "-m", "bot", "run"],
            cwd=PROJECT,
            env=self.env,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"stack exited early; see {self.log}:\n" + self.log.read_text()[-3000:])
            try:
                status, _ = http("GET", f"{self.web}/healthz", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise TimeoutError(f"stack not ready after {timeout}s; see {self.log}:\n" + self.log.read_text()[-3000:])

    def say(self, sender: str, text, **kw) -> List[dict]:
        status, body = http("POST", self.rest, {"sender": sender, "message": text}, **kw)
        assert status == 200, (status, body)
        return body

    def pids(self) -> List[int]:
        out = subprocess.run(["pgrep", "-s", str(os.getpgid(self.proc.pid))], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def texts(messages: List[dict]) -> List[str]:
    return [m.get("text") for m in messages if m.get("text")]


def customs(messages: List[dict]) -> List[dict]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
