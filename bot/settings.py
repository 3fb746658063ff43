"""Settings from the environment: read once, checked, in one place (issue 14).

`get_settings()` reads the environment the first time it is called and returns a frozen
`Settings`; every other module in bot/, actions/ and channels/ asks it instead of reading
`os.environ` (tests/unit/test_settings.py checks that). A value a variable does not accept
stops start-up with one line naming the variable and what it accepts (`SettingsError`).
Every field is a row of the table of variables in README.md (tested too).

Processes started by `python -m bot run` get their environment from the supervisor and read
their own settings when they start.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Tuple
from urllib.parse import urlparse

PROJECT_DIR = Path(__file__).resolve().parent.parent

NATIONS = ("england", "scotland", "wales", "northern_ireland")
ROLES = ("actions", "rasa", "web")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DB_URL = "postgresql://user:password@host/name or sqlite:///path"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A variable has a value it does not accept; the message is one line naming both."""


class _Reject(ValueError):
    """Raised by a parser: the argument says what the variable accepts."""


# ------------------------------------------------------------------------------ parsers
def _text(raw: str) -> str:
    return raw


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise _Reject("a port number 1-65535")
    return int(raw)


def _port_or_off(raw: str) -> int:
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise _Reject("a port number 1-65535, or 0 for none")
    return int(raw)


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
            raise _Reject(f"a whole number {minimum} or more")
        return int(raw)

    return parse


def _flag(raw: str) -> bool:
    value = raw.lower()
    if value not in _TRUE + _FALSE:
        raise _Reject("1 or 0 (or true/false, yes/no, on/off)")
    return value in _TRUE


def _url(*schemes: str, host: bool = True, like: str = "") -> Callable[[str], str]:
    """A URL with one of `schemes` (any scheme when none is given) and, with `host`, a host name."""
    accepts = f"a URL like {like or schemes[0] + '://host:port'}" + (
        f" ({' or '.join(schemes)})" if len(schemes) > 1 else ""
    )

    def parse(raw: str) -> str:
        u = urlparse(raw)
        if (
            "://" not in raw
            or not re.fullmatch(r"[a-z][a-z0-9+.\-]*", u.scheme)
            or (schemes and u.scheme.split("+")[0] not in schemes)
            or (host and not u.hostname)
        ):
            raise _Reject(accepts)
        return raw

    return parse


def _url_list(*schemes: str) -> Callable[[str], Tuple[str, ...]]:
    one = _url(*schemes)

    def parse(raw: str) -> Tuple[str, ...]:
        items = tuple(i.strip().rstrip("/") for i in raw.split(",") if i.strip())
        try:
            return tuple(one(i) for i in items)
        except _Reject:
            raise _Reject(f"comma-separated URLs like {schemes[0]}://host:port") from None

    return parse


def _choice(options: Tuple[str, ...], normalise: Callable[[str], str] = str.lower) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = normalise(raw)
        if value not in options:
            raise _Reject("one of " + ", ".join(options))
        return value

    return parse


def _nation(raw: str) -> str:
    return _choice(NATIONS, lambda v: v.lower().replace(" ", "_").replace("-", "_"))(raw)


def parse_roles(raw: Optional[str]) -> Tuple[str, ...]:
    """RUN_ONLY: a comma-separated subset of actions, rasa, web, in that order (empty: all of them)."""
    roles = {r.strip().lower() for r in (raw or "").split(",") if r.strip()}
    if roles - set(ROLES):
        raise _Reject("parts from " + ", ".join(ROLES) + ", comma-separated")
    return tuple(r for r in ROLES if r in roles) or ROLES


def _name(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,40}", raw):
        raise _Reject("a name of letters, digits, '.', '_' or '-' (40 at most)")
    return raw


def _host(raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.:\-\[\]%]{1,255}", raw):
        raise _Reject("a host name or an IP address, like 127.0.0.1 or 0.0.0.0")
    return raw


def _fernet_key(raw: str) -> str:
    try:
        ok = len(base64.urlsafe_b64decode(raw.encode())) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise _Reject(
            "a Fernet key (32 url-safe base64-encoded bytes: "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        )
    return raw


