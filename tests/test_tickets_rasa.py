"""The whole ticket flow over the real Rasa server -> action server -> database -> operator -> citizen."""

from __future__ import annotations

import re
import uuid

import pytest
from conftest import http_json
from sqlalchemy import select

from hotline import tickets as T
from hotline.db import make_engine, make_session_factory, transaction
from hotline.users import User, create_user

CODE = re.compile(r"PA-\d{4}-\d{6}")


@pytest.fixture(scope="module")
def hotline_db(stack):
    engine = make_engine(stack.env["HOTLINE_DATABASE_URL"])
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        if not session.execute(select(User).where(User.username == "lan")).first():
            create_user(session, "lan", "mat-khau-123", "operator", rounds=4)
    yield factory
    engine.dispose()


def api(stack, method: str, path: str, payload=None):
    token = (stack.var_dir / "api.token").read_text().strip()
    return http_json(method, f"{stack.web_url}{path}", payload, headers={"Authorization": f"Bearer {token}"})


def test_complaint_form_to_operator_reply_on_the_web_widget(stack, hotline_db):
    session_id = uuid.uuid4().hex
    sender = f"web:{session_id}"
    assert "việc gì đã xảy ra" in stack.texts(sender, "tôi muốn khiếu nại").lower()
    # short steps, one question each: what, when, at which office, which procedure, may we call
    asked_when = stack.texts(sender, "Cán bộ phường từ chối nhận hồ sơ đăng ký khai sinh của tôi, nói là đang "
                                     "sáp nhập nên chưa nhận <script>alert(1)</script>")
    assert "khi nào" in asked_when
    asked_place = stack.texts(sender, "sáng 12/3")
    assert "cơ quan nào" in asked_place and "xã/phường" in asked_place
    assert "mã thủ tục" in stack.texts(sender, "bộ phận một cửa UBND phường Sài Gòn").lower()
    assert "gọi điện" in stack.texts(sender, "không")
    assert "số điện thoại" in stack.texts(sender, "có").lower()
    assert "chưa đúng" in stack.texts(sender, "12ab")          # a bad number is asked again, politely
    [summary] = stack.chat(sender, "0912 345 678")
    assert "091*****78" in summary["text"] and "Phường Sài Gòn" in summary["text"] and "xác nhận" in summary["text"]
    assert "Thời điểm: sáng 12/3" in summary["text"]
    titles = [b["title"] for b in summary["buttons"]]
    assert titles[0] == "Gửi" and titles[-1] == "Hủy" and "Sửa thời điểm" in titles and "Sửa liên hệ" in titles
    # check your answers: change one answer; only that one is asked again, the rest is kept
    change = next(b["payload"] for b in summary["buttons"] if b["title"] == "Sửa thời điểm")
    assert "khi nào" in stack.texts(sender, change)
    summary = stack.texts(sender, "chiều 12/3")
    assert "Thời điểm: chiều 12/3" in summary and "sáng 12/3" not in summary
    assert "091*****78" in summary and "Phường Sài Gòn" in summary
    assert "cơ quan nào" in stack.texts(sender, "sửa nơi xảy ra")     # typed works too
    summary = stack.texts(sender, "bộ phận một cửa UBND phường Sài Gòn")
    assert "Phường Sài Gòn" in summary and "xác nhận" in summary
    done = stack.texts(sender, "/affirm")
    code = CODE.search(done).group(0)
    assert code in [line.strip() for line in done.splitlines()]   # the code on a line of its own
    assert "chưa hiểu" not in done                          # no fallback tacked on (it would undo the turn)
    with transaction(hotline_db) as session:
        ticket = T.get_ticket(session, code)
        assert (ticket.kind, ticket.channel, ticket.reply_address) == ("complaint", "web", session_id)
        assert ticket.priority == 1                              # refused because of the merger: high
        assert ticket.commune_name == "Phường Sài Gòn" and ticket.phone == "0912345678"
        assert ticket.occurred == "chiều 12/3" and ticket.office == "bộ phận một cửa UBND phường Sài Gòn"
        assert "<script>alert(1)</script>" in ticket.description
        assert any(line["who"] == "citizen" for line in ticket.transcript)
    # the owner checks it; a stranger needs the phone's last 4 digits and learns nothing without them
    assert "mới tiếp nhận" in stack.texts(sender, f"tra cứu phản ánh {code}")
    stranger = f"web:{uuid.uuid4().hex}"
    assert "4 số cuối" in stack.texts(stranger, f"tra cứu phản ánh {code}")
    refused = stack.texts(stranger, "0000")
    assert "Không tìm thấy" in refused and "Sài Gòn" not in refused
    # the operator answers through the API; the answer reaches the citizen's widget
    status, _ = api(stack, "POST", f"/api/tickets/{code}/claim", {"operator": "lan"})
    assert status == 200
    status, _ = api(stack, "POST", f"/api/tickets/{code}/reply",
                    {"operator": "lan", "text": "Phường đã tiếp nhận hồ sơ của bạn từ hôm nay."})
    assert status == 200
    status, _ = api(stack, "POST", f"/api/tickets/{code}/resolve", {"operator": "lan", "text": "Đã xử lý."})
    assert status == 200
    status, inbox = http_json("POST", f"{stack.web_url}/api/widget/messages", {"session": session_id})
    texts = [m["text"] for m in inbox["messages"]]
    assert any("Phường đã tiếp nhận hồ sơ của bạn từ hôm nay." in t for t in texts)
    assert any("1 (kém) đến 5" in t for t in texts)
    rating = next(m for m in inbox["messages"] if "1 (kém) đến 5" in m["text"])
    assert [b["payload"] for b in rating["buttons"]] == ["1", "2", "3", "4", "5"]   # the rating as buttons
    answered = stack.chat(sender, f"tra cứu phản ánh {code}")
    assert "đã giải quyết" in answered[0]["text"] and "Đã xử lý." in answered[0]["text"]
    assert [b["payload"] for b in answered[0]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert "5/5" in stack.texts(sender, "5")                 # what the "5" button sends
    with transaction(hotline_db) as session:
        assert T.get_ticket(session, code).csat_rating == 5


def test_cancelled_complaint_stores_nothing(stack, hotline_db):
    sender = f"web:{uuid.uuid4().hex}"
    stack.texts(sender, "tôi muốn khiếu nại")
    stack.texts(sender, "Cán bộ một cửa thái độ hách dịch, quát tháo người dân")
    assert "Đã hủy" in stack.texts(sender, "hủy")
    with transaction(hotline_db) as session:
        assert T.tickets_of_sender(session, sender) == []


def test_the_welcome_button_gui_phan_anh_starts_a_complaint(stack, hotline_db):
    # typed, the greeting button's payload, and the widget's welcome button
    for said in ("Gửi phản ánh", "gui phan anh", "tôi muốn gửi phản ánh", "/file_complaint"):
        answer = stack.texts(f"web:{uuid.uuid4().hex}", said)
        assert "ghi lại phản ánh" in answer and "việc gì đã xảy ra" in answer.lower(), said
        assert "chưa hiểu" not in answer


def test_an_english_complaint_is_checked_and_changed_in_english(stack, hotline_db):
    sender = f"web:{uuid.uuid4().hex}"
    assert "What happened?" in stack.texts(sender, "I want to file a complaint")
    assert "When did it happen?" in stack.texts(sender, "The commune office refused my birth registration papers")
    assert "At which office" in stack.texts(sender, "yesterday")
    stack.texts(sender, "not sure")                  # place: skipped, never a "stop"
    stack.texts(sender, "no")                        # no procedure or dossier
    [summary] = stack.chat(sender, "no")             # no phone call
    assert "When: yesterday" in summary["text"] and "Where: —" in summary["text"]
    change = next(b["payload"] for b in summary["buttons"] if b["title"] == "Change when")
    assert "When did it happen?" in stack.texts(sender, change)
    assert "When: this morning" in stack.texts(sender, "this morning")
    done = stack.texts(sender, "/affirm")
    code = CODE.search(done).group(0)
    assert "Your reference:\n" + code + "\n" in done


def test_human_handoff_creates_a_question_with_the_transcript(stack, hotline_db):
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    stack.texts(sender, "xin chào")
    answer = stack.texts(sender, "cho tôi nói chuyện với người thật")
    code = CODE.search(answer).group(0)
    assert "giờ hành chính" in answer and "trong cuộc trò chuyện này" in answer
    with transaction(hotline_db) as session:
        ticket = T.get_ticket(session, code)
        assert ticket.kind == "question_for_person" and ticket.channel == "telegram"
        assert ticket.reply_address == sender.split(":")[1]
        assert [line["text"] for line in ticket.transcript if line["who"] == "citizen"][:1] == ["xin chào"]


def test_wrong_codes_and_odd_input_get_polite_answers(stack, hotline_db):
    sender = f"web:{uuid.uuid4().hex}"
    assert "4 số cuối" in stack.texts(sender, "tra cứu phản ánh PA-2026-999999")
    assert "4 số cuối" in stack.texts(sender, "😀😀 <b>???</b>")            # asked again, no traceback
    assert "Không tìm thấy" in stack.texts(sender, "1234")
    assert "không có phản ánh" in stack.texts(sender, "5 sao").lower()     # nothing of theirs to rate


def test_english_speaker_is_answered_in_english(stack, hotline_db):
    sender = f"web:{uuid.uuid4().hex}"
    answer = stack.texts(sender, "I want to talk to a real person please")
    assert CODE.search(answer) and "office hours" in answer


def test_a_later_yes_never_sends_a_cancelled_draft(stack, hotline_db):
    sender = f"web:{uuid.uuid4().hex}"
    stack.texts(sender, "tôi muốn khiếu nại")
    stack.texts(sender, "Bộ phận một cửa hẹn trả kết quả ba lần vẫn chưa có, không ai giải thích lý do")
    stack.texts(sender, "không nhớ rõ")              # when: the button's answer, never a "stop"
    stack.texts(sender, "không biết")                # place unknown
    stack.texts(sender, "không")                     # no procedure/dossier code
    summary = stack.texts(sender, "không")           # no phone call -> straight to the summary
    assert "xác nhận" in summary and "không gọi điện" in summary and "Thời điểm: —" in summary
    cancelled = stack.texts(sender, "hủy")
    assert "Đã hủy" in cancelled and "chưa hiểu" not in cancelled
    stack.texts(sender, "có")
    with transaction(hotline_db) as session:
        assert T.tickets_of_sender(session, sender) == []


def test_sending_yes_again_after_the_code_tells_the_same_code(stack, hotline_db):
    # The answer carrying the code can be lost on the way; the citizen taps "Gửi" again.
    sender = f"web:{uuid.uuid4().hex}"
    stack.texts(sender, "tôi muốn khiếu nại")
    stack.texts(sender, "Cán bộ xã yêu cầu nộp sổ hộ khẩu dù dữ liệu cư trú đã có trên hệ thống")
    stack.texts(sender, "hôm qua")
    stack.texts(sender, "không biết")
    stack.texts(sender, "không")
    assert "xác nhận" in stack.texts(sender, "không")
    [first] = set(CODE.findall(stack.texts(sender, "/affirm")))
    again = stack.texts(sender, "/affirm")
    assert set(CODE.findall(again)) == {first} and "chưa hiểu" not in again
    with transaction(hotline_db) as session:
        assert [t.code for t in T.tickets_of_sender(session, sender)] == [first]   # told twice, stored once
