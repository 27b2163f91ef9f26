"""Triage rules: priority, SLA hours and routing from kind, words and place."""

import pytest

from hotline.triage import HIGH, LOW, NORMAL, route, triage


@pytest.mark.parametrize("text", [
    "Cán bộ xã từ chối nhận hồ sơ do sáp nhập",
    "can bo tu choi nhan ho so do sap nhap xa",
    "UBND phường ko tiếp nhận hồ sơ vì bỏ cấp huyện",
    "They refused my application because of the merger of communes",
])
def test_refusal_because_of_the_reorganisation_is_high(text):
    result = triage("complaint", text)
    assert result.priority == HIGH
    assert result.sla_hours == 4
    assert "refused_due_to_reorganisation" in result.reasons


def test_plain_refusal_or_plain_merger_question_stays_normal():
    assert triage("complaint", "Cán bộ từ chối nhận hồ sơ vì thiếu giấy tờ").priority == NORMAL
    assert triage("complaint", "Sau sáp nhập xã tôi nộp hồ sơ ở đâu?").priority == NORMAL


def test_overdue_dossiers_and_extra_payment_are_high():
    assert triage("overdue_dossier", "Hồ sơ quá hạn 10 ngày").priority == HIGH
    assert triage("complaint", "Cán bộ đòi tiền bồi dưỡng mới giải quyết").priority == HIGH


def test_feedback_is_low_with_a_longer_sla_and_urgent_words_raise_it():
    assert triage("feedback", "Nên có thêm ghế ngồi chờ") == triage("feedback", "Nên có thêm ghế ngồi chờ")
    relaxed = triage("feedback", "Nên có thêm ghế ngồi chờ")
    assert (relaxed.priority, relaxed.sla_hours) == (LOW, 40)
    assert triage("feedback", "Rất gấp: khẩn cấp").priority == NORMAL


def test_unknown_kind_and_empty_text_do_not_crash():
    assert triage("nonsense", "").priority == NORMAL
    assert triage("complaint", "😀" * 1000 + "<script>alert(1)</script>").priority == NORMAL


def test_routing_prefers_the_new_commune():
    assert route("01", "00004") == "commune:00004"
    assert route("01", None) == "province:01"
    assert route(None, None) == "unrouted"
    assert triage("question_for_person", "x", "79", "26734").queue == "commune:26734"
