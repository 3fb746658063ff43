"""The record: interactions against the I statements, feedback, referrals, and the report."""

from bot.record.store import Store, StoreUnavailable, get_store, new_reference, normalise_reference

__all__ = ["Store", "StoreUnavailable", "get_store", "new_reference", "normalise_reference"]
