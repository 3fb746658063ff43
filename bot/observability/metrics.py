"""Prometheus metrics for every process of the stack, with no personal data.

Defined once here and updated by the channels (Rasa servers), the actions (action servers),
the tracker store and the web app. Under `python -m bot run` every child gets
PROMETHEUS_MULTIPROC_DIR (DATA_DIR/metrics, emptied at start), so the numbers of all processes
add up and `GET /metrics` on the web app serves them together. Without that variable each
process keeps its own registry (tests, a process started on its own). Label values come from
small fixed sets: never a sender, a text or a reference.

Every helper here swallows its own errors: observing must never break a conversation.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from bot.settings import get_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# ------------------------------------------------------------------ label values
CHANNELS = ("rest", "sms")
OUTCOMES = ("ok", "no_reply", "error", "store_unavailable", "rejected", "rate_limited", "duplicate", "control")
SAFETY_KINDS = (
    "suicide",
    "self_harm",
    "medical_emergency",
    "abuse_now",
    "violence",
    "child_at_risk",
    "adult_at_risk",
    "general",
)
FALLBACK_KINDS = ("nlu", "core")
REFERRAL_OUTCOMES = ("saved", "not_saved")
STORES = ("tracker", "record")
#: Components of complaints_errors_total: where an error was logged (see bot.observability.logs).
COMPONENTS = (
    "channels",
    "actions",
    "action_server",
    "rasa",
    "tracker_store",
    "record",
    "web",
    "bot",
    "http",
    "database",
    "other",
)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 15.0, 30.0)


def label(value: Any, allowed: Iterable[str], default: str = "other") -> str:
    """`value` as a label value if it is one of `allowed`, else `default` (labels never carry free text)."""
    value = str(value or "").lower()
    return value if value in allowed else default


# ---------------------------------------------------------------------- metrics
class _Metrics:
    """The metric objects, created on first use (after PROMETHEUS_MULTIPROC_DIR is known)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        try:  # the *_created series only add noise here
            from prometheus_client import disable_created_metrics

            disable_created_metrics()
        except ImportError:  # pragma: no cover - older prometheus_client
            pass
        directory = _multiproc_dir()
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.messages = Counter(
            "complaints_messages", "Messages from people, by channel and outcome.", ["channel", "outcome"]
        )
        self.message_seconds = Histogram(
            "complaints_message_seconds",
            "Time to answer a message (request in, reply out), by channel.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
        )
        self.fallbacks = Counter(
            "complaints_fallbacks",
            "Messages the assistant did not understand "
            "(nlu: low-confidence intent; core: no confident next action).",
            ["kind"],
        )
        self.safety = Counter("complaints_safety_responses", "Safety responses sent (risk of harm), by kind.", ["kind"])
        self.referrals = Counter(
            "complaints_referrals",
            "Referrals asked for: saved, or not saved because the " "record's database could not be reached.",
            ["outcome"],
        )
        self.errors = Counter("complaints_errors", "Errors logged, by component.", ["component"])
        self.store_available = Gauge(
            "complaints_store_available",
            "1 when the store answers, 0 when it does not (lowest over processes).",
            ["store"],
            multiprocess_mode="livemin",
        )
        self.pending = Gauge(
            "complaints_tracker_pending_conversations",
            "Conversations kept in the journal until the tracker store's database returns.",
            multiprocess_mode="livesum",
        )
        # Known label values start at zero, so rates and alerts work from the first scrape.
        # (Not the availability gauge: an unset 0 would read as "down".)
        for channel in CHANNELS:
            self.message_seconds.labels(channel)
            for outcome in OUTCOMES:
                self.messages.labels(channel, outcome)
        for kind in FALLBACK_KINDS:
            self.fallbacks.labels(kind)
        for kind in SAFETY_KINDS:
            self.safety.labels(kind)
        for outcome in REFERRAL_OUTCOMES:
            self.referrals.labels(outcome)
        for component in COMPONENTS:
            self.errors.labels(component)


_metrics: Optional[_Metrics] = None
_metrics_lock = threading.Lock()
_metrics_failed = False


def metrics() -> Optional[_Metrics]:
    """The metric objects, or None if they cannot be created (then nothing is counted)."""
    global _metrics, _metrics_failed
    if _metrics is None and not _metrics_failed:
        with _metrics_lock:
            if _metrics is None and not _metrics_failed:
                try:
                    _metrics = _Metrics()
                except Exception:  # pragma: no cover - prometheus_client missing or the folder unusable
                    _metrics_failed = True
                    logging.getLogger(__name__).warning("metrics are off: they could not be set up")
    return _metrics


