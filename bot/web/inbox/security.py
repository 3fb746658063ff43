"""The inbox's security: sessions, expiry, CSRF, roles, sign-in throttling, headers, audit.

Everything under /inbox goes through `inbox_middleware`:

* security headers on every response (a strict Content-Security-Policy with no inline
  script, no framing, no referrer outside the site, nosniff, `Cache-Control: no-store`);
* the session, kept in an encrypted cookie (Fernet; key from INBOX_SESSION_KEY, or a
  development key generated under DATA_DIR/keys), HttpOnly, SameSite=Strict, Secure on
  HTTPS or when INBOX_SECURE_COOKIES=1, scoped to /inbox;
* sessions end after 30 minutes without a request, 12 hours after sign-in, at sign-out,
  when the account is deactivated or its password is reset;
* no session: GET and HEAD are redirected (302) to the login page, anything else is 401;
* a CSRF token per session, compared in constant time, on every request that is not
  GET, HEAD or OPTIONS (403 otherwise);
* every handler declares the roles it serves (`@roles(...)`); a handler without a
  declaration is refused (deny by default);
* failed sign-ins slow the next ones, per account (bot.staff) and per client address, with
  a wait that doubles each time, never a hard lock; a browser that signed in to an account
  before carries a "trusted device" cookie, which skips that account's wait and is limited on
  its own instead of by its address, so an attacker cannot keep the owner out.

aiohttp 3.9 with the locked yarl cannot resolve sub-applications (`request.url` fails on a
Host header with a port), so the inbox's routes live on the main application under /inbox
and this middleware only acts on those paths.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from aiohttp import web
from aiohttp_session import Session, get_session, session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet, InvalidToken

from bot.limits import LimitBackend, Window, make_backend
from bot.record.db import session_scope
from bot.record.models import AuditEntry
from bot.settings import data_dir, get_settings
from bot.staff import StaffInfo, get_staff

log = logging.getLogger(__name__)

PREFIX = "/inbox"
SESSION_COOKIE = "inbox_session"
LOGIN_COOKIE = "inbox_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}


# ------------------------------------------------------------------ clock, config, state
class Clock:
    """The inbox's notion of now; tests move it with `offset` (seconds)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def utcnow(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.time(), dt.timezone.utc).replace(tzinfo=None)


@dataclass
class Config:
    idle_seconds: int = 30 * 60
    absolute_seconds: int = 12 * 3600
    ip_window_seconds: int = 15 * 60
    # failed sign-ins from one address (or device) in the window before a wait (INBOX_SIGNIN_FREE_FAILURES)
    ip_free_failures: int = field(default_factory=lambda: get_settings().inbox_signin_free_failures)
    # sign-in attempts from one address in the window (INBOX_SIGNIN_ATTEMPTS)
    ip_attempt_limit: int = field(default_factory=lambda: get_settings().inbox_signin_attempts)
    fail_delay: float = 0.5          # seconds added to every failed sign-in
    device_days: int = 180           # how long a browser stays trusted for an account after signing in
    secure_cookies: bool = field(default_factory=lambda: get_settings().inbox_secure_cookies)
    page_size: int = 25


class IpLimiter:
    """Sign-in attempts and failures per client address (or trusted device), in a sliding window.

    After `ip_free_failures` failures in the window, each further attempt waits twice as long as the
    last (1 s, 2 s, 4 s ... up to the window) after the latest failure: slow for a guesser, brief for a
    person who mistyped. The counts are kept in Redis when REDIS_URL is set, so every web process
    counts together (bot.limits); `retry_after` and `record` raise `LimitUnavailable` when they cannot be.
    """

    def __init__(self, clock: Clock, config: Config, backend: Optional[LimitBackend] = None) -> None:
        self.clock, self.config = clock, config
        self.backend = backend if backend is not None else make_backend()

    def _windows(self, ip: str) -> Tuple[Window, Window]:
        seconds = self.config.ip_window_seconds
        return (Window("signin-try", ip, seconds, cap=self.config.ip_attempt_limit),
                Window("signin-fail", ip, seconds, cap=self.config.ip_free_failures + 32))

    def retry_after(self, ip: str) -> int:
        """Seconds until this address may try again (0: it may try now)."""
        tries, fails = self._windows(ip)
        now = self.clock.time()
        failed = self.backend.recent(fails, now)
        extra = len(failed) - self.config.ip_free_failures
        if extra >= 0:
            wait = min(2 ** min(extra, 20), self.config.ip_window_seconds)
            left = failed[-1] + wait - now
            if left > 0:
                return max(1, int(left + 0.999))
        tried = self.backend.recent(tries, now)
        if len(tried) >= self.config.ip_attempt_limit:
            return max(1, int(tried[-self.config.ip_attempt_limit] + self.config.ip_window_seconds - now) + 1)
        return 0

    def record(self, ip: str, failed: bool) -> None:
        """Count one attempt from this address (and one failure, when it failed)."""
        tries, fails = self._windows(ip)
        self.backend.hit([tries, fails] if failed else [tries], self.clock.time())


