"""Reading and changing the record for the inbox (plain functions, no aiohttp)."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import and_, func, or_, select, true

from bot.record.catalogue import statements
from bot.record.db import session_scope
from bot.record.models import (AuditEntry, Feedback, Interaction, Referral, ReferralEvent, Staff, Transcript)
from bot.record.store import STATUSES, normalise_reference

STATUS_LABELS = {"new": "New", "in_review": "In review", "referred_on": "Referred on", "closed": "Closed"}
#: Allowed moves from each status. Moving to referred_on or closed, or re-opening, needs a reason.
TRANSITIONS = {
    "new": ("in_review", "closed"),
    "in_review": ("referred_on", "closed"),
    "referred_on": ("in_review", "closed"),
    "closed": ("in_review",),
}
ANONYMITY = {"named": "Named", "confidential": "Confidential", "anonymous": "Anonymous"}
CONTACT_PREFS = {"sms": "Text message", "email": "Email", "phone": "Phone", "none": "No contact"}
EVENT_LABELS = {"status": "Status", "note": "Note", "assign": "Assignment", "update": "Update to the person"}
MAX_NOTE = 4000
REF_RE = re.compile(r"^[A-Za-z0-9-]{3,16}$")


class ChangeError(Exception):
    """A change that cannot be made (shown to the member of staff)."""


def needs_reason(old: str, new: str) -> bool:
    return new in ("referred_on", "closed") or old == "closed"


# ------------------------------------------------------------------------- list
@dataclass
class Filters:
    status: str = ""
    route: str = ""
    channel: str = ""
    date_from: str = ""
    date_to: str = ""
    advocacy: str = ""
    anonymity: str = ""
    assigned: str = ""
    page: int = 1
    errors: List[str] = field(default_factory=list)

    def query(self, **override: Any) -> str:
        """The query string for these filters (with some values changed)."""
        from urllib.parse import urlencode

        values = {k: getattr(self, k) for k in ("status", "route", "channel", "date_from", "date_to", "advocacy",
                                                "anonymity", "assigned", "page")}
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)})

    @property
    def active(self) -> bool:
        return any(getattr(self, k) for k in ("status", "route", "channel", "date_from", "date_to", "advocacy",
                                              "anonymity", "assigned"))


def _date(value: str, label: str, errors: List[str]) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        dt.date.fromisoformat(value)
        return value
    except ValueError:
        errors.append(f"{label} is not a date: use the form 2025-01-31.")
        return ""


def parse_filters(q: Mapping[str, str]) -> Filters:
    f = Filters(errors=[])
    f.status = q.get("status", "") if q.get("status", "") in STATUSES else ""
    f.route = (q.get("route") or "")[:40]
    f.channel = (q.get("channel") or "")[:20]
    f.date_from = _date(q.get("date_from", ""), "The 'from' date", f.errors)
    f.date_to = _date(q.get("date_to", ""), "The 'to' date", f.errors)
    f.advocacy = q.get("advocacy", "") if q.get("advocacy", "") in ("yes", "no") else ""
    f.anonymity = q.get("anonymity", "") if q.get("anonymity", "") in ANONYMITY else ""
    f.assigned = q.get("assigned", "") if q.get("assigned", "") in ("me", "none") else ""
    try:
        f.page = max(1, min(int(q.get("page") or 1), 100_000))
    except ValueError:
        f.page = 1
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors.append("The 'from' date is after the 'to' date.")
    return f


def list_referrals(f: Filters, staff_id: int, page_size: int = 25) -> Tuple[List[Dict[str, Any]], int]:
    conds = []
    if f.status:
        conds.append(Referral.status == f.status)
    if f.route:
        conds.append(Referral.primary_route == f.route)
    if f.channel:
        conds.append(Referral.channel == f.channel)
    if f.date_from:
        conds.append(Referral.created_at >= dt.datetime.fromisoformat(f.date_from))
    if f.date_to:
        conds.append(Referral.created_at < dt.datetime.fromisoformat(f.date_to) + dt.timedelta(days=1))
    if f.advocacy:
        conds.append(Referral.wants_advocacy.is_(f.advocacy == "yes"))
    if f.anonymity:
        conds.append(Referral.anonymity == f.anonymity)
    if f.assigned == "me":
        conds.append(Referral.assigned_to == staff_id)
    elif f.assigned == "none":
        conds.append(Referral.assigned_to.is_(None))
    where = and_(*conds) if conds else true()
    with session_scope() as s:
        total = s.execute(select(func.count()).select_from(Referral).where(where)).scalar() or 0
        q = (select(Referral.ref, Referral.created_at, Referral.updated_at, Referral.status, Referral.primary_route,
                    Referral.channel, Referral.wants_advocacy, Referral.anonymity, Staff.name)
             .outerjoin(Staff, Staff.id == Referral.assigned_to).where(where)
             .order_by(Referral.created_at.desc(), Referral.id.desc())
             .limit(page_size).offset((f.page - 1) * page_size))
        rows = [dict(ref=r[0], created_at=r[1], updated_at=r[2], status=r[3], primary_route=r[4] or "",
                     channel=r[5], wants_advocacy=bool(r[6]), anonymity=r[7], assigned=r[8] or "")
                for r in s.execute(q)]
    return rows, int(total)


def filter_options() -> Dict[str, List[str]]:
    with session_scope() as s:
        routes = [r[0] for r in s.execute(select(Referral.primary_route).where(Referral.primary_route.isnot(None))
                                          .distinct().order_by(Referral.primary_route))]
        channels = [r[0] for r in s.execute(select(Referral.channel).distinct().order_by(Referral.channel))]
    return {"routes": routes, "channels": channels}


def assignable_staff() -> List[Dict[str, Any]]:
    with session_scope() as s:
        return [dict(id=r[0], name=r[1], role=r[2]) for r in s.execute(
            select(Staff.id, Staff.name, Staff.role).where(Staff.active.is_(True),
                                                           Staff.role.in_(("reviewer", "admin")))
            .order_by(Staff.name))]


# ----------------------------------------------------------------------- detail
def canonical_ref(text: str) -> Optional[str]:
    if not text or not REF_RE.match(text):
        return None
    return normalise_reference(text)


def _loads(text: Optional[str], default: Any) -> Any:
    try:
        value = json.loads(text or "")
        return value if isinstance(value, type(default)) else default
    except (TypeError, ValueError):
        return default


def referral_detail(ref: str) -> Optional[Dict[str, Any]]:
    """Everything the detail page shows, except the contact details (those are unsealed on request)."""
    cat = statements()
    with session_scope() as s:
        r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one_or_none()
        if r is None:
            return None
        names = {i: n for i, n in s.execute(select(Staff.id, Staff.name))}
        events = [dict(at=e.at, kind=e.kind, kind_label=EVENT_LABELS.get(e.kind, e.kind), status=e.status,
                       status_label=STATUS_LABELS.get(e.status or "", e.status or ""), text=e.text or "",
                       staff=names.get(e.staff_id, "") if e.staff_id else "", delivered=e.delivered)
                  for e in sorted(r.updates, key=lambda e: (e.at, e.id))]
        transcript = []
        if r.transcript_consent:
            transcript = [dict(at=t.at, speaker=t.speaker, text=t.text) for t in s.execute(
                select(Transcript).where(Transcript.conversation == r.conversation)
                .order_by(Transcript.at, Transcript.id)).scalars()]
        timeline: List[Dict[str, Any]] = []
        for it in s.execute(select(Interaction).where(Interaction.conversation == r.conversation)
                            .order_by(Interaction.at, Interaction.id)).scalars():
            sts = [dict(id=st.statement_id, text=cat[st.statement_id].text if st.statement_id in cat else "")
                   for st in sorted(it.statements, key=lambda x: x.statement_id)]
            timeline.append(dict(at=it.at, kind="interaction", action=it.action, channel=it.channel, statements=sts))
        for fb in s.execute(select(Feedback).where(Feedback.conversation == r.conversation)
                            .order_by(Feedback.at, Feedback.id)).scalars():
            st = cat.get(fb.statement_id)
            timeline.append(dict(at=fb.at, kind="feedback", score=fb.score, comment=fb.comment or "",
                                 channel=fb.channel,
                                 statements=[dict(id=fb.statement_id, text=st.text if st else "")]))
        timeline.sort(key=lambda x: (x["at"], 0 if x["kind"] == "interaction" else 1))
        facts = _loads(r.facts, {})
        routes = [x for x in _loads(r.routes, []) if isinstance(x, dict)]
        outcomes = [str(x) for x in _loads(r.outcomes, [])]
        return dict(
            ref=r.ref, status=r.status, status_label=STATUS_LABELS.get(r.status, r.status),
            next_statuses=[(n, STATUS_LABELS[n], needs_reason(r.status, n)) for n in TRANSITIONS.get(r.status, ())],
            created_at=r.created_at, updated_at=r.updated_at, closed_at=r.closed_at, channel=r.channel,
            summary=r.summary or "", facts=sorted(facts.items()), routes=routes, primary_route=r.primary_route or "",
            outcomes=outcomes, anonymity=r.anonymity, anonymity_label=ANONYMITY.get(r.anonymity, r.anonymity),
            wants_advocacy=bool(r.wants_advocacy), contact_pref=r.contact_pref,
            contact_pref_label=CONTACT_PREFS.get(r.contact_pref, r.contact_pref),
            has_contact=bool(r.contact_sealed) and r.anonymity != "anonymous",
            transcript_consent=bool(r.transcript_consent), transcript=transcript, timeline=timeline,
            assigned_to=r.assigned_to, assigned_name=names.get(r.assigned_to, "") if r.assigned_to else "",
            last_update=r.last_update or "", events=events)


def sealed_contact(ref: str) -> Optional[str]:
    with session_scope() as s:
        r = s.execute(select(Referral.contact_sealed, Referral.anonymity).where(Referral.ref == ref)).first()
        if r is None or r[1] == "anonymous":
            return None
        return r[0]


# ---------------------------------------------------------------------- changes
def _referral_for_update(s, ref: str) -> Referral:
    r = s.execute(select(Referral).where(Referral.ref == ref)).scalar_one_or_none()
    if r is None:
        raise LookupError(ref)
    return r


def change_status(ref: str, new: str, reason: str, expected: str, staff_id: int, now: dt.datetime
                  ) -> Tuple[str, str]:
    reason = (reason or "").strip()[:MAX_NOTE]
    with session_scope() as s:
        r = _referral_for_update(s, ref)
        old = r.status
        if expected and expected != old:
            raise ChangeError(f"The status changed to '{STATUS_LABELS.get(old, old)}' while you were looking. "
                              "Check the referral and try again.")
        if not new:
            raise ChangeError("Choose the new status.")
        if new not in TRANSITIONS.get(old, ()):
            raise ChangeError(f"A referral cannot go from '{STATUS_LABELS.get(old, old)}' to "
                              f"'{STATUS_LABELS.get(new, new)}'.")
        if needs_reason(old, new) and not reason:
            raise ChangeError(f"Give a reason for '{STATUS_LABELS[new]}'.")
        r.status = new
        r.updated_at = now
        r.closed_at = now if new == "closed" else None
        s.add(ReferralEvent(referral_id=r.id, at=now, kind="status", status=new, text=reason or None,
                            staff_id=staff_id))
    return old, new


def add_note(ref: str, text: str, staff_id: int, now: dt.datetime) -> None:
    text = (text or "").strip()
    if not text:
        raise ChangeError("Write the note first.")
    if len(text) > MAX_NOTE:
        raise ChangeError(f"The note is too long (at most {MAX_NOTE} characters).")
    with session_scope() as s:
        r = _referral_for_update(s, ref)
        r.updated_at = now
        s.add(ReferralEvent(referral_id=r.id, at=now, kind="note", text=text, staff_id=staff_id))


def assign(ref: str, assignee: Optional[int], staff_id: int, now: dt.datetime) -> str:
    """Assign to an active reviewer or admin (None: unassign). Returns the assignee's name ('' if none)."""
    with session_scope() as s:
        r = _referral_for_update(s, ref)
        name = ""
        if assignee is not None:
            who = s.get(Staff, assignee)
            if who is None or not who.active or who.role not in ("reviewer", "admin"):
                raise ChangeError("Choose an active reviewer or admin.")
            name = who.name
        if r.assigned_to == assignee:
            raise ChangeError(f"It is already assigned to {name}." if name else "It is already unassigned.")
        r.assigned_to = assignee
        r.updated_at = now
        s.add(ReferralEvent(referral_id=r.id, at=now, kind="assign", text=f"Assigned to {name}" if name
                            else "Unassigned", staff_id=staff_id))
    return name


