"""The referral list, its filters and pages, the detail page, the workflow, notes, assignment, updates."""

from __future__ import annotations

import datetime as dt
import re
import time

from tests.inbox.helpers import audit_actions, make_referral, set_created, signed_in


def refs_in(html: str):
    return re.findall(r'<a href="/inbox/referrals/([A-Z0-9-]+)">', html)


async def test_a_new_referral_appears_in_the_list_within_a_second(client):
    await signed_in(client, "reviewer")
    assert refs_in(await (await client.get("/inbox/referrals")).text()) == []
    t0 = time.monotonic()
    ref = make_referral(1)
    html = await (await client.get("/inbox/referrals")).text()
    assert time.monotonic() - t0 < 1.0
    assert refs_in(html) == [ref]


async def test_filters(client):
    now = dt.datetime.utcnow()
    a = make_referral(
        1, channel="web", route="provider", advocacy=True, anonymity="named", contact={"email": "a@example.org"}
    )
    b = make_referral(2, channel="sms", route="pals", advocacy=False, anonymity="anonymous")
    c = make_referral(
        3, channel="sms", route="provider", advocacy=False, anonymity="confidential", contact={"phone": "07700900001"}
    )
    set_created(a, now - dt.timedelta(days=40))
    set_created(b, now - dt.timedelta(days=10))
    token = await signed_in(client, "reviewer")
    await client.post(
        f"/inbox/referrals/{c}/status", data={"csrf_token": token, "status": "in_review", "expected": "new"}
    )

    async def listed(query: str):
        resp = await client.get("/inbox/referrals?" + query)
        assert resp.status == 200
        return set(refs_in(await resp.text()))

    assert await listed("") == {a, b, c}
    assert await listed("status=new") == {a, b}
    assert await listed("status=in_review") == {c}
    assert await listed("route=provider") == {a, c}
    assert await listed("route=pals") == {b}
    assert await listed("channel=sms") == {b, c}
    assert await listed("advocacy=yes") == {a}
    assert await listed("advocacy=no") == {b, c}
    assert await listed("anonymity=anonymous") == {b}
    assert await listed("anonymity=confidential") == {c}
    day = dt.timedelta(days=1)
    assert await listed(f"date_from={(now - 20 * day).date()}") == {b, c}
    assert await listed(f"date_to={(now - 20 * day).date()}") == {a}
    assert await listed(f"date_from={(now - 11 * day).date()}&date_to={(now - 9 * day).date()}") == {b}
    assert await listed("channel=sms&status=new") == {b}
    # Bad values are ignored, with a message for the dates.
    html = await (await client.get("/inbox/referrals?date_from=yesterday&status=bogus")).text()
    assert "is not a date" in html and set(refs_in(html)) == {a, b, c}
    # The filter form keeps the choices and offers the values present.
    html = await (await client.get("/inbox/referrals?channel=sms")).text()
    assert '<option value="sms" selected>' in html and '<option value="pals">' in html
    # Assigned to me / to no one.
    await client.post(f"/inbox/referrals/{a}/assign", data={"csrf_token": token, "assignee": "me"})
    assert await listed("assigned=me") == {a}
    assert await listed("assigned=none") == {b, c}


