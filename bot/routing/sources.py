"""The source policy of the knowledge base, and the list of its facts for the freshness report.

A phone number, an email address or a time limit must come from a page on the body's own web
domains (`Body.domains`) or on one of the official sites below, and never from a mirror, staging,
test or archive copy of a site. `policy_problems()` lists every breach; the tests require none.

`facts()` flattens the knowledge base into single facts (each with its source page, the date it
was compared with that page, and any uncertainty). `report()` puts them oldest first and counts
those due for a re-check; `today` is always a parameter, so nothing depends on the real date.
See docs/routing.md ("Keeping the facts honest").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Dict, Iterable, List, Optional
from urllib.parse import urlparse

from bot.routing.knowledge import Body, Contact, KnowledgeBase, TimeLimit

#: Official sites any body's facts may come from.
OFFICIAL_DOMAINS = ("legislation.gov.uk", "gov.uk", "nhs.uk", "gov.wales", "gov.scot", "nidirect.gov.uk")
#: Host labels that mark a copy of a site rather than the site itself.
COPY_LABELS = ("staging", "uat", "test", "testing", "dev", "preprod", "sandbox", "archive", "mirror", "old")
#: Hosts that only copy other sites' pages.
COPY_HOSTS = ("wikimili.com", "web.archive.org", "archive.org", "azurewebsites.net", "wikipedia.org")
#: Facts older than this are due for a re-check.
STALE_MONTHS = 12


def host(url: str) -> str:
    """The host of a URL, lower case, without a leading `www.`."""
    h = (urlparse(url).hostname or "").lower()
    return h[4:] if h.startswith("www.") else h


def _under(h: str, domain: str) -> bool:
    return h == domain or h.endswith("." + domain)


def is_copy_host(url: str) -> bool:
    """True when the URL is on a mirror, staging, test or archive host."""
    h = host(url)
    if any(_under(h, c) for c in COPY_HOSTS):
        return True
    labels = h.split(".")
    return any(
        lab in COPY_LABELS
        or re.fullmatch(r"(staging|uat|test|dev|preprod)\d*", lab)
        or lab.startswith(("staging", "uat-", "test-"))
        or lab.endswith(("-old", "-staging"))
        for lab in labels
    )


def allowed(url: str, domains: Iterable[str]) -> bool:
    """True when a contact fact or time limit may rest on this page for a body with these domains.

    A body's own domains count with their subdomains (dcs.gdc-uk.org is under gdc-uk.org). The
    official sites count only as themselves: a council's site under gov.uk, or a GP practice's or
    trust's site under nhs.uk, is not GOV.UK or nhs.uk.
    """
    if is_copy_host(url):
        return False
    h = host(url)
    return h in OFFICIAL_DOMAINS or any(_under(h, d) for d in domains)


def _contacts(body: Body) -> List[tuple]:
    out = [("", body.contact, body.time_limit)]
    for nation, var in body.variants.items():
        out.append((nation, var.contact, var.time_limit))
    return out


def policy_problems(kb: KnowledgeBase) -> List[str]:
    """Every phone, email or time limit whose source breaks the policy, one line each."""
    problems = []
    for body in kb:
        if not body.domains:
            problems.append(f"{body.id}: names no web domains of its own")
        for nation, contact, limit in _contacts(body):
            where = f"{body.id}{' (' + nation + ')' if nation else ''}"
            for label, value, src in _contact_sources(contact):
                if value and not allowed(src, body.domains):
                    problems.append(f"{where}: {label} {value} rests on {src}")
            if limit is not None and limit.source and not allowed(limit.source, body.domains):
                problems.append(f"{where}: time limit rests on {limit.source}")
        for s in body.sources:
            if is_copy_host(s.url):
                problems.append(f"{body.id}: source {s.url} is a copy of a site, not the site")
    return problems


def _contact_sources(contact: Optional[Contact]) -> List[tuple]:
    if contact is None:
        return []
    return [("phone", contact.phone, contact.phone_source), ("email", contact.email, contact.email_source)]


@dataclass(frozen=True)
class Fact:
    """One fact of the knowledge base, where it came from and when it was compared with that page."""

    body: str
    fact: str
    source: str
    checked: dt.date
    checked_against: str
    uncertain: str

    def as_dict(self) -> Dict[str, str]:
        """The fact as a JSON-ready dict (the date as ISO text)."""
        d = asdict(self)
        d["checked"] = self.checked.isoformat()
        return d


def _body_facts(body: Body) -> List[Fact]:
    unsure = " ".join(body.uncertain)
    out = [
        Fact(body.id, s.supports, s.url, s.checked or body.checked, body.checked_against, unsure) for s in body.sources
    ]
    dated = {s.url: s.checked or body.checked for s in body.sources}
    for nation, contact, limit in _contacts(body):
        suffix = f" ({nation})" if nation else ""
        for label, value, src in _contact_sources(contact):
            if value:
                out.append(
                    Fact(
                        body.id,
                        f"{label}{suffix}: {value}",
                        src,
                        dated.get(src, body.checked),
                        body.checked_against,
                        unsure,
                    )
                )
        if isinstance(limit, TimeLimit) and limit.source:
            out.append(
                Fact(
                    body.id,
                    f"time limit{suffix}: {limit.text}",
                    limit.source,
                    dated.get(limit.source, body.checked),
                    body.checked_against,
                    unsure,
                )
            )
    return out


def facts(kb: KnowledgeBase) -> List[Fact]:
    """Every fact of the knowledge base, in file order."""
    return [f for body in kb for f in _body_facts(body)]


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier` to `later` (0 when later is earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def is_due(checked: dt.date, today: dt.date) -> bool:
    """A fact is due for a re-check once 12 whole months have passed since it was compared."""
    return months_between(checked, today) >= STALE_MONTHS


def report(kb: KnowledgeBase, today: dt.date) -> Dict[str, object]:
    """Every fact, oldest first, and how many are due for a re-check on `today` (CONTRACT section 9)."""
    items = sorted(facts(kb), key=lambda f: (f.checked, f.body, f.fact))
    due = [f for f in items if is_due(f.checked, today)]
    return {
        "today": today.isoformat(),
        "stale_after_months": STALE_MONTHS,
        "facts_total": len(items),
        "due": len(due),
        "oldest": items[0].checked.isoformat() if items else None,
        "uncertain": sum(1 for f in items if f.uncertain),
        "facts": [dict(f.as_dict(), due=is_due(f.checked, today)) for f in items],
    }


def due_count(kb: KnowledgeBase, today: dt.date) -> int:
    """How many facts are older than 12 months on `today` (the inbox shows this)."""
    return sum(1 for f in facts(kb) if is_due(f.checked, today))
