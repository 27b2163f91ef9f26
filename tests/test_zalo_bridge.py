"""The Zalo OA bridge as a citizen uses it: `python -m bot.zalo_bridge` as `make run` starts it,
signed webhook events posted to it, a fake Zalo OA API on localhost receiving its messages,
and the real Rasa stack behind it; the hotline web app pushing an operator's reply to Zalo.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    free_port,
    http_json,
    running_stack,
    settings_env,
    start_process,
    stop_process,
    wait_until_ready,
)
from fake_zalo import FakeZalo

from bot.processes import all_processes, zalo_bridge
from bot.zalo_bridge import WEBHOOK_PATH, Bridge
from hotline.db import open_database
from hotline.rasa_client import RasaClient
from hotline.zalo_oa import OAClient, TokenStore


@pytest.fixture
async def fake() -> FakeZalo:
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@dataclass
class Running:
    url: str
    env: dict[str, str]
    log: Path
    process: object = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


async def _start(running: Running) -> None:
    settings, _ = settings_env(**running.env)
    spec = zalo_bridge(settings)
    assert spec.name in [s.name for s in all_processes(settings)], "make run starts it when configured"
    running.process = start_process(spec.command, running.env, running.log)
    await asyncio.to_thread(wait_until_ready, spec.ready_url, running.process, 60)


async def _stop(running: Running) -> None:
    await asyncio.to_thread(stop_process, running.process)  # the fake API must keep answering meanwhile


@pytest.fixture
async def bridge(fake: FakeZalo, stack, tmp_path: Path):
    """The bridge process on its own hotline database, talking to the fake API and the real Rasa."""
    port = free_port()
    env = dict(stack.env, **fake.env(), ZALO_WEBHOOK_PORT=str(port),
               HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'hotline.db'}")
    running = Running(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", env, tmp_path / "zalo.log")
    await _start(running)
    try:
        yield running
    finally:
        await _stop(running)
        output = running.output()
        assert "Traceback" not in output, output[-3000:]
        assert fake.access_token not in output and fake.refresh_token not in output, "no token in the log"


async def _say(fake: FakeZalo, bridge: Running, user: str, text: str) -> list:
    """The user writes `text`; the messages the OA answered with."""
    before = len(fake.sent_to(user))
    raw, headers = fake.event("user_send_text", user, text)
    started = time.monotonic()
    assert await fake.post(bridge.url, raw, headers) == 200
    assert time.monotonic() - started < 2, "Zalo wants its 200 within 2 seconds"
    return await fake.settled(user, before)


def _said(stack, user: str) -> list[dict]:
    return [e for e in stack.tracker(f"zalo:{user}")["events"] if e.get("event") == "user"]


async def test_signed_events_get_answers_and_choices_by_number_or_button(fake, bridge, stack):
    menu = [b for r in stack.chat("zalo:9990", "xin chào") for b in r.get("buttons") or []]
    assert len(menu) >= 2, "the assistant's greeting offers choices"

    hello = await _say(fake, bridge, "2001", "xin chào")
    text = "\n".join(m.text for m in hello)
    assert "Xin chào" in text
    assert f"1. {menu[0]['title']}" in text and "Trả lời bằng số" in text, "choices numbered in the text"
    if len(menu) <= 5:
        assert [b["title"] for b in hello[-1].buttons] == [b["title"] for b in menu]

    # Answering by number sends that choice's payload to Rasa as the citizen's message.
    assert await _say(fake, bridge, "2001", "1")
    assert _said(stack, "2001")[-1]["text"] == menu[0]["payload"]

    # A tapped button (oa.query.show) comes back as a text event carrying its title.
    await _say(fake, bridge, "2001", "xin chào")
    assert await _say(fake, bridge, "2001", menu[1]["title"])
    assert _said(stack, "2001")[-1]["text"] == menu[1]["payload"]

    # A new follower is greeted without waiting for Rasa.
    raw, headers = fake.event("follow", "2002")
    assert await fake.post(bridge.url, raw, headers) == 200
    [welcome] = await fake.settled("2002")
    assert "Xin chào" in welcome.text and welcome.buttons

    # English in, English out (the assistant's language rule holds on Zalo too).
    english = "\n".join(m.text for m in await _say(fake, bridge, "2003", "how do I register a birth?"))
    assert re.search(r"\b(the|you|birth)\b", english, re.I)


async def test_forged_stale_and_replayed_events_produce_nothing(fake, bridge, stack):
    user = "2101"
    raw, headers = fake.event("user_send_text", user, "xin chào", secret="not-the-oa-secret")
    assert await fake.post(bridge.url, raw, headers) == 403
    raw, headers = fake.event("user_send_text", user, "xin chào")
    assert await fake.post(bridge.url, raw, {"Content-Type": "application/json"}) == 403
    tampered = raw.replace("xin chào".encode(), "tạm biệt".encode())
    assert await fake.post(bridge.url, tampered, headers) == 403
    assert await fake.post(bridge.url, b"{" + b" " * 100_000 + b"}", headers) == 413
    old = int(time.time() * 1000) - 10 * 60 * 1000
    raw, headers = fake.event("user_send_text", user, "xin chào", timestamp_ms=old)
    assert await fake.post(bridge.url, raw, headers) == 200  # answered, so Zalo stops retrying it
    await asyncio.sleep(1.5)
    assert fake.sent_to(user) == [], "a forged or stale event is not answered"

    raw, headers = fake.event("user_send_text", user, "xin chào", msg_id="replayed-msg-1")
    assert await fake.post(bridge.url, raw, headers) == 200
    first = await fake.settled(user)
    assert first
    assert await fake.post(bridge.url, raw, headers) == 200  # Zalo's retry, or a replay
    await asyncio.sleep(1.5)
    assert len(fake.sent_to(user)) == len(first), "the same msg_id is handled once"
    assert len(_said(stack, user)) == 1


async def test_expired_token_is_refreshed_once_and_the_new_pair_survives_a_restart(fake, bridge, stack):
    seeded = fake.access_token
    fake.expire_access_token()
    assert await _say(fake, bridge, "2201", "xin chào")
    assert fake.refreshes == 1
    assert [c.error for c in fake.send_calls()].count(-216) == 1
    assert fake.access_token != seeded

    settings, _ = settings_env(**bridge.env)
    sessions = open_database(settings.hotline_database_url)
    stored = TokenStore(sessions, settings.zalo_app_id, "", "").stored()
    sessions.kw["bind"].dispose()
    assert (stored.access_token, stored.refresh_token) == (fake.access_token, fake.refresh_token)
    assert stored.expires_at is not None

    # Restarted with the old pair still in its environment, it takes the stored one: the
    # message goes out without another refresh (the old refresh token would be refused).
    await _stop(bridge)
    await _start(bridge)
    assert await _say(fake, bridge, "2201", "cảm ơn")
    assert fake.refreshes == 1


async def test_long_answer_is_split_on_sentences_in_order_with_links_whole(fake, tmp_path):
    """The bridge's send path with an answer longer than Zalo's 2,000-character limit."""
    settings, _ = settings_env(**fake.env(), HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'hotline.db'}")
    sessions = open_database(settings.hotline_database_url)
    client = OAClient(settings, sessions)
    bridge = Bridge(settings, sessions, client, RasaClient("http://127.0.0.1:9", "unused"))
    link = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"
    sentences = [f"Bước {i}: nộp hồ sơ tại UBND TP. Hồ Chí Minh hoặc trực tuyến, kèm bản sao giấy tờ số {i}."
                 for i in range(1, 80)]
    sentences[24] = f"Xem hướng dẫn đầy đủ tại {link} trước khi nộp."
    long_text = " ".join(sentences)
    buttons = [{"title": "Đúng", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]
    try:
        await bridge.send_replies("2301", [{"text": long_text, "buttons": buttons}], "vi")
    finally:
        await client.close()
        sessions.kw["bind"].dispose()
    sent = fake.sent_to("2301")
    assert len(sent) >= 4
    assert all(len(m.text) <= 2000 for m in sent)
    for message in sent[:-1]:
        assert message.text.endswith("."), "cut after a sentence"
        assert not message.buttons
    assert " ".join(m.text for m in sent).startswith(long_text), "nothing lost, in order"
    assert sum(link in m.text for m in sent) == 1, "the link arrives whole"
    assert "UBND TP. Hồ" in "".join(m.text for m in sent), "not cut after an abbreviation"
    assert sent[-1].text.endswith("1. Đúng\n2. Không\n(Trả lời bằng số thứ tự để chọn.)")
    assert [b["title"] for b in sent[-1].buttons] == ["Đúng", "Không"]
    assert bridge.choices.get("2301")[1].payload == "/deny"


async def test_operator_reply_reaches_zalo_once_despite_a_429(fake, tmp_path):
    """The hotline web app's outbox pushes an operator's reply through the OA API."""
    with running_stack(None, tmp_path / "var", tmp_path, names=(), API_TOKEN="test-token-123",
                       HOTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'hotline.db'}", **fake.env()) as web:
        try:
            await asyncio.to_thread(web.start, "web")  # on a thread: the fake API must keep answering
            base, auth = web.web_url, {"Authorization": "Bearer test-token-123"}
            from hotline.db import make_engine, make_session_factory, transaction
            from hotline.users import create_user

            engine = make_engine(web.env["HOTLINE_DATABASE_URL"])
            with transaction(make_session_factory(engine)) as session:
                create_user(session, "lan", "mat-khau-123", "operator", rounds=4)
            engine.dispose()
            status, ticket = await asyncio.to_thread(http_json, "POST", f"{base}/api/tickets", {
                "kind": "complaint", "description": "Xã chưa trả lời đơn của tôi", "channel": "zalo",
                "reply_address": "2401", "sender_id": "zalo:2401", "channel_message_id": "z-1",
            }, 30, auth)
            assert status == 201, ticket
            fake.fail_next_sends(429)
            status, body = await asyncio.to_thread(
                http_json, "POST", f"{base}/api/tickets/{ticket['code']}/reply",
                {"operator": "lan", "text": "Chúng tôi đã chuyển đơn tới UBND xã."}, 30, auth)
            assert status == 200, body
            [pushed] = await fake.wait_for(lambda: fake.sent_to("2401"), timeout=30)
            assert ticket["code"] in pushed.text and "UBND xã" in pushed.text
            await asyncio.sleep(2)
            assert len(fake.sent_to("2401")) == 1, "delivered exactly once"
            assert [c.status for c in fake.send_calls()] == [429, 200]
        finally:
            await asyncio.to_thread(web.stop, "web")


async def test_dossier_status_push_reaches_zalo(fake, sqlite_sessions):
    """A status change of a dossier the citizen subscribed to from Zalo goes out through the outbox."""
    from hotline.dossiers import get_by_code, subscribe
    from hotline.dossiers.importer import import_records
    from hotline.notify import ZaloSender, deliver_once

    code = "000.00.31.H29-250715-0099"
    row = {"Mã hồ sơ": code, "Mã thủ tục": "1.004222", "Tên thủ tục": "Đăng ký thường trú",
           "Cơ quan tiếp nhận": "UBND Phường Ba Đình", "Mã xã": "00004", "Xã phường": "Phường Ba Đình",
           "Tỉnh": "Thành phố Hà Nội", "Ngày tiếp nhận": "15/07/2025 09:30", "Trạng thái": "Đang xử lý",
           "Ngày cập nhật": "16/07/2025 10:00", "Số điện thoại": "0912 345 678"}
    import_records(sqlite_sessions, [row])
    from hotline.db import transaction

    with transaction(sqlite_sessions) as session:
        subscribe(session, get_by_code(session, code), "zalo", "2501", "vi")
    import_records(sqlite_sessions, [dict(row, **{"Trạng thái": "Đã có kết quả", "Ngày cập nhật": "23/07/2025 15:00"})])
    settings, _ = settings_env(**fake.env())
    sender = ZaloSender(settings, sqlite_sessions)
    try:
        assert await deliver_once(sqlite_sessions, {"zalo": sender}) == 1
    finally:
        await sender.close()
    [notice] = fake.sent_to("2501")
    assert code in notice.text and "Đã có kết quả" in notice.text


async def test_two_processes_spend_the_single_use_refresh_token_once(fake, sqlite_sessions):
    """The bridge and the web app share the token row: when both find the token expired, one
    refreshes and the other takes the new pair from the database."""
    settings, _ = settings_env(**fake.env())
    bridge_side, web_side = OAClient(settings, sqlite_sessions), OAClient(settings, sqlite_sessions)
    fake.expire_access_token()
    try:
        await asyncio.gather(bridge_side.send("2601", "Tin thứ nhất."), web_side.send("2602", "Tin thứ hai."))
    finally:
        await bridge_side.close()
        await web_side.close()
    assert fake.refreshes == 1
    assert [m.text for m in fake.sent_to("2601")] == ["Tin thứ nhất."]
    assert [m.text for m in fake.sent_to("2602")] == ["Tin thứ hai."]



async def test_an_outbox_text_retried_after_a_failed_part_does_not_repeat_the_parts_sent(fake, sqlite_sessions):
    """A reply longer than 2,000 characters goes out in parts; when the second part is refused,
    the outbox's next try sends only what is missing."""
    from hotline.notify import ZaloSender
    from hotline.zalo_oa import ZaloApiError

    settings, _ = settings_env(**fake.env())
    sender = ZaloSender(settings, sqlite_sessions)
    text = " ".join(f"Câu trả lời số {i} của tổng đài." for i in range(120))
    fake.fail_next_sends(0, -201)
    try:
        with pytest.raises(ZaloApiError):
            await sender.send("2701", text)
        assert len(fake.sent_to("2701")) == 1
        await sender.send("2701", text)
    finally:
        await sender.close()
    parts = [m.text for m in fake.sent_to("2701")]
    assert len(parts) == 2 and " ".join(parts) == text, "each part once, in order"
