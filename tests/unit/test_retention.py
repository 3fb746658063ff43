"""Retention reaches Rasa's tracker store and journal, a whole conversation at a time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.record.retention import purge_trackers

PROJECT = Path(__file__).resolve().parents[2]
DAY = 86400


def make_tracker_db(path: Path, conversations):
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
        "intent_name TEXT, action_name TEXT, data TEXT)"
    )
    for sender, ages in conversations.items():
        for age in ages:
            con.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                (sender, time.time() - age * DAY),
            )
    con.commit()
    con.close()


def senders(path: Path):
    con = sqlite3.connect(path)
    try:
        return sorted({r[0] for r in con.execute("SELECT sender_id FROM events")})
    finally:
        con.close()


def test_only_conversations_wholly_older_than_the_cutoff_go(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    db = tmp_path / "tracker.db"
    make_tracker_db(db, {"old": [400, 399], "recent": [10, 1], "spans": [400, 5]})
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "old.json").write_text("{}")
    os.utime(journal / "old.json", (time.time() - 400 * DAY,) * 2)
    (journal / "new.json").write_text("{}")
    counts = purge_trackers(365)
    assert counts == {"tracker_conversations": 1, "tracker_events": 2, "journal_files": 1}
    assert senders(db) == ["recent", "spans"]  # a conversation still going on is never cut in half
    assert [f.name for f in journal.iterdir()] == ["new.json"]


def test_no_tracker_database_yet_is_fine(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    assert purge_trackers(30)["tracker_events"] == 0


def test_the_purge_command_covers_the_record_and_the_trackers(tmp_path):
    make_tracker_db(tmp_path / "tracker.db", {"old": [40], "new": [1]})
    env = dict(os.environ, DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    env.pop("TRACKER_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--older-than", "30"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "tracker_conversations 1" in out.stdout and "interactions 0" in out.stdout
    assert senders(tmp_path / "tracker.db") == ["new"]
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--older-than", "-3"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
