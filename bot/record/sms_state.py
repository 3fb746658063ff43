"""What the SMS channel keeps, as `Store` methods: the channel itself stays transport only (issue 14).

* Message ids already processed, with the reply given, so a retried webhook is answered the same way.
* The opt-out list: a keyed hash of the number (`bot.privacy.pseudonym`), never the number. When it
  cannot be read the answer is None, logged, and callers do not text (fail closed).
* The live conversation of a number: a random id, found by a keyed hash of the number only while the
  conversation lasts (deleted when it ends, at STOP, or after a day without a message).
* The number itself only on a referral that asked to be texted and is not anonymous, sealed, and gone
  with that referral: the dialogue saves the referral with `THIS_NUMBER`, and the channel, which has
  the number in hand for that one request, puts it there (`keep_sms_number`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.record.db import get_engine, scrub_sqlite, session_scope
from bot.record.models import Referral, SeenMessage, SmsConversation, SmsOptOut, utcnow

log = logging.getLogger(__name__)

#: The contact a person gives by saying "yes, text me here" on SMS: the number is added by the channel.
THIS_NUMBER = "sms:this-number"
#: How long a number leads to its conversation after its last message.
CONVERSATION_IDLE = dt.timedelta(days=1)


def opt_out_hash(number: str) -> str:
    """The keyed hash an opt-out is kept under (the only key the number leads to once it is over)."""
    from bot.privacy import pseudonym

    return pseudonym(number)


def conversation_hash(number: str) -> str:
    """The keyed hash a live conversation is found by (a different key from the opt-out's)."""
    from bot.privacy import keyed_digest

    return keyed_digest("sms-conversation", number).hex()[:32]


class SmsRecord:
    """The SMS channel's state (mixed into bot.record.Store)."""

    url: Optional[str] = None

    # -------------------------------------------------------------- retries
    def sms_claim(self, sid: str) -> Tuple[bool, Optional[str]]:
        """(True, None) the first time a message id is seen; (False, the reply given) for a retry."""
        try:
            with session_scope(self.url) as s:
                s.add(SeenMessage(message_id=sid))
            return True, None
        except IntegrityError:
            with session_scope(self.url) as s:
                row = s.get(SeenMessage, sid)
                return False, row.reply if row else None
        except SQLAlchemyError:
            log.error("sms: cannot record message ids; processing without retry protection")
            return True, None

    def sms_save_reply(self, sid: str, xml: str) -> None:
        """Keep the reply given to a message id, to send again if Twilio retries it."""
        try:
            with session_scope(self.url) as s:
                row = s.get(SeenMessage, sid)
                if row:
                    row.reply = xml
        except SQLAlchemyError:
            log.error("sms: could not keep the reply for retries")

    def sms_release(self, sid: str) -> None:
        """Forget a message id that was not processed, so Twilio's retry is processed."""
        try:
            with session_scope(self.url) as s:
                row = s.get(SeenMessage, sid)
                if row:
                    s.delete(row)
        except SQLAlchemyError:
            log.error("sms: could not release a message id; Twilio's retry will get an empty reply")

    # -------------------------------------------------------------- opt-outs
    def sms_opted_out(self, number: str) -> Optional[bool]:
        """Whether the number opted out; None, logged, when that cannot be read (then do not text)."""
        try:
            with session_scope(self.url) as s:
                return s.get(SmsOptOut, opt_out_hash(number)) is not None
        except Exception:  # noqa: BLE001 - whatever failed, the answer is "unknown", never "not opted out"
            log.error("sms: cannot read the opt-out state; not texting this number")
            return None

    def sms_set_opt_out(self, number: str, value: bool) -> bool:
        """Record an opt-out (or opt-in, which deletes it); False, logged, when it could not be written."""
        key = opt_out_hash(number)
        try:
            with session_scope(self.url) as s:
                row = s.get(SmsOptOut, key)
                if value and row is None:
                    s.add(SmsOptOut(number_hash=key))
                elif not value and row is not None:
                    s.delete(row)
            return True
        except SQLAlchemyError:
            log.error("sms: could not record an opt-%s", "out" if value else "in")
            return False

    # -------------------------------------------------------- conversations
    def sms_conversation(self, number: str) -> str:
        """The id of the conversation this number is texting in, a new random one if none is live.

        Raises StoreUnavailable when the database cannot be used (the person is told, nothing is run)."""
        from bot.record.store import StoreUnavailable

        key = conversation_hash(number)
        for _ in range(3):
            try:
                with session_scope(self.url) as s:
                    row = s.get(SmsConversation, key)
                    if row is not None and row.updated_at >= utcnow() - CONVERSATION_IDLE:
                        row.updated_at = utcnow()
                        return row.conversation
                    if row is not None:
                        s.delete(row)
                        s.flush()
                    row = SmsConversation(number_hash=key, conversation=secrets.token_hex(12))
                    s.add(row)
                    return row.conversation
            except IntegrityError:
                continue  # two first messages at once: the other one made it, read it again
            except SQLAlchemyError as e:
                raise StoreUnavailable(str(e)) from e
        raise StoreUnavailable("could not start an SMS conversation")

    def sms_end_conversation(self, number: str) -> bool:
        """Forget which conversation the number was in (it ended, or the person texted STOP)."""
        try:
            with session_scope(self.url) as s:
                gone = s.execute(
                    delete(SmsConversation).where(SmsConversation.number_hash == conversation_hash(number))
                ).rowcount
            if gone:
                scrub_sqlite(get_engine(self.url))
            return True
        except SQLAlchemyError:
            log.error("sms: could not forget a finished conversation; the daily purge will")
            return False

    def keep_sms_number(self, conversation: str, number: str) -> int:
        """Seal the number onto this conversation's referrals that asked to be texted here (not anonymous).

        `conversation` is the record's id of the conversation. Returns how many referrals got it."""
        from bot.privacy import seal

        try:
            with session_scope(self.url) as s:
                rows = (
                    s.execute(
                        select(Referral).where(
                            Referral.conversation == conversation,
                            Referral.channel == "sms",
                            Referral.contact_pref == "sms",
                            Referral.contact_sealed.is_(None),
                            Referral.anonymity != "anonymous",
                        )
                    )
                    .scalars()
                    .all()
                )
                for r in rows:
                    r.contact_sealed = seal({"phone": number})
                return len(rows)
        except SQLAlchemyError:
            log.error("sms: could not keep the number a referral asked to be texted at")
            return 0
