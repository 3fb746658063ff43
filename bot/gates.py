"""Quality gates that fail the build: `python -m bot.gates nlu REPORT.json MIN_F1`."""

from __future__ import annotations

import json
import sys


def nlu_gate(report_path: str, minimum: float) -> int:
    """Print the held-out NLU weighted F1 and the three weakest intents; return 1 when F1 is below `minimum`."""
    report = json.load(open(report_path))
    f1 = report["weighted avg"]["f1-score"]
    worst = sorted(
        (
            (v["f1-score"], k)
            for k, v in report.items()
            if isinstance(v, dict) and "f1-score" in v and k not in ("weighted avg", "macro avg", "micro avg")
        )
    )[:3]
    print(
        f"NLU held-out: weighted F1 {f1:.3f} (gate {minimum:.2f}); weakest: "
        + ", ".join(f"{k} {v:.2f}" for v, k in worst)
    )
    return 0 if f1 >= minimum else 1


def main(argv=None) -> int:
    """`python -m bot.gates nlu REPORT.json MIN_F1`: the gate's exit code (2 for bad usage)."""
    args = list(argv if argv is not None else sys.argv[1:])
    if len(args) == 3 and args[0] == "nlu":
        return nlu_gate(args[1], float(args[2]))
    print("usage: python -m bot.gates nlu REPORT.json MIN_F1", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
