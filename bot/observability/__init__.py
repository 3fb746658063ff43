"""Metrics and structured logs for every process of the stack, with no personal data.

* bot.observability.metrics: the Prometheus metrics (counted in every process, served together).
* bot.observability.logs: our log lines (LOG_FORMAT text or json), error counting, the supervisor's
  copy of its children's output.
* bot.observability.events: a turn, a store's state or a referral, counted and logged in one call.
* bot.privacy.log_scrub: the personal-data scrubbing every log line goes through.

The names the rest of the project uses are re-exported here, so `from bot import observability`
and `observability.message_done(...)` keep working. (`observability.metrics` is the module; the
function that makes the metric objects is `observability.metrics.metrics()`.)
"""

from __future__ import annotations

from bot.observability.events import counted_referral, message_done, store_status
from bot.observability.logs import (
    ErrorCounter,
    JsonFormatter,
    ScrubFilter,
    TextFormatter,
    child_line,
    component_name,
    configure_logging,
    event,
    log_format,
    rotate_if_large,
    supervisor_line,
)
from bot.observability.metrics import (
    CHANNELS,
    COMPONENTS,
    CONTENT_TYPE,
    MULTIPROC_ENV,
    OUTCOMES,
    SAFETY_KINDS,
    count_events,
    error,
    exposition,
    fallback,
    metrics_allowed,
    prepare_metrics_dir,
    process_dead,
    referral,
    safety_kinds,
    safety_response,
    serve_metrics,
)
from bot.privacy.log_scrub import (
    ID_KEYS,
    WITHHELD_KEYS,
    redact_text_line,
    scrub_exception,
    scrub_fields,
    scrub_payloads,
    scrub_value,
)

__all__ = [
    "CHANNELS",
    "COMPONENTS",
    "CONTENT_TYPE",
    "ErrorCounter",
    "ID_KEYS",
    "JsonFormatter",
    "MULTIPROC_ENV",
    "OUTCOMES",
    "SAFETY_KINDS",
    "ScrubFilter",
    "TextFormatter",
    "WITHHELD_KEYS",
    "child_line",
    "component_name",
    "configure_logging",
    "count_events",
    "counted_referral",
    "error",
    "event",
    "exposition",
    "fallback",
    "log_format",
    "message_done",
    "metrics_allowed",
    "prepare_metrics_dir",
    "process_dead",
    "redact_text_line",
    "referral",
    "rotate_if_large",
    "safety_kinds",
    "safety_response",
    "scrub_exception",
    "scrub_fields",
    "scrub_payloads",
    "scrub_value",
    "serve_metrics",
    "store_status",
    "supervisor_line",
]
