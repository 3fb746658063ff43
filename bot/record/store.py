"""The record's operations: interactions, feedback, referrals, status, the report, purging.

Every write commits before it returns, so whatever the person is told was saved
is on disk. Database failures become `StoreUnavailable`, which callers turn into
a plain message ("your request is not saved yet").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.privacy import redact, seal
from bot.record.catalogue import statements, statements_for
from bot.record.db import session_scope
from bot.record.models import (
    Feedback,
    HealthProbe,
    Interaction,
    InteractionStatement,
    Referral,
    ReferralEvent,
    SeenMessage,
    SmsConversation,
    Transcript,
    utcnow,
)
from bot.record.sms_state import CONVERSATION_IDLE, THIS_NUMBER, SmsRecord

log = logging.getLogger(__name__)

# Unambiguous characters: no 0/O, 1/I/L, 5/S confusion.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRTUVWXYZ"
REF_BODY = 7
STATUSES = ("new", "in_review", "referred_on", "closed")


class StoreUnavailable(Exception):
    """The database could not be read or written."""


def _check_char(body: str) -> str:
    # The public weighted checksum of the first references (before the keyed check character).
    total = sum((i + 3) * REF_ALPHABET.index(c) for i, c in enumerate(body))
    return REF_ALPHABET[total % len(REF_ALPHABET)]


def _keyed_check_char(body: str) -> str:
    """The check character of a reference: a keyed hash of its body, so that nobody without the key
    can make a well-formed reference; a guess passes it one time in 30, before it is even looked up."""
    from bot.privacy import keyed_digest

    digest = keyed_digest("reference-check", body)
    return REF_ALPHABET[int.from_bytes(digest[:8], "big") % len(REF_ALPHABET)]


def new_reference() -> str:
    """An unguessable, easy-to-read reference like KX7-4PQ-2M (7 random characters and a keyed check),
    with at least one digit, so that no ordinary word ("PHARMACY") can ever be read as one."""
    while True:
        body = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_BODY))
        full = body + _keyed_check_char(body)
        if any(c.isdigit() for c in full):
            return f"{full[:3]}-{full[3:6]}-{full[6:]}"


#: A reference as a person types it: 3, 3 and 2 characters, together or apart ("kx7 4pq-2m"), as its own
#: word. Only whole words: letters run together across words ("with XN3..." read as "HXN-...") would pass
#: the one-in-30 check about once in fifteen sentences and hide the person's real reference.
_REF_WORDS = re.compile(
    r"(?=(?<![A-Za-z0-9])([A-Za-z0-9]{3})[^A-Za-z0-9]{0,3}([A-Za-z0-9]{3})[^A-Za-z0-9]{0,3}"
    r"([A-Za-z0-9]{2})(?![A-Za-z0-9]))"
)
#: A reference written as one: three groups apart (by dashes, spaces or dots), or eight characters together.
#: Only these are checked against the keyed check character, and only with a digit in them: the keyed
#: check differs from one deployment to the next, so it must never be what decides whether a phrase like
#: "8am every day" or a word like "REFERRED" is a reference (the legacy checksum stays as it always was).
_REF_WRITTEN = re.compile(
    r"(?<![A-Za-z0-9])(?:([A-Za-z0-9]{3})[-\s.]{1,3}([A-Za-z0-9]{3})[-\s.]{1,3}([A-Za-z0-9]{2})|"
    r"([A-Za-z0-9]{8}))(?![A-Za-z0-9])"
)
#: Anything written like a reference, valid or not: with its dashes, or as a whole short message.
_REF_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{3}-[A-Za-z0-9]{3}-[A-Za-z0-9]{2}(?![A-Za-z0-9])|"
    r"^\W*[A-Za-z0-9]{3}\W[A-Za-z0-9]{3}\W[A-Za-z0-9]{2}\W*$|"
    r"^\W*(?=[A-Za-z]*\d)[A-Za-z0-9]{8}\W*$"
)  # as one word, only with a digit: "Scotland" is a word


def _candidates(text: str) -> List[str]:
    out = []
    for m in _REF_WORDS.finditer(text or ""):
        cand = "".join(m.groups()).upper()
        # Without a digit, only a reference written in its three groups counts: one English word in
        # thirty passes the public checksum ("happened" read as HAP-PEN-ED), and a word is never a reference.
        apart = m.start(2) > m.end(1) and m.start(3) > m.end(2)
        if all(c in REF_ALPHABET for c in cand) and (apart or any(c.isdigit() for c in cand)):
            out.append(cand)
    return out


def _keyed_candidates(text: str) -> List[str]:
    out = []
    for m in _REF_WRITTEN.finditer(text or ""):
        cand = "".join(g for g in m.groups() if g).upper()
        if all(c in REF_ALPHABET for c in cand) and any(c.isdigit() for c in cand):
            out.append(cand)
    return out


def normalise_reference(text: str) -> Optional[str]:
    """The reference in `text` in canonical form, or None if it is not a valid reference.

    A reference made now carries a keyed check character (and a digit, and is written as a
    reference); one made before that change carries the public checksum and is still read, as
    before (a keyed match in the text wins over a legacy one)."""
    found = next((c for c in _keyed_candidates(text) if _keyed_check_char(c[:7]) == c[7]), None) or next(
        (c for c in _candidates(text) if _check_char(c[:7]) == c[7]), None
    )
    return f"{found[:3]}-{found[3:6]}-{found[6:]}" if found else None


def looks_like_reference(text: str) -> bool:
    """Whether a message is, or tries to be, a reference (valid or not): such messages are lookups,
    and lookups are limited (bot.limits), so trying reference after reference gets nowhere."""
    return bool(_REF_SHAPE.search(text or "")) or normalise_reference(text) is not None


def _contact(contact: Optional[Dict[str, Any]], channel: str) -> Tuple[str, Optional[str]]:
    """(contact preference, sealed contact) for a referral. "Text me here" on SMS (`THIS_NUMBER`) is the
    preference alone: the channel seals the number onto the referral (Store.keep_sms_number)."""
    contact = {k: v for k, v in (contact or {}).items() if v}
    if not contact:
        return "none", None
    if contact.get("phone") == THIS_NUMBER:
        return ("sms", None) if channel == "sms" else ("none", None)
    pref = "sms" if contact.get("phone") and channel == "sms" else ("phone" if contact.get("phone") else "email")
    return pref, seal(contact)


@dataclass
class Status:
    ref: str
    status: str
    updated_at: dt.datetime
    last_update: Optional[str]
    organisation: Optional[Dict[str, Any]] = None  # the first step's own organisation, where the place was known


def _own_organisation(routes_json: Optional[str]) -> Optional[Dict[str, Any]]:
    """The organisation named for the referral's first step (issue 15), from its stored routes."""
    try:
        routes = json.loads(routes_json or "[]")
    except ValueError:
        return None
    primary = next((r for r in routes if isinstance(r, dict) and r.get("role") == "primary"), None)
    org = (primary or {}).get("organisation") or {}
    return org if org.get("name") else None


