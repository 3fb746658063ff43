"""Staff accounts for the inbox (CONTRACT section 7): adding, signing in, locking, deactivating.

Accounts are made only with `python -m bot staff add NAME --role ROLE` (the password is
read from standard input) or by an admin in the inbox: there are no default accounts.
Passwords are stored as Argon2id hashes (argon2-cffi's defaults, re-hashed on sign-in
when the defaults change).

Failed sign-ins slow the next attempt instead of locking the account: after `FREE_FAILURES`
failures in a row, each further attempt on the account must wait twice as long as the last
(1 s, 2 s, 4 s ... at most `MAX_WAIT_SECONDS`), and an attempt made during the wait is refused
unchecked. Guessing is slowed to a crawl, and the owner is never shut out for long; a browser
the owner has signed in from before skips the wait (`trusted`, see bot/web/inbox/security.py),
so an attacker cannot keep the owner out at all. `python -m bot staff unlock NAME` (or an admin
in the inbox) clears the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.record.db import session_scope
from bot.record.models import Staff, utcnow

ROLES = ("reviewer", "admin", "analyst")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
MAX_NAME = 80
#: Failed sign-ins in a row on one account before any wait.
FREE_FAILURES = 5
#: The longest wait between attempts on one account.
MAX_WAIT_SECONDS = 60


class StaffError(Exception):
    """Bad input for an account (one line, shown to the person who typed it)."""


@dataclass(frozen=True)
class StaffInfo:
    """What the inbox needs to know about a signed-in account (never the hash)."""

    id: int
    name: str
    role: str
    active: bool
    stamp: str  # changes when the password changes or the account is deactivated
    created_at: Optional[dt.datetime] = None
    failed_logins: int = 0
    locked_until: Optional[dt.datetime] = None  # no attempt is checked before this time (the backoff)


@dataclass(frozen=True)
class SignIn:
    ok: bool
    staff: Optional[StaffInfo]
    reason: str  # ok, unknown, wrong_password, wait, inactive
    retry_after: int = 0  # seconds before the next attempt on this account is checked


def wait_after(failures: int) -> int:
    """Seconds the next attempt must wait after `failures` failed sign-ins in a row (0: none)."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES, 16), MAX_WAIT_SECONDS)


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher  # Argon2id by default

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so both cases take the same time.
    return _hasher().hash("not a password: timing equaliser")


def _stamp(row: Staff) -> str:
    return hashlib.sha256(f"{row.id}:{row.password_hash}:{bool(row.active)}".encode()).hexdigest()[:16]


def _info(row: Staff) -> StaffInfo:
    return StaffInfo(
        row.id,
        row.name,
        row.role,
        bool(row.active),
        _stamp(row),
        row.created_at,
        row.failed_logins or 0,
        row.locked_until,
    )


def clean_name(name: str) -> str:
    """The name with its spaces tidied; StaffError when empty, too long or holding control characters."""
    name = unicodedata.normalize("NFC", " ".join((name or "").split()))
    if not name:
        raise StaffError("a name is needed")
    if len(name) > MAX_NAME:
        raise StaffError(f"the name is too long (at most {MAX_NAME} characters)")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise StaffError("the name has control characters")
    return name


def check_role(role: str) -> str:
    """The role if it is one of ROLES, else StaffError."""
    if role not in ROLES:
        raise StaffError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """The password without a trailing newline; StaffError when too short or too long."""
    password = (password or "").rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password is too short: it needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StaffError(f"the password is too long (at most {MAX_PASSWORD} characters)")
    return password


def hash_password(password: str) -> str:
    """The Argon2id hash of a checked password."""
    return _hasher().hash(check_password(password))


def add_staff(name: str, role: str, password: str, url: Optional[str] = None) -> int:
    """Create an account and return its id (StaffError for bad input or a name already used)."""
    name, role = clean_name(name), check_role(role)
    if (password or "").rstrip("\r\n").strip().casefold() == name.casefold():
        raise StaffError("the password must not be the name")
    hashed = hash_password(password)
    try:
        with session_scope(url) as s:
            if s.execute(select(Staff.id).where(func.lower(Staff.name) == name.lower())).first():
                raise StaffError(f"an account called {name!r} already exists")
            row = Staff(name=name, role=role, password_hash=hashed, active=True)
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        raise StaffError(f"an account called {name!r} already exists") from None
    except SQLAlchemyError as e:
        raise StaffError(f"the record's database cannot be written: {type(e).__name__}") from None


