"""Web chat widget: the demo portal page (`/`, `/widget`) and the `POST /chat` proxy to Rasa.

The widget (static/widget/widget.js) talks only to this web app, so a portal needs one
script tag. `/chat` cleans the message (hotline.inbound), forwards it to Rasa's trusted
channel with the channel secret as sender "web:<session>" (actions rely on that prefix; the
public REST channel refuses it) and returns Rasa's replies. The session id is the widget's
own random secret kept in the browser. Each message carries the widget's id for it, so when
Rasa's answer is lost on the way (a replica killed mid-answer) `/chat` asks again safely:
Rasa answers an id it already holds with the same replies (bot/resend.py).
"""

from __future__ import annotations

import re

import aiohttp_jinja2
from aiohttp import web

from hotline.channel_messages import BAD_REQUEST, BAD_SESSION, BUSY, EMPTY_MESSAGE
from hotline.inbound import Inbound, clean_message, truncation_note
from hotline.rasa_client import RasaClient
from hotline.web.app import SETTINGS
from procedure_kb import messages as KB
from procedure_kb.i18n import EN, VI, say
from procedure_kb.language import detect_language, language_evidence

RASA_CLIENT = web.AppKey("widget_rasa_client", RasaClient)
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# The widget may sit on a portal of another origin; /chat carries no cookies, so any origin may call it.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "86400",
        "Cache-Control": "no-store"}


def _error(status: int, message_vi: str) -> web.Response:
    return web.json_response({"error": message_vi}, status=status, headers=CORS)


def clean_request(body: object) -> tuple[str, Inbound, str | None] | str:
    """(session, cleaned message, message id or None) from a /chat body, or a Vietnamese error
    text. A malformed id is dropped, not refused: the citizen's message still goes through."""
    if not isinstance(body, dict):
        return BAD_REQUEST[0]
    session, message = body.get("session"), body.get("message")
    if not isinstance(session, str) or not SESSION_ID.fullmatch(session):
        return BAD_SESSION[0]
    cleaned = clean_message(message)
    if cleaned is None or not cleaned.text:
        return EMPTY_MESSAGE[0]
    message_id = body.get("message_id")
    return session, cleaned, message_id if isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id) else None


# Lines of a procedure card (procedure_kb.presenter) that a phone shows first: where to submit,
# how many documents, time, fee; their openings are read from the card's own catalogue.
_CARD_LABELS = (KB.WHERE_NOW, KB.DOCS_HEADING, KB.PROCESSING_TIME, KB.FEE)
CARD_LINES = {lang: tuple(label[side].split("{")[0].strip() for label in _CARD_LABELS)
              for side, lang in enumerate((VI, EN))}
ESSENTIAL_LINE = 180


def essentials(text: str) -> str | None:
    """The first screen of a procedure card for a phone, or None when `text` is not a card."""
    lines = text.split("\n")
    for prefixes in CARD_LINES.values():
        found = [next((line for line in lines[1:] if line.startswith(prefix)), None) for prefix in prefixes]
        if found[0] is None or found[3] is None:
            continue
        short = [lines[0]] + [line.rstrip(":") if len(line) <= ESSENTIAL_LINE else line[:ESSENTIAL_LINE - 1] + "…"
                              for line in found if line]
        return "\n".join(short) if len(short) < len(lines) else None
    return None


def clean_replies(replies: object) -> list[dict]:
    """Only the reply fields the widget shows (text, buttons, image), with the right types."""
    out: list[dict] = []
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, dict):
            continue
        item: dict = {}
        if isinstance(reply.get("text"), str):
            item["text"] = reply["text"]
            short = essentials(reply["text"])
            if short:
                item["short"] = short
        if isinstance(reply.get("image"), str) and reply["image"].startswith(("http://", "https://")):
            item["image"] = reply["image"]
        buttons = [
            {"title": str(b.get("title") or b.get("payload"))[:80], "payload": str(b.get("payload") or b.get("title"))}
            for b in reply.get("buttons") or [] if isinstance(b, dict) and (b.get("title") or b.get("payload"))
        ] if isinstance(reply.get("buttons"), list) else []
        if buttons:
            item["buttons"] = buttons
        if item:
            out.append(item)
    return out


async def chat(request: web.Request) -> web.Response:
    """Forward one widget message to Rasa; {"replies": [...]}."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    cleaned = clean_request(body)
    if isinstance(cleaned, str):
        return _error(400, cleaned)
    session, inbound, message_id = cleaned
    replies = await request.app[RASA_CLIENT].send(f"web:{session}", inbound.text, message_id)
    if replies is None:  # logged by the client
        return _error(503, say(BUSY, VI, phone=request.app[SETTINGS].hotline_phone))
    replies = clean_replies(replies)
    if inbound.truncated:
        replies.insert(0, {"text": truncation_note(detect_language(inbound.text[:300]) == "en")})
    # The widget switches its own labels to the citizen's language (None: no clue in this message).
    # A button's payload ("/file_complaint") says nothing about the citizen's language.
    language = None if inbound.text.startswith("/") else language_evidence(inbound.text[:300])
    return web.json_response({"replies": replies, "language": language}, headers=CORS)


async def chat_options(_request: web.Request) -> web.Response:
    return web.Response(status=204, headers=CORS)


@aiohttp_jinja2.template("widget/demo.html")
async def demo(request: web.Request) -> dict:
    settings = request.app[SETTINGS]
    return {"public_url": settings.public_web_url, "hotline_phone": settings.hotline_phone}


async def _client_context(app: web.Application):
    settings = app[SETTINGS]
    app[RASA_CLIENT] = RasaClient(settings.rasa_url, settings.channel_secret)
    yield
    await app[RASA_CLIENT].close()


def setup(app: web.Application) -> None:
    app.router.add_get("/", demo)
    app.router.add_get("/widget", demo)
    app.router.add_post("/chat", chat)
    app.router.add_route("OPTIONS", "/chat", chat_options)
    app.cleanup_ctx.append(_client_context)
