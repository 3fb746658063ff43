"""bot.staff on its own: validation, hashing, lockout."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.staff import StaffError, add_staff, authenticate


@pytest.mark.parametrize("name,role,password,message", [
    ("", "reviewer", "a good long password", "a name is needed"),
    ("x" * 81, "reviewer", "a good long password", "too long"),
    ("Tab\tName\x07", "reviewer", "a good long password", "control characters"),
    ("Fay", "owner", "a good long password", "unknown role"),
    ("Fay", "reviewer", "elevenchars", "too short"),
    ("Fay", "reviewer", "x" * 300, "too long"),
    ("Fay Fayerson", "reviewer", "fay fayerson", "must not be the name"),
])
def test_bad_input(inbox_env, name, role, password, message):
    with pytest.raises(StaffError, match=message):
        add_staff(name, role, password)


def test_twelve_characters_is_enough(inbox_env):
    assert add_staff("Gus", "analyst", "twelve chars")
    assert authenticate("Gus", "twelve chars").ok
    assert not authenticate("Gus", "twelve chars ").ok


def test_lockout_counts(inbox_env):
    add_staff("Hal", "reviewer", "hal's password!")
    t = dt.datetime(2030, 1, 1, 12, 0)
    reasons = [authenticate("Hal", "nope nope nope", now=t).reason for _ in range(5)]
    assert reasons == ["wrong_password"] * 4 + ["locked_now"]
    assert authenticate("Hal", "hal's password!", now=t + dt.timedelta(minutes=14, seconds=59)).reason == "locked"
    assert authenticate("Hal", "hal's password!", now=t + dt.timedelta(minutes=15, seconds=1)).ok
    assert authenticate("Nobody", "hal's password!", now=t).reason == "unknown"


def test_production_hashing_parameters(real_hashing):
    from argon2 import PasswordHasher, Type

    from bot import staff

    staff._hasher.cache_clear()
    hasher = staff._hasher()
    assert isinstance(hasher, PasswordHasher) and hasher.type is Type.ID
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2   # OWASP's minimum for Argon2id
    assert hasher.hash("a good long password").startswith("$argon2id$")
