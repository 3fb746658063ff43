#!/usr/bin/env python3
"""chatload.py for several Rasa servers: the same measurement, each turn sent to the next server.

usage: python -m bench.multiload URL[,URL...] [--conversations N] [--turns T] [--concurrency C]
                                  [--script "a|b|c"] [--spread turn|conversation]

A copy of ../shared/eval/chatload.py's method (threads, urllib, one closed-loop conversation
per thread, no pauses, the same percentile rule, one JSON line out), with one change: the
servers. With `--spread turn` (the default) turn i of a conversation goes to server
(conversation number + i) mod S, so consecutive turns of one conversation land on different
servers and the shared tracker store and Redis lock store are really exercised; with
`--spread conversation` each conversation stays on one server (round-robin by conversation).
With one URL it measures exactly what chatload.py measures. Standard library only.
"""
import argparse
import itertools
import json
import statistics
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

DEFAULT_SCRIPT = ["hello", "I want to complain about my GP surgery",
                  "they refused to give me an appointment", "yes", "no", "thanks, bye"]


def conversation(number, urls, spread, turns, script, lat, errors, per_server, lock):
    sender = "load-" + uuid.uuid4().hex[:12]
    for i in range(turns):
        k = (number + i) % len(urls) if spread == "turn" else number % len(urls)
        body = json.dumps({"sender": sender, "message": script[i % len(script)]}).encode()
        req = urllib.request.Request(urls[k], body, {"Content-Type": "application/json"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                json.loads(r.read().decode() or "[]")
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat.append(ms)
                per_server[k] += 1
        except Exception as e:  # counted, not raised
            with lock:
                errors.append(repr(e)[:80])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("urls", help="comma-separated REST webhook URLs")
    ap.add_argument("--conversations", type=int, default=20)
    ap.add_argument("--turns", type=int, default=6)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--script", default="|".join(DEFAULT_SCRIPT))
    ap.add_argument("--spread", choices=["turn", "conversation"], default="turn")
    a = ap.parse_args(argv)
    urls = [u.strip() for u in a.urls.split(",") if u.strip()]
    script = a.script.split("|")
    lat, errors, lock = [], [], threading.Lock()
    per_server = [0] * len(urls)
    counter = itertools.count()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.concurrency) as pool:
        for _ in range(a.conversations):
            pool.submit(conversation, next(counter), urls, a.spread, a.turns, script, lat, errors, per_server,
                        lock)
    wall = time.perf_counter() - t0
    lat.sort()
    q = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else None  # noqa: E731
    print(json.dumps({"messages": len(lat), "errors": len(errors), "first_errors": errors[:3],
                      "wall_s": round(wall, 2), "msg_per_s": round(len(lat) / wall, 1),
                      "p50_ms": q(0.5), "p95_ms": q(0.95), "p99_ms": q(0.99),
                      "mean_ms": round(statistics.mean(lat), 1) if lat else None,
                      "servers": len(urls), "per_server": per_server, "spread": a.spread}))


if __name__ == "__main__":
    main()