def authenticate(
    name: str,
    password: str,
    now: Optional[dt.datetime] = None,
    url: Optional[str] = None,
    trusted: Optional[int] = None,
) -> SignIn:
    """Check a sign-in; failures in a row make the next attempt wait (`wait_after`).

    `trusted` is the id of the account a trusted browser (one signed in from before) belongs to:
    that account's wait does not apply to it.
    """
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    now = now or utcnow()
    name = " ".join((name or "").split())[:MAX_NAME]
    password = (password or "")[: MAX_PASSWORD + 2]
    with session_scope(url) as s:
        # FOR UPDATE (PostgreSQL): attempts on one account from several web processes take turns, so
        # none of them misses another's failure (SQLite ignores it and writes one at a time anyway).
        row = (
            s.execute(
                select(Staff).where(func.lower(Staff.name) == name.lower()).with_for_update()
            ).scalar_one_or_none()
            if name
            else None
        )
        if row is None:
            try:
                _hasher().verify(_dummy_hash(), password)
            except (VerificationError, InvalidHashError):
                pass
            return SignIn(False, None, "unknown")
        if row.locked_until and row.locked_until > now and trusted != row.id:
            return SignIn(False, _info(row), "wait", _seconds_until(row.locked_until, now))
        try:
            good = _hasher().verify(row.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            good = False
        if not good:
            row.failed_logins = func.coalesce(Staff.failed_logins, 0) + 1  # counted in the database
            s.flush()
            wait = wait_after(row.failed_logins)
            row.locked_until = now + dt.timedelta(seconds=wait) if wait else None
            return SignIn(False, _info(row), "wrong_password", wait)
        if not row.active:
            return SignIn(False, _info(row), "inactive")
        row.failed_logins, row.locked_until = 0, None
        if _hasher().check_needs_rehash(row.password_hash):
            row.password_hash = _hasher().hash(password)
        return SignIn(True, _info(row), "ok")


def _seconds_until(when: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((when - now).total_seconds() + 0.999))


def get_staff(staff_id: int, url: Optional[str] = None) -> Optional[StaffInfo]:
    """The account with this id, or None."""
    with session_scope(url) as s:
        row = s.get(Staff, staff_id)
        return _info(row) if row else None


def list_staff(url: Optional[str] = None) -> List[StaffInfo]:
    """Every account, by name."""
    with session_scope(url) as s:
        return [_info(r) for r in s.execute(select(Staff).order_by(Staff.name)).scalars()]


def set_active(staff_id: int, active: bool, url: Optional[str] = None) -> StaffInfo:
    """Deactivate (or reactivate) an account; deactivation ends its sessions at the next request."""
    with session_scope(url) as s:
        row = s.get(Staff, staff_id)
        if row is None:
            raise StaffError("no such account")
        if not active and row.role == "admin" and row.active:
            others = s.execute(
                select(func.count())
                .select_from(Staff)
                .where(Staff.role == "admin", Staff.active.is_(True), Staff.id != row.id)
            ).scalar()
            if not others:
                raise StaffError("this is the only active admin account: add another admin first")
        row.active = bool(active)
        return _info(row)


def reset_password(staff_id: int, password: str, url: Optional[str] = None) -> StaffInfo:
    """Set a new password; ends the account's sessions and clears a lockout."""
    with session_scope(url) as s:
        row = s.get(Staff, staff_id)
        if row is None:
            raise StaffError("no such account")
        if (password or "").strip().casefold() == row.name.casefold():
            raise StaffError("the password must not be the name")
        row.password_hash = hash_password(password)
        row.failed_logins, row.locked_until = 0, None
        return _info(row)


def unlock(staff_id: int, url: Optional[str] = None) -> StaffInfo:
    """Clear an account's failed sign-ins and any wait (the inbox's Unlock, `bot staff unlock`)."""
    with session_scope(url) as s:
        row = s.get(Staff, staff_id)
        if row is None:
            raise StaffError("no such account")
        row.failed_logins, row.locked_until = 0, None
        return _info(row)


def unlock_by_name(name: str, url: Optional[str] = None) -> StaffInfo:
    """`python -m bot staff unlock NAME`: StaffError when there is no such account."""
    name = " ".join((name or "").split())
    with session_scope(url) as s:
        # FOR UPDATE (PostgreSQL): attempts on one account from several web processes take turns, so
        # none of them misses another's failure (SQLite ignores it and writes one at a time anyway).
        row = (
            s.execute(
                select(Staff).where(func.lower(Staff.name) == name.lower()).with_for_update()
            ).scalar_one_or_none()
            if name
            else None
        )
        if row is None:
            raise StaffError(f"no account called {name!r}")
        row.failed_logins, row.locked_until = 0, None
        return _info(row)
