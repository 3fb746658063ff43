"""`python -m bot staff add NAME --role ROLE` reads the password from standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run(args, stdin, data_dir):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        timeout=120,
    )


def test_staff_add_from_the_command_line(tmp_path, monkeypatch):
    p = run(["staff", "add", "Carla Cli", "--role", "admin"], "a good long password\n", tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "staff: added Carla Cli (admin)"
    assert "a good long password" not in p.stdout + p.stderr
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from bot.record import db
    from bot.staff import authenticate

    db.reset_engines()
    try:
        result = authenticate("Carla Cli", "a good long password")
        assert result.ok and result.staff.role == "admin"
    finally:
        db.reset_engines()
    # the same name again is refused
    p = run(["staff", "add", "carla cli", "--role", "reviewer"], "another long password\n", tmp_path)
    assert p.returncode == 2 and p.stderr.strip().splitlines() == [p.stderr.strip()] and "already exists" in p.stderr


def test_short_password_is_refused_in_one_line(tmp_path):
    p = run(["staff", "add", "Dan", "--role", "reviewer"], "short\n", tmp_path)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "too short" in lines[0] and "12" in lines[0]
    p = run(["staff", "add", "Dan", "--role", "reviewer"], "", tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


def test_bad_role_is_refused(tmp_path):
    p = run(["staff", "add", "Eve", "--role", "boss"], "a good long password\n", tmp_path)
    assert p.returncode == 2
    errors = [line for line in p.stderr.strip().splitlines() if "error" in line]
    assert len(errors) == 1 and "boss" in errors[0]
    assert p.stdout == ""


def test_no_account_exists_by_default(inbox_env):
    from bot.staff import list_staff

    assert list_staff() == []


def test_staff_unlock_from_the_command_line(tmp_path, monkeypatch):
    assert run(["staff", "add", "Una Admin", "--role", "admin"], "a good long password\n", tmp_path).returncode == 0
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import datetime as dt

    from bot.record import db
    from bot.staff import authenticate

    db.reset_engines()
    try:
        now = dt.datetime.utcnow()
        for _ in range(11):  # the only admin, made to wait a minute by someone guessing
            authenticate("Una Admin", "a wrong password!", now=now)
        assert authenticate("Una Admin", "a good long password", now=now).reason == "wait"
        db.reset_engines()
        p = run(["staff", "unlock", "una admin"], "", tmp_path)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == "staff: Una Admin unlocked (failed sign-ins cleared)"
        assert authenticate("Una Admin", "a good long password", now=now).ok
    finally:
        db.reset_engines()
    p = run(["staff", "unlock", "Nobody"], "", tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "no account" in p.stderr
