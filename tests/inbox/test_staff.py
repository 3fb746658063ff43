"""bot.staff on its own: validation, hashing, backoff after failed sign-ins."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.staff import StaffError, add_staff, authenticate


@pytest.mark.parametrize(
    "name,role,password,message",
    [
        ("", "reviewer", "a good long password", "a name is needed"),
        ("x" * 81, "reviewer", "a good long password", "too long"),
        ("Tab\tName\x07", "reviewer", "a good long password", "control characters"),
        ("Fay", "owner", "a good long password", "unknown role"),
        ("Fay", "reviewer", "elevenchars", "too short"),
        ("Fay", "reviewer", "x" * 300, "too long"),
        ("Fay Fayerson", "reviewer", "fay fayerson", "must not be the name"),
    ],
)
def test_bad_input(inbox_env, name, role, password, message):
    with pytest.raises(StaffError, match=message):
        add_staff(name, role, password)


def test_twelve_characters_is_enough(inbox_env):
    assert add_staff("Gus", "analyst", "twelve chars")
    assert authenticate("Gus", "twelve chars").ok
    assert not authenticate("Gus", "twelve chars ").ok


def test_failures_make_the_next_attempt_wait_longer_never_a_lock(inbox_env):
    from bot.staff import MAX_WAIT_SECONDS, unlock_by_name, wait_after

    assert [wait_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert wait_after(10_000) == MAX_WAIT_SECONDS
    staff_id = add_staff("Hal", "reviewer", "hal's password!")
    t = dt.datetime(2030, 1, 1, 12, 0)
    results = [authenticate("Hal", "nope nope nope", now=t) for _ in range(5)]
    assert [r.reason for r in results] == ["wrong_password"] * 5 and results[-1].retry_after == 1
    early = authenticate("Hal", "hal's password!", now=t + dt.timedelta(milliseconds=500))
    assert (early.ok, early.reason, early.retry_after) == (False, "wait", 1)
    assert authenticate("Hal", "hal's password!", now=t + dt.timedelta(seconds=1, milliseconds=1)).ok
    # A trusted browser of the account skips its wait; one of another account does not.
    for _ in range(7):
        authenticate("Hal", "nope nope nope", now=t)
    assert authenticate("Hal", "hal's password!", now=t, trusted=staff_id + 1).reason == "wait"
    assert authenticate("Hal", "hal's password!", now=t, trusted=staff_id).ok
    for _ in range(7):
        authenticate("Hal", "nope nope nope", now=t)
    assert unlock_by_name("hal").failed_logins == 0
    assert authenticate("Hal", "hal's password!", now=t).ok
    assert authenticate("Nobody", "hal's password!", now=t).reason == "unknown"


def test_production_hashing_parameters(real_hashing):
    from argon2 import PasswordHasher, Type

    from bot import staff

    staff._hasher.cache_clear()
    hasher = staff._hasher()
    assert isinstance(hasher, PasswordHasher) and hasher.type is Type.ID
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2  # OWASP's minimum for Argon2id
    assert hasher.hash("a good long password").startswith("$argon2id$")
