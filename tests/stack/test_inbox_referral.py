"""A referral asked for in a REST conversation is in the staff inbox at once (the inbox's acceptance).

The person talks to the running stack over the REST webhook until the bot confirms the saved
referral and gives its reference; a reviewer signed in to the stack's own web app then finds it
in the referral list, timed from the confirmation.
"""

import http.cookiejar
import time
import urllib.parse
import urllib.request
import uuid

from bot.record import db
from tests.inbox.helpers import NAMES, PASSWORDS, hidden, make_staff
from tests.integration.helpers import ANSWERS, ASK_FOR_ADVOCATE, SAVED
from tests.support.stack import customs, texts


def _browser():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def go(url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with opener.open(urllib.request.Request(url, data=body), timeout=30) as resp:
            return resp.status, resp.read().decode()

    return go


def test_a_referral_from_a_rest_conversation_is_in_the_inbox_within_a_second(stack, monkeypatch):
    monkeypatch.setenv("DATA_DIR", stack.env["DATA_DIR"])
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db.reset_engines()
    try:
        make_staff()  # in the stack's own record
    finally:
        db.reset_engines()
    go = _browser()
    status, page = go(f"{stack.web}/inbox/login")
    assert status == 200
    status, _ = go(
        f"{stack.web}/inbox/login",
        {
            "login_token": hidden(page, "login_token"),
            "next": "",
            "name": NAMES["reviewer"],
            "password": PASSWORDS["reviewer"],
        },
    )
    assert status == 200

    sender = "inbox-" + uuid.uuid4().hex[:10]
    answers = {**ANSWERS, "advocacy": "yes please", "contact": "email me at inbox.person@example.org"}
    out = stack.say(sender, "my GP receptionist was rude to me")
    ref = None
    for _ in range(16):
        said = " ".join(texts(out))
        found = SAVED.search(said)
        if found:
            ref = found.group(1)
            break
        if any("routes" in c for c in customs(out)):
            out = stack.say(sender, ASK_FOR_ADVOCATE)  # advocacy is one word away in the advice
            continue
        asks = [c["ask"] for c in customs(out) if "ask" in c]
        assert asks, said
        out = stack.say(sender, answers[asks[-1]])
    assert ref, "the referral was never confirmed"
    confirmed = time.monotonic()
    status, listing = go(f"{stack.web}/inbox/referrals")
    assert time.monotonic() - confirmed < 1.0
    assert status == 200 and ref in listing
