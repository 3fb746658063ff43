"""Rate limits: events counted in a sliding window, shared by every server through Redis when REDIS_URL
is set, kept in this process otherwise.

One small abstraction, `LimitBackend`, counts events per key in a window (`Window`) and says whether
one more is allowed; everything that limits how often something may happen uses it:

* reference lookups (`WindowLimit`, `reference_lookups()`): a few per client address (or phone number)
  per hour, and a ceiling for everyone together, so trying references one after another, from one
  address or from many, gets nowhere;
* staff sign-in throttling per address or trusted device (bot/web/inbox/security.py);
* how fast one phone number may text (channels/sms.py).

With REDIS_URL set (the production topology, several Rasa servers and web processes), the counts live
in Redis, so N servers do not multiply a limit: a sorted set of timestamps per key, changed by one Lua
script (atomic: two servers cannot both take the last place), with an expiry of one window. Keys carry
no phone number and no address: the part that names whose events they are is a keyed hash
(`bot.privacy.keyed_digest`, from PSEUDONYM_KEY, which every server shares already).

When Redis cannot be reached, `LimitUnavailable` is raised and every caller fails closed (the sign-in
page answers 503, a text is not run, a lookup is refused), because allowing without counting would
lift the limit for everyone; after a failure, Redis is not asked again for a few seconds, so a
dead Redis costs each request nothing but the refusal.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Deque, List, Optional, Protocol, Sequence, Tuple

from bot.settings import get_settings, redis_url

log = logging.getLogger(__name__)

#: Reference lookups per client address (or phone number) per hour (REFERENCE_LOOKUPS_PER_HOUR).
LOOKUPS_PER_ADDRESS = 10
#: Reference lookups per hour for everyone together (REFERENCE_LOOKUPS_GLOBAL_PER_HOUR); with Redis, for
#: all servers together.
LOOKUPS_GLOBAL = 300
#: How many keys one in-process backend remembers at most (the oldest are forgotten first), so a flood
#: cannot fill memory. (Redis forgets a key one window after its last event.)
MAX_KEYS = 50_000
#: Most events kept for a window that only counts (no limit of its own).
DEFAULT_CAP = 1000
#: Every Redis key of the limits starts with this.
REDIS_PREFIX = "hsc:limit:"


class LimitUnavailable(Exception):
    """The shared count cannot be read or written (Redis unreachable): callers refuse, they do not allow."""


@dataclass(frozen=True)
class Window:
    """Events of one kind (`scope`, a fixed name) for one `key` within the last `seconds`.

    `limit`: at most this many events (0: counted, never refuses). `always`: the event is kept even when
    it is refused, so hammering keeps the door shut. `cap`: the most events kept (0: the limit, or
    DEFAULT_CAP without one); only the latest `cap` matter to any caller.
    """

    scope: str
    key: str
    seconds: float
    limit: int = 0
    always: bool = False
    cap: int = 0

    @property
    def keep(self) -> int:
        """How many of the latest events are kept."""
        return max(1, self.cap or self.limit or DEFAULT_CAP)


class LimitBackend(Protocol):
    """Where events are counted."""

    def hit(self, windows: Sequence[Window], now: float) -> bool:
        """Atomically: allowed when every window with a limit has fewer than its limit of events; the event
        is then kept in every window (when refused, only in those marked `always`)."""

    def recent(self, window: Window, now: float) -> List[float]:
        """The times of the window's events, oldest first."""


class MemoryBackend:
    """Counts in this process only (one server; or tests)."""

    def __init__(self) -> None:
        self._keys: "OrderedDict[Tuple[str, str], Deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    def _events(self, w: Window, now: float) -> Deque[float]:
        q = self._keys.pop((w.scope, w.key), None)
        if q is None or q.maxlen != w.keep:
            q = deque(q or (), maxlen=w.keep)
        self._keys[(w.scope, w.key)] = q  # most recently used last
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)
        while q and q[0] <= now - w.seconds:
            q.popleft()
        return q

    def hit(self, windows: Sequence[Window], now: float) -> bool:
        """See `LimitBackend.hit`."""
        with self._lock:
            queues = [self._events(w, now) for w in windows]
            ok = all(not w.limit or len(q) < w.limit for w, q in zip(windows, queues))
            for w, q in zip(windows, queues):
                if ok or w.always:
                    q.append(now)
            return ok

    def recent(self, window: Window, now: float) -> List[float]:
        """See `LimitBackend.recent`."""
        with self._lock:
            return list(self._events(window, now))

    def __len__(self) -> int:
        return len(self._keys)


# KEYS: one sorted set per window. ARGV: now, a unique member, then per window: seconds, limit, always, keep.
_HIT = """
local now = tonumber(ARGV[1])
local ok = 1
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 4
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - tonumber(ARGV[b + 1]))
  local limit = tonumber(ARGV[b + 2])
  if limit > 0 and redis.call('ZCARD', KEYS[i]) >= limit then ok = 0 end
end
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 4
  if ok == 1 or ARGV[b + 3] == '1' then
    redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
    local extra = redis.call('ZCARD', KEYS[i]) - tonumber(ARGV[b + 4])
    if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, extra - 1) end
  end
  redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[b + 1]) * 1000))
end
return ok
"""