def _safely(fn: Callable[[_Metrics], Any]) -> None:
    m = metrics()
    if m is None:
        return
    try:
        fn(m)
    except Exception:  # never let a metric break a conversation
        pass


def safety_kinds(messages: Iterable[Dict[str, Any]]) -> List[str]:
    """The kinds of the safety markers (CONTRACT section 4) among a turn's messages."""
    kinds = []
    for m in messages or []:
        c = m.get("custom") if isinstance(m, dict) else None
        if isinstance(c, dict) and c.get("safety"):
            kinds.append(label(c.get("kind"), SAFETY_KINDS, "general"))
    return kinds


def fallback(kind: str) -> None:
    """Count a message the assistant did not understand (kind: nlu or core)."""
    _safely(lambda m: m.fallbacks.labels(label(kind, FALLBACK_KINDS, "nlu")).inc())


def safety_response(kind: str) -> None:
    """Count one safety response sent, by kind."""
    _safely(lambda m: m.safety.labels(label(kind, SAFETY_KINDS, "general")).inc())


def referral(outcome: str) -> None:
    """Count one referral asked for: saved or not_saved."""
    _safely(lambda m: m.referrals.labels(label(outcome, REFERRAL_OUTCOMES, "not_saved")).inc())


def error(component: str) -> None:
    """Count one error logged by a component (see COMPONENTS)."""
    _safely(lambda m: m.errors.labels(label(component, COMPONENTS)).inc())


def count_events(events: Iterable[Any]) -> None:
    """Fallbacks among a conversation's new events (called by the tracker store after each save)."""
    try:
        for e in events:
            name = type(e).__name__
            if name == "UserUttered" and ((getattr(e, "intent", None) or {}).get("name") == "nlu_fallback"):
                fallback("nlu")
            elif name == "ActionExecuted" and getattr(e, "action_name", None) == "action_default_fallback":
                fallback("core")
    except Exception:
        pass


# ------------------------------------------------------------ multiprocess mode
def prepare_metrics_dir(directory: Path) -> Path:
    """Empty (or create) the folder of multiprocess metric files; called once by the supervisor."""
    directory = Path(directory)
    if directory.exists():
        for f in directory.glob("*.db"):
            try:
                f.unlink()
            except OSError:
                pass
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _multiproc_dir() -> Optional[str]:
    """PROMETHEUS_MULTIPROC_DIR (the supervisor sets it for the stack's processes), or None."""
    directory = get_settings().prometheus_multiproc_dir
    return str(directory) if directory else None


def process_dead(pid: int) -> None:
    """Forget a dead process's live gauges (its counters are kept)."""
    try:
        if _multiproc_dir():
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid)
    except Exception:
        pass


def exposition(directory: Optional[str] = None) -> bytes:
    """The metrics in Prometheus' text format: every process's (multiprocess mode) or this one's."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    directory = directory or _multiproc_dir()
    metrics()  # make sure this process's metrics exist, even before the first message
    if directory and os.path.isdir(directory):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_allowed(remote: Optional[str], authorization: Optional[str]) -> bool:
    """Who may read /metrics: a bearer token (METRICS_TOKEN) when set; otherwise loopback clients only."""
    import hmac
    import ipaddress

    token = get_settings().metrics_token
    if token:
        given = (authorization or "").strip()
        expected = f"Bearer {token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    try:
        return ipaddress.ip_address((remote or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def serve_metrics(port: int, host: str = "0.0.0.0", directory: Optional[str] = None):
    """A small HTTP server for /metrics in a thread (the supervisor's, when the web app is elsewhere)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            if not metrics_allowed(self.client_address[0], self.headers.get("Authorization")):
                self.send_error(403)
                return
            try:
                body = exposition(directory)
            except Exception:
                self.send_error(500)
                return
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


__all__ = [
    "CHANNELS",
    "COMPONENTS",
    "CONTENT_TYPE",
    "MULTIPROC_ENV",
    "OUTCOMES",
    "SAFETY_KINDS",
    "count_events",
    "error",
    "exposition",
    "fallback",
    "label",
    "metrics",
    "metrics_allowed",
    "prepare_metrics_dir",
    "process_dead",
    "referral",
    "safety_kinds",
    "safety_response",
    "serve_metrics",
]
