"""Personal data requests (UK GDPR articles 15 and 17; CONTRACT section 8), for staff answering one.

`find` lists what is held about a person, found by a phone number, an email address or a referral
reference: kinds, counts and dates, never the content. `erase` deletes all of it. Both are audited
(the audit entry names the kind of identifier and the counts, never the identifier).

What can be held, and how it is reached from the identifier:

* `referral`, with its `referral_update`s: by reference, or by the sealed contact details
  (every sealed contact is opened and compared: contact details are never kept in clear);
* `sms_opt_out`: the keyed hash of the number (bot/record/sms_state.py);
* `sms_conversation`: the link from the number to the conversation it is texting in now;
* the conversations of those referrals and of that live SMS conversation: `interaction`s, `feedback`,
  `transcript` (record) and `conversation_events` (Rasa's tracker store and its journal).

An anonymous conversation is reachable from nothing the person could give: that is the point of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from sqlalchemy import create_engine, delete, func, inspect, select, text

from bot.record.db import get_engine, scrub_sqlite, session_scope
from bot.record.models import (
    AuditEntry,
    Feedback,
    Interaction,
    InteractionStatement,
    Referral,
    ReferralEvent,
    SmsConversation,
    SmsOptOut,
    Transcript,
)

#: The order kinds are listed in.
KINDS = (
    "referral",
    "referral_update",
    "transcript",
    "feedback",
    "interaction",
    "conversation_events",
    "sms_conversation",
    "sms_opt_out",
)


def normalise_phone(number: str) -> str:
    """A UK or international number as Twilio sends it (E.164): "07700 900123" -> "+447700900123"."""
    raw = (number or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("44"):
        return "+" + digits
    if digits.startswith("0"):
        return "+44" + digits[1:]
    return "+" + digits if digits else ""


@dataclass
class Key:
    """What the person gave: exactly one of phone, email, reference."""

    phone: Optional[str] = None
    email: Optional[str] = None
    reference: Optional[str] = None

    @property
    def kind(self) -> str:
        """Which key was given: "phone", "email" or "reference"."""
        return "phone" if self.phone else ("email" if self.email else "reference")


@dataclass
class Found:
    """Where a person's data is: row ids and keys, by kind (never the content)."""

    referrals: List[int] = field(default_factory=list)
    conversations: Set[str] = field(default_factory=set)  # the record's ids (pseudonyms of senders)
    senders: Set[str] = field(default_factory=set)  # Rasa's conversation ids
    opt_out: Optional[str] = None
    sms_link: Optional[str] = None
    held: List[Dict[str, Any]] = field(default_factory=list)


