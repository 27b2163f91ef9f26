"""The address form end to end over REST: real Rasa and action servers (conftest `stack`)."""

from __future__ import annotations

import uuid


def _sender() -> str:
    return "addr-" + uuid.uuid4().hex[:8]


def test_full_old_address_is_answered_at_once_with_where_to_go_and_papers(stack):
    sender = _sender()
    stack.chat(sender, "địa chỉ cũ của tôi nay thuộc phường nào")
    text = stack.texts(sender, "Phường Bến Nghé, Quận 1, TP HCM")
    assert "Phường Sài Gòn" in text and "nhập toàn bộ" in text
    assert "Trung tâm Phục vụ hành chính công" in text
    assert "vẫn tiếp tục được sử dụng" in text


def test_form_asks_district_then_ward_with_buttons(stack):
    sender = _sender()
    stack.chat(sender, "địa chỉ cũ của tôi nay thuộc phường nào")
    replies = stack.chat(sender, "Huyện Ba Chẽ, Quảng Ninh")
    ward_buttons = [b for r in replies for b in r.get("buttons", [])]
    assert any(b["title"] == "Thị trấn Ba Chẽ" for b in ward_buttons)
    payload = next(b["payload"] for b in ward_buttons if b["title"] == "Thị trấn Ba Chẽ")
    assert "Xã Ba Chẽ" in stack.texts(sender, payload)


def test_ambiguous_ward_asks_one_question_then_answers(stack):
    sender = _sender()
    stack.chat(sender, "địa chỉ cũ của tôi nay thuộc phường nào")
    asked = stack.texts(sender, "Phường Trần Hưng Đạo")
    assert "tỉnh/thành phố" in asked
    assert "Phường Trần Hưng Đạo" in stack.texts(sender, "Thái Bình")


def test_english_question_gets_an_english_answer(stack):
    sender = _sender()
    stack.chat(sender, "which new ward is my old address in?")
    text = stack.texts(sender, "Ben Nghe Ward, District 1, HCMC")
    assert "is now part of" in text and "Resolution 190/2025/QH15" in text


def test_stop_leaves_the_form(stack):
    sender = _sender()
    stack.chat(sender, "địa chỉ cũ của tôi nay thuộc phường nào")
    stack.chat(sender, "stop")
    assert stack.tracker(sender).get("active_loop", {}).get("name") in (None, "")
