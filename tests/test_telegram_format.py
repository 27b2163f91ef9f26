"""Formatting rules of the Telegram bridge, without servers."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.telegram_bridge import with_retries
from bot.telegram_format import (
    MAX_CALLBACK_BYTES,
    PayloadStore,
    command_message,
    escape,
    parse_command,
    rasa_to_telegram,
    sender_id,
    split_text,
    start_replies,
    user_text,
)


def test_sender_id_is_stable_per_chat():
    assert sender_id(123) == sender_id("123") == "telegram:123"
    assert sender_id(-100200) == "telegram:-100200"


def test_html_in_replies_is_shown_literally():
    assert escape("<b>5 & 6</b>") == "&lt;b&gt;5 &amp; 6&lt;/b&gt;"
    [message] = rasa_to_telegram([{"text": "Phí <50.000đ> & miễn"}], PayloadStore())
    assert message.html == "Phí &lt;50.000đ&gt; &amp; miễn"


@pytest.mark.parametrize("text", [
    "Giấy tờ cần có. " * 900,                      # sentences
    ("Bước 1: nộp hồ sơ\n" * 400) + "\n\n" + "x" * 5000,  # lines, then one unbreakable word
    "<&>" * 3000,                                   # escaping triples the length
    "Một đoạn.\n\n" + "á" * 3990 + " cuối",
])
def test_long_text_is_split_under_the_limit_without_losing_anything(text):
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(0 < len(escape(c)) <= 4000 for c in chunks)
    assert "".join("".join(c.split()) for c in chunks) == "".join(text.split())


def test_split_prefers_paragraph_breaks():
    first, second = "a" * 2500, "b" * 2500
    assert split_text(f"{first}\n\n{second}") == [first, second]


def test_a_long_link_across_the_limit_moves_whole_to_the_next_message():
    link = "https://dichvucong.gov.vn/p/home/chi-tiet.html?ma=1.001193&q=" + "x" * 3000
    chunks = split_text("Nộp <trực tuyến> & xem: " * 40 + link)
    assert link in chunks[-1] and all(len(escape(c)) <= 4000 for c in chunks)


def test_short_and_empty_text():
    assert split_text("  xin chào  ") == ["xin chào"]
    assert split_text("") == []


def test_buttons_become_keyboard_rows_on_the_last_message():
    replies = [{"text": "Bạn cần gì?", "buttons": [
        {"title": "Thủ tục", "payload": "thủ tục làm căn cước công dân"},
        {"title": "Địa chỉ", "payload": "/ask_new_address"},
        {"title": "Hồ sơ", "payload": "tra cứu hồ sơ"},
    ]}]
    store = PayloadStore()
    [message] = rasa_to_telegram(replies, store)
    titles = [[b.title for b in row] for row in message.buttons]
    assert titles == [["Thủ tục", "Địa chỉ"], ["Hồ sơ"]]
    payloads = [store.payload_for(b.data) for row in message.buttons for b in row]
    assert payloads == ["thủ tục làm căn cước công dân", "/ask_new_address", "tra cứu hồ sơ"]


def test_long_payloads_fit_callback_data_and_come_back():
    store = PayloadStore()
    payload = '/ask_procedure{"procedure_code": "1.000894", "note": "đăng ký khai sinh có yếu tố nước ngoài"}'
    data = store.data_for(payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert store.payload_for(data) == payload
    # After a restart the hash is unknown: the title the citizen saw is sent instead.
    assert PayloadStore().payload_for(data, "Khai sinh") == "Khai sinh"


def test_image_reply_and_odd_replies():
    store = PayloadStore()
    messages = rasa_to_telegram([{"image": "https://example.org/a.png", "text": "Sơ đồ"}, "junk", {"text": 5}],
                                store)
    assert [(m.photo, m.html) for m in messages] == [("https://example.org/a.png", "Sơ đồ")]
    assert rasa_to_telegram(None, store) == []
    [only_buttons] = rasa_to_telegram([{"buttons": [{"title": "Có", "payload": "/affirm"}]}], store)
    assert only_buttons.html and only_buttons.buttons


def test_commands():
    assert parse_command("/tracuu@tro_ly_bot  H12.34-250701-0001 ") == ("tracuu", "H12.34-250701-0001")
    assert parse_command("/START") == ("start", "")
    assert parse_command("xin chào") is None
    assert command_message("tracuu", "H12.34-250701-0001") == "tra cứu hồ sơ H12.34-250701-0001"
    assert command_message("tracuu", "") == "tra cứu tình trạng hồ sơ"
    assert command_message("tracuu", "<script>") == "tra cứu tình trạng hồ sơ"
    assert command_message("phananh", "") == "/file_complaint"
    assert command_message("phananh", "đường hỏng") == "tôi muốn phản ánh: đường hỏng"
    assert command_message("huy", "") == "/stop"
    assert command_message("help", "") == "/help"
    assert command_message("unknown", "") == "/help"
    [greeting] = start_replies()
    assert "Xin chào" in greeting["text"] and "/tracuu" in greeting["text"] and greeting["buttons"]


def test_free_text_never_becomes_an_intent_payload():
    assert user_text("/greet") == "greet"
    assert user_text("  thủ tục khai sinh ") == "thủ tục khai sinh"


async def test_retries_wait_for_retry_after_and_back_off():
    waits: list[float] = []
    outcomes = [RetryAfter(3), NetworkError("connection refused"), "sent"]

    async def call():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(seconds):
        waits.append(seconds)

    assert await with_retries(call, sleep=sleep) == "sent"
    assert waits[0] >= 3 and len(waits) == 2


async def test_a_timed_out_send_is_not_repeated():
    calls = 0

    async def call():
        nonlocal calls
        calls += 1
        raise TimedOut()

    with pytest.raises(TimedOut):
        await with_retries(call, sleep=lambda s: asyncio.sleep(0))
    assert calls == 1
