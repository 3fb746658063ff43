"""What every channel does to a person's message before Rasa sees it, and around each turn."""

from __future__ import annotations

from typing import Any, Dict

from bot.edge import MAX_CHARS, BadInput, clean_text, normalise_text, parse_json  # noqa: F401  (the edge, in bot/)

#: Said when the conversation's store cannot be reached: honest, and nothing is pretended.
STORE_DOWN_TEXT = (
    "Sorry, we are having a technical problem and I can't carry on our conversation right now. "
    "Nothing you send now is saved or passed on. "
    "What you told me before is safe. Please try again in a few minutes. "
    "If anyone is in danger, call 999. For urgent health advice, call NHS 111."
)
NO_REPLY_TEXT = (
    "Sorry, something went wrong on our side, so I could not answer that. "
    "Please try again in a minute. What you told me so far is kept."
)
#: Said when a client address (or number) has checked too many references, or everyone together has.
LOOKUPS_LIMITED_TEXT = (
    "You have checked several references in a short time, so I can't look up another one just "
    "now. Please try again in an hour. If you need help sooner, contact the service you were "
    "referred to. If anyone is in danger, call 999."
)
#: Said when reference lookups cannot be counted (the shared rate limits are unreachable): none is made.
LOOKUPS_DOWN_TEXT = (
    "Sorry, we are having a technical problem and I can't look up a reference just now. "
    "Please try again in a few minutes. If anyone is in danger, call 999."
)
TOO_LONG_TEXT = "That message is very long, so I read the first part only. " "You can send more in another message."


def tracker_store_of(app: Any):
    """The project's DurableTrackerStore behind Rasa's fail-safe wrapper, if configured."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    inner = getattr(store, "_tracker_store", store)
    return inner if hasattr(inner, "can_serve") else None


def health(app: Any) -> Dict[str, Any]:
    """Readiness of this Rasa server: model loaded, tracker store reachable."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    ready = bool(agent and agent.is_ready())
    store = tracker_store_of(app)
    out: Dict[str, Any] = {"model_loaded": ready}
    if store is not None:
        store.probe()
        out["tracker_store"] = store.health.as_dict()
    out["ok"] = ready and (store is None or store.health.ok)
    return out
