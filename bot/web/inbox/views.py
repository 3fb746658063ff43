"""The inbox's pages. Every handler declares its roles (security.roles) or is the public login page."""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hmac
import io
import logging
import secrets
from functools import partial
from typing import Any, Dict, Optional

import aiohttp_jinja2
from aiohttp import web

from bot.limits import LimitUnavailable
from bot.record.catalogue import statements
from bot.record.store import STATUSES
from bot.settings import retention_days
from bot.staff import FREE_FAILURES, MAX_WAIT_SECONDS, MIN_PASSWORD, ROLES, StaffError, authenticate
from bot.web.inbox import charts, queries
from bot.web.inbox.queries import ANONYMITY, STATUS_LABELS, ChangeError
from bot.web.inbox.security import (CSRF_FIELD, DEVICE_COOKIE, LOGIN_COOKIE, PREFIX, InboxError, audit, client_ip,
                                    csrf_token, device_cookie, end_session, flash, in_thread, inbox_of, must_audit,
                                    public, read_post, redirect, roles, safe_next, secure_request, start_session,
                                    take_flash, trusted_device)

log = logging.getLogger(__name__)

JINJA = web.AppKey("inbox_jinja", object)
WORKERS = ("reviewer", "admin")
EVERYONE = ("reviewer", "admin", "analyst")
ROLE_LABELS = {"reviewer": "Reviewer", "admin": "Admin", "analyst": "Analyst"}


# ------------------------------------------------------------------------ helpers
def render(request: web.Request, template: str, context: Dict[str, Any], status: int = 200) -> web.Response:
    staff = request.get("staff")
    ctx = {"staff": staff, "csrf": csrf_token(request), "csrf_field": CSRF_FIELD, "prefix": PREFIX,
           "flashes": take_flash(request) if staff else [], "role_labels": ROLE_LABELS,
           "status_labels": STATUS_LABELS, "anonymity_labels": ANONYMITY, "path": request.path}
    ctx.update(context)
    return aiohttp_jinja2.render_template(template, request, ctx, app_key=JINJA, status=status)


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    titles = {401: "Sign in needed", 403: "Not allowed", 404: "Page not found", 405: "Not allowed",
              429: "Too many attempts", 503: "Not available just now"}
    return render(request, "error.html", {"title": titles.get(status, "Something went wrong"), "message": message,
                                          "status": status}, status=status)


async def form(request: web.Request) -> Dict[str, str]:
    data = await read_post(request)
    return {k: v for k, v in data.items() if isinstance(v, str)}


def now(request: web.Request) -> dt.datetime:
    return inbox_of(request).clock.utcnow()


def referral_ref(request: web.Request) -> str:
    ref = queries.canonical_ref(request.match_info.get("ref", ""))
    if not ref:
        raise InboxError(404, "There is no referral with that reference.")
    return ref


def back_to(ref: str, anchor: str = "") -> web.Response:
    return redirect(f"{PREFIX}/referrals/{ref}" + (f"#{anchor}" if anchor else ""))


# --------------------------------------------------------------------- sign in/out
LOGIN_REASONS = {
    "idle": "You were signed out after 30 minutes without activity. Sign in again.",
    "expired": "You were signed out 12 hours after signing in. Sign in again.",
    "signed_out": "You are signed out.",
}


def _login_page(request: web.Request, *, error: str = "", name: str = "", status: int = 200,
                next_url: Optional[str] = None) -> web.Response:
    token = secrets.token_urlsafe(32)
    resp = render(request, "login.html", {
        "title": "Sign in", "login_token": token, "error": error, "name": name,
        "notice": LOGIN_REASONS.get(request.query.get("reason", ""), "") or (
            f"You are signed in as {request['staff'].name}. Signing in again ends that session."
            if request.get("staff") else ""),
        "next": safe_next(next_url or request.query.get("next")),
        "free_failures": FREE_FAILURES, "max_wait": MAX_WAIT_SECONDS,
    }, status=status)
    resp.set_cookie(LOGIN_COOKIE, token, path=f"{PREFIX}/login", httponly=True, samesite="Strict",
                    secure=secure_request(request))
    return resp


@public
async def login_get(request: web.Request) -> web.StreamResponse:
    return _login_page(request)


