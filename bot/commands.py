"""Commands beyond `route`, registered on the CLI. Each imports its module lazily."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: "argparse._SubParsersAction") -> None:
    """Add the commands of the other subsystems to the CLI."""
    p = sub.add_parser("run", help="start the whole stack in the foreground (what `make run` does)")
    p.add_argument(
        "--rasa-servers",
        type=int,
        help="how many Rasa servers to start (default RASA_SERVERS, or 1; more than one needs REDIS_URL)",
    )
    p.set_defaults(func=_run)

    p = sub.add_parser("db", help="database schema of the record")
    p.add_argument("action", choices=["upgrade"])
    p.set_defaults(func=_db)

    p = sub.add_parser("report", help="reports from the record")
    p.add_argument(
        "what", nargs="?", choices=["expectations"], default="expectations", help="which report (default: expectations)"
    )
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

    p = sub.add_parser("knowledge", help="the knowledge base (CONTRACT section 9)")
    ksub = p.add_subparsers(dest="knowledge_command", required=True)
    k = ksub.add_parser("report", help="every fact with its source, checked date and uncertainty, oldest first")
    k.add_argument("--json", action="store_true", help="JSON")
    k.add_argument("--today", help="the day to count from, YYYY-MM-DD (default: today)")
    k.set_defaults(func=_knowledge_report)

    p = sub.add_parser("places", help="the local organisations' data (issue 15)")
    p.add_argument("what", choices=["report"], help="report: confirmed complaints contacts by nation and kind")
    p.add_argument("--json", action="store_true", help="JSON")
    p.set_defaults(func=_places)

    p = sub.add_parser("letter", help="draft a complaint letter from case facts and the person's words")
    p.add_argument("--facts", required=True, help="a JSON file of case facts, or - for standard input")
    p.add_argument("--story", required=True, help="what happened, in the person's own words")
    p.add_argument("--consent", help="when writing for someone: yes, no, cannot_give or deceased")
    p.add_argument("--question", action="append", default=[], help="a question to ask (repeat for more)")
    p.add_argument("--final-response-date", help="the date of the organisation's final response, as given")
    p.add_argument("--organisation", help="the name of the organisation the letter goes to")
    p.add_argument("--today", help="the letter's date, YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="print JSON: to, subject, body and note")
    p.set_defaults(func=_letter)

    p = sub.add_parser("data", help="personal data requests: find or erase what is held (CONTRACT section 8)")
    dsub = p.add_subparsers(dest="data_command", required=True)
    for name, help_text in (
        ("find", "list what is held about a person: kinds, counts and dates, not the content"),
        ("erase", "delete what is held about a person, recorded in the audit log"),
    ):
        d = dsub.add_parser(name, help=help_text)
        who = d.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone", help="a phone number (07700 900123 or +447700900123)")
        who.add_argument("--email", help="an email address")
        who.add_argument("--reference", help="a referral reference (KX7-4PQ-2M)")
        d.add_argument("--json", action="store_true", help="JSON")
        d.add_argument("--by", help="who is answering the request, for the audit log (default: this user)")
        if name == "erase":
            d.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")
        d.set_defaults(func=_data)

    p = sub.add_parser("purge", help="delete records older than the retention period")
    p.add_argument("--older-than", type=int, metavar="DAYS", help="days to keep (default RETENTION_DAYS)")
    p.set_defaults(func=_purge)


def _knowledge_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.cli import UsageError
    from bot.routing import get_router
    from bot.routing.sources import STALE_MONTHS, report

    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        raise UsageError(f"--today must be a date like 2026-12-02, not {args.today!r}") from None
    out = report(get_router().kb, today)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for f in out["facts"]:
        mark = " DUE" if f["due"] else ""
        print(f"{f['checked']}{mark}  {f['body']}: {f['fact']}")
        print(f"            source: {f['source']}")
        if f["uncertain"]:
            print(f"            uncertain: {f['uncertain']}")
    print(
        f"{out['facts_total']} facts, oldest checked {out['oldest']}; {out['due']} due for a re-check "
        f"(checked {STALE_MONTHS} or more months before {out['today']})."
    )
    return 0


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
            w.writerow(
                [
                    sid,
                    s.stage_name,
                    s.text,
                    row["interactions"],
                    row["feedback"]["count"],
                    "" if row["feedback"]["mean"] is None else row["feedback"]["mean"],
                ]
            )
    elif args.json:
        print(json.dumps(report))
    else:
        for sid, row in report["statements"].items():
            fb = row["feedback"]
            mean = "-" if fb["mean"] is None else f"{fb['mean']:.1f}"
            print(
                f"{sid:<14} interactions {row['interactions']:>6}   feedback {fb['count']:>4} (mean {mean})"
                f"   {statements()[sid].text}"
            )
    return 0


def _places(args: argparse.Namespace) -> int:
    from bot.places.organisations import coverage

    report = coverage()
    if args.json:
        print(json.dumps(report))
        return 0
    for nation, kinds in report.items():
        for kind, row in kinds.items():
            facts = ", ".join(f"{k} {row[k]}" for k in ("complaints_url", "phone", "email", "post", "website"))
            print(
                f"{nation:<17} {kind:<13} {row['complaints_contact']:>3} of {row['organisations']:>3} with a confirmed"
                f" complaints contact ({facts})"
            )
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


def _letter(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.cli import UsageError, _read_facts
    from bot.letter import draft
    from bot.routing import FactError, parse_facts

    if not args.story.strip():
        raise UsageError("the story is empty: give what happened, in the person's own words")
    if args.consent not in (None, "yes", "no", "cannot_give", "deceased"):
        raise UsageError(f"unknown consent {args.consent!r}; expected one of: yes, no, cannot_give, deceased")
    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        raise UsageError(f"--today must be a date like 2026-12-03, not {args.today!r}") from None
    try:
        facts = parse_facts(_read_facts(args.facts))
    except FactError as e:
        raise UsageError(str(e)) from None
    letter = draft(
        facts,
        args.story,
        on_behalf=bool(facts.get("on_behalf")),
        consent=args.consent,
        anonymous=facts.get("anonymity") == "anonymous",
        organisation=args.organisation,
        final_response_date=args.final_response_date,
        questions=args.question or None,
        today=today,
    )
    if args.json:
        print(json.dumps(letter.as_dict(), ensure_ascii=False))
    else:
        print(f"To: {letter.to}\nSubject: {letter.subject}\n\n{letter.body}\n\nNote: {letter.note}")
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
            s.add(AuditEntry(staff_name="(command line)", action="staff_unlock", target=str(info.id), detail=info.name))
    except StaffError as e:
        raise UsageError(str(e)) from None
    except Exception as e:  # noqa: BLE001 - a database that cannot be reached is one line, not a traceback
        raise UsageError(f"the record's database cannot be reached ({type(e).__name__})") from None
    print(f"staff: {info.name} unlocked (failed sign-ins cleared)")
    return 0


def _data(args: argparse.Namespace) -> int:
    import getpass

    from bot.cli import UsageError
    from bot.record import subject
    from bot.record.db import upgrade

    key = subject.Key(phone=args.phone, email=args.email, reference=args.reference)
    if key.phone is not None and not subject.normalise_phone(key.phone)[1:]:
        raise UsageError("--phone needs a phone number")
    by = args.by or getpass.getuser()
    erasing = args.data_command == "erase" and not args.dry_run
    try:
        upgrade()
        found = subject.find(key)
        counts = subject.erase(found) if erasing else {}
        action = {"find": "data_find"}.get(args.data_command, "data_erase" if erasing else "data_erase_dry_run")
        subject.audit(action, key, by, {"held": {h["kind"]: h["count"] for h in found.held}, "deleted": counts})
    except Exception as e:  # noqa: BLE001 - a database that cannot be reached is one line, not a traceback
        done = "the erasure may be incomplete: run it again" if erasing else "nothing was deleted"
        raise UsageError(f"a database cannot be reached ({type(e).__name__}); {done}") from None
    _print_held(args, found.held, counts, erasing)
    return 0


def _print_held(args: argparse.Namespace, held: list, deleted: dict, erasing: bool) -> None:
    if args.json:
        out = {"held": held}
        if args.data_command == "erase":
            out.update({"deleted": deleted} if erasing else {"dry_run": True})
        print(json.dumps(out))
        return
    if not held:
        print("nothing held")
    for h in held:
        print(f"{h['kind']:<20} {h['count']:>6}   {h['first'] or '-'} to {h['last'] or '-'}")
    if erasing:
        print("deleted: " + (", ".join(f"{k} {v}" for k, v in deleted.items()) or "nothing"))
    elif args.data_command == "erase":
        print("dry run: nothing deleted")
