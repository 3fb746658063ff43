"""An anonymous texter leaves nothing that identifies them (issue 14): over signed webhooks, a person
who stays anonymous and also types a name and an email, then texts STOP. Afterwards `bot data find
--phone` finds only the opt-out hash, and neither the number nor what they typed is under DATA_DIR,
raw or as any key the number leads to but that hash. And an unreadable opt-out list means no text."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
import subprocess

from tests.stack.test_sms import number, sms
from tests.support.stack import PROJECT

NAME, EMAIL = "Bartholomew Quigley", "bart.quigley@example.org"


def bot_data(stack, *argv):
    env = dict(stack.env, PYTHONPATH=str(PROJECT))
    out = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "python"), "-m", "bot", "data", *argv],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def everything(data_dir) -> bytes:
    out = []
    for root, _, files in os.walk(data_dir):
        for f in files:
            try:
                with open(os.path.join(root, f), "rb") as fh:
                    out.append(f.encode() + b"\n" + fh.read())
            except OSError:
                continue
    return b"\n".join(out)


def keys_from(data_dir, phone):
    """Every key this project derives, or once derived, from a number, by what it is."""
    key = os.environ.get("PSEUDONYM_KEY", "").encode() or (data_dir / "keys" / "pseudonym.key").read_bytes().strip()

    def pseudonym(v):
        return hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:24]

    def keyed(purpose, v):
        k = hmac.new(key, f"purpose:{purpose}".encode(), hashlib.sha256).digest()
        return hmac.new(k, v.encode(), hashlib.sha256).hexdigest()

    opt_out = pseudonym(phone)
    others = {
        "conversation link": keyed("sms-conversation", phone)[:32],
        "old conversation id": f"sms-{opt_out}",
        "old record id": pseudonym(f"sms-{opt_out}"),
        "plain sha256": hashlib.sha256(phone.encode()).hexdigest()[:24],
        "journal name of the old id": hashlib.sha256(f"sms-{opt_out}".encode()).hexdigest()[:32],
    }
    return opt_out, others


def test_an_anonymous_texter_who_stops_leaves_only_the_opt_out_hash(stack):
    frm = number()
    national = "0" + frm[3:]
    said = []
    for text in [
        "My GP receptionist shouted at me and I want to complain about it. I want to stay anonymous",
        "England",
        "last week",
        "an apology",
        "yes",
        "no",
        "yes please, I would like an advocate",
        f"By the way I am {NAME}, my email is {EMAIL}",
        "5",
    ]:
        said.append((text, sms(stack, frm, text)))
    replies = " ".join(" ".join(reply) for _, reply in said)
    assert "you chose to stay anonymous" in replies, said  # an anonymous referral was made
    ref = re.search(r"Your reference is ([A-Z0-9-]{10})", replies).group(1)
    assert sms(stack, frm, "STOP") == []
    held = json.loads(bot_data(stack, "find", "--phone", national, "--json"))["held"]
    assert [h["kind"] for h in held] == ["sms_opt_out"], (held, said)
    # The case is kept, under ids that the number does not lead to: found by its reference only.
    by_ref = {h["kind"] for h in json.loads(bot_data(stack, "find", "--reference", ref, "--json"))["held"]}
    assert {"referral", "interaction", "conversation_events"} <= by_ref
    blob = everything(stack.data_dir)
    for secret in (frm, frm[1:], national, frm[3:], NAME, NAME.split()[1], EMAIL, EMAIL.split("@")[0]):
        assert secret.encode().lower() not in blob.lower(), secret
    opt_out, others = keys_from(stack.data_dir, frm)
    assert opt_out.encode() in blob  # the opt-out, as the keyed hash
    for what, value in others.items():
        assert value.encode() not in blob, what


def test_an_unreadable_opt_out_list_means_no_text_is_sent(stack, fake_twilio):
    frm = number()
    assert sms(stack, frm, "hello")  # answered while the list can be read
    con = sqlite3.connect(stack.data_dir / "record.db")
    con.execute("ALTER TABLE rec_sms_opt_outs RENAME TO rec_sms_opt_outs_broken")
    con.commit()
    sent_before = len(fake_twilio.sent)
    try:
        assert sms(stack, frm, "my GP was rude to me") == []
        assert sms(stack, number(), "HELP") == []
        assert len(fake_twilio.sent) == sent_before
    finally:
        con.execute("ALTER TABLE rec_sms_opt_outs_broken RENAME TO rec_sms_opt_outs")
        con.commit()
        con.close()
    assert sms(stack, frm, "my GP was rude to me")  # and answered again once it can
    logs = "".join(p.read_text(errors="ignore") for p in (stack.data_dir / "logs").glob("*.log"))
    assert "cannot read the opt-out state" in logs
