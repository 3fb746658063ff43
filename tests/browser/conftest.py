"""Browser tests: one private stack and one Chromium per session, a fresh context per test.

The demo page (served by the stack's web app) loads the widget from /static/dist/widget.js.
The widget talks to Rasa at the page's host on port 5005 unless the page says otherwise;
here every REST call the page makes is passed on to this session's private Rasa port (the
browser still checks the CORS answer, which comes from the real channel).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Callable, List, Optional

import pytest

from tests.support.stack import PROJECT, Stack

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright  # noqa: F401
except ImportError:  # pragma: no cover - the test extra is not installed
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = PROJECT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WIDGET = PROJECT / "bot" / "web" / "static" / "dist" / "widget.js"
ARTIFACTS = PROJECT / "tests" / "artifacts"
REST_PATTERN = "**/webhooks/rest/webhook"
STORAGE_KEY = "complaints-widget:v1"
EXIT_URL = "https://www.bbc.co.uk/weather"

# The deepest focused element, through shadow roots.
DEEP_ACTIVE_JS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a || a === document.body) return null;
  return {tag: a.tagName.toLowerCase(), id: a.id || '', text: (a.textContent || '').trim(),
          cls: a.getAttribute('class') || '', label: a.getAttribute('aria-label') || ''};
}"""


@pytest.fixture(scope="session")
def built_widget() -> Path:
    """The widget, built from web/ (scripts/build-web.sh returns at once when it is current)."""
    subprocess.run([str(PROJECT / "scripts" / "build-web.sh")], cwd=PROJECT, check=True)
    assert WIDGET.is_file(), "scripts/build-web.sh did not produce bot/web/static/dist/widget.js"
    assert AXE.is_file(), "axe-core is missing from web/node_modules (scripts/build-web.sh installs it)"
    return WIDGET


@pytest.fixture(scope="session")
def stack(tmp_path_factory, built_widget):
    s = Stack(tmp_path_factory.mktemp("browser-stack"))  # ALLOWED_ORIGINS = its own web origin
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    # `make test` sets REQUIRE_BROWSER: there a missing browser is a failure, never a quiet skip.
    missing = (
        "playwright is not installed (pip install -e .[test])"
        if sync_playwright is None
        else f"Chromium not found at {CHROMIUM} (make system-deps)"
        if not Path(CHROMIUM).exists()
        else None
    )
    if missing:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def check_stack(stack: Stack) -> None:
    """Fail with the stack's own words when it is no longer running."""
    if stack.proc is not None and stack.proc.poll() is not None:
        tail = stack.log.read_text(errors="replace")[-3000:] if stack.log.exists() else ""
        pytest.fail(f"the stack stopped (exit {stack.proc.returncode}); the end of {stack.log}:\n{tail}")


def proxy_to(stack: Stack) -> Callable[[Route], None]:
    """Pass a REST call on to the session's Rasa (same method, headers and body, Origin included)."""

    def handle(route: Route) -> None:
        try:
            response = route.fetch(url=stack.rest, timeout=60000)
        except Exception:  # the page went away meanwhile
            route.abort()
            return
        route.fulfill(response=response)

    return handle


@pytest.fixture()
def make_context(browser, stack):
    """Open contexts (viewport and other options as keywords) that reach this session's stack only."""
    contexts: List[BrowserContext] = []

    def make(proxy: bool = True, **options) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-GB")
        options.setdefault("accept_downloads", True)
        options.setdefault("service_workers", "block")
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(30000)
        if proxy:
            ctx.route(REST_PATTERN, proxy_to(stack))
        # Nothing may leave the machine: a neutral stub for the quick-exit page, and refuse the rest.
        ctx.route(
            f"{EXIT_URL}**",
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>",
            ),
        )
        ctx.route(
            lambda url: not url.startswith(("http://127.0.0.1", "http://localhost", EXIT_URL, "data:", "blob:")),
            lambda route: route.abort("blockedbyclient"),
        )
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


class Widget:
    """Drives the widget on the demo page (locators pierce its open shadow root)."""

    def __init__(self, page: Page, stack: Stack):
        self.page = page
        self.stack = stack
        self.errors: List[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.launcher = page.get_by_role("button", name="Help with a concern")
        self.panel = page.get_by_role("dialog", name="Help with a concern")
        self.log = page.get_by_role("log", name="Messages")
        self.input = page.get_by_label("Your message")
        self.send_button = page.get_by_role("button", name="Send", exact=True)
        self.replies = page.get_by_role("group", name="Suggested replies")
        self.bot_messages = self.log.locator(".msg-bot")
        self.my_messages = self.log.locator(".msg-me")

    def goto(self) -> "Widget":
        try:
            self.page.goto(self.stack.web + "/")
        except Exception:
            check_stack(self.stack)
            raise
        expect(self.launcher.or_(self.panel)).to_be_visible()
        return self

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.input).to_be_focused()

    def active(self) -> Optional[dict]:
        return self.page.evaluate(DEEP_ACTIVE_JS)

    def tab_to(self, test: Callable[[Optional[dict]], bool], limit: int = 40, key: str = "Tab") -> dict:
        """Press Tab until the focused element passes `test`."""
        for _ in range(limit):
            self.page.keyboard.press(key)
            a = self.active()
            if test(a):
                return a
        raise AssertionError(f"could not reach the element by keyboard; focus is on {self.active()}")

    def turn(self, action: Callable[[], None]) -> List[dict]:
        """Do `action` (which sends one message) and wait until the bot's answer is on screen."""
        before = self.bot_messages.count()
        try:
            with self.page.expect_response(
                lambda r: "/webhooks/rest/webhook" in r.url and r.request.method == "POST", timeout=60000
            ) as info:
                action()
            response = info.value
        except Exception:
            check_stack(self.stack)
            raise
        assert response.status == 200, (response.status, response.text())
        data = response.json()
        shown = sum(1 for m in data if isinstance(m.get("text"), str) and m["text"].strip())
        expect(self.bot_messages).to_have_count(before + shown)
        expect(self.page.locator(".typing")).to_be_hidden()
        return data

    def say(self, text: str) -> List[dict]:
        def act():
            self.input.fill(text)
            self.input.press("Enter")

        return self.turn(act)

    def texts(self, locator=None) -> List[str]:
        """Message texts as shown (without the visually hidden speaker labels)."""
        return (locator or self.log.locator(".msg")).evaluate_all(
            "els => els.map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join(''))"
        )

    def storage(self) -> Optional[dict]:
        raw = self.page.evaluate(f"() => sessionStorage.getItem({json.dumps(STORAGE_KEY)})")
        return json.loads(raw) if raw else None

    def axe(self, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")) -> List[dict]:
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }",
            list(tags),
        )
        return result


@pytest.fixture()
def widget(make_context, stack) -> Widget:
    page = make_context().new_page()
    w = Widget(page, stack).goto()
    yield w
    assert not w.errors, f"errors in the page: {w.errors}"


def ask_of(messages: List[dict]) -> Optional[str]:
    return next(
        (m["custom"]["ask"] for m in messages if isinstance(m.get("custom"), dict) and "ask" in m["custom"]), None
    )


def buttons_of(messages: List[dict]) -> List[dict]:
    out: List[dict] = []
    for m in messages:
        if isinstance(m.get("buttons"), list):
            out = m["buttons"]
    return out


def format_violations(violations: List[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"][:5])
        for v in violations
    )
