"""Telegram bridge: Telegram chats <-> Rasa's REST channel, with python-telegram-bot (asyncio).

`python -m bot.telegram_bridge` long-polls Telegram (no public URL needed);
`--webhook-url https://…` receives updates on a small aiohttp server instead.
Each chat is the Rasa sender "telegram:<chat_id>". Updates of one chat are handled in order;
different chats run concurrently. Telegram's 429 (retry_after) and connection failures are
retried; a send that timed out is not retried, because Telegram may have delivered it and a
citizen must never get the same answer twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.telegram_format import (
    COMMANDS,
    Outgoing,
    PayloadStore,
    command_message,
    parse_command,
    rasa_to_telegram,
    sender_id,
    start_replies,
    user_text,
)
from hotline.logging_setup import bootstrap
from hotline.rasa_client import RasaClient, busy_text
from hotline.settings import Settings, load_settings

log = logging.getLogger("bot.telegram_bridge")
T = TypeVar("T")

SEND_ATTEMPTS = 6
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _seconds(value: Any) -> float:
    """RetryAfter.retry_after is an int in PTB 21 and a timedelta later."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], *, attempts: int = SEND_ATTEMPTS,
                       base_delay: float = 0.5, sleep=asyncio.sleep) -> T:
    """Run one Bot API call; on 429 wait retry_after, on a connection failure back off and retry.

    TimedOut is not retried: the request may have reached Telegram and been carried out.
    """
    delay = base_delay
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            if attempt == attempts:
                raise
            wait = _seconds(error.retry_after) + 0.1
            log.warning("Telegram rate limit, waiting %.1fs (attempt %s)", wait, attempt)
            await sleep(wait)
        except TimedOut:
            raise
        except NetworkError as error:  # includes connection refused/reset before the request was taken
            if attempt == attempts:
                raise
            log.warning("Telegram network error %s, retrying in %.1fs", error, delay)
            await sleep(delay)
            delay = min(delay * 2, 30)
    raise AssertionError("unreachable")


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=b.data) for b in row] for row in message.buttons]
    )


