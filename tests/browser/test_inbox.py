"""The staff inbox in Chromium: sign in, filter, open a referral, change its status, send an update,
the dashboard's charts; axe-core finds no WCAG 2.2 A/AA violations; screenshots in tests/artifacts/.

The web app runs in this process (tests/browser/inbox_conftest.py), without Rasa.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.inbox_conftest import (
    ARTIFACTS,
    axe_violations,
    format_violations,
    inbox_browser,  # noqa: F401
    inbox_page,
    inbox_site,
    sign_in,
)

pytestmark = pytest.mark.browser


def no_violations(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on the {what} page:\n{format_violations(violations)}"


def test_reviewer_works_a_referral(inbox_page, inbox_site):
    page = inbox_page
    server, refs, outbox = inbox_site
    ref = refs["sms"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # Not signed in: sent to the sign-in page, which keeps where we were going.
    page.goto(server.url + "/inbox/referrals")
    expect(page).to_have_url(re.compile(r"/inbox/login\?next=/inbox/referrals$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the staff inbox")
    no_violations(page, "sign-in")

    # A wrong password first, then the right one.
    page.get_by_label("Name").fill("Rob Reviewer")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")
    page.get_by_label("Password").fill("reviewer password 123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/inbox/referrals")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.locator("#referrals tbody tr")).to_have_count(11)
    no_violations(page, "referral list")

    # Filter: text messages only.
    page.get_by_label("Channel").select_option("sms")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"channel=sms"))
    rows = page.locator("#referrals tbody tr")
    expect(rows).to_have_count(4)
    for text in rows.locator("td:nth-child(5)").all_inner_texts():
        assert text.strip() == "sms"
    page.get_by_label("Advocacy requested").select_option("yes")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "inbox-list.png"), full_page=True)

    # Open the referral.
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {ref}")
    expect(page.get_by_text("The receptionist at my GP practice was rude")).to_be_visible()
    expect(page.locator("#contact-details")).to_have_count(0)
    page.get_by_role("button", name="Show the contact details").click()
    expect(page.locator("#contact-details")).to_contain_text("Jo Bloggs")
    expect(page.locator("#contact-details")).to_contain_text("07700900123")
    no_violations(page, "referral detail")

    # Change the status with a note.
    page.get_by_label("In review").check()
    page.get_by_label("Reason or note").fill("Checking the practice's complaints process")
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("status").filter(has_text="Status changed")).to_contain_text("from 'New' to 'In review'")
    expect(page.locator("dl.summary-list").first).to_contain_text("In review")
    # Referred on needs a reason: without one it is refused.
    page.get_by_label("Referred on").check()
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("alert")).to_contain_text("Give a reason")
    page.get_by_label("Referred on").check()
    page.get_by_label("Reason or note").fill("Referred to the local NHS complaints advocacy service")
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_role("status").filter(has_text="Status changed")).to_contain_text("'Referred on'")
    history = page.locator("section[aria-labelledby='history-h'] table")
    expect(history).to_contain_text("Referred to the local NHS complaints advocacy service")

    # Send an update to the person: they chose texts, so it goes by SMS.
    page.get_by_label("Update for the person").fill("We have passed your concern to the advocacy service.")
    page.get_by_role("button", name="Send the update").click()
    expect(page.get_by_role("status").filter(has_text="Update sent")).to_contain_text("by text message")
    expect(history).to_contain_text("Sent by text message")
    assert outbox == [
        ({"name": "Jo Bloggs", "phone": "07700900123"}, "We have passed your concern to the advocacy service.")
    ]
    page.screenshot(path=str(ARTIFACTS / "inbox-detail.png"), full_page=True)
    no_violations(page, "referral detail after changes")

    # The dashboard's charts.
    page.get_by_role("navigation", name="Inbox sections").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    charts = page.locator("svg[role='img']")
    expect(charts).to_have_count(6)
    for name in (
        "Interactions per I statement",
        "Referrals by primary route",
        "Referrals by channel",
        "Referrals by status",
    ):
        expect(page.get_by_role("img", name=re.compile("^" + re.escape(name)))).to_be_visible()
    assert page.locator("svg rect.bar").count() >= 10
    expect(page.get_by_role("table", name=re.compile("^Referrals by status"))).to_contain_text("Referred on")
    page.screenshot(path=str(ARTIFACTS / "inbox-dashboard.png"), full_page=True)
    no_violations(page, "dashboard")

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.goto(server.url + f"/inbox/referrals/{ref}")
    expect(page).to_have_url(re.compile(r"/inbox/login"))


def test_keyboard_skip_link_and_focus(inbox_page, inbox_site):
    page = inbox_page
    sign_in(page, "reviewer")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
    assert outline.startswith("solid") and not outline.endswith(" 0px")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # The next Tab lands inside the main content, past the navigation.
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert inside


def test_analyst_sees_the_dashboard_only(inbox_page, inbox_site):
    page = inbox_page
    server, refs, _ = inbox_site
    sign_in(page, "analyst")
    expect(page).to_have_url(server.url + "/inbox/dashboard")
    nav = page.get_by_role("navigation", name="Inbox sections")
    expect(nav.get_by_role("link", name="Referrals")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Download the referral counts"))).to_be_visible()
    response = page.goto(server.url + f"/inbox/referrals/{refs['sms']}")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    assert "Jo Bloggs" not in page.content()
    no_violations(page, "403")


def test_headers_and_no_inline_script_in_the_browser(inbox_page, inbox_site):
    page = inbox_page
    server, _, _ = inbox_site
    response = page.goto(server.url + "/inbox/login")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    # The CSP really blocks an injected inline script (the page's own code never needs one).
    blocked = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', () => resolve(true), {once: true});
        const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s);
        setTimeout(() => resolve(false), 1000); })""")
    assert blocked and page.evaluate("() => window.__ran") is None
    expected = [p for p in page.problems if "Executing inline script violates" in p]
    assert len(expected) == 1
    page.problems.remove(expected[0])
