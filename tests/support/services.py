"""Private PostgreSQL and Redis servers on loopback, for integration tests and benchmarks.

Each server gets a fresh folder and a free port, and is stopped (and its folder removed) on
close. PostgreSQL refuses to run as root, so when we are root its commands run as the
`postgres` system user (created by Debian's package). Both classes can be stopped and started
again on the same port and data, which the fault tests use.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def pg_bin_dir() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    if which:
        return Path(which).parent
    raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh (apt-get install postgresql)")


class Postgres:
    """A throwaway PostgreSQL cluster. `url(db)` gives a SQLAlchemy URL; `create_database(name)` adds one."""

    user = "complaints"

    def __init__(self, port: Optional[int] = None):
        self.bin = pg_bin_dir()
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pg-test-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.as_postgres = os.geteuid() == 0
        self._started = False

    def _run(self, args: List[str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)

    def start(self) -> "Postgres":
        if not self.data.exists():
            self.sockets.mkdir(parents=True)
            if self.as_postgres:
                shutil.chown(self.root, "postgres", "postgres")
                shutil.chown(self.sockets, "postgres", "postgres")
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    self.user,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C.UTF-8",
                ]
            )
        self._run(
            [
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c max_connections=200",
                "start",
            ]
        )
        _wait_port(self.port, 30)
        self._started = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` rolls back open transactions; `immediate` is a crash)."""
        if self._started:
            self._run(["pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"], check=False)
            self._started = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        self._run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name])
        return self.url(name)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Postgres":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


class Redis:
    """A throwaway Redis server with no persistence."""

    def __init__(self, port: Optional[int] = None):
        exe = shutil.which("redis-server")
        if not exe:
            raise RuntimeError("Redis is not installed: run scripts/system-deps.sh (apt-get install redis-server)")
        self.exe = exe
        self.port = port or free_port()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "Redis":
        self.proc = subprocess.Popen(
            [
                self.exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, 20)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> "Redis":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