class RedisBackend:
    """Counts in Redis, shared by every server that uses the same REDIS_URL (and PSEUDONYM_KEY)."""

    def __init__(self, url: str, prefix: str = REDIS_PREFIX, timeout: float = 1.0, pause: float = 3.0) -> None:
        import redis

        self.prefix, self.pause = prefix, pause
        self._client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._script = self._client.register_script(_HIT)
        self._down_until = 0.0

    def name(self, w: Window) -> str:
        """The Redis key of a window: its scope and a keyed hash of whose events they are (never the
        number or the address itself)."""
        from bot.privacy import keyed_digest

        return f"{self.prefix}{w.scope}:{keyed_digest('rate-limits', w.key).hex()[:32]}"

    def _call(self, fn: Callable[[], object]) -> object:
        import redis

        if time.monotonic() < self._down_until:
            raise LimitUnavailable("Redis was unreachable a moment ago")
        try:
            return fn()
        except redis.RedisError as e:
            self._down_until = time.monotonic() + self.pause
            log.warning("limits: Redis cannot be reached (%s): limited actions are refused", type(e).__name__)
            raise LimitUnavailable(type(e).__name__) from e

    def hit(self, windows: Sequence[Window], now: float) -> bool:
        """See `LimitBackend.hit` (one Lua script: atomic across servers)."""
        args: List[object] = [repr(float(now)), f"{now!r}:{secrets.token_hex(8)}"]
        for w in windows:
            args += [repr(float(w.seconds)), w.limit, "1" if w.always else "0", w.keep]
        keys = [self.name(w) for w in windows]
        return bool(self._call(lambda: self._script(keys=keys, args=args)))

    def recent(self, window: Window, now: float) -> List[float]:
        """See `LimitBackend.recent`."""
        rows = self._call(
            lambda: self._client.zrangebyscore(self.name(window), f"({now - window.seconds!r}", "+inf", withscores=True)
        )
        return [score for _, score in rows]  # type: ignore[union-attr]


_shared: Optional[RedisBackend] = None
_shared_url: Optional[str] = None
_shared_lock = threading.Lock()


def make_backend() -> LimitBackend:
    """The process's Redis backend when REDIS_URL is set (every server counts together); otherwise a new
    in-process one for the caller (the limit then holds per server)."""
    global _shared, _shared_url
    url = redis_url()
    if not url:
        return MemoryBackend()
    with _shared_lock:
        if _shared is None or _shared_url != url:
            _shared, _shared_url = RedisBackend(url), url
        return _shared


class WindowLimit:
    """At most `per_key` events per key and `overall` events in total within `window` seconds.

    Refused events count for the key too (its last `per_key` events are kept), so hammering keeps the
    door shut; they do not use up everyone's allowance. `allow` and `retry_after` raise
    `LimitUnavailable` when the shared count cannot be reached.
    """

    def __init__(
        self,
        per_key: int,
        overall: int,
        window: float = 3600.0,
        clock: Callable[[], float] = time.time,
        backend: Optional[LimitBackend] = None,
        scope: str = "lookups",
    ) -> None:
        self.per_key, self.overall, self.window, self.clock = per_key, overall, window, clock
        self.backend = backend if backend is not None else make_backend()
        self.scope = scope

    def _windows(self, key: str) -> Tuple[Window, Window]:
        return (
            Window(self.scope, key, self.window, self.per_key, always=True),
            Window(f"{self.scope}-all", "*", self.window, self.overall),
        )

    def allow(self, key: str) -> bool:
        """Count one event for `key` and say whether it is within both limits."""
        return self.backend.hit(self._windows(key), self.clock())

    def retry_after(self, key: Optional[str] = None) -> int:
        """Seconds until `key` (or anyone, without a key) may try again; 0 when it may now."""
        now = self.clock()
        mine, everyone = self._windows(key if key is not None else "")
        waits = []
        if key is not None:
            times = self.backend.recent(mine, now)
            if len(times) >= self.per_key:
                waits.append(times[-self.per_key] + self.window - now)
        times = self.backend.recent(everyone, now)
        if len(times) >= self.overall:
            waits.append(times[-self.overall] + self.window - now)
        return max(0, int(max(waits) + 0.999)) if waits else 0


_lookups: Optional[WindowLimit] = None


def reference_lookups() -> WindowLimit:
    """The limit on reference lookups (configured from the environment once per process)."""
    global _lookups
    if _lookups is None:
        settings = get_settings()
        _lookups = WindowLimit(settings.reference_lookups_per_hour, settings.reference_lookups_global_per_hour)
    return _lookups
