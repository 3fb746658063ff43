"""`python -m bench` (`make bench`): run the parts, print the table, write bench/results/*.json.

Exits 0 when the figures were produced, even if a target fails (the figures are the product);
1 only when a part could not be measured at all; 130 on Ctrl-C. See docs/bench.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional

PARTS = ["routing", "chat", "scale", "profile"]
DEFAULT_PARTS = ["routing", "chat", "scale"]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a fast smoke: fewer repetitions and conversations, one round each")
    ap.add_argument("--only", default=",".join(DEFAULT_PARTS),
                    help=f"comma-separated parts among {', '.join(PARTS)} (default: {','.join(DEFAULT_PARTS)})")
    ap.add_argument("--levels", default="1,10,25", help="concurrent conversations for the chat part")
    ap.add_argument("--script", default="default",
                    help="messages of each conversation: default (chatload.py's own), intake, or \"a|b|c\"")
    ap.add_argument("--train-ours", action="store_true", default=True,
                    help="time a full training of our model (into a temporary folder; models/ untouched); "
                         "the default, since it takes well under a minute")
    ap.add_argument("--no-train-ours", dest="train_ours", action="store_false",
                    help="use the training time recorded by an earlier run for the same inputs")
    ap.add_argument("--profile-levels", default="1,10", help="concurrent conversations for the profile part")
    ap.add_argument("--profile-dir", metavar="DIR",
                    help="keep the profile part's cProfile files (pstats) in DIR, to explore with pstats or snakeviz")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"),
                    help="folder for bench-<timestamp>.json and latest.json")
    ap.add_argument("--no-write", action="store_true", help="print only; write no results file")
    ap.add_argument("--show", metavar="JSON", help="print the table of an earlier results file and exit")
    a = ap.parse_args(argv)
    a.parts = [p.strip() for p in a.only.split(",") if p.strip()]
    unknown = [p for p in a.parts if p not in PARTS]
    if unknown:
        ap.error(f"unknown part(s) {', '.join(unknown)}; choose among {', '.join(PARTS)}")
    try:
        a.level_list = [int(x) for x in a.levels.split(",") if x.strip()]
        a.profile_level_list = [int(x) for x in a.profile_levels.split(",") if x.strip()]
    except ValueError:
        ap.error("--levels and --profile-levels take numbers, e.g. 1,10,25")
    from bench.load import resolve_script

    try:
        a.script_list = resolve_script(a.script)
    except ValueError as e:
        ap.error(str(e))
    return a


def _raise_interrupt(signum, frame):  # SIGTERM/SIGHUP behave as Ctrl-C: clean up, then stop
    raise KeyboardInterrupt(f"signal {signum}")


def meta(args: argparse.Namespace) -> Dict[str, Any]:
    import psutil

    from bench.procs import PROJECT

    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=PROJECT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    try:
        from importlib.metadata import version

        rasa = version("rasa")
    except Exception:
        rasa = "?"
    head = git("rev-parse", "--short", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    busy = psutil.cpu_percent(interval=1.0)
    load = os.getloadavg()
    cpus = psutil.cpu_count() or 1
    note = ""
    if load[0] > 0.5 * cpus or busy > 30:
        note = "(BUSY: other work is running, the figures are noisy)"
    return {"started_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick,
            "parts": args.parts, "levels": args.level_list, "train_ours": args.train_ours,
            "script": args.script_list,
            "argv": sys.argv[1:], "git": f"{head}{' + uncommitted changes' if dirty else ''}", "rasa": rasa,
            "python": platform.python_version(),
            "host": {"cpus": cpus, "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                     "loadavg_start": [round(x, 2) for x in load], "cpu_busy_before_pct": busy,
                     "busy_note": note, "platform": platform.platform()}}


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from bench import report
    from bench.procs import PROJECT, Cleanup, note
    from bench.stats import targets_summary, write_results

    if args.show:
        import json

        print(report.render(json.loads(Path(args.show).read_text())), end="")
        return 0
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    os.chdir(PROJECT)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupt)

    t0 = time.time()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    doc: Dict[str, Any] = {"meta": meta(args), "errors": {}}
    cleanup = Cleanup()
    interrupted = False
    note(f"parts: {', '.join(args.parts)}{' (quick)' if args.quick else ''}; {doc['meta']['host']['busy_note']}")
    try:
        root = cleanup.tempdir("bench-")
        for part in args.parts:
            note(f"--- {part}")
            mark = cleanup.mark()
            try:
                if part == "routing":
                    from bench import routing

                    doc["routing"] = routing.run(args.quick)
                elif part == "chat":
                    from bench import chat

                    doc["chat"] = chat.run(cleanup, root, args.level_list, args.quick, args.train_ours,
                                           args.script_list)
                elif part == "scale":
                    from bench import scale

                    doc["scale"] = scale.run(cleanup, root, args.quick, args.script_list)
                elif part == "profile":
                    from bench import profile

                    doc["profile"] = profile.run(cleanup, root, args.profile_level_list, args.quick,
                                                 keep=Path(args.profile_dir) if args.profile_dir else None,
                                                 script=args.script_list)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # one part failing does not lose the others
                doc["errors"][part] = f"{type(e).__name__}: {e}"[:3000]
                note(f"{part} FAILED: {type(e).__name__}: {e}")
                traceback.print_exc(file=sys.stderr)
            finally:
                # whatever a part started is stopped before the next part measures (also after a failure)
                problems = cleanup.unwind(mark)
                if problems:
                    doc["errors"][f"{part} cleanup"] = "; ".join(problems)
    except KeyboardInterrupt:
        interrupted = True
        note("interrupted: stopping everything this run started...")
    finally:
        problems = cleanup.close()
        if problems:
            doc["errors"]["cleanup"] = "; ".join(problems)
            note("cleanup problems: " + "; ".join(problems))
    doc["meta"]["duration_s"] = round(time.time() - t0, 1)
    doc["meta"]["interrupted"] = interrupted
    doc["meta"]["host"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    doc["targets"] = report.evaluate(doc)
    doc["summary"] = targets_summary(doc["targets"])
    print(report.render(doc), end="")
    if not args.no_write:
        path = write_results(doc, Path(args.out), stamp)
        print(f"\nresults: {_rel(path, PROJECT)} (and {_rel(path.with_name('latest.json'), PROJECT)})")
    if interrupted:
        return 130
    measured = [p for p in args.parts if p not in doc["errors"]]
    return 0 if measured else 1


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)
