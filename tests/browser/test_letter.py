"""A drafted letter in the chat widget, in Chromium: it appears as an editable text area, can be edited,
copied, downloaded (.txt and .rtf) and printed, by keyboard, and the page stays axe-clean.

No stack: the widget is served on a test page with a fake chat endpoint that answers with a letter
marker, as the conversation will (CONTRACT section 4), so the widget is tested on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
from playwright.sync_api import Route, expect

from bot.letter import draft
from tests.browser.conftest import AXE, DEEP_ACTIVE_JS, WIDGET, format_violations

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:8765"
PAGE = f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Riverside Health Centre</title></head>
<body><main><h1>Riverside Health Centre</h1><p>Tell us about your care.</p></main>
<script src="/static/dist/widget.js" data-provider="Riverside Health Centre" data-rasa-url="{ORIGIN}"></script>
</body></html>"""
HOSTILE = '<img src=x onerror="window.__xss=1">'
STORY = "The receptionist shouted at me & said {nobody} cares. " + HOSTILE
LETTER = draft(
    {"nation": "england", "service": "gp", "stage": "not_raised", "outcomes": ["apology"]},
    STORY,
    on_behalf=False,
    consent=None,
    anonymous=False,
)
INTRO = "Here is a draft letter. You can change it, then copy, download or print it."


def fake_chat(sent: List[dict]):
    def handle(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps([{"text": INTRO}, {"custom": LETTER.as_marker()}]),
        )

    return handle


@pytest.fixture()
def page(browser, built_widget: Path):
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True, service_workers="block"
    )
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=ORIGIN)
    ctx.set_default_timeout(20000)
    sent: List[dict] = []
    ctx.route(
        lambda url: not url.startswith((ORIGIN, "data:", "blob:", "about:")), lambda r: r.abort("blockedbyclient")
    )
    ctx.route(f"{ORIGIN}/", lambda r: r.fulfill(status=200, content_type="text/html", body=PAGE))
    ctx.route(
        f"{ORIGIN}/static/dist/widget.js",
        lambda r: r.fulfill(status=200, content_type="text/javascript", body=WIDGET.read_text(encoding="utf-8")),
    )
    ctx.route(f"{ORIGIN}/webhooks/rest/webhook", fake_chat(sent))
    p = ctx.new_page()
    errors: List[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(f"{ORIGIN}/")
    p.sent = sent
    yield p
    ctx.close()
    assert not errors, errors


def ask_for_letter(page):
    page.get_by_role("button", name="Help with a concern").click()
    box = page.get_by_label("Your message")
    box.fill("Yes please, draft the letter")
    box.press("Enter")
    card = page.get_by_role("region", name="Your draft letter")
    expect(card).to_be_visible()
    return card


def active(page):
    return page.evaluate(DEEP_ACTIVE_JS)


def test_the_draft_appears_is_edited_copied_downloaded_and_printed(page, tmp_path):
    card = ask_for_letter(page)
    assert page.sent[-1]["message"] == "Yes please, draft the letter"
    text = card.get_by_label("The letter (you can change it here)")
    expect(text).to_have_value(LETTER.body)
    expect(card).to_contain_text(f"To: {LETTER.to}")
    expect(page.get_by_role("log", name="Messages")).to_contain_text(INTRO)
    # Text only: the story's markup is shown as typed and never runs.
    assert HOSTILE in text.input_value() and page.evaluate("() => window.__xss") is None
    assert (
        page.locator("#complaints-assistant-widget").evaluate(
            "h => h.shadowRoot.querySelectorAll('.letter img').length"
        )
        == 0
    )

    # Edit it: fill in a gap by keyboard.
    text.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nP.S. I still have the text messages.")
    edited = text.input_value()
    assert edited.endswith("P.S. I still have the text messages.") and edited != LETTER.body

    # Copy, by keyboard: Tab from the text area to the first button, Enter.
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Copy the letter"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="The letter is copied")).to_have_count(1)
    assert page.evaluate("() => navigator.clipboard.readText()") == edited

    # Download as plain text, then for a word processor.
    with page.expect_download() as info:
        card.get_by_role("button", name="Download as text (.txt)").click()
    txt = info.value
    assert txt.suggested_filename.startswith("complaint-letter-") and txt.suggested_filename.endswith(".txt")
    saved = Path(txt.path()).read_bytes().decode("utf-8")
    assert saved == edited.replace("\n", "\r\n")
    with page.expect_download() as info:
        card.get_by_role("button", name="Download for Word (.rtf)").click()
    rtf = Path(info.value.path()).read_text(encoding="ascii")
    assert info.value.suggested_filename.endswith(".rtf")
    assert rtf.startswith("{\\rtf1\\ansi") and rtf.rstrip().endswith("}")
    assert "shouted at me & said \\{nobody\\} cares." in rtf and "P.S. I still have the text messages." in rtf
    assert rtf.count("\\par") >= edited.count("\n")

    # Print: only the letter's text goes to the printer (a frame holding it).
    card.get_by_role("button", name="Print the letter").click()
    printed = page.evaluate(
        "() => { const f = document.querySelector('iframe[data-complaints-print]');"
        " return f && f.contentDocument.body.innerText; }"
    )
    assert printed is not None and printed.strip() == edited.strip()

    # A reload keeps the edited letter (sessionStorage, like the conversation).
    page.reload()
    card = page.get_by_role("region", name="Your draft letter")
    expect(card.get_by_label("The letter (you can change it here)")).to_have_value(edited)


def test_the_letter_is_accessible(page):
    card = ask_for_letter(page)
    # Named controls, a labelled text area described by who it goes to and the hint.
    for name in ("Copy the letter", "Download as text (.txt)", "Download for Word (.rtf)", "Print the letter"):
        expect(card.get_by_role("button", name=name)).to_be_visible()
    text = card.get_by_role("textbox", name="The letter (you can change it here)")
    described = text.get_attribute("aria-describedby").split()
    assert len(described) == 2 and all(card.locator(f"#{i}").count() == 1 for i in described)
    # Every control is reachable by keyboard, in order.
    text.focus()
    seen = []
    for _ in range(4):
        page.keyboard.press("Tab")
        seen.append(active(page)["text"])
    assert seen == ["Copy the letter", "Download as text (.txt)", "Download for Word (.rtf)", "Print the letter"]
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }"
    )
    assert violations == [], format_violations(violations)


def test_a_narrow_screen_still_fits_the_letter(page):
    page.set_viewport_size({"width": 320, "height": 640})
    card = ask_for_letter(page)
    box = card.bounding_box()
    assert box and box["width"] <= 320
    overflow = page.locator("#complaints-assistant-widget").evaluate(
        "h => { const s = h.shadowRoot.querySelector('.scroller'); return s.scrollWidth - s.clientWidth; }"
    )
    assert overflow <= 1
