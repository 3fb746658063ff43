"""The rate-limit backends (bot.limits): the same behaviour in memory and in a real Redis, atomic across
clients of one Redis (as several servers are), no number or address in Redis, and refusal when Redis
cannot be reached (issue 14, point 4)."""

from __future__ import annotations

import secrets
import threading
import time

import pytest

from bot.limits import LimitUnavailable, MemoryBackend, RedisBackend, Window, WindowLimit
from tests.support.stack import free_port

T0 = 1_700_000_000.0


def redis_backend(url: str, prefix: str = "") -> RedisBackend:
    return RedisBackend(url, prefix=prefix or f"test:{secrets.token_hex(4)}:")


@pytest.fixture(params=["memory", "redis"])
def make(request):
    """A function making backends that share one count (as the servers of one deployment do)."""
    if request.param == "memory":
        shared = MemoryBackend()
        return lambda: shared
    url, prefix = request.getfixturevalue("redis_server").url, f"test:{secrets.token_hex(4)}:"
    return lambda: RedisBackend(url, prefix=prefix)


def test_a_window_allows_its_limit_then_refuses_until_events_age_out(make):
    b = make()
    w = Window("t", "k", 60, limit=3)
    assert [b.hit([w], T0 + i) for i in range(5)] == [True, True, True, False, False]
    assert b.recent(w, T0 + 4) == [T0, T0 + 1, T0 + 2]  # refused events are not kept
    assert b.hit([w], T0 + 60.5)  # the first has aged out
    assert not b.hit([w], T0 + 60.6)
    assert b.hit([Window("t", "other", 60, limit=3)], T0 + 5)  # other keys are not affected


def test_refused_events_kept_when_always_so_hammering_keeps_the_door_shut(make):
    b = make()
    w = Window("t", "k", 60, limit=2, always=True)
    assert b.hit([w], T0) and b.hit([w], T0 + 1)
    for i in range(1, 10):
        assert not b.hit([w], T0 + 1 + 10 * i)
    assert b.hit([w], T0 + 91 + 61)


def test_every_window_must_allow_and_only_always_ones_count_a_refusal(make):
    b = make()
    mine, everyone = Window("t", "a", 60, limit=1, always=True), Window("t-all", "*", 60, limit=10)
    assert b.hit([mine, everyone], T0)
    assert not b.hit([mine, everyone], T0 + 1)
    assert len(b.recent(mine, T0 + 2)) == 1 and len(b.recent(everyone, T0 + 2)) == 1  # cap 1: only the latest
    assert b.recent(mine, T0 + 2) == [T0 + 1]


def test_two_servers_share_the_count(make):
    first, second = make(), make()
    w = Window("t", "k", 60, limit=4)
    results = [(first if i % 2 else second).hit([w], T0 + i / 10) for i in range(10)]
    assert results == [True] * 4 + [False] * 6


def test_concurrent_hits_from_two_clients_never_pass_the_limit(make):
    clients = [make(), make()]
    w, allowed, lock = Window("t", "race", 60, limit=10), [], threading.Lock()

    def go(b):
        for _ in range(20):
            ok = b.hit([w], time.time())
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=go, args=(clients[i % 2],)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(allowed) == 80 and sum(allowed) == 10


def test_window_limit_on_each_backend(make):
    now = [T0]
    limit = WindowLimit(per_key=3, overall=5, window=3600, clock=lambda: now[0], backend=make())
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.retry_after("a") == 3600
    assert [limit.allow(k) for k in ("b", "c", "d")] == [True, True, False]  # five in all
    assert limit.retry_after() == 3600
    now[0] += 3600
    assert limit.allow("a") and limit.allow("d")


def test_redis_keys_name_no_number_or_address_and_expire(redis_server):
    import redis

    prefix = f"test:{secrets.token_hex(4)}:"
    b = redis_backend(redis_server.url, prefix)
    b.hit([Window("sms-minute", "+447700900123", 60, 5), Window("signin-try", "ip:203.0.113.9", 900)], time.time())
    client = redis.Redis.from_url(redis_server.url)
    keys = sorted(k.decode() for k in client.keys(prefix + "*"))
    assert len(keys) == 2 and all(k.startswith(prefix) for k in keys)
    assert not any("447700900123" in k or "203.0.113" in k for k in keys), keys
    assert 0 < client.ttl(b.name(Window("sms-minute", "+447700900123", 60))) <= 60
    assert 840 < client.ttl(b.name(Window("signin-try", "ip:203.0.113.9", 900))) <= 900


def test_unreachable_redis_refuses_quickly_and_is_not_asked_again_at_once():
    b = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", prefix="test:", timeout=0.5, pause=30)
    started = time.perf_counter()
    with pytest.raises(LimitUnavailable):
        b.hit([Window("t", "k", 60, 1)], time.time())
    for _ in range(50):
        with pytest.raises(LimitUnavailable):
            b.recent(Window("t", "k", 60, 1), time.time())
    assert time.perf_counter() - started < 2


def test_sms_limits_hold_across_two_servers_and_a_lost_redis_sends_nothing_more(redis_server):
    from channels.sms import RateLimiter

    prefix = f"test:{secrets.token_hex(4)}:"
    servers = [
        RateLimiter(per_minute=5, per_day=100, backend=redis_backend(redis_server.url, prefix)) for _ in range(2)
    ]
    verdicts = [servers[i % 2].check("who-1") for i in range(12)]
    assert verdicts == ["ok"] * 5 + ["first_block"] + ["blocked"] * 6
    assert servers[1].check("who-2") == "ok"

    dead = RateLimiter(
        per_minute=5,
        per_day=100,
        backend=RedisBackend(f"redis://127.0.0.1:{free_port()}/0", prefix="test:", timeout=0.5),
    )
    assert [dead.check("who-3") for _ in range(4)] == ["unavailable", "blocked", "blocked", "blocked"]


def test_sign_in_throttling_holds_across_two_web_servers(redis_server):
    from bot.web.inbox.security import Clock, Config, IpLimiter

    prefix, clock = f"test:{secrets.token_hex(4)}:", Clock()
    config = Config(ip_free_failures=3, ip_attempt_limit=100, ip_window_seconds=900)
    servers = [IpLimiter(clock, config, redis_backend(redis_server.url, prefix)) for _ in range(2)]
    for i in range(3):
        assert servers[i % 2].retry_after("ip:203.0.113.7") == 0
        servers[i % 2].record("ip:203.0.113.7", failed=True)
    assert [s.retry_after("ip:203.0.113.7") for s in servers] == [1, 1]  # the wait starts at three, not six
    clock.offset += 1.5
    servers[1].record("ip:203.0.113.7", failed=True)
    assert servers[0].retry_after("ip:203.0.113.7") == 2  # and doubles, whoever counted it
    assert servers[0].retry_after("ip:198.51.100.1") == 0


def test_sign_in_attempt_limit_holds_across_two_web_servers(redis_server):
    from bot.web.inbox.security import Clock, Config, IpLimiter

    prefix, clock = f"test:{secrets.token_hex(4)}:", Clock()
    config = Config(ip_free_failures=100, ip_attempt_limit=4, ip_window_seconds=900)
    servers = [IpLimiter(clock, config, redis_backend(redis_server.url, prefix)) for _ in range(2)]
    for i in range(4):
        assert servers[i % 2].retry_after("device:abc") == 0
        servers[i % 2].record("device:abc", failed=False)
    assert 895 <= servers[0].retry_after("device:abc") <= 901
