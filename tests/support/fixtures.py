"""Fixtures used across the test levels."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture()
def tmp_data_dir(tmp_path, monkeypatch):
    """A private DATA_DIR and SQLite record for one test."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from bot.record import db

    db.reset_engines()
    db.upgrade()
    yield tmp_path
    db.reset_engines()
