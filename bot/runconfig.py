"""Rasa's endpoints and credentials, written from the environment at start-up.

One place decides the production topology from settings: the tracker store
(SQLite under the data folder, or PostgreSQL through TRACKER_DATABASE_URL),
the lock store (Redis through REDIS_URL when several Rasa servers share one
tracker store), the action server URL, and the channels.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlparse

import yaml

from bot.settings import action_port, data_dir


def tracker_store() -> Dict[str, Any]:
    """Rasa's tracker store: DurableTrackerStore on SQLite in the data folder, or TRACKER_DATABASE_URL."""
    url = os.environ.get("TRACKER_DATABASE_URL")
    cfg: Dict[str, Any] = {"type": "bot.record.tracker_store.DurableTrackerStore",
                           # One journal for every Rasa server of this data folder (DurableTrackerStore).
                           "journal_dir": str(data_dir() / "journal")}
    if not url:
        cfg.update({"dialect": "sqlite", "db": str(data_dir() / "tracker.db")})
        return cfg
    u = urlparse(url)
    dialect = u.scheme.split("+")[0]
    cfg.update({"dialect": "postgresql" if dialect.startswith("postgres") else dialect, "url": u.hostname,
                "port": u.port or 5432, "db": (u.path or "/rasa").lstrip("/"), "username": u.username,
                "password": u.password})
    return cfg


def endpoints(action_token: Optional[bool] = None) -> Dict[str, Any]:
    """Rasa's endpoints; `action_token`: whether Rasa sends ACTION_SERVER_TOKEN (default: whether it is set)."""
    action_url = os.environ.get("ACTION_ENDPOINT_URL") or f"http://127.0.0.1:{action_port()}/webhook"
    action: Dict[str, Any] = {"url": action_url}
    if action_token if action_token is not None else bool(os.environ.get("ACTION_SERVER_TOKEN")):
        # Rasa reads ${...} from its own environment when it loads this file: the secret is never written.
        action["headers"] = {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}
    out: Dict[str, Any] = {"action_endpoint": action, "tracker_store": tracker_store()}
    redis = os.environ.get("REDIS_URL")
    if redis:
        u = urlparse(redis)
        out["lock_store"] = {"type": "redis", "url": u.hostname, "port": u.port or 6379,
                             "db": int((u.path or "/0").lstrip("/") or 0), "key_prefix": "complaints"}
        if u.password:
            out["lock_store"]["password"] = u.password
    return out


def credentials() -> Dict[str, Any]:
    """Rasa's channels: REST always, SMS (Twilio) when TWILIO_AUTH_TOKEN or SMS_DEV is set."""
    creds: Dict[str, Any] = {"channels.rest.RestInput": None}
    if os.environ.get("TWILIO_AUTH_TOKEN") or os.environ.get("SMS_DEV"):
        creds["channels.sms.SmsInput"] = {
            "account_sid": os.environ.get("TWILIO_ACCOUNT_SID", ""),
            "auth_token": os.environ.get("TWILIO_AUTH_TOKEN", ""),
            "twilio_number": os.environ.get("TWILIO_NUMBER", ""),
            "public_url": os.environ.get("PUBLIC_URL", ""),
        }
    return creds


def write(directory: Path, action_token: Optional[bool] = None) -> Dict[str, Path]:
    """Write endpoints.yml and credentials.yml into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"endpoints": directory / "endpoints.yml", "credentials": directory / "credentials.yml"}
    paths["endpoints"].write_text(yaml.safe_dump(endpoints(action_token), sort_keys=False))
    paths["credentials"].write_text(yaml.safe_dump(credentials(), sort_keys=False))
    return paths