class Store(SmsRecord):
    """Operations on the record (one instance per process is enough)."""

    def __init__(self, url: Optional[str] = None):
        self.url = url

    # ------------------------------------------------------------ interactions
    def record_interactions(self, items: Iterable[Tuple[str, str, str, Optional[dt.datetime]]]) -> int:
        """Record bot actions as (conversation, channel, action, at); returns rows written."""
        rows = 0
        try:
            with session_scope(self.url) as s:
                for conversation, channel, action, at in items:
                    ids = statements_for(action)
                    it = Interaction(
                        conversation=conversation, channel=channel or "unknown", action=action[:80], at=at or utcnow()
                    )
                    it.statements = [InteractionStatement(statement_id=sid) for sid in ids]
                    s.add(it)
                    rows += 1
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e
        return rows

    def touched_statements(self, conversation: str) -> List[str]:
        """The statement ids served in a conversation so far."""
        try:
            with session_scope(self.url) as s:
                q = (
                    select(InteractionStatement.statement_id)
                    .join(Interaction)
                    .where(Interaction.conversation == conversation)
                    .distinct()
                )
                return [r[0] for r in s.execute(q)]
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e

    # ---------------------------------------------------------------- feedback
    def add_feedback(
        self, conversation: str, channel: str, statement_id: str, score: int, comment: Optional[str] = None
    ) -> None:
        """Record (or replace) a conversation's 1-5 score and optional comment on one statement."""
        if statement_id not in statements():
            raise ValueError(f"unknown statement {statement_id}")
        if not 1 <= int(score) <= 5:
            raise ValueError("score must be 1 to 5")
        try:
            with session_scope(self.url) as s:
                row = s.execute(
                    select(Feedback).where(Feedback.conversation == conversation, Feedback.statement_id == statement_id)
                ).scalar_one_or_none()
                if row is None:
                    row = Feedback(conversation=conversation, channel=channel or "unknown", statement_id=statement_id)
                    s.add(row)
                row.score = int(score)
                row.comment = redact(comment)[:1000] if comment else row.comment
                row.at = utcnow()
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e

    def feedback_counts(self) -> Dict[str, int]:
        """How many feedback answers each statement has had (to spread the questions across them)."""
        try:
            with session_scope(self.url) as s:
                rows = s.execute(select(Feedback.statement_id, func.count()).group_by(Feedback.statement_id)).all()
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e
        return {sid: int(n) for sid, n in rows}

    # --------------------------------------------------------------- referrals
    def create_referral(
        self,
        *,
        conversation: str,
        channel: str,
        idempotency_key: str,
        summary: str,
        facts: Dict[str, Any],
        routes: Sequence[Dict[str, Any]],
        outcomes: Sequence[str],
        anonymity: str,
        contact: Optional[Dict[str, Any]] = None,
        wants_advocacy: bool = False,
        transcript_consent: bool = False,
        transcript: Optional[Sequence[Tuple[str, str]]] = None,
    ) -> str:
        """Create a referral once per idempotency key and return its reference.

        With `transcript_consent`, the conversation's messages (`transcript`, as
        (speaker, text)) are stored redacted in the same transaction; without it, none.
        """
        if anonymity not in ("named", "confidential", "anonymous"):
            anonymity = "named"
        if anonymity == "anonymous":
            contact = None  # anonymous means no contact details stored, ever
        pref, sealed = _contact(contact, channel)
        primary = next((r.get("id") for r in routes if r.get("role") == "primary"), None)
        for _ in range(5):
            try:
                with session_scope(self.url) as s:
                    existing = s.execute(
                        select(Referral.ref).where(Referral.idempotency_key == idempotency_key)
                    ).scalar()
                    if existing:
                        return existing
                    ref = new_reference()
                    s.add(
                        Referral(
                            ref=ref,
                            idempotency_key=idempotency_key,
                            conversation=conversation,
                            channel=channel or "unknown",
                            summary=redact(summary)[:4000],
                            facts=json.dumps(facts, sort_keys=True),
                            routes=json.dumps(list(routes)),
                            primary_route=primary,
                            outcomes=json.dumps(list(outcomes)),
                            anonymity=anonymity,
                            wants_advocacy=bool(wants_advocacy),
                            contact_pref=pref,
                            contact_sealed=sealed,
                            transcript_consent=bool(transcript_consent),
                        )
                    )
                    if transcript_consent and transcript:
                        for speaker, text in transcript[-200:]:
                            s.add(
                                Transcript(
                                    conversation=conversation, speaker=str(speaker)[:10], text=redact(str(text))[:4000]
                                )
                            )
                return ref
            except IntegrityError:
                continue  # a retry raced us (same key) or a reference collided: look again
            except SQLAlchemyError as e:
                raise StoreUnavailable(str(e)) from e
        raise StoreUnavailable("could not create a unique referral")

    def referral_status(self, ref: str) -> Optional[Status]:
        """The status a person may see for their reference (None when unknown)."""
        canonical = normalise_reference(ref)
        if not canonical:
            return None
        try:
            with session_scope(self.url) as s:
                r = s.execute(select(Referral).where(Referral.ref == canonical)).scalar_one_or_none()
                if r is None:
                    return None
                return Status(r.ref, r.status, r.updated_at, r.last_update, _own_organisation(r.routes))
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e

    # -------------------------------------------------------------- transcript
    def add_transcript(self, conversation: str, speaker: str, text: str) -> None:
        """Add one message, redacted and cut to 4000 characters, to a conversation's transcript."""
        try:
            with session_scope(self.url) as s:
                s.add(Transcript(conversation=conversation, speaker=speaker, text=redact(text)[:4000]))
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e

    # ------------------------------------------------------------------ report
    def expectations_report(self) -> Dict[str, Any]:
        """CONTRACT section 6: interactions and feedback per statement id."""
        out = {sid: {"interactions": 0, "feedback": {"count": 0, "mean": None}} for sid in statements()}
        try:
            with session_scope(self.url) as s:
                for sid, n in s.execute(
                    select(InteractionStatement.statement_id, func.count()).group_by(InteractionStatement.statement_id)
                ):
                    if sid in out:
                        out[sid]["interactions"] = int(n)
                for sid, n, mean in s.execute(
                    select(Feedback.statement_id, func.count(), func.avg(Feedback.score)).group_by(
                        Feedback.statement_id
                    )
                ):
                    if sid in out:
                        out[sid]["feedback"] = {
                            "count": int(n),
                            "mean": round(float(mean), 2) if mean is not None else None,
                        }
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e
        return {"statements": out}

    # ------------------------------------------------------------------- purge
    def purge(self, older_than_days: int) -> Dict[str, int]:
        """Delete conversations' interactions, feedback, transcripts and closed referrals older than N days."""
        cutoff = utcnow() - dt.timedelta(days=older_than_days)
        counts = {}
        try:
            with session_scope(self.url) as s:

                def run(stmt):
                    # Bulk deletes: no need to sync the (empty) session.
                    return s.execute(stmt.execution_options(synchronize_session=False)).rowcount

                old_ids = select(Interaction.id).where(Interaction.at < cutoff)
                run(delete(InteractionStatement).where(InteractionStatement.interaction_id.in_(old_ids)))
                counts["interactions"] = run(delete(Interaction).where(Interaction.at < cutoff))
                counts["feedback"] = run(delete(Feedback).where(Feedback.at < cutoff))
                counts["transcripts"] = run(delete(Transcript).where(Transcript.at < cutoff))
                closed = select(Referral.id).where(Referral.status == "closed", Referral.closed_at < cutoff)
                run(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(closed)))
                counts["referrals"] = run(
                    delete(Referral).where(Referral.status == "closed", Referral.closed_at < cutoff)
                )
                # Webhook retry records are only needed briefly; a number leads to its conversation only
                # while it lasts (opt-outs stay: they are what keeps a person from being texted).
                counts["seen_messages"] = run(
                    delete(SeenMessage).where(SeenMessage.at < utcnow() - dt.timedelta(days=2))
                )
                counts["sms_conversations"] = run(
                    delete(SmsConversation).where(SmsConversation.updated_at < utcnow() - CONVERSATION_IDLE)
                )
                # Health probes of processes that have stopped (each running one rewrites its row).
                run(delete(HealthProbe).where(HealthProbe.at < utcnow() - dt.timedelta(days=2)))
        except SQLAlchemyError as e:
            raise StoreUnavailable(str(e)) from e
        return counts


_store: Optional[Store] = None


def get_store() -> Store:
    """The process's Store, made on first use."""
    global _store
    if _store is None:
        _store = Store()
    return _store