@public
async def login_post(request: web.Request) -> web.StreamResponse:
    inbox = inbox_of(request)
    data = await form(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    given = data.get("login_token", "")
    if not cookie or not given or not hmac.compare_digest(cookie.encode(), given.encode()):
        raise InboxError(403, "The sign-in form has expired, or your browser blocks cookies. "
                              "Reload the sign-in page and try again.")
    # A browser that signed in to an account before is limited on its own, not with its whole network.
    device = trusted_device(request)
    key = f"device:{device[1]}" if device else f"ip:{client_ip(request)}"
    try:
        wait = await in_thread(inbox.limiter.retry_after, key)
    except LimitUnavailable:
        # Without the shared count, signing in would be unlimited: refuse plainly until it is back.
        await audit(request, "sign_in_throttled", detail="attempt refused unchecked: the sign-in limits cannot be read")
        raise InboxError(503, "Signing in is paused for a moment because of a technical problem on our side. "
                              "Try again in a minute.", headers={"Retry-After": "60"}) from None
    if wait:
        await audit(request, "sign_in_throttled", detail=f"too many failed attempts from this {key.split(':')[0]}; "
                                                   f"retry in {wait} s")
        raise InboxError(429, f"Too many failed sign-ins from your {'browser' if device else 'network'} just now. "
                              f"Try again in {_duration(wait)}.", headers={"Retry-After": str(wait)})
    name = " ".join(data.get("name", "").split())[:80]
    password = data.get("password", "")
    result = await in_thread(authenticate, name, password, inbox.clock.utcnow(), None,
                             device[0] if device else None)
    try:
        await in_thread(partial(inbox.limiter.record, key, failed=not result.ok))
    except LimitUnavailable:
        pass  # logged by bot.limits; the next attempt is refused until the count can be kept again
    if not result.ok:
        await audit(request, "sign_in_failed", staff_id=result.staff.id if result.staff else None,
              staff_name=result.staff.name if result.staff else None, detail=_failure_detail(result))
        if inbox.config.fail_delay:
            await asyncio.sleep(inbox.config.fail_delay)
        return _login_page(request, status=401, name=name, next_url=data.get("next"), error=(
            "Sign-in failed: the name or password is not right, the account is not active, or there were "
            f"several failed attempts just now. After {FREE_FAILURES} in a row, each attempt must wait a little "
            f"longer (at most {_duration(MAX_WAIT_SECONDS)}): wait, then try again."))
    staff = result.staff
    session = await start_session(request, staff)
    request["inbox_session"], request["staff"] = session, staff
    await audit(request, "sign_in", detail=f"role {staff.role}")
    resp = redirect(safe_next(data.get("next")))
    resp.del_cookie(LOGIN_COOKIE, path=f"{PREFIX}/login")
    if not device or device[0] != staff.id:
        resp.set_cookie(DEVICE_COOKIE, device_cookie(request, staff.id), path=f"{PREFIX}/login", httponly=True,
                        samesite="Strict", secure=secure_request(request),
                        max_age=inbox.config.device_days * 86400)
    return resp


def _failure_detail(result) -> str:  # noqa: ANN001 - bot.staff.SignIn
    """What the audit log says about a failed sign-in (never the password)."""
    detail = {"unknown": "no such account", "wrong_password": "wrong password",
              "wait": f"attempt refused unchecked: {result.retry_after} s to wait after failed sign-ins",
              "inactive": "account deactivated"}.get(result.reason, result.reason)
    if result.reason == "wrong_password" and result.retry_after:
        detail += f"; next attempt in {result.retry_after} s"
    return detail


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@roles(*EVERYONE)
async def logout(request: web.Request) -> web.StreamResponse:
    await audit(request, "sign_out")
    await end_session(request)
    return redirect(f"{PREFIX}/login?reason=signed_out")


@roles(*EVERYONE)
async def home(request: web.Request) -> web.StreamResponse:
    staff = request["staff"]
    return redirect(f"{PREFIX}/dashboard" if staff.role == "analyst" else f"{PREFIX}/referrals")


# ---------------------------------------------------------------------- referrals
@roles(*WORKERS)
async def referral_list(request: web.Request) -> web.StreamResponse:
    f = queries.parse_filters(request.query)
    size = inbox_of(request).config.page_size
    rows, total = await in_thread(queries.list_referrals, f, request["staff"].id, size)
    pages = max(1, -(-total // size))
    if f.page > pages and total:
        return redirect(f"{PREFIX}/referrals?" + f.query(page=pages))
    options = await in_thread(queries.filter_options)
    return render(request, "referrals.html", {
        "title": "Referrals", "rows": rows, "total": total, "filters": f, "page": f.page, "pages": pages,
        "first": (f.page - 1) * size + 1 if total else 0, "last": min(total, f.page * size),
        "options": options, "statuses": STATUSES,
        "prev_q": f.query(page=f.page - 1) if f.page > 1 else None,
        "next_q": f.query(page=f.page + 1) if f.page < pages else None,
    })


@roles(*WORKERS)
async def referral_detail(request: web.Request) -> web.StreamResponse:
    ref = referral_ref(request)
    data = await in_thread(queries.referral_detail, ref)
    if data is None:
        raise InboxError(404, "There is no referral with that reference.")
    show_contact = request.query.get("contact") == "show"
    contact = None
    await must_audit(request, "view_referral", target=ref)
    if show_contact and data["has_contact"]:
        from bot.privacy import unseal

        await must_audit(request, "view_contact", target=ref)
        try:
            contact = unseal(await in_thread(queries.sealed_contact, ref)) or {}
        except Exception:
            log.exception("inbox: contact details of %s cannot be decrypted", ref)
            contact = {"error": "The contact details cannot be decrypted (has CONTACT_KEY changed?)."}
    staff_options = await in_thread(queries.assignable_staff)
    return render(request, "referral.html", {
        "title": f"Referral {ref}", "r": data, "contact": contact, "show_contact": show_contact,
        "staff_options": staff_options, "catalogue": statements(),
    })


@roles(*WORKERS)
async def referral_status(request: web.Request) -> web.StreamResponse:
    ref = referral_ref(request)
    data = await form(request)
    new = data.get("status", "")
    try:
        old, new = await in_thread(queries.change_status, ref, new, data.get("reason", ""),
                                   data.get("expected", ""), request["staff"].id, now(request))
    except LookupError:
        raise InboxError(404, "There is no referral with that reference.") from None
    except ChangeError as e:
        flash(request, str(e), "error")
        return back_to(ref, "status")
    await audit(request, "change_status", target=ref, detail=f"{old} -> {new}"
          + (f": {data.get('reason', '').strip()[:200]}" if data.get("reason", "").strip() else ""))
    flash(request, f"Status changed from '{STATUS_LABELS[old]}' to '{STATUS_LABELS[new]}'.", "success")
    return back_to(ref)


@roles(*WORKERS)
async def referral_note(request: web.Request) -> web.StreamResponse:
    ref = referral_ref(request)
    data = await form(request)
    try:
        await in_thread(queries.add_note, ref, data.get("note", ""), request["staff"].id, now(request))
    except LookupError:
        raise InboxError(404, "There is no referral with that reference.") from None
    except ChangeError as e:
        flash(request, str(e), "error")
        return back_to(ref, "note")
    await audit(request, "add_note", target=ref)
    flash(request, "Note added.", "success")
    return back_to(ref)


@roles(*WORKERS)
async def referral_assign(request: web.Request) -> web.StreamResponse:
    ref = referral_ref(request)
    data = await form(request)
    raw = data.get("assignee", "")
    if raw == "me":
        assignee: Optional[int] = request["staff"].id
    elif raw in ("", "none"):
        assignee = None
    else:
        try:
            assignee = int(raw)
        except ValueError:
            flash(request, "Choose someone to assign it to.", "error")
            return back_to(ref, "assign")
    try:
        name = await in_thread(queries.assign, ref, assignee, request["staff"].id, now(request))
    except LookupError:
        raise InboxError(404, "There is no referral with that reference.") from None
    except ChangeError as e:
        flash(request, str(e), "error")
        return back_to(ref, "assign")
    await audit(request, "assign", target=ref, detail=f"assigned to {name}" if name else "unassigned")
    flash(request, f"Assigned to {name}." if name else "Unassigned.", "success")
    return back_to(ref)


@roles(*WORKERS)
async def referral_update(request: web.Request) -> web.StreamResponse:
    from bot.notify import send_update

    ref = referral_ref(request)
    data = await form(request)
    text = data.get("update", "")
    if not " ".join(text.split()):
        flash(request, "Write the update first.", "error")
        return back_to(ref, "update")
    if len(text) > 600:
        flash(request, "The update is too long: at most 600 characters (a few text messages).", "error")
        return back_to(ref, "update")
    try:
        result = await in_thread(send_update, ref, text, request["staff"].id)
    except LookupError:
        raise InboxError(404, "There is no referral with that reference.") from None
    except ValueError as e:
        flash(request, str(e), "error")
        return back_to(ref, "update")
    await audit(request, "send_update", target=ref,
          detail=f"channel {result.channel}; delivered {'yes' if result.delivered else 'no'}")
    if result.delivered:
        msg, kind = "Update sent to the person by text message, and recorded on the referral.", "success"
    elif result.channel == "sms":
        msg, kind = ("The text message could not be sent. The update is recorded: the person will hear it "
                     "when they ask for their status."), "error"
    else:
        msg, kind = f"Update recorded, not sent. {result.detail}", "success"
    flash(request, msg, kind)
    return back_to(ref)


# ---------------------------------------------------------------------- dashboard
def _dashboard_data(when: dt.datetime) -> Dict[str, Any]:
    """The dashboard's figures (blocking: the database; run it with in_thread)."""
    from bot.record import get_store

    report = get_store().expectations_report()
    stages = queries.statement_rows(report)
    counts = queries.referral_counts(when)
    flat = [s for stage in stages for s in stage["statements"]]
    return {"stages": stages, "counts": counts, "flat": flat}


@roles(*EVERYONE)
async def dashboard(request: web.Request) -> web.StreamResponse:
    d = await in_thread(_dashboard_data, now(request))
    flat, counts = d["flat"], d["counts"]
    weeks = counts["week"]

    def short(iso: str) -> str:
        day = dt.date.fromisoformat(iso)
        return f"{day.day} {day.strftime('%b')}"

    chart_list = [
        charts.hbar("chart-interactions", "Interactions per I statement", [(s["id"], s["interactions"]) for s in flat],
                    label_header="I statement", value_header="Interactions"),
        charts.hbar("chart-feedback", "Mean feedback score per I statement (1 to 5)",
                    [(s["id"], s["feedback_mean"]) for s in flat], label_header="I statement",
                    value_header="Mean score", max_value=5),
        charts.hbar("chart-route", "Referrals by primary route", counts["route"], label_header="Primary route",
                    value_header="Referrals"),
        charts.hbar("chart-channel", "Referrals by channel", counts["channel"], label_header="Channel",
                    value_header="Referrals"),
        charts.hbar("chart-status", "Referrals by status", [(STATUS_LABELS[s], n) for s, n in counts["status"]],
                    label_header="Status", value_header="Referrals"),
        charts.vbar("chart-weeks", "Referrals per week, last 12 weeks (weeks start on Monday)",
                    weeks, label_header="Week starting", value_header="Referrals", short=short),
    ]
    by_id = {c.id: c for c in chart_list}
    return render(request, "dashboard.html", {
        "title": "Dashboard", "stages": d["stages"], "charts": by_id, "weeks": weeks,
        "can_export": request["staff"].role in ("admin", "analyst"),
        "total_referrals": sum(n for _, n in counts["status"]),
    })


def _csv_response(name: str, rows) -> web.Response:
    buf = io.StringIO()
    w = csv.writer(buf)
    for row in rows:
        w.writerow([_csv_cell(c) for c in row])
    return web.Response(body=buf.getvalue().encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_cell(value: Any) -> Any:
    # Never let a spreadsheet run a cell as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@roles("admin", "analyst")
async def statements_csv(request: web.Request) -> web.StreamResponse:
    d = await in_thread(_dashboard_data, now(request))
    rows = [["stage", "statement_id", "statement", "interactions", "feedback_count", "feedback_mean"]]
    for stage in d["stages"]:
        for s in stage["statements"]:
            rows.append([stage["name"], s["id"], s["text"], s["interactions"], s["feedback_count"],
                         s["feedback_mean"]])
    await audit(request, "export_csv", target="statements")
    return _csv_response("i-statements.csv", rows)


@roles("admin", "analyst")
async def referrals_csv(request: web.Request) -> web.StreamResponse:
    counts = await in_thread(queries.referral_counts, now(request))
    rows = [["dimension", "value", "referrals"]]
    for dim in ("status", "route", "channel", "week"):
        name = {"route": "primary_route", "week": "week_starting"}.get(dim, dim)
        rows += [[name, value, n] for value, n in counts[dim]]
    await audit(request, "export_csv", target="referral_counts")
    return _csv_response("referral-counts.csv", rows)


# --------------------------------------------------------------------------- admin
@roles("admin")
async def audit_log(request: web.Request) -> web.StreamResponse:
    try:
        page = max(1, min(int(request.query.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    action = (request.query.get("action") or "")[:40]
    target = (request.query.get("target") or "")[:80]
    rows, total, actions = await in_thread(queries.audit_page, page, action, target)
    pages = max(1, -(-total // queries.AUDIT_PAGE))

    def q(p: int) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("action", action), ("target", target), ("page", p)) if v and v != 1})
    return render(request, "audit.html", {
        "title": "Audit log", "rows": rows, "total": total, "page": page, "pages": pages, "actions": actions,
        "action": action, "target": target, "prev_q": q(page - 1) if page > 1 else None,
        "next_q": q(page + 1) if page < pages else None,
    })


@roles("admin")
async def staff_list(request: web.Request) -> web.StreamResponse:
    from bot.staff import list_staff

    accounts = await in_thread(list_staff)
    return render(request, "staff.html", {"title": "Staff accounts", "accounts": accounts, "roles": ROLES,
                                          "min_password": MIN_PASSWORD, "now": now(request)})


@roles("admin")
async def staff_add(request: web.Request) -> web.StreamResponse:
    from bot.staff import add_staff

    data = await form(request)
    name, role = data.get("name", ""), data.get("role", "")
    if data.get("password", "") != data.get("password2", ""):
        flash(request, "The two passwords are not the same.", "error")
        return redirect(f"{PREFIX}/staff#add")
    try:
        new_id = await in_thread(add_staff, name, role, data.get("password", ""))
    except StaffError as e:
        flash(request, f"The account was not added: {e}.", "error")
        return redirect(f"{PREFIX}/staff#add")
    await audit(request, "staff_add", target=str(new_id), detail=f"{' '.join(name.split())} ({role})")
    flash(request, f"Account {' '.join(name.split())} ({role}) added.", "success")
    return redirect(f"{PREFIX}/staff")


def _staff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except (KeyError, ValueError):
        raise InboxError(404, "There is no such account.") from None


@roles("admin")
async def staff_active(request: web.Request) -> web.StreamResponse:
    from bot.staff import set_active

    sid = _staff_id(request)
    data = await form(request)
    active = data.get("active") == "1"
    if sid == request["staff"].id and not active:
        flash(request, "You cannot deactivate your own account.", "error")
        return redirect(f"{PREFIX}/staff")
    try:
        info = await in_thread(set_active, sid, active)
    except StaffError as e:
        flash(request, f"Not changed: {e}.", "error")
        return redirect(f"{PREFIX}/staff")
    await audit(request, "staff_activate" if active else "staff_deactivate", target=str(sid), detail=info.name)
    flash(request, f"{info.name} is {'active again' if active else 'deactivated: their sessions have ended'}.",
          "success")
    return redirect(f"{PREFIX}/staff")


@roles("admin")
async def staff_password(request: web.Request) -> web.StreamResponse:
    from bot.staff import reset_password

    data = await form(request)
    try:
        sid = int(data.get("account", ""))
    except ValueError:
        flash(request, "Choose the account whose password to reset.", "error")
        return redirect(f"{PREFIX}/staff#reset")
    if data.get("password", "") != data.get("password2", ""):
        flash(request, "The two passwords are not the same.", "error")
        return redirect(f"{PREFIX}/staff#reset")
    try:
        info = await in_thread(reset_password, sid, data.get("password", ""))
    except StaffError as e:
        flash(request, f"The password was not changed: {e}.", "error")
        return redirect(f"{PREFIX}/staff#reset")
    await audit(request, "staff_reset_password", target=str(sid), detail=info.name)
    if sid == request["staff"].id:
        # The admin's own session ends with the old password; sign in again.
        await end_session(request)
        return redirect(f"{PREFIX}/login?reason=signed_out")
    flash(request, f"Password of {info.name} reset; their sessions have ended.", "success")
    return redirect(f"{PREFIX}/staff")


@roles("admin")
async def staff_unlock(request: web.Request) -> web.StreamResponse:
    from bot.staff import unlock

    sid = _staff_id(request)
    try:
        info = await in_thread(unlock, sid)
    except StaffError as e:
        flash(request, f"Not changed: {e}.", "error")
        return redirect(f"{PREFIX}/staff")
    await audit(request, "staff_unlock", target=str(sid), detail=info.name)
    flash(request, f"{info.name} is unlocked.", "success")
    return redirect(f"{PREFIX}/staff")


@roles("admin")
async def knowledge_page(request: web.Request) -> web.StreamResponse:
    """How many facts of the knowledge base are due for a re-check (12 months or more since checked)."""
    from bot.routing import get_router
    from bot.routing.sources import STALE_MONTHS, report

    out = report(get_router().kb, now(request).date())
    due = [f for f in out["facts"] if f["due"]]
    return render(request, "knowledge.html", {"title": "Knowledge base", "report": out, "due": due[:50],
                                               "stale_months": STALE_MONTHS})


@roles("admin")
async def retention_page(request: web.Request) -> web.StreamResponse:
    return render(request, "retention.html", {"title": "Retention", "default_days": retention_days(),
                                              "result": None})


@roles("admin")
async def retention_run(request: web.Request) -> web.StreamResponse:
    from bot.record import StoreUnavailable, get_store

    data = await form(request)
    try:
        days = int(data.get("days", ""))
    except ValueError:
        days = -1
    if not 1 <= days <= 36500:
        flash(request, "Give the number of days to keep, from 1 to 36500.", "error")
        return redirect(f"{PREFIX}/retention")
    if data.get("confirm") != "yes":
        flash(request, "Tick the box to confirm that old records will be deleted for good.", "error")
        return redirect(f"{PREFIX}/retention")
    try:
        counts = await in_thread(get_store().purge, days)
    except StoreUnavailable:
        raise InboxError(503, "The record's database cannot be reached: nothing was deleted.") from None
    summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
    await audit(request, "purge", detail=f"older than {days} days: {summary}")
    flash(request, f"Deleted records older than {days} days: {summary}.", "success")
    return redirect(f"{PREFIX}/retention")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(PREFIX, home)
    r.add_get(PREFIX + "/", home)
    r.add_get(PREFIX + "/login", login_get)
    r.add_post(PREFIX + "/login", login_post)
    r.add_post(PREFIX + "/logout", logout)
    r.add_get(PREFIX + "/referrals", referral_list)
    r.add_get(PREFIX + "/referrals/{ref}", referral_detail)
    r.add_post(PREFIX + "/referrals/{ref}/status", referral_status)
    r.add_post(PREFIX + "/referrals/{ref}/note", referral_note)
    r.add_post(PREFIX + "/referrals/{ref}/assign", referral_assign)
    r.add_post(PREFIX + "/referrals/{ref}/update", referral_update)
    r.add_get(PREFIX + "/dashboard", dashboard)
    r.add_get(PREFIX + "/dashboard/statements.csv", statements_csv)
    r.add_get(PREFIX + "/dashboard/referrals.csv", referrals_csv)
    r.add_get(PREFIX + "/audit", audit_log)
    r.add_get(PREFIX + "/staff", staff_list)
    r.add_post(PREFIX + "/staff", staff_add)
    r.add_post(PREFIX + "/staff/{id}/active", staff_active)
    r.add_post(PREFIX + "/staff/password", staff_password)
    r.add_post(PREFIX + "/staff/{id}/unlock", staff_unlock)
    r.add_get(PREFIX + "/knowledge", knowledge_page)
    r.add_get(PREFIX + "/retention", retention_page)
    r.add_post(PREFIX + "/retention", retention_run)
