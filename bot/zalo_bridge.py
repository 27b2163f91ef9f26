"""Zalo OA bridge: Zalo Official Account events <-> Rasa's trusted channel.

`python -m bot.zalo_bridge` serves, on HOST:ZALO_WEBHOOK_PORT,

- ``POST /zalo/webhook``: Zalo's event webhook (register https://PUBLIC/zalo/webhook in the
  Zalo app; put TLS in front). Each event is checked — X-ZEvent-Signature, timestamp at most
  five minutes away, msg_id never seen before (kept in the hotline database) — answered 200 at
  once and handled in the background;
- ``GET /health``: 200 while the bridge runs (the runner's health check).

A user's text goes to Rasa as sender "zalo:<user id>" through the trusted channel; Rasa's
replies come back as OA customer-service messages (hotline.zalo_oa.OAClient: token refreshed
before expiry and once when refused, retries on 429/5xx, never a double send). Choices are
numbered in the text and offered as Zalo buttons; a number or a tapped button picks one. Events
of one user are handled in order; different users run concurrently. A new follower is greeted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from datetime import timedelta

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from bot.zalo_format import (
    FOLLOW,
    OTHER_USER_MESSAGES,
    TEXT_EVENT,
    UNFOLLOW,
    ChoiceMemory,
    Event,
    parse_event,
    rasa_to_zalo,
    resolve_choice,
    sender_id,
    signature_ok,
    welcome_replies,
)
from hotline.channel_messages import EMPTY_REPLY, TEXT_ONLY
from hotline.db import open_database
from hotline.dbtypes import utcnow
from hotline.inbound import clean_message, truncation_note
from hotline.logging_setup import bootstrap
from hotline.rasa_client import RasaClient, busy_text
from hotline.settings import Settings, load_settings
from hotline.zalo_oa import OAClient, ZaloApiError, forget_events, remember_event
from procedure_kb.language import detect_language

log = logging.getLogger("bot.zalo_bridge")

WEBHOOK_PATH = "/zalo/webhook"
MAX_BODY = 64 * 1024              # one Zalo event is a small JSON object
MAINTENANCE_EVERY_S = 600         # token check (refresh before expiry) and old event keys dropped
KEEP_EVENT_KEYS = timedelta(hours=1)
HANDLED = frozenset({TEXT_EVENT, FOLLOW, UNFOLLOW}) | OTHER_USER_MESSAGES


def _for_rasa(text: str) -> str:
    """Free text for Rasa; a leading "/" would make Rasa read it as an intent name."""
    text = text.strip()
    return text.lstrip("/").strip() if text.startswith("/") else text


class Bridge:
    """Webhook handler and conversation logic; state is only the offered choices and per-user locks."""

    def __init__(self, settings: Settings, sessions: sessionmaker, client: OAClient, rasa: RasaClient) -> None:
        self.settings = settings
        self.sessions = sessions
        self.client = client
        self.rasa = rasa
        self.choices = ChoiceMemory()
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()

    def _lock(self, user_id: str) -> asyncio.Lock:
        if len(self._locks) > 10_000:  # forget idle users so memory stays bounded
            for key in [k for k, lock in self._locks.items() if not lock.locked()]:
                del self._locks[key]
        return self._locks.setdefault(user_id, asyncio.Lock())

    # -------------------------------------------------------------- webhook

    async def receive(self, request: web.Request) -> web.Response:
        """Check one event and take it; Zalo wants 200 within seconds, so the work runs after."""
        raw = await request.read()
        parsed = parse_event(raw)
        if parsed is None:
            return web.json_response({"error": "not a Zalo event"}, status=400)
        _body, event = parsed
        if not signature_ok(request.headers.get("X-ZEvent-Signature"), self.settings.zalo_app_id, raw,
                            event.timestamp, self.settings.zalo_oa_secret_key):
            log.warning("Zalo event refused: missing or wrong X-ZEvent-Signature")
            return web.json_response({"error": "bad signature"}, status=403)
        # Stale and repeated events are answered 200 (else Zalo keeps retrying) but not handled.
        if not event.fresh(int(time.time() * 1000)):
            log.warning("Zalo event %s dropped: its timestamp is more than 5 minutes away", event.name)
            return web.json_response({"ok": True})
        if event.name not in HANDLED or not event.user_id:
            return web.json_response({"ok": True})
        if not await asyncio.to_thread(remember_event, self.sessions, event.key):
            log.info("Zalo event %s already taken; ignored", event.name)
            return web.json_response({"ok": True})
        task = asyncio.create_task(self.handle(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response({"ok": True})

    async def handle(self, event: Event) -> None:
        async with self._lock(event.user_id):
            try:
                if event.name == TEXT_EVENT:
                    await self.converse(event.user_id, event.text, event.key)
                elif event.name == FOLLOW:
                    await self.send_replies(event.user_id, welcome_replies(), "vi")
                elif event.name == UNFOLLOW:
                    self.choices.forget(event.user_id)
                else:
                    await self.send_replies(event.user_id, [{"text": TEXT_ONLY[0]}], "vi")
            except Exception:  # one failed event must not stop the bridge; the details go to the log
                log.exception("Zalo event %s failed", event.name)

    # -------------------------------------------------------------- conversation

    async def converse(self, user_id: str, text: str, message_id: str | None = None) -> None:
        """One user turn: the gate, a chosen option or free text to Rasa, the replies back.
        `message_id` (the event's key) lets a lost answer be asked again safely."""
        cleaned = clean_message(text)
        if cleaned is None or not cleaned.text:
            await self.send_replies(user_id, [{"text": EMPTY_REPLY[0]}], "vi")
            return
        english = detect_language(cleaned.text) == "en"
        if cleaned.truncated:
            await self.send_replies(user_id, [{"text": truncation_note(english)}], "en" if english else "vi")
        chosen = resolve_choice(cleaned.text, self.choices.get(user_id))
        message = chosen if chosen is not None else _for_rasa(cleaned.text)
        if not message:
            return
        replies = await self.rasa.send(sender_id(user_id), message, message_id)
        if replies is None:
            replies = [{"text": busy_text(self.settings.hotline_phone, english)}]
        said = " ".join(r["text"] for r in replies if isinstance(r, dict) and isinstance(r.get("text"), str))
        await self.send_replies(user_id, replies, detect_language(said) if said else ("en" if english else "vi"))

    async def send_replies(self, user_id: str, replies: list[dict], lang: str) -> None:
        """Send replies in order; stop at the first that cannot go out (the rest would lack context)."""
        messages, offered = rasa_to_zalo(replies, lang)
        self.choices.offer(user_id, offered)
        for message in messages:
            try:
                await self.client.send_message(user_id, message.text, message.buttons or None)
            except ZaloApiError as error:
                log.error("Zalo message to %s not sent: %s", user_id, error)
                return

    # -------------------------------------------------------------- upkeep

    async def maintain(self) -> None:
        """Refresh the token before it expires (also keeps the refresh token in use); drop old event keys."""
        while True:
            try:
                await self.client.access_token()
            except Exception as error:  # logged by code only: the OA may need authorising again
                log.error("Zalo access token could not be refreshed: %s", error)
            try:
                await asyncio.to_thread(forget_events, self.sessions, utcnow() - KEEP_EVENT_KEYS)
            except Exception:
                log.exception("could not drop old Zalo event keys")
            await asyncio.sleep(MAINTENANCE_EVERY_S)

    async def drain(self, timeout: float = 10) -> None:
        """Let events being handled finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_app(bridge: Bridge) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(WEBHOOK_PATH, bridge.receive)
    app.router.add_get("/health", health)
    return app


async def serve(settings: Settings, sessions: sessionmaker) -> None:
    """Run the webhook server until SIGINT/SIGTERM."""
    client = OAClient(settings, sessions)
    rasa = RasaClient(settings.rasa_url, settings.channel_secret)
    bridge = Bridge(settings, sessions, client, rasa)
    runner = web.AppRunner(build_app(bridge))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.zalo_webhook_port).start()
    upkeep = asyncio.create_task(bridge.maintain())
    log.info("Zalo bridge: webhook on http://%s:%s%s, Rasa at %s", settings.host, settings.zalo_webhook_port,
             WEBHOOK_PATH, settings.rasa_url)
    try:
        await stop.wait()
    finally:
        upkeep.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await upkeep
        await runner.shutdown()
        await bridge.drain()
        await runner.cleanup()
        await client.close()
        await rasa.close()


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description="Zalo Official Account <-> Rasa bridge (webhook receiver).").parse_args(argv)
    settings = load_settings()
    bootstrap(settings, "zalo")
    if not settings.zalo_enabled:
        print("ZALO_APP_ID, ZALO_OA_SECRET_KEY, ZALO_APP_SECRET and ZALO_REFRESH_TOKEN must be set; "
              "the Zalo bridge has nothing to do.", file=sys.stderr)
        return 2
    sessions = open_database(settings.hotline_database_url)
    try:
        asyncio.run(serve(settings, sessions))
    finally:
        sessions.kw["bind"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
