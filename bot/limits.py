"""Rate limits kept in this process: a sliding window per key and for everyone together.

Used for reference lookups (a person checking the status of their request): a few per
client address (or phone number) per hour, and a ceiling for the whole server, so that
trying references one after another, from one address or from many, gets nowhere.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Optional

from bot.settings import get_settings

#: How many addresses are remembered at most (the oldest are forgotten first), so a flood cannot fill memory.
MAX_KEYS = 50_000


class WindowLimit:
    """At most `per_key` events per key and `overall` events in total within `window` seconds."""

    def __init__(self, per_key: int, overall: int, window: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_key, self.overall, self.window, self.clock = per_key, overall, window, clock
        self._keys: "OrderedDict[str, Deque[float]]" = OrderedDict()
        self._all: Deque[float] = deque()
        self._lock = threading.Lock()

    def _prune(self, q: Deque[float], now: float) -> None:
        while q and now - q[0] >= self.window:
            q.popleft()

    def allow(self, key: str) -> bool:
        """Count one event for `key` and say whether it is within both limits. Refused events count for
        the key too (its last `per_key` events are kept), so hammering keeps the door shut; they do not
        use up everyone's allowance."""
        now = self.clock()
        with self._lock:
            q = self._keys.pop(key, None) or deque(maxlen=max(1, self.per_key))
            self._keys[key] = q  # most recently used last
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
            self._prune(q, now)
            self._prune(self._all, now)
            mine_ok = len(q) < self.per_key
            q.append(now)
            if not mine_ok or len(self._all) >= self.overall:
                return False
            self._all.append(now)
            return True

    def retry_after(self, key: Optional[str] = None) -> int:
        """Seconds until `key` (or anyone, without a key) may try again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            waits = []
            q = self._keys.get(key) if key is not None else None
            if q is not None:
                self._prune(q, now)
                if len(q) >= self.per_key:
                    waits.append(q[0] + self.window - now)
            self._prune(self._all, now)
            if len(self._all) >= self.overall:
                waits.append(self._all[0] + self.window - now)
            return max(0, int(max(waits) + 0.999)) if waits else 0


_lookups: Optional[WindowLimit] = None


def reference_lookups() -> WindowLimit:
    """This process's limit on reference lookups (configured from the environment once)."""
    global _lookups
    if _lookups is None:
        settings = get_settings()
        _lookups = WindowLimit(settings.reference_lookups_per_hour, settings.reference_lookups_global_per_hour)
    return _lookups