async def test_paging_25_per_page(client):
    refs = [make_referral(i) for i in range(30)]
    base = dt.datetime.utcnow() - dt.timedelta(hours=1)
    for i, ref in enumerate(refs):
        set_created(ref, base + dt.timedelta(minutes=i))
    await signed_in(client, "reviewer")
    page1 = await (await client.get("/inbox/referrals")).text()
    assert refs_in(page1) == list(reversed(refs))[:25]
    assert "Referrals 1 to 25 of 30" in page1 and "Page 1 of 2" in page1 and 'href="/inbox/referrals?page=2"' in page1
    page2 = await (await client.get("/inbox/referrals?page=2")).text()
    assert refs_in(page2) == list(reversed(refs))[25:]
    assert "Referrals 26 to 30 of 30" in page2 and 'href="/inbox/referrals"' in page2
    # Paging keeps the filters.
    filtered = await (await client.get("/inbox/referrals?status=new")).text()
    assert 'href="/inbox/referrals?status=new&amp;page=2"' in filtered
    # Past the end: back to the last page.
    resp = await client.get("/inbox/referrals?page=9", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/inbox/referrals?page=2"


def seed_conversation(conversation: str):
    from bot.record import get_store

    store = get_store()
    store.record_interactions(
        [(conversation, "web", "utter_invite_story", None), (conversation, "web", "action_recommend", None)]
    )
    store.add_feedback(conversation, "web", "making-2", 4, "It let me say it my way")
    store.add_transcript(conversation, "person", "My GP, Dr Smith, was rude to me on 01/02/2024")
    store.add_transcript(conversation, "bot", "I am sorry that happened.")


async def test_detail_page_shows_the_referral_and_audits_the_view(client):
    ref = make_referral(1, contact={"name": "Jo Bloggs", "phone": "07700900123"}, advocacy=True, transcript=True)
    seed_conversation("conv0001")
    await signed_in(client, "reviewer")
    resp = await client.get(f"/inbox/referrals/{ref}")
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    html = await resp.text()
    for text in (
        ref,
        "My GP was rude to me",
        "The organisation that gave the care",
        "Most complaints are sorted out",
        "Parliamentary and Health Service Ombudsman",
        "apology",
        "Named",
        "Phone",
        "I am sorry that happened.",
        "Feedback: 4 out of 5",
        "It let me say it my way",
        "making-2",
        "I was able to communicate my concerns in the way that I wanted",
        "Show the contact details",
        "utter_invite_story",
        "I was able to make a complaint at a time that suited me",
        "action_recommend",
        "I understand how complaints help to improve services",
    ):
        assert text in html, text
    assert "Dr Smith" not in html  # the transcript is stored redacted
    assert "Jo Bloggs" not in html and "07700900123" not in html  # contact details only on request
    views = audit_actions("view_referral")
    assert [(v["staff"], v["target"]) for v in views] == [("Rob Reviewer", ref)]
    assert not audit_actions("view_contact")
    # Showing the contact details is a separate, audited view.
    html = await (await client.get(f"/inbox/referrals/{ref}?contact=show")).text()
    assert "Jo Bloggs" in html and "07700900123" in html
    assert [(v["staff"], v["target"]) for v in audit_actions("view_contact")] == [("Rob Reviewer", ref)]
    assert len(audit_actions("view_referral")) == 2
    # Every view counts.
    await client.get(f"/inbox/referrals/{ref}?contact=show")
    assert len(audit_actions("view_contact")) == 2


async def test_no_contact_details_when_anonymous_and_no_transcript_without_consent(client):
    ref = make_referral(2, anonymity="anonymous", contact={"name": "Jo Bloggs", "phone": "07700900123"})
    seed_conversation("conv0002")
    await signed_in(client, "admin")
    html = await (await client.get(f"/inbox/referrals/{ref}?contact=show")).text()
    assert "chose to stay anonymous" in html and "Jo Bloggs" not in html and "Show the contact details" not in html
    assert "did not agree to keep a transcript" in html and "I am sorry that happened." not in html
    assert not audit_actions("view_contact")


async def test_unknown_or_malformed_reference(client):
    await signed_in(client, "reviewer")
    assert (await client.get("/inbox/referrals/AAA-AAA-AA")).status == 404
    assert (await client.get("/inbox/referrals/..%2F..%2Fetc")).status == 404
    assert (await client.get("/inbox/referrals/" + "A" * 40)).status == 404


async def detail(client, ref):
    return await (await client.get(f"/inbox/referrals/{ref}")).text()


async def test_workflow_with_reasons(client):
    from bot.record import get_store

    ref = make_referral(1)
    token = await signed_in(client, "reviewer")
    before = get_store().referral_status(ref).updated_at

    async def move(status, reason="", expected=None):
        return await client.post(
            f"/inbox/referrals/{ref}/status",
            allow_redirects=False,
            data={
                "csrf_token": token,
                "status": status,
                "reason": reason,
                "expected": expected if expected is not None else get_store().referral_status(ref).status,
            },
        )

    # new -> referred_on is not a step of the workflow
    assert (await move("referred_on", "PALS")).status == 302
    assert get_store().referral_status(ref).status == "new"
    assert "cannot go from" in await detail(client, ref)
    assert (await move("in_review")).status == 302
    assert get_store().referral_status(ref).status == "in_review"
    assert get_store().referral_status(ref).updated_at > before
    # referred_on needs a reason
    await move("referred_on", "   ")
    html = await detail(client, ref)
    assert get_store().referral_status(ref).status == "in_review" and "Give a reason" in html
    await move("referred_on", "Referred to the local advocacy service")
    assert get_store().referral_status(ref).status == "referred_on"
    # a stale form is refused
    await move("closed", "done", expected="in_review")
    assert get_store().referral_status(ref).status == "referred_on"
    assert "changed to" in await detail(client, ref)
    # closed needs a reason and sets closed_at
    await move("closed", "")
    assert get_store().referral_status(ref).status == "referred_on"
    await move("closed", "Advocacy service confirmed they have it")
    html = await detail(client, ref)
    assert get_store().referral_status(ref).status == "closed"
    assert "<dt>Closed</dt>" in html
    from sqlalchemy import select

    from bot.record.db import session_scope
    from bot.record.models import Referral, ReferralEvent

    with session_scope() as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one()
        assert r.closed_at is not None
        events = [
            (e.kind, e.status, e.text)
            for e in s.execute(
                select(ReferralEvent).where(ReferralEvent.referral_id == r.id).order_by(ReferralEvent.id)
            ).scalars()
        ]
    assert events == [
        ("status", "in_review", None),
        ("status", "referred_on", "Referred to the local advocacy service"),
        ("status", "closed", "Advocacy service confirmed they have it"),
    ]
    # re-opening needs a reason and clears closed_at
    await move("in_review", "The person came back with more")
    with session_scope() as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one()
        assert r.status == "in_review" and r.closed_at is None
    changes = [a["detail"] for a in audit_actions("change_status")]
    assert changes[0] == "new -> in_review" and changes[-1].startswith("closed -> in_review")
    assert "Referred to the local advocacy service" in html


async def test_notes_and_assignment(client, staff_ids):
    ref = make_referral(1)
    token = await signed_in(client, "reviewer")
    resp = await client.post(
        f"/inbox/referrals/{ref}/note", data={"csrf_token": token, "note": "Called PALS"}, allow_redirects=False
    )
    assert resp.status == 302
    assert (await client.post(f"/inbox/referrals/{ref}/note", data={"csrf_token": token, "note": " "})).status == 302
    resp = await client.post(
        f"/inbox/referrals/{ref}/assign",
        data={"csrf_token": token, "assignee": str(staff_ids["admin"])},
        allow_redirects=False,
    )
    assert resp.status == 302
    html = await detail(client, ref)
    assert "Called PALS" in html and "Assigned to Ada Admin" in html and "Write the note first" in html
    # An analyst cannot be assigned a referral.
    await client.post(
        f"/inbox/referrals/{ref}/assign", data={"csrf_token": token, "assignee": str(staff_ids["analyst"])}
    )
    assert "Choose an active reviewer or admin" in await detail(client, ref)
    await client.post(f"/inbox/referrals/{ref}/assign", data={"csrf_token": token, "assignee": "none"})
    from sqlalchemy import select

    from bot.record.db import session_scope
    from bot.record.models import Referral, ReferralEvent

    with session_scope() as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one()
        assert r.assigned_to is None
        kinds = [
            (e.kind, e.text, e.staff_id)
            for e in s.execute(
                select(ReferralEvent).where(ReferralEvent.referral_id == r.id).order_by(ReferralEvent.id)
            ).scalars()
        ]
    assert kinds == [
        ("note", "Called PALS", staff_ids["reviewer"]),
        ("assign", "Assigned to Ada Admin", staff_ids["reviewer"]),
        ("assign", "Unassigned", staff_ids["reviewer"]),
    ]
    assert [a["action"] for a in audit_actions() if a["action"] in ("add_note", "assign")] == [
        "add_note",
        "assign",
        "assign",
    ]


async def test_send_an_update_by_sms(client, sms_outbox):
    from bot.record import get_store

    ref = make_referral(1, channel="sms", contact={"phone": "07700900123"})
    token = await signed_in(client, "reviewer")
    resp = await client.post(
        f"/inbox/referrals/{ref}/update",
        allow_redirects=False,
        data={"csrf_token": token, "update": "We have passed your concern to PALS."},
    )
    assert resp.status == 302
    assert sms_outbox == [({"phone": "07700900123"}, "We have passed your concern to PALS.")]
    html = await detail(client, ref)
    assert "sent to the person by text message" in html and "Sent by text message" in html
    assert get_store().referral_status(ref).last_update == "We have passed your concern to PALS."
    assert audit_actions("send_update")[0]["detail"] == "channel sms; delivered yes"


async def test_send_an_update_recorded_for_the_person(client, sms_outbox):
    from bot.record import get_store

    ref = make_referral(2, channel="web", anonymity="anonymous")
    token = await signed_in(client, "admin")
    await client.post(f"/inbox/referrals/{ref}/update", data={"csrf_token": token, "update": "It is with PALS."})
    html = await detail(client, ref)
    assert sms_outbox == []
    assert "Update recorded, not sent" in html and "ask for their status" in html and "Recorded, not sent" in html
    assert get_store().referral_status(ref).last_update == "It is with PALS."
    # An empty or long update is refused.
    await client.post(f"/inbox/referrals/{ref}/update", data={"csrf_token": token, "update": "  "})
    assert "Write the update first" in await detail(client, ref)
    await client.post(f"/inbox/referrals/{ref}/update", data={"csrf_token": token, "update": "x" * 601})
    assert "too long" in await detail(client, ref)


async def test_a_failed_text_is_reported(client):
    from bot import notify

    ref = make_referral(3, channel="sms", contact={"phone": "07700900123"})
    token = await signed_in(client, "reviewer")
    previous = notify.SENDERS.get("sms")
    notify.register_sender("sms", lambda contact, text: False)
    try:
        await client.post(f"/inbox/referrals/{ref}/update", data={"csrf_token": token, "update": "Hello"})
    finally:
        notify.SENDERS.pop("sms", None)
        if previous:
            notify.SENDERS["sms"] = previous
    assert "could not be sent" in await detail(client, ref)


async def test_the_detail_page_names_the_persons_own_organisation(client):
    """A route that named the person's local organisation (issue 15) shows it with its confirmed contact."""
    from bot.record import get_store

    org = {
        "id": "icb_west_yorkshire",
        "name": "NHS West Yorkshire Integrated Care Board",
        "complaints_url": "https://www.westyorkshire.icb.nhs.uk/contact/comments-concerns-complaints",
        "checked": "2026-01-01",
    }
    ref = get_store().create_referral(
        conversation="conv-place",
        channel="web",
        idempotency_key="conv-place:referral",
        summary="My GP was rude.",
        facts={"nation": "england", "service": "gp", "stage": "not_raised"},
        routes=[
            {
                "id": "icb",
                "role": "alternative",
                "name": "Your local ICB",
                "why": "",
                "how": "",
                "time_limit": "",
                "organisation": org,
            }
        ],
        outcomes=["apology"],
        anonymity="named",
        contact=None,
        wants_advocacy=True,
        transcript_consent=False,
    )
    await signed_in(client, "reviewer")
    html = await (await client.get(f"/inbox/referrals/{ref}")).text()
    assert "Their organisation" in html and org["name"] in html and org["complaints_url"] in html
