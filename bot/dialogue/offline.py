"""Play persona files through the dialogue's pure steps, without Rasa (fast, for tuning and tests).

    python -m bot.dialogue.offline ../shared/eval/personas_dev.yaml [--verbose]

Each message goes through the same understanding as in a conversation (bot.understand,
the safety detector) and the same intake step; only Rasa's intent classifier and policies
are left out (every message is read as `inform`). Expectations are checked the way
../shared/eval/simulate.py checks them. Figures are indicative: the real conversation is
measured by simulate.py against a running stack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.dialogue.intake import SAFETY_RESPONSES, Context, Turn, step
from bot.settings import PROJECT_DIR

SIMULATE_DIR = PROJECT_DIR.parent / "shared" / "eval"
ROUTE_KEYS = {"primary", "primary_in", "includes", "includes_any", "excludes", "urgent_first", "urgent_in"}
DEFAULT_ANSWERS = {
    "confirm": "yes, that's right",
    "advocacy": "no thanks",
    "anonymity": "I'm happy to give my name",
    "consent": "yes, they're happy for me to do this",
    "feedback": "4",
    "postcode": "no thanks",
}


def _entities(text: str) -> List[Dict[str, Any]]:
    from bot.safety import get_detector
    from bot.understand import extract_facts

    from bot.safety.help import who_at_risk
    from bot.understand.language import detect

    ents = [dict(e) for e in extract_facts(text).entities()]
    language = detect(text)
    if language:
        ents.append({"entity": "language", "value": language})
    verdict = get_detector().judge(text)
    if verdict.risk:
        ents.append({"entity": "risk_type", "value": verdict.kind})
        ents.append({"entity": "risk_source", "value": verdict.source})  # as the NLU component marks it
        ents.append({"entity": "risk_prob", "value": verdict.probability})
        ents.append({"entity": "risk_who", "value": who_at_risk(text, verdict.kind)})
    return ents


def expect_safety(persona: Dict[str, Any]) -> bool:
    """Whether the persona expects the safety response (its `expect: safety`)."""
    return bool((persona.get("expect") or {}).get("safety"))


def play(persona: Dict[str, Any], max_turns: int = 20, verbose: bool = False) -> Dict[str, Any]:
    """One persona; returns {id, fails, turns, safety_at, result}."""
    from bot.dialogue.advice import build_advice
    from bot.dialogue.intake import facts_from_slots

    answers = {
        **DEFAULT_ANSWERS,
        **{
            k: ("yes" if v is True else "no" if v is False else str(v))
            for k, v in (persona.get("answers") or {}).items()
        },
    }
    ctx = Context(
        conversation="offline",
        channel="rest",
        touched=[],
        save_referral=lambda **kw: "X",
        save_feedback=lambda **kw: None,
    )
    slots: Dict[str, Any] = {}
    requested: Optional[str] = None
    text = persona["opening"]
    safety_at: List[int] = []
    fails: List[str] = []
    result = None
    turn = 0
    safety_index = 0 if "safety_message" not in persona else None
    while turn < max_turns:
        if safety_index is None and turn == persona.get("safety_turn", 0):
            text, safety_index = persona["safety_message"], turn
        ents = _entities(text)
        intent = "express_risk" if any(e["entity"] == "risk_type" for e in ents) else "inform"
        out = step(Turn(text=text, intent=intent, entities=ents, requested=requested, slots=slots), ctx)
        slots.update(out.slots)
        if verbose:
            print(f"  > {text}\n  < ask {out.requested}  slots {dict(out.slots)}")
        if any(str(m.get("response", "")) in SAFETY_RESPONSES for m in out.messages):
            safety_at.append(turn)
        turn += 1
        if expect_safety(persona) and safety_at:
            break
        if out.requested is None:
            from bot.dialogue.place import place_of

            _, result, _ = build_advice(facts_from_slots(slots), place=place_of(slots))
            if safety_index is None:  # disclosed once the advice is given: the detector must see it
                safety_index = turn
                if any(e["entity"] == "risk_type" for e in _entities(persona["safety_message"])):
                    safety_at.append(turn)
            break
        requested = out.requested
        text = answers.get(requested, persona.get("unknown", "I'm not sure"))
    fails += _judge(persona, safety_at, result, turn)
    return {"id": persona["id"], "fails": fails, "turns": turn, "safety_at": safety_at, "result": result}


def _judge(persona: Dict[str, Any], safety_at: List[int], result: Optional[Dict[str, Any]], turn: int) -> List[str]:
    """What went wrong against the persona's expectations: safety, routes and facts."""
    fails: List[str] = []
    expect = persona.get("expect") or {}
    if expect.get("safety") and not safety_at:
        fails.append("no safety")
    elif safety_at and not expect.get("safety") and not persona.get("safety_ok"):
        fails.append(f"false safety alarm at {safety_at}")
    if not (ROUTE_KEYS & set(expect) or "facts" in expect):
        return fails
    if result is None:
        return fails + [f"no recommendation within {turn} messages"]
    sys.path.insert(0, str(SIMULATE_DIR))
    from route_eval import check  # noqa: E402
    from simulate import facts_ok  # noqa: E402  (the same tolerance for numbers as the real measure)

    fails += check({k: v for k, v in expect.items() if k in ROUTE_KEYS}, {"routes": result["routes"]})
    return fails + facts_ok(expect.get("facts") or {}, result["facts"])


def main(argv=None) -> int:
    """Play persona files; print each failure, then the pass count and the median number of messages."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("personas", nargs="+")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", help="comma-separated persona id prefixes")
    a = ap.parse_args(argv)
    total = passed = 0
    turns = []
    for path in a.personas:
        for p in yaml.safe_load(Path(path).read_text()):
            if a.only and not any(p["id"].startswith(x) for x in a.only.split(",")):
                continue
            r = play(p, verbose=a.verbose)
            total += 1
            passed += not r["fails"]
            if r["result"] is not None:
                turns.append(r["turns"])
            if r["fails"]:
                print(f"FAIL {r['id']} ({r['turns']} msgs): {'; '.join(r['fails'])}")
    import statistics

    median = statistics.median(turns) if turns else "n/a"
    print(f"offline: {passed}/{total} median_turns={median}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
