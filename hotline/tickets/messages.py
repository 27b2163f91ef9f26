"""Every text of the tickets capability: what citizens read (vi and en side by side) and what
operators read in the console (Vietnamese).

Change wording here only. Placeholders are `str.format` fields ({code}, {due}, {phone}…);
values are inserted as given, never parsed again. The hotline number always comes from
settings (`{phone}`), never from this file.
"""

from __future__ import annotations

from hotline.triage import PRIORITY_NAMES
from hotline.workcalendar import format_vn
from procedure_kb.i18n import EN, VI, Text, say

Language = str  # "vi" or "en"


local_time = format_vn  # a due time as citizens read it: "17:00 05/03/2026", Vietnam time


# --- what citizens read: key -> (Vietnamese, English) -----------------------------------------
CITIZEN: dict[str, Text] = {
    "busy": (
        "Xin lỗi, hệ thống đang bận nên chưa xử lý được yêu cầu. Bạn vui lòng thử lại sau ít phút hoặc gọi "
        "tổng đài {phone}.",
        "Sorry, the system is busy and could not handle this. Please try again in a few minutes or call {phone}.",
    ),
    "kind_complaint": ("phản ánh", "complaint"),
    "kind_feedback": ("góp ý", "feedback"),
    "office_hours": (
        "giờ hành chính (7:30–11:30 và 13:00–17:00, thứ Hai đến thứ Sáu, trừ ngày lễ, Tết)",
        "office hours (7:30–11:30 and 13:00–17:00, Monday to Friday, except public holidays and Tết)",
    ),
    # the complaint/feedback form
    "form_start": (
        "Tôi sẽ ghi lại {kind} của bạn để gửi tổng đài (nói \"hủy\" bất cứ lúc nào để dừng).",
        "I'll take down your {kind} for the hotline (say \"cancel\" at any time to stop).",
    ),
    "form_more_detail": (
        "Bạn kể cụ thể hơn giúp tôi: việc gì đã xảy ra, bạn cần làm gì?",
        "Please tell me a bit more: what happened, and what did you need?",
    ),
    "form_yes_or_no": ("Bạn chọn \"Có\" hoặc \"Không\" giúp tôi nhé.", "Please answer \"Yes\" or \"No\"."),
    "form_bad_phone": (
        "Số điện thoại chưa đúng. Bạn nhập 10 số, ví dụ 0912345678 (hoặc trả lời \"không\").",
        "That phone number does not look right. Please type 10 digits, e.g. 0912345678 (or \"no\").",
    ),
    "summary": (
        "Kiểm tra lại {kind} trước khi gửi:\n• Nội dung: {text}\n• Thời điểm: {when}\n• Nơi xảy ra: {place}\n"
        "• Thủ tục/hồ sơ: {ref}\n• Liên hệ: {contact}\n"
        "Bạn có thể sửa từng mục bằng các nút bên dưới. Bạn xác nhận gửi tới tổng đài chứ?",
        "Check your {kind} before sending:\n• What happened: {text}\n• When: {when}\n• Where: {place}\n"
        "• Procedure/dossier: {ref}\n• Contact: {contact}\n"
        "You can change any answer below. Send it to the hotline?",
    ),
    "summary_no_call": ("không gọi điện", "no phone call"),
    "button_send": ("Gửi", "Send"),
    "button_cancel": ("Hủy", "Cancel"),
    "change_text": ("Sửa nội dung", "Change what happened"),
    "change_when": ("Sửa thời điểm", "Change when"),
    "change_place": ("Sửa nơi xảy ra", "Change where"),
    "change_ref": ("Sửa thủ tục/hồ sơ", "Change procedure/dossier"),
    "change_contact": ("Sửa liên hệ", "Change contact"),
    "change_which": (
        "Bạn chọn mục cần sửa bằng các nút bên dưới nhé.",
        "Please pick the answer to change with the buttons below.",
    ),
    "nothing_pending": ("Không có phản ánh nào đang chờ gửi.", "There is no complaint waiting to be sent."),
    "submitted": (
        "Đã tiếp nhận. Mã phản ánh của bạn:\n{code}\nCán bộ sẽ phản hồi trong {office_hours}, chậm nhất trước "
        "{due}. {in_chat}Để xem tiến độ, nhắn \"tra cứu phản ánh {code}\".",
        "Received. Your reference:\n{code}\nAn officer will answer during {office_hours}, at the latest by {due}. "
        "{in_chat}To check progress, write \"check ticket {code}\".",
    ),
    "answer_in_chat": ("Câu trả lời sẽ gửi ngay trong cuộc trò chuyện này.",
                       "The answer will arrive in this chat."),
    "cancelled": (
        "Đã hủy, phản ánh chưa được gửi. Bạn cần gì khác cứ nhắn nhé.",
        "Cancelled; nothing was sent. Anything else I can help with?",
    ),
    # checking a ticket
    "check_code_format": (
        "Mã phản ánh có dạng PA-2026-000123 (nói \"hủy\" để dừng).",
        "A reference looks like PA-2026-000123 (say \"cancel\" to stop).",
    ),
    "check_too_many": (
        "Bạn đã thử quá nhiều lần. Vui lòng gọi tổng đài {phone} để được hỗ trợ.",
        "Too many attempts. Please call the hotline {phone}.",
    ),
    "check_paused": (
        "Đã có quá nhiều lần tra cứu sai nên việc tra cứu tạm dừng {minutes} phút. "
        "Vui lòng gọi tổng đài {phone} để được hỗ trợ.",
        "There have been too many unsuccessful lookups, so lookups are paused for {minutes} "
        "minutes. Please call the hotline {phone}.",
    ),
    "check_not_found": (
        "Không tìm thấy phản ánh nào khớp với mã và thông tin bạn cung cấp. Bạn kiểm tra lại mã "
        "(dạng PA-2026-000123) hoặc số điện thoại đã để lại nhé.",
        "No ticket matches that reference and details. Please check the reference (like PA-2026-000123) "
        "or the phone number you gave.",
    ),
    "check_status": ("Phản ánh {code}: {status}.", "{code}: {status}."),
    "check_latest_answer": ("Trả lời gần nhất của tổng đài: {reply}", "Latest answer from the hotline: {reply}"),
    "check_answer_by": ("Cán bộ sẽ trả lời chậm nhất trước {due}.", "An officer will answer by {due}."),
    "check_rate": (
        "Bạn hài lòng ở mức nào? Bấm hoặc trả lời một số từ 1 đến 5.",
        "How satisfied are you? Tap or type a number from 1 to 5.",
    ),
    "status_new": ("mới tiếp nhận", "received"),
    "status_triaged": ("đã phân loại, chờ cán bộ nhận", "triaged, waiting for an officer"),
    "status_assigned": ("đã có cán bộ nhận", "taken by an officer"),
    "status_in_progress": ("đang xử lý", "in progress"),
    "status_waiting_for_citizen": ("đang chờ bạn bổ sung thông tin", "waiting for information from you"),
    "status_resolved": ("đã giải quyết", "resolved"),
    "status_closed": ("đã đóng", "closed"),
    # a question for a person
    "handoff": (
        "Tôi đã chuyển câu hỏi của bạn tới tổng đài viên. Mã của bạn:\n{code}\nCán bộ làm việc trong "
        "{office_hours}{after_hours} và sẽ trả lời chậm nhất trước {due}. {follow_up} Việc gấp, gọi tổng đài {phone}.",
        "I've passed your question to a hotline officer. Your reference:\n{code}\nOfficers work "
        "{office_hours}{after_hours} and will answer by {due} at the latest. {follow_up} If it is urgent, call {phone}.",
    ),
    "handoff_after_hours": ("; hiện ngoài giờ, cán bộ sẽ bắt đầu xem từ {start}",
                            "; it is outside office hours now, so they will start from {start}"),
    "handoff_check_later": ("Bạn nhắn \"tra cứu phản ánh {code}\" để xem trả lời.",
                            "Write \"check ticket {code}\" to see the answer."),
    # rating
    "rate_prompt": ("Bạn chấm từ 1 (kém) đến 5 (rất tốt) giúp tôi nhé.", "Please rate from 1 (bad) to 5 (very good)."),
    "rate_nothing": ("Hiện bạn không có phản ánh nào đã giải quyết đang chờ đánh giá.",
                     "You have no resolved ticket waiting for a rating."),
    "rate_thanks": (
        "Cảm ơn bạn đã đánh giá {rating}/5 cho phản ánh {code}. Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn.",
        "Thank you for rating {code} {rating}/5. It helps us serve you better.",
    ),
    "rate_1": ("1 – kém", "1 – bad"),
    "rate_5": ("5 – rất tốt", "5 – very good"),
    # what the hotline sends on the citizen's channel (through the outbox)
    "reply_prefix": ("[{code}] Tổng đài trả lời:\n", "[{code}] Reply from the hotline:\n"),
    "resolved_notice": (
        "Phản ánh {code} của bạn đã được giải quyết.{answer}\n"
        "Bạn hài lòng ở mức nào? Bấm hoặc trả lời một số từ 1 (kém) đến 5 (rất tốt).",
        "Your request {code} has been resolved.{answer}\n"
        "How satisfied are you? Tap or type a number from 1 (bad) to 5 (very good).",
    ),
}


