"""Pure helpers: percentiles, summaries, targets, text tables, the results file. No servers here."""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """The p-quantile (0..1) as ../shared/eval/chatload.py computes it: sorted[min(n-1, int(p*n))].

    Same method everywhere in the bench, so our figures match what the acceptance testers see.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def summarize(values: Sequence[float], digits: int = 3) -> Dict[str, Any]:
    """count, mean, p50, p95, p99, min, max of a list of durations (same unit in and out)."""
    if not values:
        return {"count": 0, "mean": None, "p50": None, "p95": None, "p99": None, "min": None, "max": None}

    def r(x: Optional[float]) -> Optional[float]:
        return None if x is None else round(x, digits)

    return {"count": len(values), "mean": r(statistics.mean(values)), "p50": r(percentile(values, 0.5)),
            "p95": r(percentile(values, 0.95)), "p99": r(percentile(values, 0.99)),
            "min": r(min(values)), "max": r(max(values))}


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """a / b, or None when either is missing or b is zero."""
    if a is None or b is None or b == 0:
        return None
    return a / b


# ------------------------------------------------------------------ targets
@dataclass
class Target:
    """One acceptance target: PASS, FAIL or SKIP (no figure), with the figures that decided it."""

    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name}: {self.detail}"


def check(name: str, value: Optional[float], limit: Optional[float], op: str = "<=", unit: str = "",
          detail: str = "") -> Target:
    """Compare value with limit (op one of <=, <, >=, >, ==); SKIP when either is missing."""
    if value is None or limit is None:
        return Target(name, "SKIP", detail or "not measured in this run")
    ok = {"<=": value <= limit, "<": value < limit, ">=": value >= limit, ">": value > limit,
          "==": value == limit}[op]
    text = f"{fmt(value)}{unit} {op} {fmt(limit)}{unit}"
    return Target(name, "PASS" if ok else "FAIL", text + (f"  ({detail})" if detail else ""))


def targets_summary(targets: Iterable[Target]) -> Dict[str, int]:
    out = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for t in targets:
        out[t.status] = out.get(t.status, 0) + 1
    return out


# ------------------------------------------------------------------ text
def fmt(x: Any, digits: Optional[int] = None) -> str:
    """A number for a table: None as '-', big numbers without decimals, small ones with a few."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        if digits is None:
            digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2 if abs(x) >= 0.1 else 3
        return f"{x:.{digits}f}"
    return str(x)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    """A plain text table: text columns left-aligned, numbers right-aligned."""
    cells = [[fmt(c) for c in row] for row in rows]
    numeric = [all(isinstance(row[i], (int, float)) or row[i] is None for row in rows) if rows else False
               for i in range(len(headers))]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if numeric[i] else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return (indent + "  ".join(parts)).rstrip()

    out = [line(list(headers)), indent + "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def section(title: str) -> str:
    return f"\n== {title}"


# ------------------------------------------------------------------ results file
def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, Target):
        return asdict(obj)
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def write_results(doc: Dict[str, Any], directory: Path, stamp: str) -> Path:
    """Write bench-<stamp>.json and latest.json (each atomically); return the stamped path."""
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(doc), indent=2, sort_keys=False) + "\n"
    path = directory / f"bench-{stamp}.json"
    for target in (path, directory / "latest.json"):
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(target)
    return path
