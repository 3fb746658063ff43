"""Database engine, sessions and migrations for the record.

SQLite (WAL) under the data folder by default; PostgreSQL through DATABASE_URL.
Short connect and statement timeouts, so a hanging database fails fast and the
person is told, instead of every conversation waiting.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_lock = threading.Lock()
_engines: dict = {}


def make_engine(url: Optional[str] = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        # A pool (SQLAlchemy 1.4 opens a new SQLite connection per session by default): connecting
        # and setting the pragmas on every write cost more than the write (bench/, profile part).
        engine = create_engine(url, future=True, connect_args={"timeout": 5, "check_same_thread": False},
                               poolclass=QueuePool, pool_size=5, max_overflow=5, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args = {"connect_timeout": 3, "options": "-c statement_timeout=5000"}
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         pool_timeout=5, connect_args=connect_args)


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for this URL, made once per process."""
    url = url or database_url()
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def reset_engines() -> None:
    """Forget cached engines (tests switch databases)."""
    with _lock:
        for e in _engines.values():
            e.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: Optional[str] = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: Optional[str] = None) -> None:
    """Bring the schema to the latest migration."""
    from alembic import command

    cfg = alembic_config(url)
    engine = get_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ping(url: Optional[str] = None) -> bool:
    """True if the database answers a trivial query."""
    try:
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