def language(value: str | None) -> Language:
    """A stored ticket language: English when asked for, else Vietnamese (the assistant's policy)."""
    return EN if value == EN else VI


def citizen(key: str, lang: str | None, **values) -> str:
    """The citizen's text `key` in their language, placeholders filled (`procedure_kb.i18n.say`)."""
    return say(CITIZEN[key], language(lang), **values)


def kind_noun(kind: str | None, lang: str | None) -> str:
    """"phản ánh"/"góp ý" (complaint/feedback) for the form's wording."""
    return citizen("kind_feedback" if kind == "feedback" else "kind_complaint", lang)


def status_text(status: str, lang: str | None) -> str:
    """A ticket status as the citizen reads it."""
    key = f"status_{status}"
    return citizen(key, lang) if key in CITIZEN else status


def rating_buttons(lang: str | None = "vi") -> list[dict[str, str]]:
    """The 1–5 rating as quick replies; the payload is the digit the assistant's rating intent knows."""
    titles = {1: citizen("rate_1", lang), 5: citizen("rate_5", lang)}
    return [{"title": titles.get(n, str(n)), "payload": str(n)} for n in range(1, 6)]


# --- what operators read in the console (Vietnamese only) -------------------------------------
OPERATOR: dict[str, str] = {
    "handoff_description": "Công dân đề nghị gặp cán bộ: {question}",
    "handoff_earlier": "\nCâu hỏi trước đó: {earlier}",
    "done_claim": "Bạn đã nhận phản ánh.",
    "done_assign": "Đã giao cho {assignee}.",
    "done_status": "Đã chuyển sang “{status}”.",
    "done_priority": "Đã đổi mức ưu tiên.",
    "done_note": "Đã thêm ghi chú nội bộ.",
    "done_reply": "Đã gửi trả lời tới công dân; phản ánh chuyển sang “Chờ công dân”.",
    "done_reply_not_delivered": ("Đã ghi câu trả lời, phản ánh chuyển sang “Chờ công dân”. Kênh này không nhận tin "
                                 "tự động: hãy gọi lại cho công dân."),
    "done_resolve": "Đã đánh dấu giải quyết và mời công dân đánh giá.",
    "done_phone": "Số điện thoại đã hiện (việc xem được ghi vào lịch sử).",
    "done_reopen": "Đã mở lại phản ánh.",
    "failed": "Không thực hiện được: {error}",
    "pick_status": "Hãy chọn trạng thái mới.",
    "not_found": "Không tìm thấy phản ánh.",
    # history lines (the console's ticket page)
    "event_created": "Mức ưu tiên {priority}, chuyển tới {place}",
    "event_created_reasons": "; lý do: {reasons}",
    "event_assigned": "Giao cho {assignee}",
    "event_claimed": "Đã nhận phản ánh để xử lý",
    "event_not_delivered": "\n(Không gửi tự động được qua kênh này: hãy gọi lại hoặc liên hệ công dân.)",
    "event_phone_revealed": "Đã xem số điện thoại đầy đủ để gọi lại công dân",
    # actors and queue places in the history
    "actor_citizen": "Công dân",
    "actor_system": "Hệ thống",
    "place_commune_code": "xã/phường mã {code}",
    "place_province_code": "tỉnh mã {code}",
    "place_unrouted": "hàng đợi chung (chưa rõ địa bàn)",
    # the phone-call intake
    "call_read_back": "Mã phản ánh của anh/chị là P A, năm {year}, số {spoken}. Cán bộ sẽ trả lời chậm nhất trước {due}.",
    "call_choose_kind": "Chọn loại phản ánh.",
    "call_describe": "Ghi lại nội dung cuộc gọi (việc gì đã xảy ra).",
    "call_bad_phone": "Số điện thoại chưa đúng (10 số, ví dụ 0912345678).",
    "call_choose_ward": "Chọn đúng xã/phường trong danh sách (hoặc để trống).",
    "call_unknown_ward": "Không tìm thấy xã/phường này: sửa lại, hoặc để trống.",
    "call_not_created": "Không tạo được: {error}",
    "call_created": "Đã tạo phản ánh {code} từ cuộc gọi.",
    # canned replies
    "canned_saved": "Đã lưu câu trả lời mẫu.",
    "canned_not_saved": "Không lưu được: {error}",
}

