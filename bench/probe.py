"""Run our Rasa server or action server with timers around the stages of a turn.

    python -m bench.probe rasa    OUT.json -- run --model ... --endpoints ... (rasa's own arguments)
    python -m bench.probe actions OUT.json -- --actions actions --port N   (rasa_sdk's arguments)

Used by `python -m bench --only profile`. The timers wrap, at class level and without changing
any project code: every Rasa graph node (each NLU component and policy), the NLU and policy
runs as a whole, tracker retrieve/save (and our tracker store's SQL write and interaction
recording), custom action calls (tracker serialisation, HTTP round trip, response validation),
the lock-holding turn, and every SQL statement (SQLAlchemy engine events). In the action
server: each action's run.

Signals: SIGUSR2 resets the timers and, when the file OUT.mode says "profile", starts cProfile
on the main thread (the event loop); SIGUSR1 stops cProfile and writes OUT.json (timers, sizes,
top functions) and OUT.prof (pstats). cProfile slows Python code a lot (and pure-Python code
such as jsonschema more than C code such as TensorFlow), so the bench takes the timers from a
pass without it and the hot functions from a second pass with it.
"""
from __future__ import annotations

import functools
import io
import json
import signal
import sys
import threading
import time
from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional

STATS: Dict[str, List[float]] = defaultdict(list)
KIND: Dict[str, str] = {}
COUNTS: Dict[str, List[int]] = defaultdict(list)  # sizes, not times (events per action response ...)
_LOCK = threading.Lock()
_PROFILE: Dict[str, Any] = {"prof": None, "started": None}
perf = time.perf_counter


def record(name: str, ms: float, kind: str) -> None:
    with _LOCK:
        STATS[name].append(ms)
        KIND.setdefault(name, kind)


def wrap_sync(owner: Any, attr: str, name: Optional[str] = None, key: Optional[Callable[..., str]] = None,
              kind: str = "cpu") -> None:
    orig = owner.__dict__[attr] if attr in owner.__dict__ else getattr(owner, attr)
    is_static = isinstance(orig, staticmethod)
    fn = orig.__func__ if is_static else orig

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        t = perf()
        try:
            return fn(*a, **kw)
        finally:
            record(key(*a, **kw) if key else name, (perf() - t) * 1000, kind)

    setattr(owner, attr, staticmethod(wrapper) if is_static else wrapper)


def wrap_async(owner: Any, attr: str, name: Optional[str] = None, key: Optional[Callable[..., str]] = None,
               kind: str = "wall") -> None:
    fn = getattr(owner, attr)

    @functools.wraps(fn)
    async def wrapper(*a: Any, **kw: Any) -> Any:
        t = perf()
        try:
            return await fn(*a, **kw)
        finally:
            record(key(*a, **kw) if key else name, (perf() - t) * 1000, kind)

    setattr(owner, attr, wrapper)


def sql_timers() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        conn.info.setdefault("_bench_t", []).append(perf())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        stack = conn.info.get("_bench_t")
        if stack:
            verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
            record(f"sql: {verb} ({conn.engine.url.get_backend_name()})", (perf() - stack.pop()) * 1000, "cpu")


def install_rasa() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    wrap_async(Agent, "handle_message", "turn: Agent.handle_message (lock wait + turn)")
    wrap_async(MessageProcessor, "handle_message", "turn: inside the conversation lock")
    wrap_async(MessageProcessor, "fetch_tracker_and_update_session", "tracker: fetch (+ session check)")
    wrap_async(MessageProcessor, "save_tracker", "tracker: save")
    wrap_async(SQLTrackerStore, "retrieve", "tracker store: SQL retrieve")
    wrap_sync(MessageProcessor, "_parse_message_with_graph", "NLU: whole pipeline")
    wrap_sync(MessageProcessor, "_predict_next_with_tracker", "policies: one prediction (all policies)")
    wrap_sync(GraphNode, "__call__", key=lambda self, *a, **k: f"node: {self._node_name}")
    wrap_async(MessageProcessor, "_run_action", key=lambda self, action, *a, **k: f"action: {action.name()}")
    wrap_async(RemoteAction, "run", "custom action: RemoteAction.run (whole)")
    wrap_sync(RemoteAction, "_action_call_format", "custom action: tracker serialisation")
    wrap_sync(RemoteAction, "_validate_action_result", "custom action: response validation (jsonschema)")
    orig_validate = RemoteAction._validate_action_result

    def counting_validate(self: Any, result: Dict[str, Any]) -> bool:
        with _LOCK:
            COUNTS["events per action response"].append(len(result.get("events") or []))
            COUNTS["responses per action response"].append(len(result.get("responses") or []))
        return orig_validate(self, result)

    RemoteAction._validate_action_result = counting_validate
    wrap_async(EndpointConfig, "request", "custom action: HTTP round trip (action server)")
    try:
        from bot.record.tracker_store import DurableTrackerStore

        wrap_sync(DurableTrackerStore, "_write", "tracker store: SQL write (ours)")
        wrap_sync(DurableTrackerStore, "_record", "record: interactions (ours)")
    except ImportError:
        pass
    sql_timers()


