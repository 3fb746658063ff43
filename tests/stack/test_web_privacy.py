"""An anonymous web chatter leaves nothing that identifies them (issue 14, the web-chat half of the SMS test
in test_sms_privacy.py): over the REST channel, as the widget uses it, a person who chooses to stay
anonymous and also types a name, an email address and a phone number, then ends the conversation.
Afterwards `bot data find --email` and `--phone` find nothing, and none of what they typed is under
DATA_DIR in any form: not in the databases (with their WAL and journals), the tracker store's journal,
the logs or the stack's own output.

The widget's sender id is `web-` and 32 random hex digits made by the browser (web/src/store.js,
crypto.getRandomValues), kept in sessionStorage for that tab only and replaced by "Start again": it is
not derived from anything about the person, so the record's conversation id (its keyed pseudonym) cannot
lead back to them. It is Rasa's conversation key, so it is stored as such; it must not be written to
the logs in clear, where it would tie log lines to the tab that still holds it.
"""

from __future__ import annotations

import json
import re
import secrets

from tests.stack.test_sms_privacy import bot_data, everything
from tests.support.stack import customs, texts

FIRST, SURNAME = "Philippa", "Thistlethwaite"
NAME = f"{FIRST} {SURNAME}"
EMAIL = "p.thistlethwaite@example.net"
PHONE = "07700 900456"

ANSWERS = {
    "nation": "England",
    "stage": "not yet",
    "outcomes": "an apology",
    "months_since": "last week",
    "issues": "rudeness",
    "on_behalf": "me",
    "confirm": "yes",
    "advocacy": "yes please, I would like an advocate",
    "funding": "NHS",
    "service": "GP",
    "feedback": "4",
    "postcode": "No thanks",
    "letter": "No thanks",
    "contact": "No thanks, I will contact them myself",
    "professional": "A receptionist",
    "risk_now": "no",
    # The anonymity question is answered with the identifiers too: only the choice may be kept.
    "anonymity": f"anonymous please. I'm {NAME} but don't keep it, or my email {EMAIL} or {PHONE}",
}

#: Said in between, the ways people do: an aside, and a signature.
ASIDES = [f"By the way I am {NAME}, my email is {EMAIL}", f"Thanks\n{NAME}\n{PHONE.replace(' ', '')}"]


def phone_forms(national: str):
    digits = re.sub(r"\D", "", national)
    return {
        national,
        digits,
        "+44" + digits[1:],
        "44" + digits[1:],
        digits[1:],
        f"{digits[:5]}-{digits[5:]}",
        f"+44 {digits[1:5]} {digits[5:]}",
    }


def identifier_forms():
    local = EMAIL.split("@")[0]
    return {
        NAME,
        SURNAME,
        f"{SURNAME}, {FIRST}",
        EMAIL,
        local,
        EMAIL.replace("@", "%40"),
        EMAIL.replace("@", "\\u0040"),
        json.dumps(NAME)[1:-1],
    } | phone_forms(PHONE)


def transcript(said) -> str:
    """The conversation as readable lines (for a failure message)."""
    return "\n".join(f"> {you}\n< " + " | ".join(texts(out)) + f"  {customs(out)}" for you, out in said)


def converse(stack, sender):
    """The whole conversation: the story with a name in it, every question answered, a reference given."""
    first = (
        f"Hi, my name is {NAME}. My GP receptionist shouted at me and I want to complain. "
        f"You can reach me on {EMAIL} or {PHONE}. I want to stay anonymous"
    )
    out = stack.say(sender, first)
    said = [(first, out)]
    rec = None
    for _ in range(20):
        if rec is None:
            rec = next((c for c in customs(out) if "routes" in c), None)
            if rec is not None:  # the advice given: more identifiers, then ask for an advocate (a referral)
                for text in ASIDES + [ANSWERS["advocacy"]]:
                    out = stack.say(sender, text)
                    said.append((text, out))
        ask = next((c["ask"] for c in customs(out) if "ask" in c), None)
        if ask is None:
            break
        assert ask in ANSWERS, (ask, transcript(said))
        out = stack.say(sender, ANSWERS[ask])
        said.append((ANSWERS[ask], out))
    return rec, said


def test_an_anonymous_web_chatter_who_leaves_leaves_nothing_that_identifies_them(stack):
    # As the widget makes it (web/src/store.js newSenderId): random, from nothing about the person.
    sender = "web-" + secrets.token_hex(16)
    rec, said = converse(stack, sender)
    replies = " ".join(" ".join(texts(out)) for _, out in said)
    assert rec, transcript(said)
    assert "you chose to stay anonymous" in replies.lower(), transcript(said)
    ref = re.search(r"Your reference is ([A-Z0-9-]{10})", replies)
    assert ref, transcript(said)
    # They say they are done, then close the tab (or press "Start again"): the sender is never used again.
    stack.say(sender, "that's all, thank you, bye")

    # A data request with what they typed finds nothing: an anonymous conversation is reachable from nothing.
    assert json.loads(bot_data(stack, "find", "--email", EMAIL, "--json"))["held"] == []
    assert json.loads(bot_data(stack, "find", "--phone", PHONE, "--json"))["held"] == []
    # The case itself is kept, found by its reference only.
    by_ref = {h["kind"] for h in json.loads(bot_data(stack, "find", "--reference", ref.group(1), "--json"))["held"]}
    assert {"referral", "interaction", "conversation_events"} <= by_ref, by_ref

    blob = everything(stack.data_dir).lower()
    leaks = sorted(f for f in identifier_forms() if f.lower().encode() in blob)
    assert leaks == [], f"typed identifiers found under DATA_DIR: {leaks}"
    logs = b"".join(p.read_bytes() for p in stack.data_dir.rglob("*.log"))
    assert sender.encode() not in logs, "the widget's sender id is in a log line in clear"
