"""Database engine, sessions and migrations for the record.

SQLite (WAL) under the data folder by default; PostgreSQL through DATABASE_URL.
Short connect, lock and statement timeouts, so a hanging or locked database fails
fast and the person is told, instead of every conversation waiting.

A SQLite file removed or replaced underneath a running process would go on taking
writes into the removed file (open handles keep it alive) and lose them all: every
session checks the file is still the one it opened, before and after its commit,
and raises `DatabaseLost` otherwise, so nothing is ever confirmed that was not saved.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import database_url

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How long a write waits for SQLite's lock before giving up (milliseconds). Writes take milliseconds;
#: a lock held longer means something is wrong, and the person is better told at once.
SQLITE_BUSY_MS = 1000
#: PostgreSQL: the longest wait for a lock, and for any statement (milliseconds).
PG_LOCK_TIMEOUT_MS = 1500
PG_STATEMENT_TIMEOUT_MS = 5000
_lock = threading.Lock()
_engines: dict = {}
_files: Dict[str, Tuple[int, int]] = {}  # SQLite path -> (device, inode) of the file this process uses


class DatabaseLost(SQLAlchemyError):
    """The SQLite file was removed or replaced while in use: what was written may be lost."""


def sqlite_path(url: str) -> Optional[str]:
    """The file of a SQLite URL (None for other databases or an in-memory one)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return os.path.abspath(u.database)


def _identity(path: str) -> Optional[Tuple[int, int]]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def check_file(path: Optional[str], dispose=None) -> None:
    """Raise DatabaseLost if the SQLite file at `path` is gone or is not the one first used here.

    A file seen for the first time is remembered (one not made yet is made by the first connection).
    A replaced file (restored from a backup, say) is used from the next session on; the session that
    noticed it fails, since its work may have gone to the old file. A file that was in use and is now
    missing is never made again behind the operator's back: every session fails until it is back.
    """
    if path is None:
        return
    now = _identity(path)
    with _lock:
        known = _files.get(path)
        if known is None or known == now:
            if now is not None:
                _files[path] = now  # first seen now (a new database is made by its first connection)
            return
        if now is not None:
            _files[path] = now
    log.critical(
        "record: the database file %s is %s; nothing is confirmed as saved until it is back",
        path,
        "missing" if now is None else "a different file from the one in use",
    )
    if dispose is not None:
        dispose()
    raise DatabaseLost(f"the database file {os.path.basename(path)} is " f"{'missing' if now is None else 'replaced'}")


def make_engine(url: Optional[str] = None) -> Engine:
    """A new engine for the database URL (default: the configured one): pooled SQLite with WAL and
    a busy timeout, or PostgreSQL with connect, statement and lock timeouts."""
    url = url or database_url()
    if url.startswith("sqlite"):
        # A pool (SQLAlchemy 1.4 opens a new SQLite connection per session by default): connecting
        # and setting the pragmas on every write cost more than the write (bench/, profile part).
        engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False},
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=5,
            pool_pre_ping=True,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cur.execute("PRAGMA secure_delete=ON")  # a deleted row is overwritten, not left in a free page
            cur.close()

        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args = {
            "connect_timeout": 3,
            "options": f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS} " f"-c lock_timeout={PG_LOCK_TIMEOUT_MS}",
        }
    return create_engine(
        url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=5, connect_args=connect_args
    )


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
        _files.clear()


def _forget(url: str) -> None:
    """Close every connection of this URL's engine (they may hold a removed file open)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    On SQLite the file is checked before and after: a commit into a removed file raises
    `DatabaseLost` instead of returning as if it were saved.
    """
    url = url or database_url()
    path = sqlite_path(url)
    check_file(path, lambda: _forget(url))
    session = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
        check_file(path, lambda: _forget(url))
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: Optional[str] = None):
    """An Alembic configuration for the record's migrations on this database URL."""
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
    """True if the database answers a trivial query (see `probe_write` for proof that it saves)."""
    try:
        check_file(sqlite_path(url or database_url()))
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def probe_write(name: str = "web", url: Optional[str] = None) -> Optional[str]:
    """Prove the database takes writes: write a fresh token, commit, read it back in a new session.

    Returns None when it works, or what failed in a few words (never raises). One row per `name`
    in `rec_health_probe`, overwritten each time: cheap, and nothing accumulates.
    """
    from bot.record.models import HealthProbe, utcnow

    token = secrets.token_hex(8)
    try:
        with session_scope(url) as s:
            row = s.get(HealthProbe, name)
            if row is None:
                row = HealthProbe(name=name[:40])
                s.add(row)
            row.token, row.at = token, utcnow()
        with session_scope(url) as s:
            row = s.get(HealthProbe, name)
            if row is None or row.token != token:
                return "a write was not read back"
    except DatabaseLost as e:
        return str(e)
    except Exception as e:  # noqa: BLE001 - health reports every failure, it never raises
        return type(e).__name__
    return None


def scrub_sqlite(engine: Engine) -> None:
    """After deleting personal data from a SQLite database: move the write-ahead log into the file and
    empty it, so that no old copy of a deleted row stays in the log (`secure_delete` overwrites it in the
    file itself). Does nothing for other databases; never raises (a busy log is emptied by a later call)."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001 - best effort: the rows are deleted either way
        log.warning("record: could not empty the SQLite write-ahead log after a deletion")
