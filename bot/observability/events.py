"""What happens to a message, a store or a referral: counted (metrics) and logged (logs) in one call.

`message_done` ends every turn of a channel, `store_status` follows whether a store answers,
`counted_referral` wraps the record's create_referral. Each swallows its own errors.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional

from bot.observability.logs import event
from bot.observability.metrics import CHANNELS, OUTCOMES, STORES, _Metrics, _safely, label, referral, safety_kinds
from bot.privacy.log_scrub import log_pseudonym


def message_done(
    channel: str,
    outcome: str,
    seconds: Optional[float] = None,
    sender: Optional[str] = None,
    messages: Optional[List[Dict[str, Any]]] = None,
    logger: Optional[logging.Logger] = None,
) -> None:
    """Count one message from a person; time it; count the safety responses it got; log the turn.

    `sender` is only turned into a pseudonym for the log line; `messages` are only read for
    their safety markers. Neither is kept.
    """
    try:
        channel = label(channel, CHANNELS)
        outcome = label(outcome, OUTCOMES)
        kinds = safety_kinds(messages or [])

        def count(m: _Metrics) -> None:
            m.messages.labels(channel, outcome).inc()
            if seconds is not None:
                m.message_seconds.labels(channel).observe(max(0.0, seconds))
            for k in kinds:
                m.safety.labels(k).inc()

        _safely(count)
        fields: Dict[str, Any] = {"channel": channel, "outcome": outcome}
        if sender is not None:  # the record's conversation id for this sender (never the sender itself)
            fields["conversation"] = log_pseudonym(sender, always=True)
        if seconds is not None:
            fields["duration_ms"] = round(seconds * 1000, 1)
        if messages is not None:
            fields["replies"] = len(messages)
        if kinds:
            fields["safety"] = kinds
        level = logging.WARNING if outcome in ("error", "no_reply", "store_unavailable") else logging.INFO
        event(logger or logging.getLogger("channels"), "turn", level=level, **fields)
    except Exception:
        pass


_store_state: Dict[str, bool] = {}


def store_status(store: str, ok: bool, pending: Optional[int] = None) -> None:
    """Whether a store answers (and, for the tracker store, how many conversations wait in the journal).

    Logs once when a store goes down and once when it comes back.
    """
    try:
        store = label(store, STORES)

        def update(m: _Metrics) -> None:
            m.store_available.labels(store).set(1 if ok else 0)
            if pending is not None and store == "tracker":
                m.pending.set(pending)

        _safely(update)
        before = _store_state.get(store)
        _store_state[store] = bool(ok)
        if before is not None and before != bool(ok):
            fields: Dict[str, Any] = {"store": store}
            if pending is not None:
                fields["pending"] = pending
            event(
                logging.getLogger("bot.observability"),
                "store_available" if ok else "store_unavailable",
                level=logging.INFO if ok else logging.ERROR,
                **fields,
            )
    except Exception:
        pass


def counted_referral(save: Callable[..., str]) -> Callable[..., str]:
    """Wrap the record's create_referral: count saved / not saved (the exception still propagates)."""

    def wrapper(*args: Any, **kwargs: Any) -> str:
        try:
            ref = save(*args, **kwargs)
        except Exception as e:
            referral("not_saved")
            event(
                logging.getLogger("actions"),
                "referral",
                level=logging.ERROR,
                outcome="not_saved",
                conversation=kwargs.get("conversation"),
                channel=kwargs.get("channel"),
                error=type(e).__name__,
            )
            raise
        referral("saved")
        event(
            logging.getLogger("actions"),
            "referral",
            outcome="saved",
            conversation=kwargs.get("conversation"),
            channel=kwargs.get("channel"),
        )
        return ref

    return wrapper


__all__ = ["counted_referral", "message_done", "store_status"]
