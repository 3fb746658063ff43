"""The chat widget in Chromium: keyboard use, persistence, safety of rendering, accessibility,
reconnection, quick exit, layout. One private stack for the session (see conftest.py)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    EXIT_URL,
    REST_PATTERN,
    STORAGE_KEY,
    Widget,
    ask_of,
    buttons_of,
    format_violations,
    proxy_to,
)

pytestmark = pytest.mark.browser

STORY = "My GP receptionist was rude to me when I asked for an appointment, and nobody called me back."
NOT_REACHED = "We could not reach the assistant. Your message was not sent. Try again"
HOSTILE = '<img src=x onerror="window.__xss=1">'

# How a person answers each question: ("reply", button title) chooses a quick reply with the
# keyboard; ("type", words) types an answer in the person's own words.
ANSWERS = {
    "nation": ("reply", "England"),
    "stage": ("reply", "Not yet"),
    "outcomes": ("type", "I would like an apology"),
    "months_since": ("type", "last week"),
    "issues": ("type", "the receptionist was rude"),
    "on_behalf": ("type", "it was me"),
    "service": ("type", "my GP"),
    "funding": ("type", "NHS"),
    "confirm": ("reply", "Yes, that's right"),
    "advocacy": ("reply", "No thanks"),
    "anonymity": ("reply", "With my name"),
    "consent": ("type", "yes"),
    "contact": ("reply", "I'll contact them myself"),
    "feedback": ("type", "skip"),
}


def is_input(a):
    return bool(a) and a["tag"] == "textarea"


def test_a_whole_conversation_by_keyboard_alone(widget: Widget):
    page = widget.page
    # Open with the keyboard: Tab from the top of the page to the launcher, then Enter.
    widget.tab_to(lambda a: bool(a) and a["text"] == "Help with a concern")
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    assert is_input(widget.active()), "focus should move into the message box when the panel opens"

    # Tell the story by typing.
    page.keyboard.type(STORY)
    out = widget.turn(lambda: page.keyboard.press("Enter"))
    expect(widget.my_messages.last).to_contain_text(STORY)
    used = {"reply": 0, "type": 0}
    for _ in range(18):
        if any("Here is what I suggest" in t for t in widget.texts(widget.bot_messages)):
            break
        buttons = buttons_of(out)
        # After a reply focus is on the first quick reply, or back in the message box.
        a = widget.active()
        if buttons:
            assert a and a["tag"] == "button" and a["text"] == buttons[0]["title"], a
        else:
            assert is_input(a), a
        how, answer = ANSWERS.get(ask_of(out) or "", ("type", "not sure"))
        chosen = next((b for b in buttons if b["title"].lower() == answer.lower()), None)
        if how == "reply" and chosen:
            widget.tab_to(lambda a: bool(a) and a["tag"] == "button" and a["text"] == chosen["title"], limit=12)
            key = "Enter" if used["reply"] % 2 == 0 else " "  # both keys work on buttons
            with page.expect_request(lambda r: r.method == "POST" and "/webhooks/rest/webhook" in r.url) as req:
                out = widget.turn(lambda: page.keyboard.press(key))
            assert json.loads(req.value.post_data)["message"] == chosen["payload"]
            # The title shows as what the person said.
            assert widget.texts(widget.my_messages)[-1] == chosen["title"]
            used["reply"] += 1
        else:
            if buttons:
                widget.tab_to(is_input, limit=12)
            page.keyboard.type(answer)
            out = widget.turn(lambda: page.keyboard.press("Enter"))
            assert widget.texts(widget.my_messages)[-1] == answer
            used["type"] += 1
    else:
        pytest.fail("the advice never came: " + "\n".join(widget.texts()))

    assert any("Here is what I suggest" in t for t in widget.texts(widget.bot_messages))
    # The advice comes sooner now; the letter offer after it is answered with Space on its quick reply.
    if used["reply"] < 2:
        chosen = next((b for b in buttons_of(out) if b["title"].lower() in ("no thanks", "no")), None)
        assert chosen, buttons_of(out)
        widget.tab_to(lambda a: bool(a) and a["tag"] == "button" and a["text"] == chosen["title"], limit=20)
        with page.expect_request(lambda r: r.method == "POST" and "/webhooks/rest/webhook" in r.url) as req:
            out = widget.turn(lambda: page.keyboard.press(" "))
        assert json.loads(req.value.post_data)["message"] == chosen["payload"]
        used["reply"] += 1
    assert used["reply"] >= 2 and used["type"] >= 1, used
    # Machine markers are never shown as text.
    shown = "\n".join(widget.texts())
    assert '"ask"' not in shown and '"routes"' not in shown and "{'" not in shown
    # Escape closes the panel and gives focus back to the launcher.
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    a = widget.active()
    assert a and a["text"] == "Help with a concern", a


def test_a_reload_keeps_the_conversation(widget: Widget):
    page = widget.page
    widget.open()
    widget.say(STORY)
    before = widget.texts()
    saved = widget.storage()
    assert saved and saved["sender"].startswith("web-")
    assert re.fullmatch(r"[A-Za-z0-9_.:@-]{1,128}", saved["sender"])
    assert page.evaluate(f"() => localStorage.getItem({json.dumps(STORAGE_KEY)})") is None

    page.reload()
    expect(widget.panel).to_be_visible()  # it was open, so it opens again
    expect(widget.log.locator(".msg")).to_have_count(len(before))
    assert widget.texts() == before
    assert widget.storage()["sender"] == saved["sender"]
    expect(widget.replies.get_by_role("button")).to_have_count(len(saved["replies"]))

    # The next message carries on the same conversation (same sender id).
    with page.expect_request(lambda r: r.method == "POST" and "/webhooks/rest/webhook" in r.url) as req:
        widget.say("last week")
    sent = json.loads(req.value.post_data)
    assert sent["sender"] == saved["sender"]
    assert sent["metadata"] == {"default_nation": "england"}  # from data-nation


def test_hostile_text_from_the_person_renders_inert(widget: Widget):
    widget.open()
    widget.say(HOSTILE)
    assert widget.texts(widget.my_messages)[-1] == HOSTILE
    expect(widget.my_messages.last).to_have_text(re.compile(re.escape(HOSTILE)))
    assert widget.page.evaluate("() => window.__xss") is None
    assert widget.page.locator("#complaints-assistant-widget img").count() == 0


def test_hostile_text_and_markers_from_the_bot_render_inert(widget: Widget):
    page = widget.page
    reply = [
        {"recipient_id": "x", "text": '<img src=x onerror="window.__xss=2"> <b>bold</b> https://example.com'},
        {
            "recipient_id": "x",
            "text": "Pick one",
            "buttons": [{"title": '<img src=x onerror="window.__xss=3">', "payload": "hostile"}],
        },
        {"recipient_id": "x", "custom": {"ask": "nation"}},
        {"recipient_id": "x", "custom": {"routes": [{"id": "provider", "role": "primary"}], "facts": {}}},
    ]
    page.route(
        REST_PATTERN,
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(reply),
            headers={"Access-Control-Allow-Origin": widget.stack.web},
        ),
    )
    widget.open()
    widget.say("hello")
    texts = widget.texts(widget.bot_messages)
    assert texts[-2:] == [reply[0]["text"], "Pick one"]
    expect(widget.replies.get_by_role("button")).to_have_text(['<img src=x onerror="window.__xss=3">'])
    assert page.evaluate("() => window.__xss") is None
    host = page.locator("#complaints-assistant-widget")
    assert host.locator("img, b, a").count() == 0  # no markup, and links are not made clickable
    assert "provider" not in "\n".join(widget.texts()) and "nation" not in "\n".join(widget.texts())


def test_a_safety_marker_makes_the_message_prominent(widget: Widget):
    reply = [
        {"recipient_id": "x", "text": "If you or someone else is in danger now, call 999."},
        {"recipient_id": "x", "custom": {"safety": True, "kind": "abuse_now"}},
        {"recipient_id": "x", "text": "Which part of the UK are you in?"},
    ]
    widget.page.route(
        REST_PATTERN,
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(reply),
            headers={"Access-Control-Allow-Origin": widget.stack.web},
        ),
    )
    widget.open()
    widget.say("the carer hit her")
    urgent = widget.log.locator(".msg-urgent")
    expect(urgent).to_have_count(1)
    expect(urgent).to_contain_text("Important")
    expect(urgent).to_contain_text("call 999")


@pytest.mark.parametrize("state", ["closed", "open"])
def test_axe_finds_no_wcag_violations(widget: Widget, state):
    if state == "open":
        widget.open()
        widget.say(STORY)  # messages and quick replies on screen
        expect(widget.replies.get_by_role("button").first).to_be_visible()
    violations = widget.axe()
    assert not violations, format_violations(violations)


def test_axe_with_an_error_showing_at_phone_width(make_context, stack):
    page = make_context(viewport={"width": 360, "height": 740}, has_touch=True).new_page()
    page.route(REST_PATTERN, lambda route: route.abort("internetdisconnected"))
    w = Widget(page, stack).goto()
    w.open()
    w.input.fill("hello")
    w.input.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(NOT_REACHED)
    violations = w.axe()
    assert not violations, format_violations(violations)


def test_a_dropped_network_is_retried_with_the_same_text(widget: Widget):
    page = widget.page
    calls = {"n": 0}
    forward = proxy_to(widget.stack)

    def flaky(route):
        calls["n"] += 1
        if calls["n"] == 1:
            route.abort("internetdisconnected")
        else:
            forward(route)

    page.route(REST_PATTERN, flaky)
    widget.open()
    before = widget.my_messages.count()
    widget.input.fill(STORY)
    widget.input.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(NOT_REACHED)
    expect(widget.input).to_have_value(STORY)  # the text is kept
    expect(widget.my_messages).to_have_count(before)  # not shown as sent
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_focused()

    with page.expect_request(lambda r: r.method == "POST" and "/webhooks/rest/webhook" in r.url) as req:
        widget.turn(lambda: page.keyboard.press("Enter"))
    assert json.loads(req.value.post_data)["message"] == STORY
    assert calls["n"] == 2
    expect(alert).to_be_empty()
    expect(widget.my_messages).to_have_count(before + 1)
    expect(widget.input).to_have_value("")


def test_leave_this_site_quickly(widget: Widget):
    page = widget.page
    widget.open()
    widget.say(STORY)
    assert widget.storage()
    exit_button = page.get_by_role("button", name="Leave this site quickly")
    expect(exit_button).to_be_visible()
    exit_button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{EXIT_URL}**")
    expect(page).to_have_title("Weather")
    # The page was replaced, not added to the history: Back does not return to the conversation.
    page.go_back()
    assert not page.url.startswith(widget.stack.web), page.url
    # Back on the provider's site in the same tab: nothing of the conversation is left.
    page.goto(widget.stack.web + "/")
    expect(widget.launcher).to_be_visible()
    expect(widget.panel).to_be_hidden()
    assert STORY not in json.dumps(widget.storage())
    assert STORY not in "\n".join(widget.texts())


def test_start_again_and_save_a_copy(widget: Widget):
    page = widget.page
    widget.open()
    widget.say(STORY)
    first_sender = widget.storage()["sender"]

    with page.expect_download() as info:
        page.get_by_role("button", name="Save a copy").click()
    download = info.value
    assert download.suggested_filename.endswith(".txt")
    content = open(download.path(), encoding="utf-8").read()
    assert f"You: {STORY}" in content and "Assistant: " in content
    assert "Riverside Health Centre" in content

    page.get_by_role("button", name="Start again").click()
    expect(widget.input).to_be_focused()
    expect(widget.my_messages).to_have_count(0)
    expect(widget.replies).to_be_hidden()
    assert STORY not in "\n".join(widget.texts())
    assert widget.storage()["sender"] != first_sender


def test_a_503_still_shows_the_message_it_carries(widget: Widget):
    text = "Sorry, I cannot carry on the conversation just now. Please try again in a few minutes."
    widget.page.route(
        REST_PATTERN,
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps([{"recipient_id": "x", "text": text, "custom": {"error": "store_unavailable"}}]),
            headers={"Access-Control-Allow-Origin": widget.stack.web},
        ),
    )
    widget.open()
    widget.input.fill("hello")
    widget.input.press("Enter")
    expect(widget.bot_messages.last).to_contain_text(text)
    assert "store_unavailable" not in "\n".join(widget.texts())
    expect(widget.page.get_by_role("alert")).to_be_empty()


def test_focus_is_visible_and_stays_in_the_full_screen_panel(make_context, stack):
    page = make_context(viewport={"width": 360, "height": 740}).new_page()
    w = Widget(page, stack).goto()
    w.tab_to(lambda a: bool(a) and a["text"] == "Help with a concern")
    page.keyboard.press(" ")  # Space opens it too
    expect(w.input).to_be_focused()
    expect(w.panel).to_have_attribute("aria-modal", "true")
    expect(page.locator("#complaints-assistant-widget")).to_have_attribute("lang", "en-GB")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        a = w.active()
        assert a is not None, "focus left the panel"
        seen.append(a["text"] or a["tag"])
        ring = page.evaluate("""() => {
          let a = document.activeElement; while (a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
          const s = getComputedStyle(a); return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow];
        }""")
        assert ring[0] == "solid" and ring[1] >= 2 and ring[2] != "none", (a, ring)
    # It went round: Send, then back to the top of the panel.
    assert "Send" in seen and "Close" in seen and seen.count("Close") >= 1
    assert seen.index("Close") == seen.index("Send") + 1, seen
    w.tab_to(lambda a: bool(a) and a["text"] == "Close", limit=12)
    page.keyboard.press("Shift+Tab")  # and backwards from the top to the bottom
    assert w.active()["text"] == "Send"
    page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()


def test_the_message_box_refuses_empty_and_too_long_messages(widget: Widget):
    widget.open()
    widget.input.press("Enter")
    expect(widget.input).to_have_attribute("aria-invalid", "true")
    expect(widget.page.get_by_text("Type your message first.")).to_be_visible()
    widget.input.fill("x" * 2001)
    widget.send_button.click()
    expect(widget.page.get_by_text(re.compile("Your message is too long"))).to_be_visible()
    expect(widget.input).to_have_value("x" * 2001)
    expect(widget.my_messages).to_have_count(0)


@pytest.mark.parametrize("size", [(320, 640), (320, 256), (360, 740)], ids=["320px", "400pc-zoom", "phone"])
def test_reflow_without_horizontal_scrolling_and_large_targets(make_context, stack, size):
    width, height = size
    page = make_context(viewport={"width": width, "height": height}).new_page()
    w = Widget(page, stack).goto()
    box = w.launcher.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    w.open()
    w.say(STORY)
    overflow = page.evaluate("""() => {
      const host = document.getElementById('complaints-assistant-widget');
      const panel = host.shadowRoot.querySelector('.panel');
      return {doc: document.documentElement.scrollWidth, vw: window.innerWidth,
              panelScroll: panel.scrollWidth, panelClient: panel.clientWidth};
    }""")
    assert overflow["doc"] <= overflow["vw"], overflow
    assert overflow["panelScroll"] <= overflow["panelClient"], overflow
    sizes = page.evaluate("""() => {
      const root = document.getElementById('complaints-assistant-widget').shadowRoot;
      return Array.from(root.querySelectorAll('button, textarea')).filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return {text: e.textContent.trim(), w: r.width, h: r.height, right: r.right}; });
    }""")
    assert sizes
    for s in sizes:
        assert s["w"] >= 24 and s["h"] >= 24, s
        assert s["right"] <= width + 0.5, s


def test_reduced_motion_is_respected(make_context, stack):
    page = make_context(reduced_motion="reduce").new_page()
    w = Widget(page, stack).goto()
    w.open()
    names = page.evaluate("""() => {
      const root = document.getElementById('complaints-assistant-widget').shadowRoot;
      return [root.querySelector('.panel'), root.querySelector('.dots span')]
        .map(e => getComputedStyle(e).animationName);
    }""")
    assert names == ["none", "none"]


def embed(page, **data) -> None:
    """Replace the demo page's widget with one embedded with these data- attributes."""
    page.evaluate(
        """(data) => {
      document.getElementById('complaints-assistant-widget').remove();
      delete window.__complaintsWidget;
      const s = document.createElement('script');
      s.src = '/static/dist/widget.js';
      Object.assign(s.dataset, data);
      document.body.append(s);
    }""",
        data,
    )
    expect(page.get_by_role("button", name="Help with a concern")).to_have_count(1)