# TicketError messages (English, as the JSON API gives them) as the console shows them.
ERRORS_VI = {
    "only the officer handling this ticket can see the phone number":
        "Chỉ cán bộ đang xử lý phản ánh mới xem được số điện thoại.",
    "the citizen did not agree to be called": "Công dân không đồng ý được gọi điện.",
    "the citizen left no phone number": "Công dân không để lại số điện thoại.",
    "the reply is empty": "Câu trả lời đang để trống.",
    "the note is empty": "Ghi chú đang để trống.",
    "claim the ticket first": "Hãy nhận phản ánh trước.",
    "already claimed": "Phản ánh này đã có người nhận.",
    "no such assignee": "Không có cán bộ này.",
}


def operator(key: str, **values) -> str:
    """The console's text `key`, placeholders filled."""
    template = OPERATOR[key]
    return template.format(**values) if values else template


def operator_error(message: str) -> str:
    """A TicketError as the console's flash shows it."""
    return operator("failed", error=ERRORS_VI.get(message, message))


# Console labels (Vietnamese).
STATUS_LABELS = {
    "new": "Mới", "triaged": "Đã phân loại", "assigned": "Đã nhận", "in_progress": "Đang xử lý",
    "waiting_for_citizen": "Chờ công dân", "resolved": "Đã giải quyết", "closed": "Đã đóng",
}
EVENT_LABELS = {
    "created": "Tiếp nhận", "claimed": "Nhận xử lý", "assigned": "Giao việc", "status": "Đổi trạng thái",
    "priority": "Đổi ưu tiên", "note": "Ghi chú", "reply": "Trả lời công dân", "resolved": "Giải quyết",
    "reopened": "Mở lại", "rated": "Công dân đánh giá", "citizen_message": "Công dân nhắn thêm",
    "phone_revealed": "Xem số điện thoại",
}
REASON_LABELS = {
    "refused_due_to_reorganisation": "từ chối hồ sơ vì sắp xếp đơn vị hành chính",
    "overdue_dossier": "hồ sơ quá hạn", "extra_payment_demanded": "bị đòi tiền ngoài quy định",
    "marked_urgent": "công dân báo gấp",
}
QUEUE_LABELS = {
    "unassigned": "Chưa ai nhận",
    "mine": "Của tôi",
    "sla": "Sắp / đã quá hạn SLA",
    "open": "Tất cả đang mở",
    "commune": "Theo xã/phường",
    "province": "Theo tỉnh/thành",
    "kind": "Theo loại",
}
# Where a ticket came from: the ticket page's label and the queue table's short one (every Channel).
CHANNEL_LABELS = {"web": "Trợ lý trên web", "telegram": "Telegram", "zalo": "Zalo", "rest": "Trợ lý (REST)",
                  "phone": "Điện thoại", "api": "API"}
CHANNEL_SHORT = {"web": "Web", "telegram": "Telegram", "zalo": "Zalo", "rest": "REST", "phone": "Điện thoại",
                 "api": "API"}
SLA_LABELS = {"ok": "Trong hạn", "due_soon": "Sắp đến hạn", "breached": "Quá hạn", "met": "Đã phản hồi đúng hạn"}
PRIORITY_LABELS = {1: "Cao", 2: "Bình thường", 3: "Thấp"}
PRIORITY_BY_NAME = {PRIORITY_NAMES[number]: label for number, label in PRIORITY_LABELS.items()}
