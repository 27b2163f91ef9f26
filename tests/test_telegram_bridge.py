"""The Telegram bridge as a citizen uses it: the real python-telegram-bot against a fake
Bot API server on localhost, the real Rasa stack behind it, and the hotline web app pushing
an operator's reply through the same library.
"""

from __future__ import annotations

import asyncio
import copy
import sys
import time
from pathlib import Path

import pytest
from conftest import free_port, http_json, running_stack, settings_env, start_process, stop_process
from fake_telegram import FakeTelegram
from telegram import Bot

from bot.processes import telegram_bridge
from bot.telegram_bridge import Bridge, RasaClient


@pytest.fixture
async def fake() -> FakeTelegram:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bridge(fake: FakeTelegram, stack, tmp_path: Path):
    """`python -m bot.telegram_bridge` exactly as `make run` starts it, polling the fake API."""
    env = dict(stack.env, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
    settings, _ = settings_env(**env)
    spec = telegram_bridge(settings)
    log = tmp_path / "bridge.log"
    process = start_process(spec.command, env, log)
    try:
        await fake.wait_for(lambda: fake.called("getUpdates") or process.poll() is not None, timeout=60)
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        await asyncio.to_thread(stop_process, process)  # the fake API must keep answering meanwhile
        output = log.read_text(errors="replace")
        assert "Traceback" not in output, output[-3000:]


def _after(fake: FakeTelegram, chat_id: int, count: int) -> list[dict]:
    """Messages to `chat_id` beyond the first `count`."""
    return fake.sent(chat_id)[count:]


async def _reply_to(fake: FakeTelegram, chat_id: int, text: str) -> list[dict]:
    """Say `text`; wait until the bot has answered (and stopped answering for a moment)."""
    before = len(fake.sent(chat_id))
    await fake.user_says(chat_id, text)
    await fake.wait_for(lambda: _after(fake, chat_id, before))
    return await _settled(fake, chat_id, before)


async def _settled(fake: FakeTelegram, chat_id: int, before: int) -> list[dict]:
    seen = -1
    while seen != len(fake.sent(chat_id)):
        seen = len(fake.sent(chat_id))
        await _sleep(0.8)
    return _after(fake, chat_id, before)


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)


async def test_conversation_with_commands_and_a_button_tap(fake, bridge, stack):
    chat = 7001
    [greeting] = await _reply_to(fake, chat, "/start")
    assert "Xin chào" in greeting["text"] and "/tracuu" in greeting["text"]
    buttons = [b["text"] for row in greeting["reply_markup"]["inline_keyboard"] for b in row]
    assert "Gửi phản ánh" in buttons
    assert greeting["_parse_mode"] == "HTML"

    # A tap: acknowledged, keyboard removed, the payload goes to Rasa as the citizen's message.
    before = len(fake.sent(chat))
    snapshot = copy.deepcopy(greeting)
    await fake.tap(greeting, "Thủ tục làm căn cước")
    await fake.wait_for(lambda: _after(fake, chat, before))
    answer = await _settled(fake, chat, before)
    assert _text(answer).strip()
    assert fake.called("answerCallbackQuery")
    assert "reply_markup" not in fake.messages[greeting["message_id"]]
    tracker = stack.tracker("telegram:7001")
    said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert said[-1] == "thủ tục làm căn cước công dân"

    # A second quick tap on the old keyboard sends nothing twice.
    messages_before = len(fake.sent(chat))
    await fake.tap(snapshot, "Gửi phản ánh", stale=True)
    await _sleep(1.5)
    assert len(fake.sent(chat)) == messages_before

    help_text = _text(await _reply_to(fake, chat, "/help"))
    assert "Tôi có thể" in help_text

    cancelled = _text(await _reply_to(fake, chat, "/huy"))
    assert "Đã hủy" in cancelled

    hello = await _reply_to(fake, chat, "xin chào")
    assert "Xin chào" in _text(hello)
    assert any(m.get("reply_markup") for m in hello), "the assistant's menu buttons are shown"

    # /tracuu forwards the code as a dossier question; /huy cancels whatever form it started.
    assert _text(await _reply_to(fake, chat, "/tracuu H12.34-250701-0001")).strip()
    said = [e for e in stack.tracker("telegram:7001")["events"] if e.get("event") == "user"]
    assert said[-1]["text"] == "tra cứu hồ sơ H12.34-250701-0001"
    assert said[-1]["parse_data"]["intent"]["name"] == "check_dossier"
    assert "Đã hủy" in _text(await _reply_to(fake, chat, "/huy"))

    # The sender id is the chat, so a second chat is a separate conversation.
    other = await _reply_to(fake, 7002, "xin chào")
    assert other and stack.tracker("telegram:7002")["events"]


async def test_complaint_command_starts_a_complaint(fake, bridge, stack):
    assert _text(await _reply_to(fake, 7008, "/phananh")).strip()
    said = [e for e in stack.tracker("telegram:7008")["events"] if e.get("event") == "user"]
    assert said[-1]["parse_data"]["intent"]["name"] == "file_complaint"
    assert _text(await _reply_to(fake, 7008, "/huy")).strip()