class Inbox:
    """Per-application state of the inbox."""

    def __init__(self, session_key: bytes) -> None:
        self.clock = Clock()
        self.config = Config()
        self.limiter = IpLimiter(self.clock, self.config)
        self.revoked: Dict[str, float] = {}     # session ids signed out, until they would expire anyway
        self.storage = CookieStorage(self, session_key)
        self.fernet = Fernet(session_key)
        self._session_mw = session_middleware(self.storage)

    def revoke(self, sid: Optional[str]) -> None:
        if not sid:
            return
        now = self.clock.time()
        for k, until in list(self.revoked.items()):
            if until < now:
                del self.revoked[k]
        self.revoked[sid] = now + self.config.absolute_seconds


INBOX = web.AppKey("inbox", Inbox)


def inbox_of(request: web.Request) -> Inbox:
    return request.config_dict[INBOX]


# ------------------------------------------------------------------------------ sessions
def session_key() -> bytes:
    """INBOX_SESSION_KEY (a Fernet key), or for development one generated under DATA_DIR/keys."""
    value = get_settings().inbox_session_key
    if value:
        key = value.strip().encode()
    else:
        path: Path = data_dir() / "keys" / "inbox_session.key"
        if path.exists():
            key = path.read_bytes().strip()
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = Fernet.generate_key()
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    os.write(fd, key)
                finally:
                    os.close(fd)
                log.warning("INBOX_SESSION_KEY is not set: generated a development key in %s "
                            "(set it in production)", path)
            except FileExistsError:  # another process made it first
                key = path.read_bytes().strip()
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise RuntimeError("INBOX_SESSION_KEY is not a Fernet key (32 url-safe base64-encoded bytes); "
                           "make one with: python -c 'from cryptography.fernet import Fernet; "
                           "print(Fernet.generate_key().decode())'") from None
    return key


