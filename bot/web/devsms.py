"""A development page at /dev/sms that signs messages as Twilio would, so anyone can try the
SMS conversation without a Twilio account. Only mounted when SMS_DEV=1.

Also registers the outbound SMS sender for referral updates when Twilio is configured.
"""
from __future__ import annotations

import html
import uuid

import aiohttp
from aiohttp import web

from bot.settings import get_settings

PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>SMS development page</title>
<link rel="stylesheet" href="/static/devsms.css"></head><body><main>
<h1>Try the SMS conversation</h1>
<p>Messages are signed as Twilio would sign them and sent to the SMS webhook. Development only.</p>
<form method="post" action="/dev/sms">
<label for="from">From number</label><input id="from" name="from" value="{number}" autocomplete="off">
<label for="body">Message</label><textarea id="body" name="body" rows="3" required></textarea>
<button type="submit">Send</button></form>
<h2>Conversation</h2><ol class="log">{log}</ol></main></body></html>"""


def signature(token: str, url: str, params: dict) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(token).compute_signature(url, params)


async def send_signed(number: str, body: str) -> str:
    """Post a signed message to the SMS webhook and return the TwiML reply."""
    settings = get_settings()
    public = (settings.public_url or f"http://127.0.0.1:{settings.rasa_port}").rstrip("/")
    path = "/webhooks/sms/webhook"
    params = {"From": number, "To": settings.twilio_number or "+447700900000", "Body": body,
              "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": settings.twilio_account_sid or "ACdev"}
    headers = {"X-Twilio-Signature": signature(settings.twilio_auth_token or "", public + path, params)}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{settings.rasa_port}{path}", data=params, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=30)) as resp:
            return await resp.text()


async def page(request: web.Request) -> web.Response:
    log = request.app["devsms_log"]
    number = request.query.get("from", "+447700900123")
    if request.method == "POST":
        try:
            form = await request.post()
        except (ValueError, UnicodeError):
            return web.Response(status=400, text="The form could not be read.")
        number, body = str(form.get("from", "")).strip(), str(form.get("body", "")).strip()[:1600]
        if number and body:
            reply = await send_signed(number, body)
            log.append(("You", body))
            import re

            for part in re.findall(r"<Message>(.*?)</Message>", reply, re.S):
                log.append(("Bot", html.unescape(part)))
        raise web.HTTPSeeOther(f"/dev/sms?from={number}")
    items = "".join(f"<li><strong>{html.escape(who)}:</strong> {html.escape(text)}</li>" for who, text in log[-60:])
    return web.Response(text=PAGE.format(number=html.escape(number), log=items), content_type="text/html")


def setup(app: web.Application) -> None:
    from channels.sms import register_outbound

    register_outbound()
    if not get_settings().sms_dev:
        return
    app["devsms_log"] = []
    app.router.add_route("GET", "/dev/sms", page)
    app.router.add_route("POST", "/dev/sms", page)
