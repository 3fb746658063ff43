"""What every channel does to a person's message before Rasa sees it, and around each turn."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

MAX_CHARS = 2000

#: Said when the conversation's store cannot be reached: honest, and nothing is pretended.
STORE_DOWN_TEXT = ("Sorry, we are having a technical problem and I can't carry on our conversation right now. "
                   "Nothing you send now is saved or passed on. "
                   "What you told me before is safe. Please try again in a few minutes. "
                   "If anyone is in danger, call 999. For urgent health advice, call NHS 111.")
NO_REPLY_TEXT = ("Sorry, something went wrong on our side, so I could not answer that. "
                 "Please try again in a minute. What you told me so far is kept.")
TOO_LONG_TEXT = ("That message is very long, so I read the first part only. "
                 "You can send more in another message.")


def clean_text(raw: Any) -> Tuple[Optional[str], Optional[str]]:
    """The text to give Rasa, and a problem to report (or None).

    * anything that is not a string is turned into words (a YAML `no` arrives as false);
    * control characters are removed and the length is capped;
    * a leading "/" is dropped, so "/intent{...}" is read as words, never as a command.
    """
    if raw is None:
        return None, "empty"
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    elif isinstance(raw, (int, float)):
        raw = str(raw)
    elif not isinstance(raw, str):
        return None, "not_text"
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", raw)
    text = text.strip()
    problem = None
    if len(text) > MAX_CHARS:
        text, problem = text[:MAX_CHARS], "too_long"
    text = text.lstrip("/").strip()
    # Rasa's own message handler treats a leading slash as an intent; a person's words never are.
    while text.startswith("/"):
        text = text.lstrip("/").strip()
    if not text:
        return None, "empty"
    return text, problem


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
