"""Rasa's endpoints and credentials, written from the environment at start-up.

One place decides the production topology from settings: the tracker store
(SQLite under the data folder, or PostgreSQL through TRACKER_DATABASE_URL),
the lock store (Redis through REDIS_URL when several Rasa servers share one
tracker store), the action server URL, and the channels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlparse

import yaml

from bot.settings import Settings, data_dir, get_settings


def tracker_store(settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Rasa's tracker store: ours, over SQLite in the data folder or TRACKER_DATABASE_URL."""
    url = (settings or get_settings()).tracker_database_url
    cfg: Dict[str, Any] = {
        "type": "bot.record.tracker_store.DurableTrackerStore",
        # One journal for every Rasa server of this data folder (DurableTrackerStore).
        "journal_dir": str(data_dir() / "journal"),
    }
    if not url:
        cfg.update({"dialect": "sqlite", "db": str(data_dir() / "tracker.db")})
        return cfg
    u = urlparse(url)
    dialect = u.scheme.split("+")[0]
    cfg.update(
        {
            "dialect": "postgresql" if dialect.startswith("postgres") else dialect,
            "url": u.hostname,
            "port": u.port or 5432,
            "db": (u.path or "/rasa").lstrip("/"),
            "username": u.username,
            "password": u.password,
        }
    )
    return cfg


def endpoints(action_token: Optional[bool] = None, settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Rasa's endpoints; `action_token`: whether Rasa sends ACTION_SERVER_TOKEN (default: whether it is set)."""
    settings = settings or get_settings()
    action_url = settings.action_endpoint_url or f"http://127.0.0.1:{settings.action_port}/webhook"
    action: Dict[str, Any] = {"url": action_url}
    if action_token if action_token is not None else bool(settings.action_server_token):
        # Rasa reads ${...} from its own environment when it loads this file: the secret is never written.
        action["headers"] = {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}
    out: Dict[str, Any] = {"action_endpoint": action, "tracker_store": tracker_store(settings)}
    redis = settings.redis_url
    if redis:
        u = urlparse(redis)
        out["lock_store"] = {
            "type": "redis",
            "url": u.hostname,
            "port": u.port or 6379,
            "db": int((u.path or "/0").lstrip("/") or 0),
            "key_prefix": "complaints",
        }
        if u.password:
            out["lock_store"]["password"] = u.password
    return out


def credentials(settings: Optional[Settings] = None) -> Dict[str, Any]:
    """Rasa's channels: the REST chat always, SMS when Twilio (or SMS_DEV) is configured."""
    settings = settings or get_settings()
    creds: Dict[str, Any] = {"channels.rest.RestInput": None}
    if settings.twilio_auth_token or settings.sms_dev:
        creds["channels.sms.SmsInput"] = {
            "account_sid": settings.twilio_account_sid or "",
            "auth_token": settings.twilio_auth_token or "",
            "twilio_number": settings.twilio_number or "",
            "public_url": settings.public_url or "",
        }
    return creds


def write(directory: Path, action_token: Optional[bool] = None, settings: Optional[Settings] = None) -> Dict[str, Path]:
    """Write endpoints.yml and credentials.yml into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"endpoints": directory / "endpoints.yml", "credentials": directory / "credentials.yml"}
    paths["endpoints"].write_text(yaml.safe_dump(endpoints(action_token, settings), sort_keys=False))
    paths["credentials"].write_text(yaml.safe_dump(credentials(settings), sort_keys=False))
    return paths
