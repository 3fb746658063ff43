"""Part 4: two Rasa servers against one, both sharing PostgreSQL (tracker + record) and a Redis lock store.

Both configurations run at the same time on their own databases, and are measured in
alternation (1, 2, 2, 1: an ABBA order cancels a steady drift in the machine's other load).
The load tool is bench/multiload.py: chatload.py's method, with each turn of a conversation
sent to the next server (so one conversation really moves between servers); with one server it
is chatload.py.
"""
from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any, Dict, List

from bench.assistants import OurAssistant
from bench.load import DEFAULT_SCRIPT, multiload
from bench.procs import Cleanup, cpu_per_message, note, tree_rss

CONCURRENCY = 25


def run(cleanup: Cleanup, root: Path, quick: bool, script: List[str] = DEFAULT_SCRIPT) -> Dict[str, Any]:
    TURNS = len(script)
    from tests.support.services import Postgres, Redis

    note("starting PostgreSQL and Redis...")
    pg = Postgres()
    cleanup.add("stop PostgreSQL", pg.close)
    pg.start()
    redis = Redis()
    cleanup.add("stop Redis", redis.close)
    redis.start()
    if redis.proc:
        cleanup.watch(redis.proc.pid)

    servers = (1, 2)
    stacks: Dict[int, OurAssistant] = {}
    result: Dict[str, Any] = {"concurrency": CONCURRENCY, "turns": TURNS, "spread": "turn",
                              "conversations": CONCURRENCY if quick else 2 * CONCURRENCY,
                              "order": [1, 2] if quick else [1, 2, 2, 1], "configs": {}, "rounds": []}
    for n in servers:
        env = {"TRACKER_DATABASE_URL": pg.create_database(f"tracker_{n}"),
               "DATABASE_URL": pg.create_database(f"record_{n}"),
               "REDIS_URL": redis.url.rsplit("/", 1)[0] + f"/{n}"}
        a = OurAssistant(root / f"scale-{n}", rasa_servers=n, env=env)
        note(f"starting our stack with {n} Rasa server(s) on PostgreSQL + Redis...")
        cold = a.start(cleanup)
        stacks[n] = a
        result["configs"][str(n)] = {"rasa_servers": n, "cold_start": cold, "memory": {"idle": a.memory()},
                                "env": {k: v.split("@")[-1] for k, v in env.items()}}
        note(f"  ready: {cold}")
    for n, a in stacks.items():
        note(f"warming up {n} server(s)...")
        result["configs"][str(n)]["warm_up"] = multiload(a.urls, 4 if quick else 10, TURNS, 4 if quick else 10,
                                                    script)
    for n in result["order"]:
        note(f"{n} server(s): {result['conversations']} conversations x {TURNS} turns, {CONCURRENCY} at once...")
        a = stacks[n]
        out = cpu_per_message([a.proc.pid], lambda: multiload(a.urls, result["conversations"], TURNS, CONCURRENCY,
                                                              script))
        out["rasa_servers"] = n
        result["rounds"].append(out)
        note(f"  {n} server(s): {out['msg_per_s']} msg/s, p95 {out['p95_ms']} ms, errors {out['errors']}, "
             f"per server {out['per_server']}, stack CPU {out['server_cpu_ms_per_msg']} ms/msg")
    for n, a in stacks.items():
        result["configs"][str(n)]["memory"]["after_load"] = a.memory()
        result["configs"][str(n)].update(summarize_rounds([r for r in result["rounds"] if r["rasa_servers"] == n]))
    one, two = result["configs"]["1"]["msg_per_s"], result["configs"]["2"]["msg_per_s"]
    result["ratio"] = round(two / one, 2) if one and two else None
    result["services_memory"] = {"redis": tree_rss(redis.proc.pid) if redis.proc else None}
    note("stopping the stacks, PostgreSQL and Redis...")
    for a in stacks.values():
        a.stop(cleanup)
    return result


def summarize_rounds(rounds: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Throughput over rounds (total messages / total wall time), mean of the percentiles, all errors."""
    if not rounds:
        return {"msg_per_s": None}
    messages = sum(r["messages"] for r in rounds)
    wall = sum(r["wall_s"] for r in rounds)
    return {"rounds": len(rounds), "messages": messages, "errors": sum(r["errors"] for r in rounds),
            "msg_per_s": round(messages / wall, 2) if wall else None,
            "msg_per_s_each": [r["msg_per_s"] for r in rounds],
            "server_cpu_ms_per_msg": round(sum(r.get("server_cpu_s") or 0 for r in rounds) * 1000 / messages, 1)
            if messages and all(r.get("server_cpu_s") is not None for r in rounds) else None,
            "p50_ms": round(statistics.mean(r["p50_ms"] for r in rounds if r["p50_ms"] is not None), 1)
            if any(r["p50_ms"] is not None for r in rounds) else None,
            "p95_ms": round(statistics.mean(r["p95_ms"] for r in rounds if r["p95_ms"] is not None), 1)
            if any(r["p95_ms"] is not None for r in rounds) else None}