def _var(env: str, parse: Callable[[str], Any], default: Any = None, secret: bool = False) -> Any:
    """A field read from the variable `env` with `parse`; unset or empty means `default`."""
    return field(default=default, repr=not secret, metadata={"env": env, "parse": parse, "secret": secret})


# ------------------------------------------------------------------------------ the settings
@dataclass(frozen=True)
class Settings:
    """Every environment variable the code reads, parsed and checked. README.md describes each one."""

    data_dir: Path = _var("DATA_DIR", _path, PROJECT_DIR / "var")
    database_url: Optional[str] = _var("DATABASE_URL", _url(host=False, like=_DB_URL), secret=True)
    tracker_database_url: Optional[str] = _var("TRACKER_DATABASE_URL", _url(host=False, like=_DB_URL), secret=True)
    redis_url: Optional[str] = _var(
        "REDIS_URL", _url("redis", "rediss", like="redis://:password@host:6379/0"), secret=True
    )
    rasa_port: int = _var("RASA_PORT", _port, 5005)
    action_port: int = _var("ACTION_PORT", _port, 5055)
    web_port: int = _var("WEB_PORT", _port, 8080)
    rasa_servers: int = _var("RASA_SERVERS", _at_least(1), 1)
    rasa_host: str = _var("RASA_HOST", _host, "0.0.0.0")
    rasa_instance: str = _var("RASA_INSTANCE", _name, "rasa")
    run_only: Tuple[str, ...] = _var("RUN_ONLY", parse_roles, ROLES)
    default_nation: Optional[str] = _var("DEFAULT_NATION", _nation)
    retention_days: int = _var("RETENTION_DAYS", _at_least(1), 365)
    retention_auto: bool = _var("RETENTION_AUTO", _flag, True)
    pseudonym_key: Optional[str] = _var("PSEUDONYM_KEY", _text, secret=True)
    contact_key: Optional[str] = _var("CONTACT_KEY", _fernet_key, secret=True)
    inbox_session_key: Optional[str] = _var("INBOX_SESSION_KEY", _fernet_key, secret=True)
    inbox_secure_cookies: bool = _var("INBOX_SECURE_COOKIES", _flag, False)
    inbox_trust_proxy: bool = _var("INBOX_TRUST_PROXY", _flag, False)
    sms_dev: bool = _var("SMS_DEV", _flag, False)
    sms_rate_per_minute: int = _var("SMS_RATE_PER_MINUTE", _at_least(1), 10)
    sms_rate_per_day: int = _var("SMS_RATE_PER_DAY", _at_least(1), 200)
    twilio_account_sid: Optional[str] = _var("TWILIO_ACCOUNT_SID", _text)
    twilio_auth_token: Optional[str] = _var("TWILIO_AUTH_TOKEN", _text, secret=True)
    twilio_number: Optional[str] = _var("TWILIO_NUMBER", _text)
    twilio_api_base: Optional[str] = _var("TWILIO_API_BASE", _url("http", "https"))
    public_url: Optional[str] = _var("PUBLIC_URL", _url("https", "http"))
    allowed_origins: Tuple[str, ...] = _var(
        "ALLOWED_ORIGINS", _url_list("https", "http"), ("http://localhost:8080", "http://127.0.0.1:8080")
    )
    widget_rasa_url: Optional[str] = _var("WIDGET_RASA_URL", _url("https", "http"))
    rasa_urls: Tuple[str, ...] = _var("RASA_URLS", _url_list("http", "https"), ())
    action_host: str = _var("ACTION_HOST", _host, "127.0.0.1")
    action_endpoint_url: Optional[str] = _var("ACTION_ENDPOINT_URL", _url("http", "https"))
    action_health_url: Optional[str] = _var("ACTION_HEALTH_URL", _url("http", "https"))
    action_server_token: Optional[str] = _var("ACTION_SERVER_TOKEN", _text, secret=True)
    reference_lookups_per_hour: int = _var("REFERENCE_LOOKUPS_PER_HOUR", _at_least(1), 10)
    reference_lookups_global_per_hour: int = _var("REFERENCE_LOOKUPS_GLOBAL_PER_HOUR", _at_least(1), 300)
    inbox_signin_free_failures: int = _var("INBOX_SIGNIN_FREE_FAILURES", _at_least(1), 10)
    inbox_signin_attempts: int = _var("INBOX_SIGNIN_ATTEMPTS", _at_least(1), 60)
    sanic_request_max_size: int = _var("SANIC_REQUEST_MAX_SIZE", _at_least(1024), 1024 * 1024)
    log_format: str = _var("LOG_FORMAT", _choice(LOG_FORMATS), "text")
    log_level: str = _var("LOG_LEVEL", _choice(LOG_LEVELS, str.upper), "INFO")
    log_component: Optional[str] = _var("LOG_COMPONENT", _name)
    metrics_token: Optional[str] = _var("METRICS_TOKEN", _text, secret=True)
    metrics_port: int = _var("METRICS_PORT", _port_or_off, 0)
    prometheus_multiproc_dir: Optional[Path] = _var("PROMETHEUS_MULTIPROC_DIR", _path)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        """Settings from `environ` (os.environ at start-up); SettingsError names the first bad variable."""
        values: Dict[str, Any] = {}
        for f in fields(cls):
            raw = (environ.get(f.metadata["env"]) or "").strip()
            if not raw:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except _Reject as e:
                shown = f"a value of {len(raw)} characters" if f.metadata["secret"] else repr(_short(raw))
                raise SettingsError(f"{f.metadata['env']}: expected {e}, got {shown}") from None
        return cls(**values)

    @staticmethod
    def variables() -> Tuple[str, ...]:
        """The names of the environment variables, in the order of the fields."""
        return tuple(f.metadata["env"] for f in fields(Settings))