class Bridge:
    """The update handlers; state is only the payload store and the per-chat locks."""

    def __init__(self, rasa: RasaClient, hotline_phone: str) -> None:
        self.rasa = rasa
        self.hotline_phone = hotline_phone
        self.store = PayloadStore()
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, chat_id: int) -> asyncio.Lock:
        if len(self._locks) > 10_000:  # forget idle chats so memory stays bounded
            for key in [k for k, lock in self._locks.items() if not lock.locked()]:
                del self._locks[key]
        return self._locks.setdefault(chat_id, asyncio.Lock())

    async def send_replies(self, bot, chat_id: int, replies: list[dict]) -> None:
        """Send Rasa's replies to a chat in order, each with retries."""
        for message in rasa_to_telegram(replies, self.store):
            markup = _markup(message)
            if message.photo:
                await with_retries(lambda m=message, k=markup: bot.send_photo(
                    chat_id, m.photo, caption=m.html or None, parse_mode=ParseMode.HTML, reply_markup=k))
            else:
                await with_retries(lambda m=message, k=markup: bot.send_message(
                    chat_id, m.html, parse_mode=ParseMode.HTML, reply_markup=k,
                    link_preview_options=NO_PREVIEW))

    async def converse(self, bot, chat_id: int, text: str, message_id: str | None = None) -> None:
        """One user turn: typing indicator, Rasa, replies (or an apology if Rasa is down).
        `message_id` (Telegram's, unique in its chat) lets a lost answer be asked again safely."""
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        replies = await self.rasa.send(sender_id(chat_id), text, message_id)
        if replies is None:
            replies = [{"text": busy_text(self.hotline_phone)}]
        await self.send_replies(bot, chat_id, replies)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        async with self._lock(chat.id):
            text = message.text or message.caption or ""
            if not text.strip():
                await self.send_replies(context.bot, chat.id, [{
                    "text": "Hiện tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi nhé."}])
                return
            command = parse_command(text)
            if command and command[0] == "start":
                await self.send_replies(context.bot, chat.id, start_replies())
                return
            rasa_text = command_message(*command) if command else user_text(text)
            if not rasa_text:
                return
            await self.converse(context.bot, chat.id, rasa_text, f"m{message.message_id}")

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        chat_id = message.chat.id if message is not None else (query.from_user.id if query.from_user else None)
        title = _button_title(message, query.data)
        payload = self.store.payload_for(query.data, title)
        if chat_id is None:
            return
        async with self._lock(chat_id):
            with contextlib.suppress(TelegramError):
                await query.answer(text=f"Bạn chọn: {title}"[:190] if title else None)
            if message is not None and getattr(message, "reply_markup", None) is not None:
                try:
                    # Removing the keyboard first means a second tap on it can't send twice.
                    await with_retries(lambda: context.bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message.message_id, reply_markup=None))
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        return  # the keyboard was already gone: a double tap
                    log.warning("could not remove keyboard: %s", error)
                except TelegramError as error:
                    log.warning("could not remove keyboard: %s", error)
            elif message is not None:
                return  # keyboard already removed earlier: this is a repeated tap
            if payload:
                await self.converse(context.bot, chat_id, payload, f"cb{query.id}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(context.error, Forbidden):
            log.info("user blocked the bot: %s", context.error)
            return
        log.error("update failed: %r", context.error, exc_info=context.error)


def _button_title(message: Any, data: str | None) -> str:
    """The title of the tapped button, read from the message's own keyboard."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


def build_application(settings: Settings) -> tuple[Application, Bridge]:
    """The python-telegram-bot Application wired to a Bridge."""
    rasa = RasaClient(settings.rasa_url, settings.channel_secret)
    bridge = Bridge(rasa, settings.hotline_phone)

    async def post_init(app: Application) -> None:
        with contextlib.suppress(TelegramError):
            await app.bot.set_my_commands(COMMANDS)

    async def post_shutdown(_app: Application) -> None:
        await rasa.close()

    app = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .concurrent_updates(64)  # chats run in parallel; Bridge keeps each chat in order
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.add_handler(CallbackQueryHandler(bridge.on_callback))
    app.add_handler(MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, bridge.on_message))
    app.add_error_handler(bridge.on_error)
    return app, bridge


async def run_webhook(app: Application, bridge: Bridge, url: str, listen: str, port: int, path: str,
                      secret: str) -> None:
    """Receive updates on an aiohttp server (behind a TLS proxy at `url`) until SIGINT/SIGTERM."""
    from aiohttp import web

    async def receive(request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await app.update_queue.put(update)
        return web.Response(text="ok")

    server = web.Application()
    server.router.add_post(path, receive)
    runner = web.AppRunner(server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with app:
        with contextlib.suppress(TelegramError):
            await app.bot.set_my_commands(COMMANDS)
        await with_retries(lambda: app.bot.set_webhook(url, secret_token=secret,
                                                       allowed_updates=["message", "callback_query"]))
        await app.start()
        await runner.setup()
        await web.TCPSite(runner, listen, port).start()
        log.info("Telegram bridge: webhook %s -> %s:%s%s", url, listen, port, path)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await app.stop()
            await bridge.rasa.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Telegram <-> Rasa bridge (long polling by default).")
    parser.add_argument("--webhook-url", help="public HTTPS URL Telegram posts updates to (enables webhook mode)")
    parser.add_argument("--listen", default="127.0.0.1", help="webhook mode: interface to listen on")
    parser.add_argument("--port", type=int, default=8443, help="webhook mode: port to listen on")
    parser.add_argument("--path", default="/telegram", help="webhook mode: URL path")
    parser.add_argument("--secret", default="", help="webhook mode: secret token (random when empty)")
    args = parser.parse_args(argv)
    settings = load_settings()
    bootstrap(settings, "telegram")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines would log the bot token
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set; the Telegram bridge has nothing to do.", file=sys.stderr)
        return 2
    app, bridge = build_application(settings)
    if args.webhook_url:
        asyncio.run(run_webhook(app, bridge, args.webhook_url, args.listen, args.port, args.path,
                                args.secret or secrets.token_urlsafe(32)))
    else:
        log.info("Telegram bridge: long polling, Rasa at %s", settings.rasa_url)
        app.run_polling(allowed_updates=["message", "callback_query"], close_loop=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
