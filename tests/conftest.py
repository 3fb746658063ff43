"""Shared test set-up. Heavier fixtures (servers, browsers, databases) live in tests/support/."""

import os
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
sys.path.insert(0, str(PROJECT))

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Settings are read once per process (bot.settings): forget them around every test, so that a test's
    monkeypatch.setenv takes effect on first use and does not leak into the next test."""
    from bot.settings import reset_settings

    reset_settings()
    yield
    reset_settings()
