"""Retention: delete what is older than the configured period, everywhere it is kept.

The record (our rec_* tables) is purged by `Store.purge`; drafted letters behind SMS links go when
their link expires (bot.letter.links), at the latest with the next daily purge. Rasa's tracker store keeps
its own copy of every conversation (redacted by DurableTrackerStore, but still
special-category data), and its journal may hold conversations written while the
database was down; both are purged here too. A conversation goes as a whole, once its
last event is older than the cutoff, so no tracker is left half-deleted.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Dict, Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import data_dir, tracker_database_url

log = logging.getLogger(__name__)


def tracker_db_url() -> str:
    """The tracker store's database, as bot/runconfig.py configures Rasa."""
    return tracker_database_url()


def purge_trackers(older_than_days: int, url: Optional[str] = None) -> Dict[str, int]:
    """Delete every tracker whose last event is older than the cutoff; also old journal files."""
    cutoff = time.time() - older_than_days * 86400
    counts = {"tracker_conversations": 0, "tracker_events": 0, "journal_files": 0}
    url = url or tracker_db_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        pass  # no conversations yet
    else:
        engine = create_engine(url)
        try:
            if "events" in inspect(engine).get_table_names():
                with engine.begin() as conn:
                    old = (
                        conn.execute(
                            text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                            {"cutoff": cutoff},
                        )
                        .scalars()
                        .all()
                    )
                    for i in range(0, len(old), 500):
                        chunk = old[i : i + 500]
                        params = {f"s{j}": s for j, s in enumerate(chunk)}
                        names = ", ".join(f":s{j}" for j in range(len(chunk)))
                        counts["tracker_events"] += conn.execute(
                            text(f"DELETE FROM events WHERE sender_id IN ({names})"), params
                        ).rowcount
                    counts["tracker_conversations"] = len(old)
        finally:
            engine.dispose()
    journal = data_dir() / "journal"
    if journal.is_dir():
        for f in journal.rglob("*"):
            if f.is_file() and f.stat().st_mtime < cutoff:
                f.unlink(missing_ok=True)
                counts["journal_files"] += 1
    return counts


def purge_all(older_than_days: int) -> Dict[str, int]:
    """The record, the tracker store, and drafted letters whose 7-day link has expired (whatever the
    retention period). Raises StoreUnavailable / SQLAlchemyError when a database is down."""
    from bot.letter.links import purge as purge_letters
    from bot.record import get_store

    counts = dict(get_store().purge(older_than_days))
    counts.update(purge_trackers(older_than_days))
    counts["letter_links"] = purge_letters()
    return counts


def run_daily(stop, days: int, interval_s: float = 86400) -> None:
    """Purge now and then once a day until `stop` (a threading.Event) is set. Never raises."""
    while not stop.is_set():
        try:
            counts = purge_all(days)
            log.info(
                "retention: purged %s (older than %d days)", ", ".join(f"{k} {v}" for k, v in counts.items()), days
            )
        except (SQLAlchemyError, Exception) as e:  # a database that is down is retried tomorrow
            log.warning("retention: purge failed (%s); will try again", type(e).__name__)
        stop.wait(interval_s)