class CookieStorage(EncryptedCookieStorage):
    """aiohttp-session's encrypted cookie, scoped to /inbox, Secure decided per request."""

    def __init__(self, inbox: Inbox, key: bytes) -> None:
        super().__init__(Fernet(key), cookie_name=SESSION_COOKIE, path=PREFIX, httponly=True, samesite="Strict")
        self.inbox = inbox

    async def load_session(self, request: web.Request) -> Session:
        cookie = self.load_cookie(request)
        if cookie:
            try:
                # The token's own timestamp is a backstop for the absolute limit (real time).
                raw = self._fernet.decrypt(cookie.encode("utf-8"), ttl=self.inbox.config.absolute_seconds + 60)
                data = json.loads(raw.decode("utf-8"))
                if isinstance(data, dict) and isinstance(data.get("session"), dict):
                    return Session(None, data=data, new=False, max_age=None)
            except (InvalidToken, ValueError, UnicodeDecodeError):
                log.info("inbox: an unreadable session cookie was ignored")
        return Session(None, data=None, new=True, max_age=None)

    async def save_session(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        if session.empty:
            response.del_cookie(SESSION_COOKIE, path=PREFIX)
            return
        token = self._fernet.encrypt(json.dumps(self._get_session_data(session)).encode("utf-8")).decode("utf-8")
        response.set_cookie(SESSION_COOKIE, token, path=PREFIX, httponly=True, samesite="Strict",
                            secure=secure_request(request))


DEVICE_COOKIE = "inbox_device"


def device_cookie(request: web.Request, staff_id: int) -> str:
    """A trusted-device token for this account (encrypted with the session key: it cannot be made up)."""
    data = {"staff": int(staff_id), "n": secrets.token_urlsafe(9)}
    return inbox_of(request).fernet.encrypt(json.dumps(data).encode("utf-8")).decode("ascii")


def trusted_device(request: web.Request) -> Optional[Tuple[int, str]]:
    """(account id, device id) of this browser's trusted-device cookie, or None."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw:
        return None
    inbox = inbox_of(request)
    try:
        data = json.loads(inbox.fernet.decrypt(raw.encode("ascii"), ttl=inbox.config.device_days * 86400))
        return int(data["staff"]), str(data["n"])[:32]
    except (InvalidToken, ValueError, KeyError, TypeError, UnicodeError):
        return None


def secure_request(request: web.Request) -> bool:
    """Secure cookies on HTTPS, behind a trusted proxy that says HTTPS, or when INBOX_SECURE_COOKIES=1."""
    if request.secure or inbox_of(request).config.secure_cookies:
        return True
    return _trust_proxy() and request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() == "https"


async def start_session(request: web.Request, staff: StaffInfo) -> Session:
    """A brand-new session for a successful sign-in (nothing carried over from before)."""
    from aiohttp_session import new_session

    old = await get_session(request)
    inbox_of(request).revoke(old.get("sid"))
    old.invalidate()
    s = await new_session(request)
    now = inbox_of(request).clock.time()
    s.update({"staff_id": staff.id, "sid": secrets.token_urlsafe(16), "created": now, "seen": now,
              "csrf": secrets.token_urlsafe(32), "stamp": staff.stamp})
    return s


async def end_session(request: web.Request) -> None:
    s = await get_session(request)
    inbox_of(request).revoke(s.get("sid"))
    s.invalidate()


def csrf_token(request: web.Request) -> str:
    return request.get("inbox_csrf", "")


def flash(request: web.Request, text: str, kind: str = "info") -> None:
    """A message for the next page (Post/Redirect/Get)."""
    s = request.get("inbox_session")
    if s is not None:
        msgs = list(s.get("flash") or [])[-4:]
        msgs.append([kind, text[:500]])
        s["flash"] = msgs


def take_flash(request: web.Request) -> list:
    s = request.get("inbox_session")
    if s is None or not s.get("flash"):
        return []
    msgs = s.pop("flash")
    return [{"kind": k, "text": t} for k, t in msgs]


async def _current_staff(request: web.Request, s: Session) -> Tuple[Optional[StaffInfo], str]:
    """The signed-in account, or (None, why): '', 'idle', 'expired', 'ended'."""
    if not s.get("staff_id"):
        return None, ""
    inbox = inbox_of(request)
    now = inbox.clock.time()
    why = ""
    try:
        created, seen = float(s.get("created", 0)), float(s.get("seen", 0))
    except (TypeError, ValueError):
        created = seen = 0.0
    if now - created > inbox.config.absolute_seconds:
        why = "expired"
    elif now - seen > inbox.config.idle_seconds:
        why = "idle"
    elif s.get("sid") in inbox.revoked:
        why = "ended"
    staff = None
    if not why:
        staff = await in_thread(get_staff, int(s["staff_id"]))
        if staff is None or not staff.active or not hmac.compare_digest(str(s.get("stamp", "")), staff.stamp):
            why, staff = "ended", None
    if why:
        await audit(request, "session_ended", staff_id=int(s["staff_id"]), detail=why)
        inbox.revoke(s.get("sid"))
        s.invalidate()
        return None, why
    return staff, ""


# ------------------------------------------------------------------------- decorators
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def roles(*allowed: str) -> Callable[[Handler], Handler]:
    """Declare the roles a handler serves; the middleware refuses everyone else (403)."""

    def mark(fn: Handler) -> Handler:
        fn.inbox_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return fn
    return mark


def public(fn: Handler) -> Handler:
    """The login page: served without a session (it checks its own CSRF cookie)."""
    fn.inbox_public = True  # type: ignore[attr-defined]
    return fn


class InboxError(Exception):
    """Refuse a request with a status and a plain message (rendered as a page)."""

    def __init__(self, status: int, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


def is_inbox_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def safe_next(value: Optional[str]) -> str:
    """A place to go back to after sign-in: only a path inside the inbox."""
    value = value or ""
    if (value.startswith(PREFIX + "/") and not value.startswith("//") and "\\" not in value
            and "\r" not in value and "\n" not in value and "/login" not in value and len(value) < 500):
        return value
    return PREFIX + "/"


# ------------------------------------------------------------------------- middleware
ErrorRenderer = Callable[[web.Request, int, str], web.Response]
_render_error: Optional[ErrorRenderer] = None


def set_error_renderer(fn: ErrorRenderer) -> None:
    global _render_error
    _render_error = fn


def _error_response(request: web.Request, status: int, message: str, headers: Optional[Dict[str, str]] = None
                    ) -> web.Response:
    if _render_error is not None:
        try:
            resp = _render_error(request, status, message)
        except Exception:  # never fail while failing
            log.exception("inbox: error page failed")
            resp = web.Response(status=status, text=message)
    else:
        resp = web.Response(status=status, text=message)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


async def _form_token(request: web.Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_post(request)
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def read_post(request: web.Request) -> Any:
    """The posted form; a body that cannot be read as a form (not UTF-8, cut short) is a 400, not a 500."""
    try:
        return await request.post()
    except web.HTTPException:
        raise
    except (ValueError, UnicodeError, AssertionError):
        raise InboxError(400, "The form could not be read. Reload the page and try again.") from None


async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Inside the session middleware: who is this, may they do this, is the request genuine."""
    s = await get_session(request)
    request["inbox_session"] = s
    staff, why = await _current_staff(request, s)
    request["staff"] = staff
    target = request.match_info.handler
    try:
        if getattr(target, "inbox_public", False):
            return await handler(request)
        if staff is None:
            if request.method in ("GET", "HEAD"):
                qs = f"?next={_quote(request.path_qs)}" if request.path not in (PREFIX, PREFIX + "/") else ""
                if why in ("idle", "expired"):
                    qs += ("&" if qs else "?") + f"reason={why}"
                return redirect(f"{PREFIX}/login{qs}")
            raise InboxError(401, "You are not signed in.")
        request["inbox_csrf"] = s.get("csrf", "")
        if request.method not in SAFE_METHODS:
            expected = s.get("csrf", "")
            given = await _form_token(request)
            if not expected or not given or not hmac.compare_digest(given.encode(), str(expected).encode()):
                await audit(request, "csrf_refused", detail=f"{request.method} {request.path}"[:200])
                raise InboxError(403, "This form has expired or did not come from the inbox. "
                                      "Go back, reload the page and try again.")
        allowed = getattr(target, "inbox_roles", None)
        if allowed is None:
            exc = request.match_info.http_exception
            if exc is not None:
                raise InboxError(exc.status, "There is no such page." if exc.status == 404 else exc.reason)
            raise InboxError(403, "You do not have access to this page.")
        if staff.role not in allowed:
            await audit(request, "access_refused", detail=f"{request.method} {request.path}"[:200])
            raise InboxError(403, "Your role does not give access to this page.")
        s["seen"] = inbox_of(request).clock.time()
        return await handler(request)
    except InboxError as e:
        return _error_response(request, e.status, e.message, e.headers)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


@web.middleware
async def inbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_inbox_path(request.path):
        return await handler(request)
    inbox = inbox_of(request)
    try:
        resp = await inbox._session_mw(request, partial(_guard, handler=handler))
    except web.HTTPException as e:
        if e.status >= 400:
            resp = _error_response(request, e.status, "There is no such page." if e.status == 404 else e.reason)
        else:
            resp = web.Response(status=e.status, headers=e.headers)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("inbox: error in %s %s", request.method, request.path)
        resp = _error_response(request, 500, "Something went wrong on our side. Nothing you did caused it; "
                                             "try again, and tell the administrator if it keeps happening.")
    for k, v in HEADERS.items():
        resp.headers[k] = v
    return resp


# ------------------------------------------------------------------------------ audit
def _trust_proxy() -> bool:
    return get_settings().inbox_trust_proxy


def client_ip(request: web.Request) -> str:
    """The client's address; behind a reverse proxy (INBOX_TRUST_PROXY=1) the last X-Forwarded-For hop."""
    if _trust_proxy():
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return (request.remote or "")[:64]


async def audit(request: Optional[web.Request], action: str, *, target: Optional[str] = None,
                detail: Optional[str] = None, staff_id: Optional[int] = None, staff_name: Optional[str] = None) -> None:
    """Write one audit entry, off the event loop (never raises: a failed audit is logged, the request goes on)."""
    staff = request.get("staff") if request is not None else None
    if staff is not None:
        staff_id = staff_id if staff_id is not None else staff.id
        staff_name = staff_name or staff.name
    row = AuditEntry(staff_id=staff_id, staff_name=staff_name, action=action[:40],
                     target=(target or None) and target[:40], detail=(detail or None) and detail[:1000])
    if request is not None:
        row.at, row.ip = inbox_of(request).clock.utcnow(), client_ip(request)
    try:
        await in_thread(write_audit, row)
    except Exception:
        log.exception("inbox: could not write the audit entry %s", action)


def write_audit(row: AuditEntry) -> None:
    """Store an audit entry (blocking: the database), naming the account when only its id is known."""
    if row.staff_id is not None and row.staff_name is None:
        info = get_staff(row.staff_id)
        row.staff_name = info.name if info else None
    with session_scope() as s:
        s.add(row)


async def must_audit(request: web.Request, action: str, **kw: Any) -> None:
    """Audit before showing personal data: if the audit cannot be written, nothing is shown."""
    staff = request["staff"]
    row = AuditEntry(at=inbox_of(request).clock.utcnow(), staff_id=staff.id, staff_name=staff.name,
                     action=action[:40], target=(kw.get("target") or None) and kw["target"][:40],
                     detail=(kw.get("detail") or None) and kw["detail"][:1000], ip=client_ip(request))
    try:
        await in_thread(write_audit, row)
    except Exception:
        log.exception("inbox: could not write the audit entry %s", action)
        raise InboxError(503, "The audit log cannot be written just now, so the record is not shown. "
                              "Try again in a minute.")


async def in_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run blocking work off the event loop, in the default thread pool: every database call (the record,
    staff accounts, the audit log), password hashing, sending a text. A handler never calls these directly:
    one slow query would hold up every other request of the web app (tests/inbox/test_event_loop.py)."""
    return await asyncio.get_running_loop().run_in_executor(None, partial(fn, *args, **kwargs))
