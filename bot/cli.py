"""The command line: `python -m bot COMMAND`.

Commands import only what they need, so `route` answers quickly without
loading Rasa or TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


def _read_facts(path: str) -> object:
    """The decoded JSON of a facts file (or standard input for "-"); UsageError in one line otherwise."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"the facts are not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None


def _cmd_route(args: argparse.Namespace) -> int:
    from bot.routing import FactError, route_case

    raw = _read_facts(args.facts)
    try:
        result = route_case(raw)
    except FactError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(_format_text(result))
    return 0


def _format_text(result: dict) -> str:
    lines = []
    for r in result["routes"]:
        lines.append(f"[{r['role']}] {r['name']} ({r['id']})")
        lines.append(f"    why: {r['why']}")
        lines.append(f"    how: {r['how']}")
        lines.append(f"    time limit: {r['time_limit']}")
        if r.get("organisation"):
            org = r["organisation"]
            reach = [org[k] for k in ("phone", "email", "complaints_url", "website") if org.get(k)]
            lines.append(f"    organisation: {org['name']}" + (f" ({'; '.join(reach)})" if reach else ""))
    if result.get("advocacy"):
        lines.append(f"advocacy: {result['advocacy']}")
    for w in result["warnings"]:
        lines.append(f"warning {w['code']}: {w['text']}")
    if result["missing"]:
        lines.append("missing: " + ", ".join(result["missing"]))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The `python -m bot` argument parser: `route` here, the other commands from bot.commands."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="The complaints assistant's tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("route", help="route a case (CONTRACT section 3)")
    p.add_argument("--facts", required=True, help="a JSON file of case facts, or - for standard input")
    p.add_argument("--json", action="store_true", help="print JSON (the default prints readable text)")
    p.set_defaults(func=_cmd_route)

    from bot import commands  # registers the other commands (record, staff, run ...)

    commands.register(sub)
    return parser


class _Parser(argparse.ArgumentParser):
    pass


def main(argv: Optional[List[str]] = None) -> int:
    """Run one `python -m bot` command; return its exit code (2 for a usage error, 130 on Ctrl-C)."""
    parser = build_parser()
    # argparse prints usage and exits 2 on its own errors; keep that, it is one short message.
    args = parser.parse_args(argv)
    from bot.settings import SettingsError

    try:
        return args.func(args) or 0
    except (UsageError, SettingsError) as e:  # a bad environment variable is one line too
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
