"""The referral page shows the drafted letter when the person agreed that the team may read the chat.

Where the letter is stored with a referral is wired by the conversation; here the page is given what
`bot.letter.for_referral` returns, as the detail query will."""

from __future__ import annotations

import pytest

from bot.letter import draft, for_referral
from tests.inbox.helpers import make_referral, signed_in

STORY = "Dr Smith told my mum to go home. <b>Nobody</b> listened & she fell that night."


@pytest.fixture()
def with_letter(monkeypatch):
    from bot.web.inbox import queries

    real = queries.referral_detail
    letter = draft(
        {"nation": "england", "service": "hospital", "stage": "not_raised", "outcomes": ["apology"]},
        STORY,
        on_behalf=True,
        consent="yes",
        anonymous=False,
    )

    def detail(ref):
        r = real(ref)
        if r is not None:
            r["letter"] = for_referral(letter, transcript_consent=r["transcript_consent"])
        return r

    monkeypatch.setattr(queries, "referral_detail", detail)
    return letter


async def test_the_letter_is_shown_with_consent_redacted_and_as_text(client, with_letter):
    ref = make_referral(1, transcript=True)
    await signed_in(client, "reviewer")
    html = await (await client.get(f"/inbox/referrals/{ref}")).text()
    assert '<h2 id="letter-h">Draft letter</h2>' in html and with_letter.subject in html
    assert "I am acting for [their full name]" in html and "An apology." in html
    assert "Smith" not in html and "[NAME]" in html  # identifiers removed, as in the transcript
    assert "<b>Nobody</b>" not in html and "&lt;b&gt;Nobody&lt;/b&gt; listened &amp; she fell" in html


async def test_no_letter_without_consent(client, with_letter):
    ref = make_referral(2, transcript=False)
    await signed_in(client, "reviewer")
    html = await (await client.get(f"/inbox/referrals/{ref}")).text()
    assert "Draft letter" not in html and "[their full name]" not in html


async def test_a_referral_without_a_letter_still_shows(client):
    ref = make_referral(3, transcript=True)
    await signed_in(client, "reviewer")
    resp = await client.get(f"/inbox/referrals/{ref}")
    assert resp.status == 200 and "Draft letter" not in await resp.text()