async def test_rate_limit_is_waited_out_and_nothing_is_sent_twice(fake, bridge):
    chat = 7003
    fake.fail_next("sendMessage", retry_after=2)
    started = time.monotonic()
    replies = await _reply_to(fake, chat, "xin chào")
    assert time.monotonic() - started >= 2
    assert [c.status for c in fake.called("sendMessage") if int(c.params["chat_id"]) == chat][0] == 429
    texts = [m["text"] for m in replies]
    assert len(texts) == len(set(texts)), "no reply delivered twice"
    assert "Xin chào" in texts[0]


async def test_long_replies_are_split_and_html_escaped(fake, stack):
    """The same send path the bridge uses, on a real Bot, with a reply longer than Telegram allows."""
    bot = Bot(fake.token, base_url=fake.base_url)
    sender = Bridge(RasaClient(stack.rasa_url, stack.env["CHANNEL_SECRET"]), "1800 1096")
    long_text = "\n".join(f"{i}. Bản sao <giấy tờ> số {i} & chứng thực" for i in range(400))
    async with bot:
        await sender.send_replies(bot, 7004, [{"text": long_text, "buttons": [{"title": "Xong", "payload": "/thank"}]}])
    sent = fake.sent(7004)
    assert len(sent) >= 4
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert "&lt;giấy tờ&gt;" in sent[0]["text"] and "<giấy" not in sent[0]["text"]
    assert "399. Bản sao" in sent[-1]["text"]
    assert [bool(m.get("reply_markup")) for m in sent] == [False] * (len(sent) - 1) + [True]
    await sender.rasa.close()


async def test_rasa_down_gets_an_apology_not_silence(fake):
    bot = Bot(fake.token, base_url=fake.base_url)
    sender = Bridge(RasaClient(f"http://127.0.0.1:{free_port()}", "unused"), "1800 1096")
    async with bot:
        await sender.converse(bot, 7005, "xin chào")
    [apology] = fake.sent(7005)
    assert "hệ thống đang bận" in apology["text"] and "1800 1096" in apology["text"]
    await sender.rasa.close()


async def test_operator_reply_reaches_the_telegram_chat(fake, tmp_path):
    """The hotline web app's notifier pushes an operator's reply with python-telegram-bot."""
    with running_stack(None, tmp_path / "var", tmp_path, names=(), API_TOKEN="test-token-123",
                       HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'hotline.db'}",
                       TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url) as web:
        try:
            await asyncio.to_thread(web.start, "web")  # on a thread: the fake API must keep answering
            from hotline.db import make_engine, make_session_factory, transaction
            from hotline.users import create_user

            engine = make_engine(web.env["HOTLINE_DATABASE_URL"])
            with transaction(make_session_factory(engine)) as session:
                create_user(session, "lan", "mat-khau-123", "operator", rounds=4)
            engine.dispose()
            base = web.web_url
            auth = {"Authorization": "Bearer test-token-123"}
            status, ticket = http_json("POST", f"{base}/api/tickets", {
                "kind": "complaint", "description": "Xã chưa trả lời đơn của tôi", "channel": "telegram",
                "reply_address": "7006", "sender_id": "telegram:7006", "channel_message_id": "m-1",
            }, headers=auth)
            assert status == 201, ticket
            status, body = http_json("POST", f"{base}/api/tickets/{ticket['code']}/reply",
                                     {"operator": "lan", "text": "Chúng tôi đã chuyển đơn tới UBND xã."},
                                     headers=auth)
            assert status == 200, body
            [pushed] = await fake.wait_for(lambda: fake.sent(7006), timeout=30)
            assert ticket["code"] in pushed["text"] and "UBND xã" in pushed["text"]
            await _sleep(2)
            assert len(fake.sent(7006)) == 1, "pushed exactly once"
        finally:
            await asyncio.to_thread(web.stop, "web")


async def test_webhook_mode(fake, stack, tmp_path):
    """`--webhook-url`: Telegram posts updates to the bridge; only with the right secret."""
    port = free_port()
    env = dict(stack.env, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
    command = [sys.executable, "-m", "bot.telegram_bridge", "--webhook-url", "https://bot.example.vn/telegram",
               "--listen", "127.0.0.1", "--port", str(port), "--secret", "s3cret-token"]
    log = tmp_path / "webhook.log"
    process = start_process(command, env, log)
    try:
        [registered] = await fake.wait_for(lambda: fake.called("setWebhook"), timeout=60)
        assert registered.params["url"] == "https://bot.example.vn/telegram"
        assert registered.params["secret_token"] == "s3cret-token"
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "text": "xin chào",
            "from": {"id": 7007, "is_bot": False, "first_name": "Lan"}, "chat": {"id": 7007, "type": "private"}}}
        url = f"http://127.0.0.1:{port}/telegram"
        status = None
        for _ in range(50):  # the listener starts right after setWebhook
            try:
                status, _body = await asyncio.to_thread(http_json, "POST", url, update, 10,
                                                        {"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                break
            except OSError:
                await asyncio.sleep(0.2)
        assert status == 403
        status, _body = await asyncio.to_thread(http_json, "POST", url, update, 10,
                                                {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
        assert status == 200
        [answer, *_] = await fake.wait_for(lambda: fake.sent(7007))
        assert "Xin chào" in answer["text"]
    finally:
        await asyncio.to_thread(stop_process, process)
    assert "Traceback" not in log.read_text(errors="replace")
