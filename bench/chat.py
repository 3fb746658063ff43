"""Part 2 and 3: chat latency, ours against stock Rasa in the same run; cold start; memory; training."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.assistants import OurAssistant, StockAssistant, current_model, recorded_training, train_ours
from bench.load import DEFAULT_SCRIPT, chatload, script_check
from bench.procs import Cleanup, cpu_per_message, note



def plan(levels: List[int], quick: bool) -> Dict[int, int]:
    """Conversations per concurrency level (each has TURNS messages)."""
    if quick:
        return {c: max(2, c) for c in levels}
    return {c: max(8, 2 * c) for c in levels}


def run(cleanup: Cleanup, root: Path, levels: List[int], quick: bool, do_train_ours: bool,
        script: List[str] = DEFAULT_SCRIPT) -> Dict[str, Any]:
    TURNS = len(script)
    result: Dict[str, Any] = {"script": script, "turns": TURNS, "levels": levels,
                              "conversations": plan(levels, quick), "training": {}, "cold_start": {},
                              "memory": {}, "script_check": {}, "runs": []}
    model = current_model()
    result["model"] = model

    # ---- training times
    if do_train_ours:
        note("training our model into a temporary folder (--train-ours; models/ is not touched)...")
        result["training"]["ours"] = train_ours(cleanup, root)
    else:
        result["training"]["ours"] = recorded_training(model["inputs_fingerprint"]) or {
            "source": "not recorded: run `python -m bench --only chat --train-ours` to time a full training",
            "fingerprint": model["inputs_fingerprint"]}
    stock = StockAssistant(root)
    note("creating and training the stock assistant (rasa init --no-prompt)...")
    result["training"]["stock"] = stock.create(cleanup)
    note(f"stock trained in {result['training']['stock']['wall_s']} s")

    # ---- cold starts, one at a time (nothing else of ours running)
    note("starting stock rasa run...")
    result["cold_start"]["stock"] = stock.start(cleanup)
    result["memory"]["stock"] = {"idle": stock.memory()}
    note(f"stock ready: {result['cold_start']['stock']}")
    ours = OurAssistant(root / "ours-data")
    note("starting our stack (python -m bot run)...")
    result["cold_start"]["ours"] = ours.start(cleanup)
    result["memory"]["ours"] = {"idle": ours.memory()}
    note(f"ours ready: {result['cold_start']['ours']}")
    assistants = {"stock": stock, "ours": ours}

    # ---- the script, once, through both: both must answer every turn without an error
    for name, a in assistants.items():
        result["script_check"][name] = script_check(a.url, script, prefix=f"check-{name}")
        if not result["script_check"][name]["ok"]:
            note(f"WARNING: {name} did not answer the script cleanly: {result['script_check'][name]}")

    # ---- warm up both
    warm = (3, 3) if quick else (10, 5)
    for name, a in assistants.items():
        note(f"warming up {name} ({warm[0]} conversations, {warm[1]} at once)...")
        result.setdefault("warm_up", {})[name] = chatload(a.url, warm[0], TURNS, warm[1], script)

    # ---- the measurement: at each level both assistants, alternating which goes first
    for i, level in enumerate(levels):
        order = ["stock", "ours"] if i % 2 == 0 else ["ours", "stock"]
        for name in order:
            n = result["conversations"][level]
            note(f"{name}: {n} conversations x {TURNS} turns, {level} at once...")
            a = assistants[name]
            out = cpu_per_message([a.proc.pid], lambda: chatload(a.url, n, TURNS, level, script))
            out["assistant"] = name
            result["runs"].append(out)
            note(f"  {name} c={level}: p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms, "
                 f"{out['msg_per_s']} msg/s, errors {out['errors']}, server CPU {out['server_cpu_ms_per_msg']} ms/msg")

    for name, a in assistants.items():
        result["memory"][name]["after_load"] = a.memory()
    note("stopping both assistants...")
    ours.stop(cleanup)
    stock.stop(cleanup)
    return result


def find_run(chat: Optional[Dict[str, Any]], assistant: str, level: int) -> Optional[Dict[str, Any]]:
    for r in (chat or {}).get("runs", []):
        if r.get("assistant") == assistant and r.get("concurrency") == level:
            return r
    return None
