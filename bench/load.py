"""The load tools, run as subprocesses: ../shared/eval/chatload.py (one URL) and bench/multiload.py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.procs import PROJECT, SHARED_EVAL, bench_env, say

CHATLOAD = Path(os.environ.get("BENCH_CHATLOAD", SHARED_EVAL / "chatload.py"))
# chatload.py's own default script: realistic for ours (a GP complaint told in words), and
# answered by the stock assistant too (its NLU maps anything to some intent).
DEFAULT_SCRIPT = ["hello", "I want to complain about my GP surgery", "they refused to give me an appointment",
                  "yes", "no", "thanks, bye"]
# An alternative that walks our intake the way a person would (`--script intake`).
INTAKE_SCRIPT = ["hello", "my GP surgery refused to give me an appointment and the receptionist was rude to me",
                 "England", "no, I haven't told them yet", "about two weeks ago", "I want an apology and an explanation"]
SCRIPTS = {"default": DEFAULT_SCRIPT, "intake": INTAKE_SCRIPT}


def resolve_script(value: str) -> List[str]:
    """A named script (default, intake) or messages separated by |."""
    if value in SCRIPTS:
        return list(SCRIPTS[value])
    script = [x.strip() for x in value.split("|") if x.strip()]
    if not script:
        raise ValueError("a script needs at least one message")
    return script


def _run(cmd: List[str], timeout: float) -> Dict[str, Any]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT, env=bench_env(), timeout=timeout)
    lines = [ln for ln in r.stdout.strip().splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"load tool failed (exit {r.returncode}): {r.stderr[-500:] or r.stdout[-500:]}")
    out = json.loads(lines[-1])
    out["tool_s"] = round(time.perf_counter() - t0, 2)
    return out


def chatload(url: str, conversations: int, turns: int, concurrency: int, script: List[str],
             timeout: float = 1800) -> Dict[str, Any]:
    """One run of the acceptance testers' tool; its JSON line, plus the command that made it."""
    if not CHATLOAD.exists():
        raise RuntimeError(f"{CHATLOAD} not found (set BENCH_CHATLOAD to its path)")
    cmd = [sys.executable, str(CHATLOAD), url, "--conversations", str(conversations), "--turns", str(turns),
           "--concurrency", str(concurrency), "--script", "|".join(script)]
    out = _run(cmd, timeout)
    out.update(tool="chatload.py", concurrency=concurrency, conversations=conversations, turns=turns)
    return out


def multiload(urls: List[str], conversations: int, turns: int, concurrency: int, script: List[str],
              spread: str = "turn", timeout: float = 1800) -> Dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.multiload", ",".join(urls), "--conversations", str(conversations),
           "--turns", str(turns), "--concurrency", str(concurrency), "--script", "|".join(script),
           "--spread", spread]
    out = _run(cmd, timeout)
    out.update(tool="bench.multiload", concurrency=concurrency, conversations=conversations, turns=turns)
    return out


def _fallback_texts() -> List[str]:
    """Our channel's apologies for a failed turn (an action failed, the store is down)."""
    try:
        from channels.common import NO_REPLY_TEXT, STORE_DOWN_TEXT

        return [NO_REPLY_TEXT, STORE_DOWN_TEXT]
    except ImportError:
        return []


def script_check(url: str, script: List[str], prefix: str = "check") -> Dict[str, Any]:
    """Send the script once as one conversation: every turn must get a 200 and no error or apology.

    A 200 with no message at all is allowed (stock Rasa says nothing to an intent it has no
    rule for) and listed under `silent`.
    """
    sender = f"{prefix}-{uuid.uuid4().hex[:10]}"
    fallbacks = _fallback_texts()
    turns, ok, silent = [], True, []
    for text in script:
        status, body, ms = say(url, sender, text)
        msgs = body if isinstance(body, list) else []
        reply = " / ".join((m.get("text") or "")[:60] for m in msgs if m.get("text"))[:160]
        asks = [m["custom"].get("ask") for m in msgs if isinstance(m.get("custom"), dict) and m["custom"].get("ask")]
        errors = [m["custom"].get("error") for m in msgs
                  if isinstance(m.get("custom"), dict) and m["custom"].get("error")]
        errors += ["apology for a failed turn" for m in msgs if m.get("text") in fallbacks]
        good = status == 200 and not errors
        ok = ok and good
        if status == 200 and not msgs:
            silent.append(text)
        turns.append({"user": text, "status": status, "ms": round(ms, 1), "messages": len(msgs), "reply": reply,
                      "asks": asks, "errors": errors, "ok": good})
    return {"ok": ok, "silent": silent, "turns": turns}


def first_reply(url: str, sender: Optional[str] = None) -> bool:
    """A real turn: 200 and at least one bot message."""
    status, body, _ = say(url, sender or f"ready-{uuid.uuid4().hex[:8]}", "hello", timeout=30)
    return status == 200 and isinstance(body, list) and len(body) > 0
