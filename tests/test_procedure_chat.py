"""Procedure answers end to end over Rasa's REST channel (real Rasa + action servers)."""

from __future__ import annotations

import re
import uuid


def _sender() -> str:
    return f"kb-{uuid.uuid4().hex[:8]}"


def test_procedure_question_gets_a_sourced_card_and_follow_ups_stay_on_it(stack) -> None:
    sender = _sender()
    replies = stack.chat(sender, "thủ tục đăng ký kết hôn")
    card = replies[0]["text"]
    assert "mã 1.000894" in card
    assert "Nơi nộp hiện nay:" in card and "Lệ phí:" in card
    assert "nguồn: Cổng Dịch vụ công quốc gia" in card and "https://dichvucong.gov.vn/" in card
    assert any(b["payload"] == "/ask_documents" for b in replies[0]["buttons"])

    fee = stack.texts(sender, "lệ phí bao nhiêu?")
    assert "Thủ tục đăng ký kết hôn" in fee and "Lệ phí" in fee
    time = stack.texts(sender, "mat bao lau")
    assert "Thủ tục đăng ký kết hôn" in time and "Thời hạn giải quyết" in time
    docs = stack.texts(sender, "cần giấy tờ gì?")
    assert docs.startswith("Hồ sơ cần có — Thủ tục đăng ký kết hôn")
    steps = stack.texts(sender, "các bước làm thế nào")
    assert steps.startswith("Các bước — Thủ tục đăng ký kết hôn (1–")
    more = stack.texts(sender, "xem thêm")
    assert more.startswith("Các bước — Thủ tục đăng ký kết hôn (5–")  # the next page of the steps


def test_english_question_gets_an_english_card(stack) -> None:
    text = stack.texts(_sender(), "how do I register my baby's birth?")
    assert "code 1.001193" in text and "Where to submit now:" in text


def test_vague_question_asks_the_separating_question_and_a_button_gives_the_card(stack) -> None:
    sender = _sender()
    replies = stack.chat(sender, "làm cccd cho con")
    assert "14 tuổi" in replies[0]["text"]  # the one question that separates the twins (first issue: age)
    buttons = [b for b in replies[0]["buttons"] if "procedure_code" in b["payload"]]
    assert len(buttons) == 2
    code = re.search(r'"procedure_code":"([\d.]+)"', buttons[0]["payload"]).group(1)
    card = stack.texts(sender, buttons[0]["payload"])
    assert f"mã {code}" in card


def test_reform_question_is_answered_from_the_faq_with_its_legal_basis(stack) -> None:
    text = stack.texts(_sender(), "căn cước ghi địa chỉ cũ có còn giá trị không")
    assert "190/2025/QH15" in text


def test_refusal_because_of_the_reorganisation_gets_the_rule_then_the_complaint_offer(stack) -> None:
    sender = _sender()
    replies = stack.chat(sender, "cán bộ từ chối nhận hồ sơ vì đang sáp nhập thì sao")
    assert "không được từ chối" in replies[0]["text"].lower() and "101/CĐ-TTg" in replies[0]["text"]
    assert [b["payload"] for b in replies[0]["buttons"]][:2] == ["/file_complaint", "/human_handoff"]
    assert not (stack.tracker(sender).get("active_loop") or {}).get("name")  # no form started by itself


def test_reform_questions_the_faq_holds_are_answered(stack) -> None:
    assert "34" in stack.texts(_sender(), "How many provinces are there now?")
    assert "Còn giá trị" in stack.texts(_sender(), "Giấy tờ ghi địa chỉ cũ còn giá trị không")
    household = stack.texts(_sender(), "sổ hộ khẩu giấy còn dùng được không")
    assert "68/2020/QH14" in household