# ------------------------------------------------------------------------ audit
AUDIT_PAGE = 50


def audit_page(page: int, action: str = "", target: str = "") -> Tuple[List[Dict[str, Any]], int, List[str]]:
    conds = []
    if action:
        conds.append(AuditEntry.action == action)
    if target:
        conds.append(or_(AuditEntry.target == target, AuditEntry.staff_name == target))
    where = and_(*conds) if conds else true()
    with session_scope() as s:
        total = s.execute(select(func.count()).select_from(AuditEntry).where(where)).scalar() or 0
        rows = [dict(at=a.at, staff=a.staff_name or "", action=a.action, target=a.target or "",
                     detail=a.detail or "", ip=a.ip or "")
                for a in s.execute(select(AuditEntry).where(where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                   .limit(AUDIT_PAGE).offset((page - 1) * AUDIT_PAGE)).scalars()]
        actions = [r[0] for r in s.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))]
    return rows, int(total), actions


# -------------------------------------------------------------------- dashboard
def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def referral_counts(now: dt.datetime, weeks: int = 12) -> Dict[str, List[Tuple[str, int]]]:
    """Referrals by primary route, channel and status, and per week (Monday to Sunday) over `weeks` weeks."""
    first = week_start(now.date()) - dt.timedelta(weeks=weeks - 1)
    with session_scope() as s:
        by_route = [(r or "none", int(n)) for r, n in s.execute(
            select(Referral.primary_route, func.count()).group_by(Referral.primary_route))]
        by_channel = [(c, int(n)) for c, n in s.execute(select(Referral.channel, func.count())
                                                        .group_by(Referral.channel))]
        status_n = dict(s.execute(select(Referral.status, func.count()).group_by(Referral.status)).all())
        created = [r[0] for r in s.execute(select(Referral.created_at).where(
            Referral.created_at >= dt.datetime.combine(first, dt.time())))]
    per_week = {first + dt.timedelta(weeks=i): 0 for i in range(weeks)}
    for c in created:
        w = week_start(c.date())
        if w in per_week:
            per_week[w] += 1
    return {
        "route": sorted(by_route, key=lambda x: (-x[1], x[0])),
        "channel": sorted(by_channel, key=lambda x: (-x[1], x[0])),
        "status": [(st, int(status_n.get(st, 0))) for st in STATUSES],
        "week": [(w.isoformat(), n) for w, n in per_week.items()],
    }


def statement_rows(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The expectations report grouped by stage, with stage totals (feedback mean weighted by count)."""
    cat = statements()
    stages: Dict[str, Dict[str, Any]] = {}
    for sid, row in report["statements"].items():
        st = cat[sid]
        stage = stages.setdefault(st.stage, dict(id=st.stage, name=st.stage_name, statements=[], interactions=0,
                                                 feedback_count=0, _sum=0.0))
        fb = row["feedback"]
        stage["statements"].append(dict(id=sid, text=st.text, interactions=row["interactions"],
                                        feedback_count=fb["count"], feedback_mean=fb["mean"]))
        stage["interactions"] += row["interactions"]
        stage["feedback_count"] += fb["count"]
        if fb["mean"] is not None:
            stage["_sum"] += fb["mean"] * fb["count"]
    out = []
    for stage in stages.values():
        n = stage["feedback_count"]
        stage["feedback_mean"] = round(stage.pop("_sum") / n, 2) if n else None
        out.append(stage)
    return out
