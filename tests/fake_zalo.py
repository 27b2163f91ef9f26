"""A fake Zalo OA API and OAuth server (aiohttp, localhost) for the Zalo bridge and outbox tests.

It answers the two calls the project makes the way openapi.zalo.me and oauth.zaloapp.com are
described (docs/channels.md lists the sources): the v3 customer-service message endpoint with
the `access_token` header ({"error": 0, "data": {"message_id"}} or a negative error code), and
the v4 token refresh with the `secret_key` header and form fields. Like Zalo, a refresh token
works once and the previous access token stops working; a test can expire the current access
token (error -216) or make the next sends fail with HTTP 429. Every call is recorded.

It also signs webhook events the documented way — sha256(app id + raw body + timestamp + OA
secret key), computed here independently of the bridge's code — for tests to post.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
from aiohttp import web

BUTTON_TYPES = {"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms"}


@dataclass
class Call:
    path: str
    status: int          # HTTP status answered
    error: int = 0       # Zalo error code in the body (0 = success)


@dataclass
class Sent:
    user_id: str
    text: str
    buttons: list[dict]
    message_id: str


@dataclass
class FakeZalo:
    app_id: str = "4142434445464748494"
    oa_secret_key: str = "oa-secret-key-for-tests"
    app_secret: str = "app-secret-key-for-tests"
    oa_id: str = "2102030405060708090"
    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    refreshes: int = 0
    base_url: str = ""

    def __post_init__(self) -> None:
        self.access_token = "AT-" + secrets.token_urlsafe(24)
        self.refresh_token = "RT-" + secrets.token_urlsafe(24)
        self.token_valid = True
        self._failures: list[int] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        """Start on a free port; returns the base URL for ZALO_API_BASE_URL and ZALO_OAUTH_BASE_URL."""
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def env(self) -> dict[str, str]:
        """The settings that point the project at this fake."""
        return {"ZALO_APP_ID": self.app_id, "ZALO_OA_SECRET_KEY": self.oa_secret_key,
                "ZALO_APP_SECRET": self.app_secret, "ZALO_ACCESS_TOKEN": self.access_token,
                "ZALO_REFRESH_TOKEN": self.refresh_token, "ZALO_API_BASE_URL": self.base_url,
                "ZALO_OAUTH_BASE_URL": self.base_url}

    # ---------------------------------------------------------------- test controls

    def expire_access_token(self) -> None:
        """The current access token is refused from now on (error -216) until a refresh."""
        self.token_valid = False

    def fail_next_sends(self, *statuses: int) -> None:
        """The next sends, one each, answer these HTTP statuses (e.g. 429); a negative number is
        that Zalo error code in a 200 answer, and 0 lets that send through."""
        self._failures.extend(statuses)

    def sent_to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == str(user_id)]

    def send_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/message/cs")]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 30) -> Any:
        """Wait until `check()` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while not (result := check()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.calls}")
            await asyncio.sleep(0.05)
        return result

    async def settled(self, user_id: str, before: int = 0, quiet: float = 1.0, timeout: float = 30) -> list[Sent]:
        """Messages to `user_id` beyond the first `before`, once some came and then none for `quiet` s."""
        await self.wait_for(lambda: len(self.sent_to(user_id)) > before, timeout)
        seen = -1
        while seen != len(self.sent_to(user_id)):
            seen = len(self.sent_to(user_id))
            await asyncio.sleep(quiet)
        return self.sent_to(user_id)[before:]

    # ---------------------------------------------------------------- webhook events

    def event(self, name: str, user_id: str, text: str | None = None, *, msg_id: str | None = None,
              timestamp_ms: int | None = None, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """(raw body, headers) of a webhook event as Zalo sends it, signed with the OA secret key."""
        timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
        body: dict[str, Any] = {"app_id": self.app_id, "user_id_by_app": "55" + str(user_id),
                                "event_name": name, "timestamp": timestamp}
        if name in ("follow", "unfollow"):
            body.update(oa_id=self.oa_id, follower={"id": str(user_id)}, source="oa_follow_button")
        else:
            body.update(sender={"id": str(user_id)}, recipient={"id": self.oa_id},
                        message={"text": text or "", "msg_id": msg_id or secrets.token_hex(16)})
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        mac = hashlib.sha256(self.app_id.encode() + raw + timestamp.encode()
                             + (secret or self.oa_secret_key).encode()).hexdigest()
        return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": mac}

    @staticmethod
    async def post(url: str, raw: bytes, headers: dict[str, str]) -> int:
        """POST an event to the bridge; the HTTP status it answered."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            async with session.post(url, data=raw, headers=headers) as response:
                await response.read()
                return response.status

    # ---------------------------------------------------------------- API

    def _answer(self, path: str, body: dict, status: int = 200) -> web.Response:
        self.calls.append(Call(path, status, body.get("error", 0) if isinstance(body.get("error"), int) else 0))
        return web.json_response(body, status=status)

    async def _send(self, request: web.Request) -> web.Response:
        path = request.path
        status = self._failures.pop(0) if self._failures else 0
        if status:
            if status < 0:
                return self._answer(path, {"error": status, "message": "Refused for the test"})
            self.calls.append(Call(path, status))
            return web.json_response({"error": status, "message": "Too Many Requests"}, status=status,
                                     headers={"Retry-After": "1"})
        if request.headers.get("access_token") != self.access_token or not self.token_valid:
            return self._answer(path, {"error": -216, "message": "Access token is invalid"})
        try:
            body = await request.json()
        except ValueError:
            return self._answer(path, {"error": -201, "message": "Parameters are invalid"})
        user_id = (body.get("recipient") or {}).get("user_id") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(user_id, str) or not user_id or not isinstance(text, str) or not text.strip():
            return self._answer(path, {"error": -201, "message": "Parameters are invalid"})
        if len(text) > 2000:
            return self._answer(path, {"error": -210, "message": "Text exceeds 2000 characters"})
        buttons: list[dict] = []
        attachment = message.get("attachment")
        if attachment is not None:
            payload = attachment.get("payload") if isinstance(attachment, dict) else None
            buttons = payload.get("buttons") if isinstance(payload, dict) else None
            if (attachment.get("type") != "template" or not isinstance(buttons, list) or not 1 <= len(buttons) <= 5
                    or not all(isinstance(b, dict) and b.get("type") in BUTTON_TYPES and b.get("title")
                               and b.get("payload") for b in buttons)):
                return self._answer(path, {"error": -201, "message": "Attachment is invalid"})
        message_id = f"m{next(self._ids)}"
        self.sent.append(Sent(user_id, text, buttons, message_id))
        return self._answer(path, {"error": 0, "message": "Success",
                                   "data": {"message_id": message_id, "user_id": user_id}})

    async def _refresh(self, request: web.Request) -> web.Response:
        path = request.path
        form = await request.post()
        if request.headers.get("secret_key") != self.app_secret:
            return self._answer(path, {"error": -14002, "error_name": "Invalid secret key"})
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return self._answer(path, {"error": -14001, "error_name": "Invalid parameter"})
        if form.get("refresh_token") != self.refresh_token:
            return self._answer(path, {"error": -14014, "error_name": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token = "AT-" + secrets.token_urlsafe(24)
        self.refresh_token = "RT-" + secrets.token_urlsafe(24)
        self.token_valid = True
        return self._answer(path, {"access_token": self.access_token, "refresh_token": self.refresh_token,
                                   "expires_in": "90000"})
