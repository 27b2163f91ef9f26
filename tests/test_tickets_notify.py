"""Outbox delivery to Telegram through python-telegram-bot against a local fake Bot API."""

from __future__ import annotations

import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select, update
from tickets_helpers import add_user, complaint

from hotline import tickets as T
from hotline.db import transaction
from hotline.notify import OutboxMessage, TelegramSender, deliver_once, enqueue_message


class FakeTelegram:
    """Just enough of the Bot API: getMe and sendMessage, failing the first `fail` sends."""

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[dict] = []
        self.fail = fail

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = dict(await request.post()) if request.content_type != "application/json" else await request.json()
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Hotline",
                                                             "username": "hotline_bot"}})
        if self.fail:
            self.fail -= 1
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        self.sent.append(data)
        return web.json_response({"ok": True, "result": {
            "message_id": len(self.sent), "date": int(time.time()),
            "chat": {"id": int(data["chat_id"]), "type": "private"}, "text": data["text"]}})


@pytest.fixture
async def fake_telegram():
    fake = FakeTelegram(fail=1)
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    server = TestServer(app)
    await server.start_server()
    yield fake, str(server.make_url("/bot"))
    await server.close()


@pytest.fixture
def sessions(sqlite_sessions):
    return sqlite_sessions


async def test_operator_reply_reaches_telegram_once_after_a_failure(sessions, fake_telegram):
    fake, base_url = fake_telegram
    operator = add_user(sessions, "lan")
    ticket = T.open_ticket(sessions, **complaint(channel="telegram", reply_address="555", sender_id="telegram:555"))
    with transaction(sessions) as session:
        T.reply(session, ticket.id, operator, "Đã chuyển cho UBND phường.")
    sender = TelegramSender("123:ABC", base_url)
    senders = {"telegram": sender}
    assert await deliver_once(sessions, senders) == 0          # the API answers 502 the first time
    with transaction(sessions) as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert (row.status, row.attempts) == ("pending", 1) and "Bad Gateway" in row.last_error
    assert await deliver_once(sessions, senders) == 0          # backoff: not yet
    with transaction(sessions) as session:                     # time passes
        session.execute(update(OutboxMessage).values(next_attempt_at=row.created_at))
    assert await deliver_once(sessions, senders) == 1
    assert await deliver_once(sessions, senders) == 0          # never twice
    await sender.close()
    assert len(fake.sent) == 1
    assert str(fake.sent[0]["chat_id"]) == "555" and "Đã chuyển cho UBND phường." in fake.sent[0]["text"]


async def test_a_rolled_back_reply_is_never_sent(sessions):
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        enqueue_message(session, "telegram", "555", "không được gửi")
        raise RuntimeError("operator action failed after queueing")
    with transaction(sessions) as session:
        assert session.execute(select(OutboxMessage)).first() is None
    with pytest.raises(ValueError), transaction(sessions) as session:
        enqueue_message(session, "fax", "1", "x")
