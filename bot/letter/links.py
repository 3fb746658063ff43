"""Drafted letters behind a short link, for people who talk to the assistant by text message.

A text message cannot hold a letter, so the draft is kept for 7 days behind an unguessable link
(`{base}/l/{token}`, served by the web app) and then deleted:

* the token is 128 random bits; only its SHA-256 hash is stored, so the database alone gives no link;
* the letter is encrypted at rest with the key of the contact details (CONTACT_KEY, Fernet);
* a link past its 7 days is refused at once, and `purge()` (run by the daily retention job,
  bot/record/retention.py) deletes it for good.

Nothing here names the person, their number or their conversation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.letter.compose import Letter
from bot.record.db import session_scope
from bot.record.models import LetterLink, utcnow
from bot.record.store import StoreUnavailable

#: How long a link works.
LINK_DAYS = 7
#: A link's token: 16 random bytes, URL-safe base64 (22 characters).
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep(letter: Letter, *, now: Optional[dt.datetime] = None, days: int = LINK_DAYS, url: Optional[str] = None) -> str:
    """Keep the letter, encrypted, for `days`; return the link's token. Raises StoreUnavailable."""
    from bot.privacy import seal

    now = now or utcnow()
    token = secrets.token_urlsafe(16)
    try:
        with session_scope(url) as s:
            s.add(
                LetterLink(
                    token_hash=_hash(token),
                    sealed=seal(letter.as_dict()),
                    created_at=now,
                    expires_at=now + dt.timedelta(days=days),
                )
            )
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e)) from e
    return token


def fetch(token: str, *, now: Optional[dt.datetime] = None, url: Optional[str] = None) -> Optional[Letter]:
    """The letter behind a token, or None when the token is unknown, malformed or expired."""
    from bot.privacy import unseal

    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    try:
        with session_scope(url) as s:
            row = s.execute(
                select(LetterLink.sealed, LetterLink.expires_at).where(LetterLink.token_hash == _hash(token))
            ).first()
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e)) from e
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    fields = unseal(row.sealed) or {}
    return Letter(**{k: str(fields.get(k) or "") for k in ("to", "subject", "body", "note")})


def purge(*, now: Optional[dt.datetime] = None, url: Optional[str] = None) -> int:
    """Delete every letter whose link has expired; return how many. Raises StoreUnavailable."""
    try:
        with session_scope(url) as s:
            result = s.execute(
                delete(LetterLink)
                .where(LetterLink.expires_at <= (now or utcnow()))
                .execution_options(synchronize_session=False)
            )
            return result.rowcount or 0
    except SQLAlchemyError as e:
        raise StoreUnavailable(str(e)) from e


def link(token: str) -> str:
    """The web address of a token's page.

    PUBLIC_URL in production (nginx sends /l/ to the web app); the local web app in development
    (with SMS_DEV, or when PUBLIC_URL is not set), as PUBLIC_URL then points at the Rasa server.
    """
    from bot.settings import get_settings

    settings = get_settings()
    public = (settings.public_url or "").rstrip("/")
    if not public or settings.sms_dev:
        public = f"http://localhost:{settings.web_port}"
    return f"{public}/l/{token}"


def sms_message(token: str) -> str:
    """The text message that gives the link."""
    return (
        f"Here is your draft letter: {link(token)} The link works for {LINK_DAYS} days. "
        "Then the letter is deleted, so save a copy."
    )
