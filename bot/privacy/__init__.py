"""Privacy by design: pseudonymous ids, redaction of identifiers, encryption of contact details.

* `pseudonym(sender_id)` turns a channel's sender id (a web session id, a phone
  number) into a stable id that cannot be turned back, with a secret key.
* `redact(text)` removes names, phone numbers, emails, NHS numbers, postcodes,
  dates of birth and addresses (see redaction.py).
* `seal(contact)` / `unseal(token)` encrypt contact details with the key from
  CONTACT_KEY (Fernet: AES-128-CBC with HMAC-SHA256).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

from bot.settings import data_dir, get_settings

log = logging.getLogger(__name__)


def _key_file(name: str) -> Path:
    return data_dir() / "keys" / name


def _load_or_create(env: str, value: Optional[str], name: str, make) -> bytes:
    """A secret from the settings (`value`, of the variable `env`); for local development only, one generated
    under the data folder."""
    if value:
        return value.encode()
    path = _key_file(name)
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = make()
    # Several processes (Rasa servers, the action server) may get here at once: write the key whole
    # under a private name, then link it into place; whoever links first wins and everyone uses theirs.
    tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return path.read_bytes().strip()
    finally:
        tmp.unlink()
    log.warning("%s is not set: generated a development key in %s (set it in production)", env, path)
    return key


@lru_cache(maxsize=1)
def _pseudonym_key() -> bytes:
    return _load_or_create(
        "PSEUDONYM_KEY", get_settings().pseudonym_key, "pseudonym.key", lambda: secrets.token_hex(32).encode()
    )


def pseudonym(sender_id: str) -> str:
    """A stable, one-way id for a sender (24 hex characters)."""
    return hmac.new(_pseudonym_key(), str(sender_id).encode(), hashlib.sha256).hexdigest()[:24]


def keyed_digest(purpose: str, value: str) -> bytes:
    """HMAC-SHA256 of `value` with a key derived from PSEUDONYM_KEY for one `purpose` (32 bytes)."""
    key = hmac.new(_pseudonym_key(), f"purpose:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, str(value).encode(), hashlib.sha256).digest()


@lru_cache(maxsize=1)
def _fernet():
    from cryptography.fernet import Fernet

    return Fernet(_load_or_create("CONTACT_KEY", get_settings().contact_key, "contact.key", Fernet.generate_key))


def seal(contact: Dict[str, Any]) -> str:
    """Encrypt contact details for storage."""
    return _fernet().encrypt(json.dumps(contact, sort_keys=True).encode()).decode()


def unseal(token: Optional[str]) -> Optional[Dict[str, Any]]:
    """Decrypt sealed contact details (None stays None)."""
    if not token:
        return None
    return json.loads(_fernet().decrypt(token.encode()))


from bot.privacy.redaction import redact  # noqa: E402

__all__ = ["keyed_digest", "pseudonym", "redact", "seal", "unseal"]
