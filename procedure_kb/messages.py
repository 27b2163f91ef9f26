"""What the assistant says about procedures and the reform: every citizen-facing text, vi and en.

Each entry is a `Text` pair (Vietnamese, English) with `{placeholders}`, read through
`procedure_kb.i18n.say`. The presenter, the actions, the volunteer guide pages and the
Telegram/Zalo formatters render from here; to change a wording, change it here only.
"""

from __future__ import annotations

from procedure_kb.i18n import Text, say

# ---------------------------------------------------------------- examples offered

EXAMPLES_VI = ("đăng ký khai sinh", "cấp lại thẻ căn cước", "đăng ký hộ kinh doanh")
EXAMPLES_EN = ("register a birth", "replace a lost ID card", "register a household business")

# ---------------------------------------------------------------- portal vocabulary in English

LEVEL_EN = {"Cấp bộ": "ministry", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other body"}
UNIT_EN = {"Ngày làm việc": "working days", "Ngày": "days", "Giờ": "hours", "Tháng": "months", "Năm": "years",
           "Phút": "minutes"}
CHANNEL_EN = {"Trực tiếp": "in person", "Trực tuyến": "online", "Dịch vụ bưu chính": "by post"}
FREE: Text = ("Miễn phí", "Free")
NO_INFO_VI = "Không có thông tin"

# ---------------------------------------------------------------- where to submit now (Decree 118/2025)

SUBMIT_POLICE: Text = ("{body}", "{body} (police)")
SUBMIT_BOTH_LEVELS: Text = ("Trung tâm Phục vụ hành chính công cấp xã hoặc cấp tỉnh (tùy trường hợp)",
                            "the commune- or province-level Public Administration Service Center (depending on the case)")
SUBMIT_COMMUNE: Text = ("Trung tâm Phục vụ hành chính công cấp xã (xã, phường, đặc khu) nơi bạn cư trú",
                        "the commune-level Public Administration Service Center where you live")
SUBMIT_PROVINCE: Text = ("Trung tâm Phục vụ hành chính công cấp tỉnh", "the provincial Public Administration Service Center")
SUBMIT_BODY: Text = ("{body}", "{body}")
SUBMIT_ONLINE: Text = ("hoặc nộp trực tuyến tại Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)",
                       "or online at the National Public Service Portal (dichvucong.gov.vn)")
SUBMIT_PLACES: dict[str, Text] = {  # procedure_kb.procedures.SubmitPlace value -> its wording
    "police": SUBMIT_POLICE, "both_levels": SUBMIT_BOTH_LEVELS, "commune": SUBMIT_COMMUNE,
    "province": SUBMIT_PROVINCE, "body": SUBMIT_BODY,
}


def submit_where_text(place: str, body: str, online: bool, lang: str) -> str:
    """"Trung tâm Phục vụ hành chính công cấp tỉnh hoặc nộp trực tuyến tại …" in `lang`."""
    parts = [say(SUBMIT_PLACES[place], lang, body=body)] if place in SUBMIT_PLACES else []
    if online:
        parts.append(say(SUBMIT_ONLINE, lang))
    return " ".join(parts)

# ---------------------------------------------------------------- the card

CARD_TITLE: Text = ("{name} (mã {code}) — {level}", "{name} (code {code}) — {level}")
WHERE_NOW: Text = ("Nơi nộp hiện nay: ", "Where to submit now: ")
PROCESSING_TIME: Text = ("Thời hạn giải quyết: ", "Processing time: ")
FEE: Text = ("Lệ phí: ", "Fee: ")
APPLY_ONLINE: Text = ("Nộp trực tuyến: ", "Apply online: ")
LEGAL_BASIS: Text = ("Căn cứ pháp lý: ", "Legal basis: ")
OFFICIAL_IN_VI = "(Official text in Vietnamese.)"  # English only
SOURCE: Text = ("Dữ liệu năm {date}, nguồn: Cổng Dịch vụ công quốc gia, mã {code}: {url}",
                "Data as of {date}, source: National Public Service Portal, code {code}: {url}")
TRANSITION_NOTE: Text = (
    "Lưu ý: văn bản gốc còn ghi {names}. Từ 1/7/2025 không còn cấp huyện và thị trấn; "
    "hãy hiểu là cơ quan cấp xã hoặc cấp tỉnh đang giải quyết (nơi nộp ở trên).",
    "Note: the official text still says {names}. Since 1 July 2025 there is no district level and "
    "no towns (thị trấn); read these as the commune or province body that handles it now (above).",
)
NOT_STATED: Text = ("không ghi", "not stated")
UNIT_FROM_DESCRIPTION: Text = (" (theo mô tả thủ tục)", " (per the procedure description)")
NO_UNIT: Text = ("{value} (Cổng DVC không ghi đơn vị — hỏi thêm tại nơi nộp)",
                 "{value} (the portal gives no unit — ask where you submit)")

# Documents
ORIGINALS: Text = ("{n} bản chính", "{n} original")
COPIES: Text = ("{n} bản sao", "{n} copy")
FORM: Text = ("mẫu", "form")
ONLY_IF: Text = ("nếu", "only if")
HEADING_CONDITIONAL: Text = ("Nếu thuộc trường hợp riêng (chỉ nộp khi đúng với bạn):", "Only if your case applies:")
HEADING_NOTES: Text = ("Ghi chú (không phải giấy tờ cần nộp):", "Notes (not documents to bring):")
DOCS_HEADING: Text = ("Hồ sơ cần có ({parts}):", "Documents ({parts}):")
DOCS_NONE: Text = ("Cổng DVC không ghi giấy tờ", "none listed")
DOCS_REQUIRED: Text = ("{n} giấy tờ", "{n} for everyone")
DOCS_CONDITIONAL: Text = ("{more}{n} nếu thuộc trường hợp riêng", "{n} only in special cases")
DOCS_MORE_VI = "thêm "
REST_REQUIRED: Text = ("{n} giấy tờ", "{n} more for everyone")
REST_CONDITIONAL: Text = ("{n} giấy tờ nếu thuộc trường hợp riêng", "{n} for special cases")
REST_NOTES: Text = ("{n} ghi chú", "{n} notes")
REST: Text = ("… còn {parts} — gõ \"xem thêm hồ sơ\"", "… {parts} — type \"more documents\"")

# Buttons under a card
CARD_BUTTONS: tuple[tuple[Text, str], ...] = (
    (("Hồ sơ", "Documents"), "/ask_documents"),
    (("Các bước", "Steps"), "/ask_steps"),
    (("Lệ phí", "Fee"), "/ask_fee"),
    (("Thời hạn", "Time"), "/ask_processing_time"),
)

# ---------------------------------------------------------------- pages of a long part

STEPS_TITLE: Text = ("Các bước — {name}", "Steps — {name}")
DOCS_TITLE: Text = ("Hồ sơ cần có — {name}", "Documents — {name}")
NO_STEPS: Text = ("Cổng DVC không ghi các bước cho thủ tục này.", "The portal lists no steps for this procedure.")
NO_DOCS: Text = ("Cổng DVC không ghi thành phần hồ sơ cho thủ tục này.", "The portal lists no documents for this procedure.")
ALL_SHOWN: Text = ("Đã hết.", "That was all.")
TYPE_MORE: Text = ("Gõ \"xem thêm\" để xem tiếp.", "Type \"more\" for the rest.")

# ---------------------------------------------------------------- follow-up questions

WHICH_PROCEDURE: Text = ("Bạn hỏi về thủ tục nào ạ? Ví dụ: {examples}",
                         "Which procedure are you asking about? For example: {examples}")
FEE_LINE: Text = ("{name}\nLệ phí: {fee}\n{source}", "{name}\nFee: {fee}\n{source}")
TIME_LINE: Text = ("{name}\nThời hạn giải quyết: {time}\n{source}", "{name}\nProcessing time: {time}\n{source}")

# ---------------------------------------------------------------- not found / not sure

NO_MATCH: Text = (
    "Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp với \"{shown}\". Bạn thử nói rõ việc cần làm, "
    "ví dụ: {examples}. Hoặc gọi tổng đài {hotline}.",
    "Sorry, I could not find a procedure matching \"{shown}\". Try naming what you want to do, "
    "e.g. {examples}. Or call the hotline {hotline}.",
)
SEARCH_FAILED: Text = (
    "Xin lỗi, hệ thống tra cứu thủ tục đang gặp sự cố nên chưa trả lời được câu này. "
    "Bạn vui lòng gọi tổng đài {hotline} hoặc thử lại sau ít phút.",
    "Sorry, the procedure search is not working right now, so I cannot answer this. "
    "Please call the hotline {hotline} or try again in a few minutes.",
)
TALK_TO_PERSON: Text = ("Gặp tổng đài viên", "Talk to a person")
CHOICES: Text = ("Tôi chưa chắc bạn hỏi việc nào. Đây là những khả năng gần nhất — bạn chọn giúp:",
                 "I am not sure which one you mean. These are the closest — please pick one:")
CLARIFY = {  # facet -> the one question that separates near-twin procedures ("issue": see ISSUE_CASES)
    "age": ("Làm cho người dưới 14 tuổi hay từ đủ 14 tuổi trở lên?", "Is it for someone under 14, or 14 and older?"),
    "foreign": ("Việc này có người nước ngoài hoặc người đang ở nước ngoài không?",
                "Does this involve a foreigner or someone living abroad?"),
}
# The "issue" question names only the cases its buttons offer: "Bạn {a}, {b} hay {c}?"
ISSUE_QUESTION: Text = ("Bạn {cases}?", "Is it {cases}?")
ISSUE_OR: Text = (" hay ", " or ")
ISSUE_CASES: dict[str, Text] = {
    "first": ("làm lần đầu", "the first time"),
    "reissue": ("làm lại vì bị mất/hỏng", "a replacement (lost or damaged)"),
    "exchange": ("đổi (hết hạn, sai hoặc thay đổi thông tin)", "an exchange (expired, wrong or changed details)"),
    "correction": ("sửa, điều chỉnh thông tin", "a correction of details"),
}
FAQ_NOT_KNOWN: Text = (
    "Tôi chưa có câu trả lời đã được kiểm chứng cho câu hỏi này. Vui lòng hỏi tổng đài {hotline}; "
    "tôi có thể cho biết nơi nộp hồ sơ của một thủ tục hiện nay, hoặc địa chỉ cũ nay thuộc xã/phường nào.",
    "I do not have a checked answer to that yet. Please ask the hotline {hotline}; I can tell you "
    "where to submit a procedure now, or which new commune your old address is in.",
)
FORM_OFFERS: dict[str, tuple[Text, str]] = {  # an intent the gate held back -> its button
    "file_complaint": (("Gửi phản ánh", "Make a complaint"), "/file_complaint"),
    "give_feedback": (("Góp ý", "Give feedback"), "/give_feedback"),
    "check_dossier": (("Tra cứu hồ sơ", "Check a dossier"), "/check_dossier"),
    "check_ticket": (("Tra cứu phản ánh", "Check my complaint"), "/check_ticket"),
    "ask_new_address": (("Tra địa chỉ mới", "Find my new address"), "/ask_new_address"),
}

# ---------------------------------------------------------------- the volunteer guide (Vietnamese pages)

GUIDE_NO_MATCH: Text = ("Không tìm thấy thủ tục phù hợp. Hãy thử cách gọi khác.", "No matching procedure. Try other words.")
GUIDE_SEARCH_FAILED: Text = ("Tra cứu thủ tục đang gặp sự cố, chưa có kết quả. Thử lại sau ít phút hoặc gọi tổng đài {hotline}.",
                             "The procedure search is not working right now. Try again in a few minutes or call {hotline}.")
GUIDE_LEVELS = {"commune": "cấp xã", "province": "cấp tỉnh", "ministry": "cấp bộ", "other": "khác"}
GUIDE_NO_UNIT = "(chưa ghi đơn vị)"
GUIDE_NO_TIME = "Không quy định"
GUIDE_NO_FEE = NO_INFO_VI
GUIDE_SOURCE = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"

# ---------------------------------------------------------------- the reform FAQ's wrapper

FAQ_LEGAL_BASIS: Text = ("Căn cứ: {refs}.", "Legal basis: {refs}.")
FAQ_REF: Text = ("{title} số {number}", "{title} No. {number}")
FAQ_CONFIRM: Text = ("Trường hợp cụ thể của bạn, vui lòng xác nhận lại với tổng đài {hotline}.",
                     "Please confirm your particular case with the hotline {hotline}.")
FAQ_CHECKED: Text = ("(Thông tin kiểm tra ngày {date})", "(Checked on {date})")
