"""A fake Telegram Bot API server (aiohttp, localhost) for the bridge and notifier tests.

It answers the methods the project uses the way api.telegram.org does (same envelope
{"ok", "result"} and error shapes), records every call, keeps what the bot sent per chat,
lets a test inject user messages and button taps, and can fail the next calls with a 429
(retry_after) to exercise retries. The real python-telegram-bot talks to it via base_url.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trợ lý thủ tục", "username": "tro_ly_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
_JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "entities",
                "caption_entities", "scope", "reply_parameters"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    token: str = ""  # which bot token called (tests give each process its own to tell them apart)


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token"
    other_tokens: tuple[str, ...] = ()  # also accepted, recorded in Call.token
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict] = field(default_factory=dict)  # message_id -> message (bot's, current state)
    _updates: list[dict] = field(default_factory=list)
    _failures: dict[str, list[dict]] = field(default_factory=dict)
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    base_url: str = ""

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        """Start on a free port; returns the base_url to give python-telegram-bot."""
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # ---------------------------------------------------------------- test controls

    def fail_next(self, method: str, *, retry_after: int | None = None, status: int = 429,
                  description: str = "") -> None:
        """The next call of `method` fails (default: 429 Too Many Requests with retry_after)."""
        body: dict[str, Any] = {"ok": False, "error_code": status,
                                "description": description or f"Too Many Requests: retry after {retry_after}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures.setdefault(method, []).append(body)

    async def user_says(self, chat_id: int, text: str, first_name: str = "Lan") -> None:
        """Inject a message from a user in a private chat."""
        user = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
        message = {"message_id": next(self._ids), "date": int(time.time()), "text": text, "from": user,
                   "chat": {"id": chat_id, "type": "private", "first_name": first_name}}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._push({"message": message})

    async def tap(self, message: dict, title: str, *, stale: bool = False) -> None:
        """Inject a tap on the button titled `title` of a message the bot sent.

        `stale=True` sends the given snapshot, as Telegram does for a second quick tap made
        before the keyboard was removed.
        """
        current = message if stale else self.messages[message["message_id"]]
        for row in (current.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == title:
                    chat_id = current["chat"]["id"]
                    query = {"id": str(next(self._ids)), "chat_instance": f"ci{chat_id}",
                             "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"},
                             "message": current, "data": button["callback_data"]}
                    await self._push({"callback_query": query})
                    return
        raise AssertionError(f"no button {title!r} on message {message['message_id']}")

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Messages the bot sent (sendMessage/sendPhoto), oldest first, in their current state."""
        return [m for m in sorted(self.messages.values(), key=lambda m: m["message_id"])
                if chat_id is None or m["chat"]["id"] == chat_id]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 60) -> Any:
        """Wait until `check()` is truthy (re-checked on every API call); returns its value."""
        assert self._changed is not None
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while not (result := check()):
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
                try:
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.5))
                except asyncio.TimeoutError:
                    pass
        return result

    # ---------------------------------------------------------------- server

    async def _push(self, update: dict) -> None:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        params: dict[str, Any] = {}
        for key, value in (await request.post()).items():
            if not isinstance(value, str):
                value = value.file.read().decode("utf-8", "replace")
            params[key] = json.loads(value) if key in _JSON_PARAMS else value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token != self.token and token not in self.other_tokens:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            if not self.called("getUpdates"):
                self.calls.append(Call(method, params))  # the first poll only: polls never stop
            return await self._get_updates(params)
        failures = self._failures.get(method)
        if failures:
            body = failures.pop(0)
            self.calls.append(Call(method, params, body["error_code"], token=token))
            await self._notify()
            return web.json_response(body, status=body["error_code"])
        call = Call(method, params, token=token)
        self.calls.append(call)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status = 404
            await self._notify()
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            result = handler(params)
        except _ApiError as error:
            call.status = 400
            await self._notify()
            return web.json_response({"ok": False, "error_code": 400, "description": str(error)}, status=400)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)  # short polls keep shutdown quick
        # Confirming an offset forgets older updates, as Telegram does.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            async with self._changed:
                with_timeout = asyncio.wait_for(self._changed.wait(), timeout)
                try:
                    await with_timeout
                except asyncio.TimeoutError:
                    pass
        return web.json_response({"ok": True, "result": list(self._updates)})

    # ---------------------------------------------------------------- methods

    def _m_getMe(self, _p):
        return BOT_USER

    def _m_deleteWebhook(self, _p):
        return True

    def _m_setWebhook(self, _p):
        return True

    def _m_setMyCommands(self, _p):
        return True

    def _m_sendChatAction(self, _p):
        return True

    def _m_answerCallbackQuery(self, _p):
        return True

    def _new_message(self, p: dict, **content) -> dict:
        chat_id = int(p["chat_id"])
        message = {"message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private", "first_name": "Lan"}, **content}
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        message["_parse_mode"] = p.get("parse_mode")
        self.messages[message["message_id"]] = message
        return message

    def _m_sendMessage(self, p):
        text = p.get("text", "")
        if not text or len(text) > 4096:
            raise _ApiError("Bad Request: message text is empty or too long")
        return self._new_message(p, text=text)

    def _m_sendPhoto(self, p):
        content = {"photo": [{"file_id": "f1", "file_unique_id": "u1", "width": 1, "height": 1}],
                   "_photo_url": p.get("photo")}
        if p.get("caption"):
            content["caption"] = p["caption"]
        return self._new_message(p, **content)

    def _m_editMessageReplyMarkup(self, p):
        message = self.messages.get(int(p.get("message_id", 0)))
        if message is None:
            raise _ApiError("Bad Request: message to edit not found")
        new = p.get("reply_markup") or None
        if (message.get("reply_markup") or None) == new:
            raise _ApiError("Bad Request: message is not modified")
        if new:
            message["reply_markup"] = new
        else:
            message.pop("reply_markup", None)
        return message


class _ApiError(Exception):
    pass
