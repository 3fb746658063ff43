"""A Rasa tracker store that never drops a conversation's events silently.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when the database
fails it saves to process memory instead, and those events are lost on restart
and never written back (reference notes, B7). This store handles failures
itself, before that wrapper sees them:

* a save that fails keeps the tracker as *pending*, in memory and in a journal
  file under the data folder, and is written to the database as soon as it
  answers again (SQLTrackerStore writes only the events the database lacks, so
  replay is exact and in order);
* the journal is shared by the Rasa servers of one data folder and its file is
  the truth: a conversation kept pending by one server carries on from there on
  any other (reading the database instead would go back in time, and the two
  copies would later be written over each other); writing back takes a file lock,
  so two servers never write the same pending conversation twice;
* a conversation that cannot be read is never carried on from a blank memory:
  the turn is not kept and the channel tells the person (`turn_lost`);
* `health` says what is wrong, for `/healthz` and for the channels, which tell
  the person the truth instead of carrying on as if nothing happened;
* no error inside it can stop the server: Rasa's own session scope turns any
  `ValueError` (a string the driver cannot encode, say) into `sys.exit(1)`; here it
  is an ordinary store error, handled like an outage or set aside as bad data;
* a SQLite file removed underneath it is noticed (bot.record.db.check_file): what
  was written there is kept in the journal, never taken as saved;
* after each successful save, the new bot actions are recorded as interactions
  against the I statements (bot.record), with their own outbox if the record's
  database is down.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import observability
from bot.settings import data_dir, get_settings

log = logging.getLogger(__name__)
#: After the record's database failed, interactions wait in the outbox this long before the next try,
#: so that a locked or hanging database costs one short wait now and then, not one every turn.
OUTBOX_RETRY_SECONDS = 5.0
IGNORED_ACTIONS = {
    "action_listen",
    "action_session_start",
    "action_extract_slots",
    "action_unlikely_intent",
    "action_deactivate_loop",
    "action_two_stage_fallback",
    "action_back",
}


@dataclass
class Health:
    ok: bool = True
    error: Optional[str] = None
    since: Optional[float] = None
    last_ok: Optional[float] = None
    pending: int = 0
    outbox: int = 0

    def as_dict(self) -> Dict[str, Any]:
        """The health as JSON: ok, error, pending conversations and interactions, seconds down."""
        return {
            "ok": self.ok,
            "error": self.error,
            "pending_conversations": self.pending,
            "pending_interactions": self.outbox,
            "down_for_s": round(time.time() - self.since, 1) if self.since and not self.ok else 0,
        }


class TrackerStoreError(Exception):
    """The tracker store could not do what was asked (never a reason to stop the server)."""


class DurableTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with a journal for outages and interaction recording."""

    _sqlite_file: Optional[str] = None  # the SQLite file, checked around every session

    def __init__(
        self,
        domain=None,
        host: Optional[Text] = None,
        record: bool = True,
        journal_dir: Optional[Text] = None,
        probe_interval: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._pooled_sqlite()
        self.record_interactions = bool(record)
        self.journal_dir = Path(journal_dir) if journal_dir else data_dir() / "journal"
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        self.health = Health(last_ok=time.time())
        self._pending: Dict[str, DialogueStateTracker] = {}
        # Conversations whose tracker could not be read in this turn. Rasa's fail-safe wrapper turns a
        # failed read into "no tracker", so the turn would run on a blank memory: its events are never
        # saved (they would start the conversation again), and the channel tells the person instead.
        self._unread: set = set()
        self._outbox: List[Tuple[str, str, str, float]] = []
        self._lock = threading.Lock()
        self._probe_interval = probe_interval
        self._last_probe = 0.0
        self._outbox_retry_at = 0.0
        from bot.record.db import sqlite_path

        self._sqlite_file = sqlite_path(str(self.engine.url)) if self.engine.dialect.name == "sqlite" else None
        self._load_journal()

    def _pooled_sqlite(self) -> None:
        """SQLite as the record uses it (bot/record/db.py): a write-ahead log, so a commit does not
        block the event loop on a full sync (still safe if a process dies mid-write), and pooled
        connections, where Rasa's engine opens one per read and per write (bench/, profile part)."""
        import sqlalchemy as sa
        from sqlalchemy.pool import QueuePool

        from bot.record.db import SQLITE_BUSY_MS

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=5,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
        )

        @sa.event.listens_for(self.engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cur.execute("PRAGMA secure_delete=ON")  # erased or purged events are overwritten, not left behind
            cur.close()

        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """A session, as Rasa's, but an error inside it is raised as an error, never `sys.exit(1)`.

        On SQLite the file is checked before and after: a removed file raises (bot.record.db.DatabaseLost).
        """
        from rasa.core.tracker_store import ensure_schema_exists

        from bot.record.db import check_file

        check_file(self._sqlite_file, self._drop_connections)
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as e:
                raise TrackerStoreError(f"the PostgreSQL schema {e} does not exist") from None
            yield session
            check_file(self._sqlite_file, self._drop_connections)
        except ValueError as e:
            raise TrackerStoreError(f"{type(e).__name__} in the tracker store") from e
        finally:
            session.close()

    def _drop_connections(self) -> None:
        """Close pooled connections (they may hold a removed SQLite file open)."""
        try:
            self.engine.dispose()
        except Exception:  # noqa: BLE001 - best effort while failing
            log.exception("tracker store: could not close its connections")

    # ----------------------------------------------------------------- reading
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation: its pending journal copy if there is one, else from the database (a failed
        read is remembered, so that turn is not saved)."""
        pending = self._journalled(sender_id)
        if pending is not None:
            self._unread.discard(sender_id)
            return pending.copy()
        try:
            tracker = await super().retrieve(sender_id)
        except Exception as e:
            self._failed(e)
            self._unread.add(sender_id)
            raise
        self._unread.discard(sender_id)
        self._recovered()
        return tracker

    def turn_lost(self, sender_id: Text) -> bool:
        """Whether this sender's last turn ran without their conversation (it could not be read) and
        was therefore not kept: the channel must say so rather than send what a blank memory said."""
        return sender_id in self._unread

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """The full conversation: its pending journal copy if there is one, else from the database."""
        pending = self._journalled(conversation_id)
        if pending is not None:
            return pending.copy()
        return await super().retrieve_full_tracker(conversation_id)

    def can_serve(self, sender_id: Text) -> bool:
        """Whether a message from this sender can be handled without losing context."""
        if self._journal_path(sender_id).exists():
            return True
        if self.health.ok:
            return True
        self.probe()
        return self.health.ok

    def probe(self) -> bool:
        """Check the database now (at most once per probe interval); flush pending work if it is back."""
        now = time.time()
        if now - self._last_probe < self._probe_interval:
            return self.health.ok
        self._last_probe = now
        import sqlalchemy as sa

        from bot.record.db import check_file

        try:
            check_file(self._sqlite_file, self._drop_connections)
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception as e:
            self._failed(e)
            return False
        self._recovered()
        return True

    # ----------------------------------------------------------------- writing
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the conversation's new events (to the journal if the database fails) and record its
        interactions; a turn whose conversation could not be read is not kept."""
        sender = tracker.sender_id
        if sender in self._unread:
            log.error("tracker store: conversation could not be read; this turn is not kept")
            return
        try:
            if self._journal_path(sender).exists():
                with self._journal_lock(wait=True):  # another server may be writing it back right now
                    new_events = self._write(tracker)
            else:
                new_events = self._write(tracker)
        except Exception as e:
            if _is_outage(e):
                self._failed(e)
                log.error("tracker store: could not save conversation; kept in the journal until the database returns")
            else:
                log.error("tracker store: could not save conversation (%s); kept in the journal", type(e).__name__)
            self._keep_pending(tracker)
            return
        self._pending.pop(sender, None)
        self._drop_journal(sender)
        self._recovered()
        if self.record_interactions and new_events:
            self._record(tracker, new_events)

    def _write(self, tracker: DialogueStateTracker) -> List[Any]:
        """Write the events the database lacks; return them (synchronous, as SQLTrackerStore is)."""
        from rasa.shared.nlu.constants import INTENT_NAME_KEY

        with self.session_scope() as session:
            events = list(self._additional_events(session, tracker))
            for event in events:
                data = redact_event(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        observability.count_events(events)
        return events

    # ---------------------------------------------------------- outage handling
    def _failed(self, error: Exception) -> None:
        if self.health.ok:
            self.health.since = time.time()
        self.health.ok = False
        self.health.error = type(error).__name__
        self.health.pending = len(self._pending)
        observability.store_status("tracker", False, self.health.pending)

    def _recovered(self) -> None:
        was_down = not self.health.ok
        self.health.ok = True
        self.health.error = None
        self.health.last_ok = time.time()
        if was_down or self._pending or self._outbox:
            self._flush()
        observability.store_status("tracker", self.health.ok, len(self._pending))

    def _keep_pending(self, tracker: DialogueStateTracker) -> None:
        self._pending[tracker.sender_id] = tracker.copy()
        self.health.pending = len(self._pending)
        observability.store_status("tracker", False, self.health.pending)
        path = self._journal_path(tracker.sender_id)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"sender_id": tracker.sender_id, "events": [redact_event(e.as_dict()) for e in tracker.events]})
        )
        tmp.replace(path)

    def _flush(self) -> None:
        """Write pending trackers (oldest first) and pending interactions; stop at the first failure."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            with self._journal_lock(wait=False) as locked:
                if not locked:
                    return  # another server is writing the journal back
                # Every server's pending conversations (the journal is shared), oldest first.
                paths = sorted(self.journal_dir.glob("*.json"), key=_mtime)
                for path in paths:
                    if not self._write_back(path):
                        return  # the database is down again: the rest waits for the next try
                for sender in [s for s in self._pending if not self._journal_path(s).exists()]:
                    self._pending.pop(sender, None)  # written back by another server
            self.health.pending = len(self._pending)
            self._flush_outbox()
        finally:
            self._lock.release()

    def _write_back(self, path: Path) -> bool:
        """Write one kept conversation to the database; False when the database failed (stop there).
        A file that cannot be read, or whose data the database refuses, is set aside as `.bad`."""
        try:
            tracker = self._read_journal(path)
        except Exception:
            log.exception("tracker store: unreadable journal file %s kept aside", path.name)
            path.rename(path.with_suffix(".bad"))
            return True
        if tracker is None:
            return True
        try:
            new_events = self._write(tracker)
        except Exception as e:
            if _is_outage(e):
                self._failed(e)
                return False
            # Not the database: this conversation's data. Keep it aside, write back the rest.
            log.error(
                "tracker store: a kept conversation could not be written (%s); set aside as %s",
                type(e).__name__,
                path.with_suffix(".bad").name,
            )
            path.rename(path.with_suffix(".bad"))
            self._pending.pop(tracker.sender_id, None)
            return True
        self._pending.pop(tracker.sender_id, None)
        path.unlink(missing_ok=True)
        if self.record_interactions and new_events:
            self._record(tracker, new_events)
        log.info("tracker store: wrote a conversation kept during the outage")
        return True

    @contextlib.contextmanager
    def _journal_lock(self, wait: bool) -> Iterator[bool]:
        """The journal's lock across the Rasa servers sharing it (yields False if busy and not waiting)."""
        with open(self.journal_dir / ".lock", "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                os.utime(fh.fileno())  # recent while in use, so retention (by age) never removes it then
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_journal(self, path: Path) -> Optional[DialogueStateTracker]:
        try:
            doc = json.loads(path.read_text())
            return DialogueStateTracker.from_dict(
                doc["sender_id"], doc["events"], self.domain.slots if self.domain else []
            )
        except FileNotFoundError:
            return None

    def _journalled(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's pending copy. Its journal file is the truth: another server sharing the
        journal may have carried the conversation on since this one kept it."""
        path = self._journal_path(sender_id)
        if not path.exists():
            self._pending.pop(sender_id, None)
            return None
        try:
            tracker = self._read_journal(path)
        except Exception:
            log.exception("tracker store: journal file unreadable, using this server's copy")
            tracker = None
        if tracker is None:
            return self._pending.get(sender_id)
        self._pending[sender_id] = tracker
        return tracker

    def _journal_path(self, sender_id: str) -> Path:
        return self.journal_dir / (hashlib.sha256(sender_id.encode()).hexdigest()[:32] + ".json")

    def _drop_journal(self, sender_id: str) -> None:
        try:
            self._journal_path(sender_id).unlink()
        except FileNotFoundError:
            pass

    def _outbox_path(self) -> Path:
        # One outbox per Rasa server: each rewrites its own from memory.
        return self.journal_dir / f"interactions-{get_settings().rasa_instance}.jsonl"

    def _load_journal(self) -> None:
        for path in sorted(self.journal_dir.glob("*.json")):
            try:
                doc = json.loads(path.read_text())
                tracker = DialogueStateTracker.from_dict(
                    doc["sender_id"], doc["events"], self.domain.slots if self.domain else []
                )
                self._pending[doc["sender_id"]] = tracker
            except Exception:
                log.exception("tracker store: unreadable journal file %s kept aside", path.name)
                path.rename(path.with_suffix(".bad"))
        outbox = self._outbox_path()
        if outbox.exists():
            for line in outbox.read_text().splitlines():
                try:
                    self._outbox.append(tuple(json.loads(line)))
                except ValueError:
                    continue
        self.health.pending = len(self._pending)
        self.health.outbox = len(self._outbox)

    # ------------------------------------------------------------ interactions
    def _record(self, tracker: DialogueStateTracker, new_events: List[Any]) -> None:
        from bot.privacy import pseudonym

        channel = _channel(tracker)
        conversation = pseudonym(tracker.sender_id)
        for e in new_events:
            name = None
            if isinstance(e, BotUttered):
                name = (e.metadata or {}).get("utter_action")
            elif (
                isinstance(e, ActionExecuted)
                and e.action_name
                and not e.action_name.startswith(("utter_", "validate_"))
            ):
                name = e.action_name if e.action_name not in IGNORED_ACTIONS else None
            if name:
                self._outbox.append((conversation, channel, name, e.timestamp))
        self._flush_outbox()

    def _flush_outbox(self) -> None:
        if not self._outbox:
            self._write_outbox()
            return
        import datetime as dt

        from bot.record.store import StoreUnavailable, get_store

        if time.time() < self._outbox_retry_at:
            self._write_outbox()  # the record's database failed moments ago: do not wait on it every turn
            return
        items = list(self._outbox)
        try:
            get_store().record_interactions(
                (c, ch, a, dt.datetime.utcfromtimestamp(ts) if ts else None) for c, ch, a, ts in items
            )
        except StoreUnavailable:
            log.error("record: interactions kept in the outbox until the record's database returns")
            self._outbox_retry_at = time.time() + OUTBOX_RETRY_SECONDS
            self._write_outbox()
            return
        del self._outbox[: len(items)]
        self._write_outbox()

    def _write_outbox(self) -> None:
        path = self._outbox_path()
        self.health.outbox = len(self._outbox)
        if not self._outbox:
            if path.exists():
                path.unlink()
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(list(x)) + "\n" for x in self._outbox))
        tmp.replace(path)


def _is_outage(error: Exception) -> bool:
    """Whether an error means the database is unavailable (rather than something wrong with the data)."""
    from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

    from bot.record.db import DatabaseLost

    return isinstance(error, (DBAPIError, PoolTimeout, DatabaseLost, OSError))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # written back by another server meanwhile
        return 0.0


def redact_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """An event as stored: what a person typed is redacted (names, numbers, emails, addresses).

    The conversation itself only needs the facts, which live in slots; raw text never
    reaches the disk, so contact details given in a message are never kept in clear.
    """
    from bot.places import redact_postcodes
    from bot.privacy import redact

    def scrub(text: str) -> str:
        # Full postcodes are names and numbers to `redact`; a bare outward code ("CF10", the answer to
        # the place question) goes too: only its area codes are kept, in the `place` slot (issue 15).
        return redact_postcodes(redact(text), expecting=True)

    if data.get("event") == "user":
        if data.get("text"):
            data["text"] = scrub(data["text"])
        pd = data.get("parse_data")
        if isinstance(pd, dict) and pd.get("text"):
            pd["text"] = scrub(pd["text"])
    elif (
        data.get("event") == "slot"
        and data.get("name") in ("contact",)
        and data.get("value") not in (None, "given", "none", "not_saved")
    ):
        data["value"] = "given"
    elif data.get("event") == "bot":
        from bot.letter import redact_letter_event

        redact_letter_event(data)  # a drafted letter is shown once, never kept
    return data


def _channel(tracker: DialogueStateTracker) -> str:
    for e in reversed(tracker.events):
        if isinstance(e, UserUttered) and e.input_channel:
            return str(e.input_channel)[:20]
    return "unknown"
