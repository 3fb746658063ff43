"""The record's schema and operations behave the same on SQLite and on PostgreSQL.

Migrations build the schema from empty (and take it down and up again); the schema they build is
the one the models describe; and every Store operation gives the same answers on both backends.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
import sqlalchemy as sa

from bot.record import db
from bot.record.catalogue import statements, statements_for
from bot.record.models import (
    Base,
    Feedback,
    Interaction,
    InteractionStatement,
    Referral,
    ReferralEvent,
    SeenMessage,
    Transcript,
    utcnow,
)
from bot.record.store import REF_ALPHABET, Store, StoreUnavailable, _check_char, new_reference, normalise_reference
from tests.integration.helpers import query

TABLES = set(Base.metadata.tables)


@pytest.fixture()
def store(backend):
    name, url = backend
    db.upgrade(url)
    yield Store(url)
    db.reset_engines()


def table_names(url: str) -> set:
    engine = sa.create_engine(url, future=True, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


# ------------------------------------------------------------------ migrations
def test_migrations_build_the_schema_from_empty_and_go_down_and_up_again(backend):
    from alembic import command
    from alembic.script import ScriptDirectory

    name, url = backend
    assert not table_names(url) & TABLES
    db.upgrade(url)
    assert TABLES <= table_names(url)
    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    assert query(url, "SELECT version_num FROM alembic_version") == [(head,)]
    db.upgrade(url)  # a second upgrade is a no-op, as at every start of the stack
    assert query(url, "SELECT version_num FROM alembic_version") == [(head,)]

    cfg = db.alembic_config(url)
    db.reset_engines()
    command.downgrade(cfg, "base")
    assert not table_names(url) & TABLES, f"{name}: downgrade left tables behind"
    command.upgrade(cfg, "head")
    assert TABLES <= table_names(url)
    # Still usable after the round trip.
    ref = Store(url).create_referral(
        conversation="c",
        channel="rest",
        idempotency_key="k",
        summary="s",
        facts={},
        routes=[],
        outcomes=[],
        anonymity="named",
    )
    assert Store(url).referral_status(ref).status == "new"
    db.reset_engines()


def test_the_migrated_schema_is_the_one_the_models_describe(backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    name, url = backend
    db.upgrade(url)
    engine = sa.create_engine(url, future=True, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()
        db.reset_engines()
    assert diff == [], f"{name}: the models and the migrations disagree: {diff}"


# ---------------------------------------------------------------- interactions
def test_interactions_are_recorded_against_their_statements(store):
    n = store.record_interactions(
        [
            ("conv-a", "rest", "utter_ask_transcript_consent", None),
            ("conv-a", "rest", "action_recommend", utcnow()),
            ("conv-a", "rest", "action_not_in_the_mapping", None),
            ("conv-b", "sms", "utter_ask_nation", None),
        ]
    )
    assert n == 4
    expected = set(statements_for("utter_ask_transcript_consent")) | set(statements_for("action_recommend"))
    assert set(store.touched_statements("conv-a")) == expected
    assert set(store.touched_statements("conv-b")) == set(statements_for("utter_ask_nation"))
    assert store.touched_statements("nobody") == []
    report = store.expectations_report()["statements"]
    for sid in expected | set(statements_for("utter_ask_nation")):
        want = (
            (sid in statements_for("utter_ask_transcript_consent"))
            + (sid in statements_for("action_recommend"))
            + (sid in statements_for("utter_ask_nation"))
        )
        assert report[sid]["interactions"] == want, sid


# -------------------------------------------------------------------- feedback
def test_feedback_is_one_answer_per_statement_and_conversation(store):
    sid = next(iter(statements()))
    store.add_feedback("conv-a", "rest", sid, 2)
    store.add_feedback("conv-a", "rest", sid, 5, comment="call me on 07700 900123")  # changed their mind
    store.add_feedback("conv-b", "rest", sid, 4)
    fb = store.expectations_report()["statements"][sid]["feedback"]
    assert fb == {"count": 2, "mean": 4.5}
    comments = [c for (c,) in query(store.url, "SELECT comment FROM rec_feedback WHERE comment IS NOT NULL")]
    assert comments and not any("900123" in c for c in comments)
    with pytest.raises(ValueError):
        store.add_feedback("conv-a", "rest", "no-such-statement", 3)
    with pytest.raises(ValueError):
        store.add_feedback("conv-a", "rest", sid, 6)


# ------------------------------------------------------------------- referrals
REFERRAL = dict(
    channel="rest",
    summary="My GP receptionist was rude. Email jo@example.org",
    facts={"nation": "england", "service": "gp"},
    routes=[{"id": "provider", "role": "primary"}, {"id": "icb", "role": "alternative"}],
    outcomes=["apology"],
    anonymity="confidential",
    wants_advocacy=True,
)


def test_a_referral_is_created_exactly_once_under_a_retried_idempotency_key(store):
    contact = {"email": "jo@example.org", "phone": None}
    first = store.create_referral(conversation="conv-a", idempotency_key="conv-a:referral", contact=contact, **REFERRAL)
    again = store.create_referral(conversation="conv-a", idempotency_key="conv-a:referral", contact=contact, **REFERRAL)
    assert again == first
    # Retries racing each other (two Rasa servers, a webhook retried): still one referral.
    refs, errors = [], []

    def retry():
        try:
            refs.append(
                store.create_referral(
                    conversation="conv-b", idempotency_key="conv-b:referral", contact=contact, **REFERRAL
                )
            )
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(refs) == 8 and len(set(refs)) == 1 and refs[0] != first
    rows = query(
        store.url,
        "SELECT ref, conversation, primary_route, contact_pref, contact_sealed, summary "
        "FROM rec_referrals ORDER BY id",
    )
    assert [r[0] for r in rows] == [first, refs[0]]
    for ref, conversation, primary, pref, sealed, summary in rows:
        assert primary == "provider" and pref == "email"
        assert sealed and "jo@example.org" not in sealed and "jo@example.org" not in summary
        assert normalise_reference(ref) == ref


def test_an_anonymous_referral_keeps_no_contact_details(store):
    ref = store.create_referral(
        conversation="conv-c",
        idempotency_key="conv-c:referral",
        contact={"phone": "07700 900123", "email": "jo@example.org"},
        **{**REFERRAL, "anonymity": "anonymous"},
    )
    assert query(
        store.url, "SELECT anonymity, contact_pref, contact_sealed FROM rec_referrals WHERE ref = :r", r=ref
    ) == [("anonymous", "none", None)]


# ---------------------------------------------------------------------- status
def test_status_lookup_by_reference(store):
    ref = store.create_referral(conversation="conv-a", idempotency_key="k1", **REFERRAL)
    status = store.referral_status(ref)
    assert (status.ref, status.status, status.last_update) == (ref, "new", None)
    assert isinstance(status.updated_at, dt.datetime)
    # However the person types it.
    for typed in (ref.lower(), ref.replace("-", ""), ref.replace("-", " "), f"what's happening with {ref}?"):
        assert store.referral_status(typed).ref == ref, typed
    # A well-formed reference nobody has, and malformed ones: nothing.
    unknown = new_reference()
    while unknown == ref:
        unknown = new_reference()
    assert store.referral_status(unknown) is None
    broken = ref[:-1] + next(c for c in REF_ALPHABET if c != ref[-1])  # wrong check character
    for bad in (broken, "KX7-4PQ", "", "'; DROP TABLE rec_referrals; --", "O" * 8, ref[:-1]):
        assert store.referral_status(bad) is None, bad


def test_a_reference_inside_a_sentence_is_read_as_that_reference():
    # The check character is one in 30, so scanning across words finds false references in about
    # one sentence in fifteen ("with XN3..." read as HXN-...): the person's own reference must win.
    rng = random.Random(1234)
    misread = []
    for _ in range(300):
        body = "".join(rng.choice(REF_ALPHABET) for _ in range(7))
        full = body + _check_char(body)
        ref = f"{full[:3]}-{full[3:6]}-{full[6:]}"
        for sentence in (
            f"what's happening with {ref}",
            f"my ref is {ref} thanks",
            f"update on {ref.lower()} please",
            f"{ref}",
            f"Reference: {ref.replace('-', ' ')}",
        ):
            if normalise_reference(sentence) != ref:
                misread.append((sentence, normalise_reference(sentence)))
    assert not misread, f"{len(misread)} misread, e.g. {misread[:5]}"


# ---------------------------------------------------------------------- report
def test_the_expectations_report_covers_every_statement(store):
    empty = store.expectations_report()
    assert set(empty["statements"]) == set(statements())
    assert all(v == {"interactions": 0, "feedback": {"count": 0, "mean": None}} for v in empty["statements"].values())
    sids = list(statements())
    store.record_interactions([("c1", "rest", "utter_ask_transcript_consent", None)] * 3)
    store.add_feedback("c1", "rest", sids[0], 1)
    store.add_feedback("c2", "rest", sids[0], 2)
    store.add_feedback("c3", "rest", sids[0], 2)
    report = store.expectations_report()["statements"]
    assert report[sids[0]]["feedback"] == {"count": 3, "mean": 1.67}
    for sid in statements_for("utter_ask_transcript_consent"):
        assert report[sid]["interactions"] == 3


# ----------------------------------------------------------------------- purge
def test_purge_by_age_deletes_only_what_is_old_and_finished(store):
    old = utcnow() - dt.timedelta(days=400)
    sid = next(iter(statements()))
    store.record_interactions(
        [("old", "rest", "utter_ask_transcript_consent", old), ("new", "rest", "utter_ask_transcript_consent", None)]
    )
    store.add_feedback("old", "rest", sid, 3)
    store.add_feedback("new", "rest", sid, 4)
    store.add_transcript("old", "person", "hello")
    store.add_transcript("new", "person", "hello")
    closed_old = store.create_referral(conversation="old", idempotency_key="k-closed-old", **REFERRAL)
    open_old = store.create_referral(conversation="old", idempotency_key="k-open-old", **REFERRAL)
    closed_new = store.create_referral(conversation="new", idempotency_key="k-closed-new", **REFERRAL)
    with db.session_scope(store.url) as s:
        s.execute(sa.update(Feedback).where(Feedback.conversation == "old").values(at=old))
        s.execute(sa.update(Transcript).where(Transcript.conversation == "old").values(at=old))
        s.execute(
            sa.update(Referral).where(Referral.ref == closed_old).values(status="closed", closed_at=old, created_at=old)
        )
        s.execute(sa.update(Referral).where(Referral.ref == open_old).values(created_at=old))
        s.execute(sa.update(Referral).where(Referral.ref == closed_new).values(status="closed", closed_at=utcnow()))
        rid = s.execute(sa.select(Referral.id).where(Referral.ref == closed_old)).scalar_one()
        s.add(ReferralEvent(referral_id=rid, at=old, kind="status", status="closed"))
        s.add(SeenMessage(message_id="SMold", at=old))
        s.add(SeenMessage(message_id="SMnew"))

    counts = store.purge(365)
    assert counts["interactions"] == 1 and counts["feedback"] == 1 and counts["transcripts"] == 1
    assert counts["referrals"] == 1 and counts["seen_messages"] == 1
    with db.session_scope(store.url) as s:
        assert [c for (c,) in s.execute(sa.select(Interaction.conversation))] == ["new"]
        assert s.execute(sa.select(sa.func.count()).select_from(InteractionStatement)).scalar() == len(
            statements_for("utter_ask_transcript_consent")
        )
        assert [c for (c,) in s.execute(sa.select(Feedback.conversation))] == ["new"]
        assert [c for (c,) in s.execute(sa.select(Transcript.conversation))] == ["new"]
        assert sorted(r for (r,) in s.execute(sa.select(Referral.ref))) == sorted([open_old, closed_new])
        assert s.execute(sa.select(sa.func.count()).select_from(ReferralEvent)).scalar() == 0
        assert [m for (m,) in s.execute(sa.select(SeenMessage.message_id))] == ["SMnew"]
    assert store.purge(365) == {k: 0 for k in counts}
    assert store.referral_status(open_old).status == "new"


# ----------------------------------------------------------------- unavailable
def test_an_unreachable_database_is_reported_as_unavailable_not_as_a_crash():
    from tests.support.services import free_port

    store = Store(f"postgresql://complaints@127.0.0.1:{free_port()}/nothing")
    calls = [
        lambda: store.record_interactions([("c", "rest", "utter_ask_nation", None)]),
        lambda: store.add_feedback("c", "rest", next(iter(statements())), 3),
        lambda: store.create_referral(conversation="c", idempotency_key="k", **REFERRAL),
        lambda: store.referral_status(new_reference()),
        store.expectations_report,
        lambda: store.purge(365),
    ]
    for call in calls:
        with pytest.raises(StoreUnavailable):
            call()
    db.reset_engines()
