"""Settings from the environment, in one place. Every variable is named in README.md."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

PROJECT_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Runtime data (SQLite files, logs, keys): DATA_DIR, or var/ in the project."""
    d = Path(os.environ.get("DATA_DIR") or PROJECT_DIR / "var")
    d.mkdir(parents=True, exist_ok=True)
    return d


def env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def rasa_port() -> int:
    return env_int("RASA_PORT", 5005)


def action_port() -> int:
    return env_int("ACTION_PORT", 5055)


def web_port() -> int:
    return env_int("WEB_PORT", 8080)


def database_url() -> str:
    """The record's database: DATABASE_URL, or SQLite under the data folder."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'record.db'}"


def retention_days() -> int:
    """How long conversations, interactions and closed referrals are kept (RETENTION_DAYS)."""
    return env_int("RETENTION_DAYS", 365)


def redis_url() -> Optional[str]:
    """REDIS_URL: the Redis shared by every server (lock store, rate limits), or None when not set."""
    return os.environ.get("REDIS_URL") or None
