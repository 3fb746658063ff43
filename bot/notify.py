"""Telling a person about an update to their referral, through the channel they chose.

Every update is recorded on the referral (so the person hears it when they ask for
their status, on any channel: informed-1). Where the person chose SMS and gave a number,
it is also texted through the SMS channel's outbound client (channels/sms.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Dict, Optional

from sqlalchemy import select

from bot.privacy import unseal
from bot.record.db import session_scope
from bot.record.models import Referral, ReferralEvent, utcnow

log = logging.getLogger(__name__)

#: Senders by contact preference: fn(contact: dict, text: str) -> bool (delivered).
SENDERS: Dict[str, Callable[[dict, str], bool]] = {}


def register_sender(pref: str, fn: Callable[[dict, str], bool]) -> None:
    """Deliver updates with `fn(contact, text)` to people whose contact preference is `pref`."""
    SENDERS[pref] = fn


@dataclass
class UpdateResult:
    recorded: bool
    delivered: bool
    channel: str  # "sms", or "record" when the person will hear it by asking for their status
    detail: str = ""


def send_update(ref: str, text: str, staff_id: Optional[int] = None, url: Optional[str] = None) -> UpdateResult:
    """Record an update on a referral and deliver it through the person's chosen channel if possible."""
    text = " ".join((text or "").split())[:600]
    if not text:
        raise ValueError("an update needs some text")
    with session_scope(url) as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one_or_none()
        if r is None:
            raise LookupError(ref)
        pref, sealed = r.contact_pref, r.contact_sealed
    delivered, channel, detail = False, "record", "The person will see it when they ask for their status."
    if pref == "sms" and sealed and "sms" in SENDERS:
        contact = unseal(sealed) or {}
        try:
            delivered = bool(SENDERS["sms"](contact, text))
            channel = "sms"
            detail = "Sent by text message." if delivered else "The text message could not be sent."
        except Exception:  # never lose the update because a text failed
            log.exception("SMS update failed")
            detail = "The text message could not be sent."
    elif pref in ("phone", "email"):
        detail = f"The person asked to be contacted by {pref}: contact them directly; the update is recorded."
    with session_scope(url) as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one()
        r.last_update = text
        r.updated_at = utcnow()
        s.add(ReferralEvent(referral_id=r.id, kind="update", text=text, staff_id=staff_id, delivered=delivered))
    return UpdateResult(True, delivered, channel, detail)
