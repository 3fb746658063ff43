"""The record's tables (SQLAlchemy 1.4, 2.0 style).

Every table name starts with `rec_` so the record never clashes with Rasa's own
tables (its tracker store and SQL event broker both use a table called `events`);
in production the record also lives in its own database or schema.

Nothing here holds message text unless the person agreed, and then only redacted
text. Contact details exist only for confidential or named referrals, and only
encrypted (bot.privacy.seal).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    """The current UTC time without a time zone, as the record's columns hold it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Interaction(Base):
    """One bot action in one conversation, and the I statements it served."""

    __tablename__ = "rec_interactions"
    id = Column(Integer, primary_key=True)
    conversation = Column(String(32), nullable=False, index=True)  # pseudonymous id
    channel = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    action = Column(String(80), nullable=False)
    statements = relationship("InteractionStatement", cascade="all, delete-orphan", lazy="selectin")


class InteractionStatement(Base):
    __tablename__ = "rec_interaction_statements"
    interaction_id = Column(Integer, ForeignKey("rec_interactions.id", ondelete="CASCADE"), primary_key=True)
    statement_id = Column(String(20), primary_key=True, index=True)


class Feedback(Base):
    """A person's answer (1 to 5) about one I statement, with an optional redacted comment."""

    __tablename__ = "rec_feedback"
    id = Column(Integer, primary_key=True)
    conversation = Column(String(32), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    statement_id = Column(String(20), nullable=False, index=True)
    score = Column(Integer, nullable=False)
    comment = Column(Text)
    __table_args__ = (UniqueConstraint("conversation", "statement_id", name="uq_feedback_once"),)


class Referral(Base):
    """A request for help that staff act on (advocacy, a call back, a person to help)."""

    __tablename__ = "rec_referrals"
    id = Column(Integer, primary_key=True)
    ref = Column(String(12), nullable=False, unique=True)  # e.g. KX7-4PQ-2M
    idempotency_key = Column(String(80), nullable=False, unique=True)  # created once per conversation
    conversation = Column(String(32), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    status = Column(String(20), nullable=False, default="new", index=True)  # new, in_review, referred_on, closed
    summary = Column(Text, nullable=False, default="")  # redacted
    facts = Column(Text, nullable=False, default="{}")  # JSON case facts (no identifiers)
    routes = Column(Text, nullable=False, default="[]")  # JSON: the router's ordered routes
    primary_route = Column(String(40), index=True)
    outcomes = Column(Text, nullable=False, default="[]")  # JSON list
    anonymity = Column(String(20), nullable=False, default="named")  # named, confidential, anonymous
    wants_advocacy = Column(Boolean, nullable=False, default=False)
    contact_pref = Column(String(10), nullable=False, default="none")  # sms, email, phone, none
    contact_sealed = Column(Text)  # encrypted; never set when anonymous
    transcript_consent = Column(Boolean, nullable=False, default=False)
    assigned_to = Column(Integer, ForeignKey("rec_staff.id", ondelete="SET NULL"))
    last_update = Column(Text)  # the latest update told to the person
    closed_at = Column(DateTime)
    updates = relationship("ReferralEvent", cascade="all, delete-orphan", order_by="ReferralEvent.at", lazy="selectin")


class ReferralEvent(Base):
    """A change to a referral: status, note, assignment, or an update sent to the person."""

    __tablename__ = "rec_referral_events"
    id = Column(Integer, primary_key=True)
    referral_id = Column(Integer, ForeignKey("rec_referrals.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    kind = Column(String(20), nullable=False)  # status, note, assign, update
    status = Column(String(20))
    text = Column(Text)
    staff_id = Column(Integer, ForeignKey("rec_staff.id", ondelete="SET NULL"))
    delivered = Column(Boolean)  # for updates: sent through the channel?


class Transcript(Base):
    """Redacted messages of a conversation, kept only with the person's agreement."""

    __tablename__ = "rec_transcripts"
    id = Column(Integer, primary_key=True)
    conversation = Column(String(32), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    speaker = Column(String(10), nullable=False)  # person, bot
    text = Column(Text, nullable=False)


class Staff(Base):
    __tablename__ = "rec_staff"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    role = Column(String(20), nullable=False)  # reviewer, admin, analyst
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)


class AuditEntry(Base):
    """Every sign-in and every view or change of personal data."""

    __tablename__ = "rec_audit"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    staff_id = Column(Integer, ForeignKey("rec_staff.id", ondelete="SET NULL"))
    staff_name = Column(String(80))
    action = Column(String(40), nullable=False)  # sign_in, sign_in_failed, view_referral, change_status ...
    target = Column(String(40))  # e.g. the referral reference
    detail = Column(Text)
    ip = Column(String(64))


class SmsOptOut(Base):
    """A phone number that texted STOP, as a keyed hash (bot.privacy.pseudonym), never the number.

    A row means "do not text"; START deletes it. Nothing else about the person is kept here."""

    __tablename__ = "rec_sms_opt_outs"
    number_hash = Column(String(64), primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)


class SmsConversation(Base):
    """The conversation a phone number is texting in now, only while it lasts.

    The conversation id is random (never derived from the number); the row that leads from the
    number to it (a keyed hash) is deleted when the conversation ends, at STOP, or after a day of
    silence, so what stays of an anonymous texter cannot be tied back to their number."""

    __tablename__ = "rec_sms_conversations"
    number_hash = Column(String(64), primary_key=True)
    conversation = Column(String(32), nullable=False, unique=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class SeenMessage(Base):
    """Inbound message ids already processed (a retried webhook is not processed twice)."""

    __tablename__ = "rec_seen_messages"
    message_id = Column(String(64), primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    reply = Column(Text)  # the reply given, to answer a retry the same way


class LetterLink(Base):
    """A drafted letter behind an SMS link (bot.letter.links): encrypted, found by a hash of its token,
    deleted when it expires. Not linked to a conversation, a person or a number."""

    __tablename__ = "rec_letter_links"
    token_hash = Column(String(64), primary_key=True)  # SHA-256 of the link's token, never the token
    sealed = Column(Text, nullable=False)  # the letter, encrypted (bot.privacy.seal)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)


class HealthProbe(Base):
    """One row per process that checks the database takes writes (`/healthz`), overwritten each time."""

    __tablename__ = "rec_health_probe"
    name = Column(String(40), primary_key=True)
    token = Column(String(32), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


Index("ix_rec_referrals_status_created", Referral.status, Referral.created_at)
