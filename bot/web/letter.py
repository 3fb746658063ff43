"""`GET /l/{token}`: the page behind an SMS letter link (bot.letter.links).

A plain, accessible page: the letter as text (never as HTML), with buttons to copy, download and
print it (bot/web/static/letter.js). An unknown or expired link gets a clear 404 page. The page is
never cached, never sent as a referrer, and not indexed.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from html import escape
from typing import Callable, Optional

from aiohttp import web

from bot.letter.links import LINK_DAYS, fetch
from bot.record.store import StoreUnavailable

log = logging.getLogger(__name__)

#: The clock, for tests: a function returning naive UTC, as the record keeps it (default: the real time).
NOW: "web.AppKey[Callable[[], Optional[dt.datetime]]]" = web.AppKey("letter_now", object)

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
}

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<link rel="stylesheet" href="/static/letter.css">
</head>
<body>
<main>
{content}
</main>
</body>
</html>
"""

LETTER = """<h1>Your draft letter</h1>
<p>Fill in the parts in square brackets, check it says what you want, then send it to the organisation.
This page will be deleted {days} days after the letter was made, so save a copy.</p>
<dl class="meta">
  <div><dt>To</dt><dd>{to}</dd></div>
  <div><dt>Subject</dt><dd id="letter-subject">{subject}</dd></div>
</dl>
<div class="actions" role="group" aria-label="What to do with the letter">
  <button type="button" id="copy-letter">Copy the letter</button>
  <button type="button" id="download-letter">Download as a text file</button>
  <button type="button" id="print-letter">Print the letter</button>
</div>
<p id="letter-status" role="status" class="status"></p>
<h2 id="letter-heading">The letter</h2>
<pre class="letter" id="letter-text" aria-labelledby="letter-heading" tabindex="0">{body}</pre>
<script src="/static/letter.js"></script>"""

GONE = """<h1>This letter link has expired or is not valid</h1>
<p>Draft letters are kept for {days} days and then deleted, to keep them private.</p>
<p>You can ask the assistant for a new draft at any time: text it again, or use the chat.</p>"""

DOWN = """<h1>Sorry, we cannot show your letter just now</h1>
<p>Please try again in a few minutes. Your letter is still kept until its link expires.</p>"""


def _page(title: str, content: str, status: int) -> web.Response:
    return web.Response(text=PAGE.format(title=escape(title), content=content), status=status,
                        content_type="text/html", charset="utf-8", headers=HEADERS)


async def letter_page(request: web.Request) -> web.Response:
    token = request.match_info.get("token", "")
    now = request.app[NOW]() if NOW in request.app else None
    try:
        letter = await asyncio.get_running_loop().run_in_executor(None, lambda: fetch(token, now=now))
    except StoreUnavailable:
        log.warning("letter link: the record's database cannot be reached")
        return _page("Your draft letter", DOWN, 503)
    if letter is None:
        return _page("Letter link expired or not valid", GONE.format(days=LINK_DAYS), 404)
    content = LETTER.format(days=LINK_DAYS, to=escape(letter.to), subject=escape(letter.subject),
                            body=escape(letter.body))
    return _page("Your draft letter", content, 200)


def setup(app: web.Application) -> None:
    """Mount /l/{token} on the web app."""
    app.router.add_get("/l/{token}", letter_page)