def test_the_widget_talks_to_rasa_directly_with_cors(make_context, stack):
    """No proxy: the browser itself calls the stack's Rasa across origins (data-rasa-url)."""
    page = make_context(proxy=False).new_page()
    w = Widget(page, stack).goto()
    embed(page, provider="Riverside Health Centre", nation="england", rasaUrl=stack.rasa_url())
    w.open()
    with page.expect_request(lambda r: r.method == "POST" and "/webhooks/rest/webhook" in r.url) as req:
        w.say(STORY)
    assert req.value.url == stack.rest
    assert req.value.headers["origin"] == stack.web
    expect(w.page.get_by_role("alert")).to_be_empty()


def test_a_pale_brand_colour_still_gives_readable_text(make_context, stack):
    """The provider's colour is checked: text on it is black or white, whichever reads, and
    brand-coloured text on white is darkened until it reaches 4.5:1."""
    page = make_context().new_page()
    w = Widget(page, stack).goto()
    embed(page, provider="Yellow Surgery", colour="#ffeb3b")
    w.open()
    expect(w.panel).to_contain_text("Yellow Surgery")
    violations = w.axe(tags=("wcag2aa",))
    assert not violations, format_violations(violations)
    colours = page.evaluate("""() => {
      const root = document.getElementById('complaints-assistant-widget').shadowRoot.querySelector('.root');
      return ['--brand', '--on-brand', '--accent'].map(v => root.style.getPropertyValue(v));
    }""")
    assert colours[0] == "#ffeb3b" and colours[1] == "#000000" and colours[2] != "#ffeb3b"


@pytest.mark.parametrize(
    "name,viewport", [("phone", {"width": 360, "height": 740}), ("desktop", {"width": 1280, "height": 800})]
)
def test_screenshots_of_the_open_widget(make_context, stack, name, viewport):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = make_context(viewport=viewport).new_page()
    w = Widget(page, stack).goto()
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}-closed.png"), animations="disabled")
    w.open()
    w.say(STORY)
    expect(w.replies.get_by_role("button").first).to_be_visible()
    path = ARTIFACTS / f"widget-{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    assert path.stat().st_size > 5000