def install_actions() -> None:
    from rasa_sdk.executor import ActionExecutor

    def name(self: Any, action_call: Dict[str, Any], *a: Any, **k: Any) -> str:
        return f"action server: {action_call.get('next_action')}"

    wrap_async(ActionExecutor, "run", key=name)
    sql_timers()


# ---------------------------------------------------------------- signals and output
def _start(out: str) -> None:
    import cProfile

    with _LOCK:
        STATS.clear()
        COUNTS.clear()
    try:
        with open(out + ".mode") as f:
            mode = f.read().strip()
    except OSError:
        mode = "profile"
    _PROFILE.update(prof=None, started=perf())
    if mode == "profile":
        prof = cProfile.Profile()
        _PROFILE["prof"] = prof
        prof.enable()


def _dump(out: str) -> None:
    import pstats

    prof = _PROFILE.get("prof")
    elapsed = perf() - (_PROFILE.get("started") or perf())
    hot: List[Dict[str, Any]] = []
    if prof is not None:
        prof.disable()
        prof.dump_stats(out.replace(".json", "") + ".prof")
        st = pstats.Stats(prof, stream=io.StringIO())
        total = sum(v[2] for v in st.stats.values()) or 1.0  # total tottime
        rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:40]
        for (filename, line, func), (cc, nc, tt, ct, _) in rows:
            short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
            hot.append({"function": f"{func} ({short}:{line})", "tottime_s": round(tt, 3),
                        "cumtime_s": round(ct, 3), "calls": nc, "pct": round(100 * tt / total, 1)})
        # cumulative view of the functions that matter for a turn
        cum = sorted(st.stats.items(), key=lambda kv: kv[1][3], reverse=True)[:60]
        cumulative = [{"function": f"{func} ({fn.split('site-packages/')[-1].split('/work/main/')[-1]}:{ln})",
                       "cumtime_s": round(v[3], 3), "calls": v[1]} for (fn, ln, func), v in cum]
        _PROFILE["prof"] = None
    else:
        cumulative = []
    with _LOCK:
        stats = {k: list(v) for k, v in STATS.items()}
        kinds = dict(KIND)
        counts = {k: list(v) for k, v in COUNTS.items()}
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"elapsed_s": round(elapsed, 2), "timers": stats, "kinds": kinds, "counts": counts, "hot": hot,
                   "cumulative": cumulative, "profiled_total_s": round(sum(h["tottime_s"] for h in hot), 3)}, f)
    import os

    os.replace(tmp, out)


def main(argv: Optional[List[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2 or argv[0] not in ("rasa", "actions"):
        raise SystemExit(__doc__)
    which, out = argv[0], argv[1]
    rest = argv[argv.index("--") + 1:] if "--" in argv else argv[2:]
    signal.signal(signal.SIGUSR2, lambda s, f: _start(out))
    signal.signal(signal.SIGUSR1, lambda s, f: _dump(out))
    if which == "rasa":
        from bot.rasa_server import compile_action_response_validator

        compile_action_response_validator()  # as `bot run` starts Rasa (bot/rasa_server.py)
        install_rasa()
        from rasa.__main__ import main as rasa_main

        sys.argv = ["rasa", *rest]
        rasa_main()
    else:
        install_actions()
        from rasa_sdk.__main__ import main as sdk_main

        sys.argv = ["rasa_sdk", *rest]
        sdk_main()


if __name__ == "__main__":
    main()
