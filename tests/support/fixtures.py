"""Fixtures used across the test levels."""

from __future__ import annotations


import pytest


@pytest.fixture()
def tmp_data_dir(tmp_path, monkeypatch):
    """A private DATA_DIR and SQLite record for one test."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from bot import privacy
    from bot.record import db

    privacy._pseudonym_key.cache_clear()  # this folder's development keys, not an earlier test's
    privacy._fernet.cache_clear()
    db.reset_engines()
    db.upgrade()
    yield tmp_path
    db.reset_engines()
    for cached in (privacy._pseudonym_key, privacy._fernet):  # a test may have replaced one
        getattr(cached, "cache_clear", lambda: None)()