def _day(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = dt.datetime.utcfromtimestamp(value)
    return value.date().isoformat()


def _add(found: Found, kind: str, count: int, first: Any, last: Any) -> None:
    if count:
        found.held.append({"kind": kind, "count": int(count), "first": _day(first), "last": _day(last)})


def _matches(sealed: Optional[str], key: Key) -> bool:
    from bot.privacy import unseal

    if not sealed:
        return False
    try:
        contact = unseal(sealed) or {}
    except Exception:  # noqa: BLE001 - a contact sealed with another key cannot be this person's to us
        return False
    if key.phone:
        return bool(contact.get("phone")) and normalise_phone(str(contact["phone"])) == normalise_phone(key.phone)
    return bool(contact.get("email")) and str(contact["email"]).strip().lower() == key.email.strip().lower()


def _referrals(s, key: Key) -> List[Referral]:
    from bot.record.store import normalise_reference

    if key.reference:
        ref = normalise_reference(key.reference)
        return list(s.execute(select(Referral).where(Referral.ref == ref)).scalars()) if ref else []
    rows = s.execute(select(Referral).where(Referral.contact_sealed.is_not(None))).scalars()
    return [r for r in rows if _matches(r.contact_sealed, key)]


def _sms(s, found: Found, phone: str) -> None:
    from bot.privacy import pseudonym
    from bot.record.sms_state import conversation_hash, opt_out_hash

    number = normalise_phone(phone)
    opt = s.get(SmsOptOut, opt_out_hash(number))
    if opt is not None:
        found.opt_out = opt.number_hash
        _add(found, "sms_opt_out", 1, opt.at, opt.at)
    link = s.get(SmsConversation, conversation_hash(number))
    if link is not None:
        found.sms_link = link.number_hash
        found.senders.add(f"sms-{link.conversation}")
        found.conversations.add(pseudonym(f"sms-{link.conversation}"))
        _add(found, "sms_conversation", 1, link.updated_at, link.updated_at)


def _record(s, found: Found) -> None:
    conv = found.conversations
    for kind, model, at in (
        ("transcript", Transcript, Transcript.at),
        ("feedback", Feedback, Feedback.at),
        ("interaction", Interaction, Interaction.at),
    ):
        if conv:
            n, first, last = s.execute(
                select(func.count(), func.min(at), func.max(at)).where(model.conversation.in_(conv))
            ).one()
            _add(found, kind, n, first, last)


def _tracker_senders(found: Found) -> Dict[str, Tuple[int, float, float]]:
    """Rasa's conversations whose record id is one of `found.conversations`: events, first, last."""
    from bot.privacy import pseudonym
    from bot.record.retention import tracker_db_url

    out: Dict[str, Tuple[int, float, float]] = {}
    url = tracker_db_url()
    if url.startswith("sqlite:///") and not __import__("os").path.exists(url[len("sqlite:///") :]):
        return out
    engine = create_engine(url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return out
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT sender_id, COUNT(*), MIN(timestamp), MAX(timestamp) FROM events " "GROUP BY sender_id")
            ).all()
    finally:
        engine.dispose()
    for sender, n, first, last in rows:
        if sender in found.senders or pseudonym(sender) in found.conversations:
            out[sender] = (int(n), first, last)
    return out


def _journal_files(senders: Iterable[str]) -> List[Any]:
    from bot.settings import data_dir

    journal = data_dir() / "journal"
    paths = [journal / (hashlib.sha256(s.encode()).hexdigest()[:32] + ".json") for s in senders]
    return [p for p in paths if p.exists()]


def find(key: Key) -> Found:
    """Everything held about the person `key` names (raises SQLAlchemyError when a database is down)."""
    found = Found()
    with session_scope() as s:
        refs = _referrals(s, key)
        found.referrals = [r.id for r in refs]
        found.conversations.update(r.conversation for r in refs)
        _add(
            found,
            "referral",
            len(refs),
            min((r.created_at for r in refs), default=None),
            max((r.updated_at for r in refs), default=None),
        )
        if refs:
            n, first, last = s.execute(
                select(func.count(), func.min(ReferralEvent.at), func.max(ReferralEvent.at)).where(
                    ReferralEvent.referral_id.in_(found.referrals)
                )
            ).one()
            _add(found, "referral_update", n, first, last)
        if key.phone:
            _sms(s, found, key.phone)
        _record(s, found)
    trackers = _tracker_senders(found)
    found.senders.update(trackers)
    journals = _journal_files(found.senders)
    if trackers or journals:
        _add(
            found,
            "conversation_events",
            sum(n for n, _, _ in trackers.values()) + len(journals),
            min((f for _, f, _ in trackers.values()), default=None),
            max((t for _, _, t in trackers.values()), default=None),
        )
    found.held.sort(key=lambda h: KINDS.index(h["kind"]))
    return found


def erase(found: Found) -> Dict[str, int]:
    """Delete everything `find` found; returns rows deleted by kind."""
    counts: Dict[str, int] = {}
    conv = list(found.conversations)
    with session_scope() as s:

        def run(kind: str, stmt) -> None:
            counts[kind] = counts.get(kind, 0) + s.execute(stmt.execution_options(synchronize_session=False)).rowcount

        if found.referrals:
            run("referral_update", delete(ReferralEvent).where(ReferralEvent.referral_id.in_(found.referrals)))
            run("referral", delete(Referral).where(Referral.id.in_(found.referrals)))
        if conv:
            run("transcript", delete(Transcript).where(Transcript.conversation.in_(conv)))
            run("feedback", delete(Feedback).where(Feedback.conversation.in_(conv)))
            ids = select(Interaction.id).where(Interaction.conversation.in_(conv))
            s.execute(
                delete(InteractionStatement)
                .where(InteractionStatement.interaction_id.in_(ids))
                .execution_options(synchronize_session=False)
            )
            run("interaction", delete(Interaction).where(Interaction.conversation.in_(conv)))
        if found.sms_link:
            run("sms_conversation", delete(SmsConversation).where(SmsConversation.number_hash == found.sms_link))
        if found.opt_out:
            run("sms_opt_out", delete(SmsOptOut).where(SmsOptOut.number_hash == found.opt_out))
    scrub_sqlite(get_engine())
    counts["conversation_events"] = _erase_trackers(found.senders)
    return {k: v for k, v in counts.items() if v}


def _erase_trackers(senders: Set[str]) -> int:
    from bot.record.retention import tracker_db_url

    n = 0
    for path in _journal_files(senders):
        path.unlink(missing_ok=True)
        n += 1
    if not senders:
        return n
    engine = create_engine(tracker_db_url())
    if engine.dialect.name == "sqlite":
        from sqlalchemy import event

        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA secure_delete=ON"))
    try:
        if "events" in inspect(engine).get_table_names():
            with engine.begin() as conn:
                for sender in sorted(senders):
                    n += conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}).rowcount
        scrub_sqlite(engine)
    finally:
        engine.dispose()
    return n


def audit(action: str, key: Key, by: str, detail: Dict[str, Any]) -> None:
    """Record a request in the audit log: who, what kind of identifier, and counts (never the identifier)."""
    with session_scope() as s:
        s.add(
            AuditEntry(
                staff_name=by[:80], action=action[:40], target=key.kind, detail=json.dumps(detail, sort_keys=True)
            )
        )
