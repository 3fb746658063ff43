"""Commands beyond `route`, registered on the CLI. Each imports its module lazily."""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: "argparse._SubParsersAction") -> None:
    """Add the commands of the other subsystems to the CLI."""
    p = sub.add_parser("run", help="start the whole stack in the foreground (what `make run` does)")
    p.add_argument("--rasa-servers", type=int, default=int(__import__("os").environ.get("RASA_SERVERS", "1")),
                   help="how many Rasa servers to start (more than one needs REDIS_URL)")
    p.set_defaults(func=_run)

    p = sub.add_parser("db", help="database schema of the record")
    p.add_argument("action", choices=["upgrade"])
    p.set_defaults(func=_db)

    p = sub.add_parser("report", help="reports from the record")
    p.add_argument("what", nargs="?", choices=["expectations"], default="expectations",
                   help="which report (default: expectations)")
    p.add_argument("--json", action="store_true", help="JSON (CONTRACT section 6)")
    p.add_argument("--csv", action="store_true", help="CSV, one row per statement")
    p.set_defaults(func=_report)

    p = sub.add_parser("staff", help="staff accounts for the inbox (CONTRACT section 7)")
    ssub = p.add_subparsers(dest="staff_command", required=True)
    a = ssub.add_parser("add", help="add an account; the password is read from standard input")
    a.add_argument("name")
    a.add_argument("--role", required=True, help="reviewer, admin or analyst")
    a.set_defaults(func=_staff_add)
    u = ssub.add_parser("unlock", help="clear an account's failed sign-ins, so its next attempt is checked at once")
    u.add_argument("name")
    u.set_defaults(func=_staff_unlock)

    p = sub.add_parser("purge", help="delete records older than the retention period")
    p.add_argument("--older-than", type=int, metavar="DAYS", help="days to keep (default RETENTION_DAYS)")
    p.set_defaults(func=_purge)


def _run(args: argparse.Namespace) -> int:
    from bot.supervisor import main

    return main(args.rasa_servers)


def _db(args: argparse.Namespace) -> int:
    from bot.record.db import upgrade

    upgrade()
    print("database: up to date")
    return 0


def _report(args: argparse.Namespace) -> int:
    from bot.cli import UsageError
    from bot.record import StoreUnavailable, get_store
    from bot.record.catalogue import statements
    from bot.record.db import upgrade

    try:
        upgrade()
        report = get_store().expectations_report()
    except StoreUnavailable:
        raise UsageError("the record's database cannot be reached") from None
    if args.csv:
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(["statement_id", "stage", "statement", "interactions", "feedback_count", "feedback_mean"])
        for sid, row in report["statements"].items():
            s = statements()[sid]
            w.writerow([sid, s.stage_name, s.text, row["interactions"], row["feedback"]["count"],
                        "" if row["feedback"]["mean"] is None else row["feedback"]["mean"]])
    elif args.json:
        print(json.dumps(report))
    else:
        for sid, row in report["statements"].items():
            fb = row["feedback"]
            mean = "-" if fb["mean"] is None else f"{fb['mean']:.1f}"
            print(f"{sid:<14} interactions {row['interactions']:>6}   feedback {fb['count']:>4} (mean {mean})"
                  f"   {statements()[sid].text}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bot.cli import UsageError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.record import StoreUnavailable
    from bot.record.db import upgrade
    from bot.record.retention import purge_all
    from bot.settings import retention_days

    days = args.older_than if args.older_than is not None else retention_days()
    if days < 0:
        raise UsageError("--older-than must be 0 or more days")
    try:
        upgrade()
        counts = purge_all(days)
    except (StoreUnavailable, SQLAlchemyError):
        raise UsageError("a database cannot be reached; nothing more was deleted") from None
    print("purged: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" (older than {days} days)")
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    from bot.cli import UsageError
    from bot.record.db import upgrade
    from bot.staff import StaffError, add_staff

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password (at least 12 characters): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        upgrade()
        add_staff(args.name, args.role, password)
    except StaffError as e:
        raise UsageError(str(e)) from None
    print(f"staff: added {args.name} ({args.role})")
    return 0


def _staff_unlock(args: argparse.Namespace) -> int:
    from bot.cli import UsageError
    from bot.record.db import upgrade
    from bot.staff import StaffError, unlock_by_name

    from bot.record.db import session_scope
    from bot.record.models import AuditEntry

    try:
        upgrade()
        info = unlock_by_name(args.name)
        with session_scope() as s:  # the inbox's unlock is audited; so is this one
            s.add(AuditEntry(staff_name="(command line)", action="staff_unlock", target=str(info.id),
                             detail=info.name))
    except StaffError as e:
        raise UsageError(str(e)) from None
    except Exception as e:  # noqa: BLE001 - a database that cannot be reached is one line, not a traceback
        raise UsageError(f"the record's database cannot be reached ({type(e).__name__})") from None
    print(f"staff: {info.name} unlocked (failed sign-ins cleared)")
    return 0