def _short(raw: str, limit: int = 60) -> str:
    return raw if len(raw) <= limit else raw[:limit] + "..."


_settings: Optional[Settings] = None


def get_settings() -> Settings:
    """This process's settings, read from the environment the first time (SettingsError if one is bad)."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env(os.environ)
    return _settings


def reset_settings() -> None:
    """Forget the settings read so far: the next get_settings() reads the environment again (tests, and
    the supervisor after it sets a variable for itself)."""
    global _settings
    _settings = None


def settings_or_exit(prog: str) -> Settings:
    """The settings for a server's entry point: a bad value prints one line and exits with status 2."""
    try:
        return get_settings()
    except SettingsError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        raise SystemExit(2) from None


# ------------------------------------------------------------------------------ shorthands
def data_dir() -> Path:
    """Runtime data (SQLite files, logs, keys): DATA_DIR, or var/ in the project; made if missing."""
    d = get_settings().data_dir
    d.mkdir(parents=True, exist_ok=True)
    return d


def rasa_port() -> int:
    """The (first) Rasa server's port: RASA_PORT."""
    return get_settings().rasa_port


def action_port() -> int:
    """The action server's port: ACTION_PORT."""
    return get_settings().action_port


def web_port() -> int:
    """The web app's port: WEB_PORT."""
    return get_settings().web_port


def database_url() -> str:
    """The record's database: DATABASE_URL, or SQLite under the data folder."""
    return get_settings().database_url or f"sqlite:///{data_dir() / 'record.db'}"


def tracker_database_url() -> str:
    """Rasa's tracker store: TRACKER_DATABASE_URL (postgres:// spelt postgresql://), or SQLite under the data
    folder."""
    url = get_settings().tracker_database_url
    if url:
        return url.replace("postgres://", "postgresql://", 1)
    return f"sqlite:///{data_dir() / 'tracker.db'}"


def retention_days() -> int:
    """How long conversations, interactions and closed referrals are kept (RETENTION_DAYS)."""
    return get_settings().retention_days


def redis_url() -> Optional[str]:
    """REDIS_URL: the Redis shared by every server (lock store, rate limits), or None when not set."""
    return get_settings().redis_url or None
