"""Every citizen-facing dossier text, Vietnamese and English side by side, and their renderers.

Change what the assistant says about dossiers here and nowhere else: the actions, the console,
the JSON API and the status-change pushes all render from `TEXTS`. Placeholders are
`str.format` fields; the language policy is the assistant's one (`procedure_kb.i18n`): English
when the conversation is English, Vietnamese otherwise. The hotline number is never written here: it comes from
`settings.hotline_phone` (HOTLINE_PHONE), passed in or read from the environment.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hotline.dossiers.enums import DossierStatus, FetchKind, LookupOutcomeKind
from hotline.workcalendar import format_vn
from procedure_kb.i18n import Text, say

if TYPE_CHECKING:  # types only: the renderers take the results of those modules
    from hotline.dossiers.lookup import LookupOutcome
    from hotline.dossiers.service import DossierView

# key → (vi, en)
TEXTS: dict[str, Text] = {
    # ---- why a typed code was refused (hotline.dossiers.codes)
    "code.empty": ("Bạn chưa nhập mã hồ sơ.", "You did not enter a dossier code."),
    "code.too_long": ("Mã hồ sơ quá dài, có lẽ đã dán nhầm nội dung.", "That is too long to be a dossier code."),
    "code.format": (
        "Mã hồ sơ chưa đúng định dạng. Mã in trên giấy tiếp nhận có dạng 000.00.31.H29-250715-0012 "
        "(mã cơ quan - ngày tiếp nhận yymmdd - số thứ tự).",
        "That does not look like a dossier code. The code on your receipt looks like "
        "000.00.31.H29-250715-0012 (agency - receipt date yymmdd - number).",
    ),
    "code.date": (
        "Phần ngày tiếp nhận trong mã hồ sơ (6 chữ số giữa hai dấu gạch) không phải là một ngày hợp lệ.",
        "The receipt-date part of the code (the 6 digits between the dashes) is not a valid date.",
    ),
    # ---- statuses
    "status.received": ("Đã tiếp nhận", "Received"),
    "status.in_processing": ("Đang xử lý", "In processing"),
    "status.needs_additional_documents": ("Cần bổ sung hồ sơ", "Additional documents needed"),
    "status.transferred": ("Đã chuyển cơ quan khác xử lý", "Transferred to another agency"),
    "status.completed": ("Đã có kết quả", "Completed — result ready"),
    "status.returned": ("Trả lại / từ chối", "Returned / refused"),
    "status.withdrawn": ("Đã rút hồ sơ", "Withdrawn"),
    # ---- the lookup's answers (NO_MATCH never says which half was wrong)
    "lookup.bad_digits": (
        "Vui lòng nhập 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ (ví dụ: 5678).",
        "Please type the last 4 digits of the phone number given when the dossier was filed (e.g. 5678).",
    ),
    "lookup.code_locked": (
        "Mã hồ sơ này đã bị tra cứu sai quá nhiều lần nên tạm khóa tra cứu {minutes} "
        "phút để bảo vệ người nộp hồ sơ. Vui lòng gọi tổng đài {hotline}.",
        "This dossier code has had too many unsuccessful lookups, so for the applicant's safety it "
        "cannot be looked up for {minutes} minutes. Please call the hotline {hotline}.",
    ),
    "lookup.limited": (
        "Bạn đã thử quá nhiều lần không thành công. Vui lòng thử lại sau {minutes} "
        "phút hoặc gọi tổng đài {hotline}.",
        "Too many unsuccessful tries. Please try again in {minutes} minutes or call the hotline {hotline}.",
    ),
    "lookup.no_match": (
        "Không tìm thấy hồ sơ khớp với mã và 4 số điện thoại đã nhập. Vui lòng kiểm tra lại mã trên "
        "giấy tiếp nhận và số điện thoại đã khai. Số lần thử còn lại: {tries_left}.",
        "We could not find a dossier matching that code and those phone digits. Please check the code on "
        "your receipt and the phone number you gave. Tries left: {tries_left}.",
    ),
    # ---- the dossier card a verified citizen sees
    "card.title": ("Hồ sơ {code}", "Dossier {code}"),
    "card.procedure": ("Thủ tục: {name}", "Procedure: {name}"),
    "card.agency": ("Cơ quan giải quyết: {agency}", "Agency: {agency}"),
    "card.status": ("Trạng thái: {label}", "Status: {label}"),
    "card.due": ("Hẹn trả kết quả: {when}", "Due: {when}"),
    "card.overdue": ("⚠ Hồ sơ đã quá hạn {days} ngày làm việc.", "⚠ Overdue by {days} working day(s)."),
    "card.due_soon": ("Sắp đến hạn trả kết quả (trong 1 ngày làm việc).", "Due within one working day."),
    "card.ready": ("Kết quả đã sẵn sàng để nhận.", "The result is ready to collect."),
    "card.note": ("Ghi chú mới nhất của cơ quan: {note}", "Latest note from the agency: {note}"),
    # ---- what overdue / needs-documents means
    "explain.needs_documents": (
        "Cơ quan cần bạn bổ sung giấy tờ trước khi giải quyết tiếp; thời hạn tạm dừng cho đến khi bạn "
        "bổ sung. Ghi chú ở trên cho biết còn thiếu gì. Bạn có thể nhờ tổng đài hỗ trợ.",
        "The agency needs more documents before it can continue. The deadline is paused until you "
        "supply them; the note above says what is missing. You can ask the hotline for help.",
    ),
    "explain.overdue": (
        "Cơ quan đã quá thời hạn giải quyết theo quy định và phải gửi văn bản xin lỗi, hẹn lại ngày trả "
        "kết quả. Tổng đài ({hotline}) có thể đôn đốc cơ quan giúp bạn.",
        "The agency has passed the statutory deadline. It must send you a written apology stating a new "
        "date. The hotline ({hotline}) can follow it up with the agency for you.",
    ),
    # ---- the push a subscriber receives (no personal data beyond the code they gave)
    "notice.status_changed": ("Hồ sơ {code}: trạng thái mới là “{label}”{note}.",
                              "Dossier {code}: the status is now “{label}”{note}."),
    # ---- the provincial API
    "fetch.unavailable": (
        "Hệ thống hồ sơ của tỉnh hiện không phản hồi. Vui lòng thử lại sau ít phút hoặc gọi tổng đài {hotline}.",
        "The provincial dossier system is not answering right now. Please try again later "
        "or call the hotline {hotline}.",
    ),
    "fetch.not_found": ("Hệ thống của tỉnh không có hồ sơ với mã này.",
                        "No dossier with that code in the provincial system."),
    # ---- the conversation (actions/dossier.py)
    "ask.code": ("Bạn vui lòng nhập mã hồ sơ in trên giấy tiếp nhận (dạng 000.00.31.H29-250715-0012).",
                 "Please type the dossier code printed on your receipt (it looks like 000.00.31.H29-250715-0012)."),
    "ask.digits": (
        "Để bảo vệ thông tin của bạn, vui lòng nhập 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ.",
        "To protect your data, please type the last 4 digits of the phone number given when the dossier "
        "was filed.",
    ),
    "ask.digits_again": (
        "Vui lòng chỉ nhập đúng 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ (ví dụ: 5678).",
        "Please type just the last 4 digits of the phone number given with the dossier (e.g. 5678).",
    ),
    "chat.lookup_broken": ("Hệ thống tra cứu đang gặp sự cố. Vui lòng thử lại sau hoặc gọi tổng đài {hotline}.",
                           "The lookup system has a problem right now. Please try again later or call {hotline}."),
    "chat.try_again_question": ("Bạn muốn thử lại không?", "Would you like to try again?"),
    "button.try_again": ("Thử lại", "Try again"),
    "chat.stale": ("Lưu ý: hệ thống hồ sơ của tỉnh đang không phản hồi, thông tin trên có thể chưa mới nhất.",
                   "Note: the provincial dossier system is not answering, so this may not be the latest."),
    "button.open_ticket": ("Mở phiếu hỗ trợ cho hồ sơ này", "Open a hotline ticket for it"),
    "button.subscribe": ("Báo tôi khi có thay đổi", "Tell me when it changes"),
    "chat.options": ("Bạn có muốn:", "Would you like to:"),
    "chat.verify_first": ("Bạn cần tra cứu hồ sơ trước (mã hồ sơ và 4 số cuối điện thoại).",
                          "Please look the dossier up first (its code and your phone's last 4 digits)."),
    "button.check": ("Tra cứu hồ sơ", "Check a dossier"),
    "chat.ticket_failed": ("Chưa mở được phiếu hỗ trợ. Vui lòng thử lại sau hoặc gọi tổng đài {hotline}.",
                           "The ticket could not be opened. Please try again later or call {hotline}."),
    "chat.ticket_opened": (
        "Đã mở phiếu hỗ trợ {ticket} cho hồ sơ {code}. Tổng đài viên sẽ liên hệ cơ quan "
        "giải quyết và trả lời bạn ngay trong cuộc trò chuyện này.",
        "Ticket {ticket} is open for dossier {code}. An operator will follow it up with the "
        "agency and answer you in this chat.",
    ),
    "chat.ticket_exists": ("Hồ sơ {code} đã có phiếu hỗ trợ {ticket}; tổng đài đang xử lý.",
                           "Dossier {code} already has ticket {ticket}; the hotline is on it."),
    "chat.subscribe_failed": ("Chưa đăng ký được, vui lòng thử lại sau.", "That did not work, please try again later."),
    "chat.subscribed": ("Đã đăng ký. Khi hồ sơ {code} thay đổi trạng thái, tôi sẽ nhắn bạn tại đây.",
                        "Done. When dossier {code} changes status, I will message you here."),
}

# The overdue_dossier ticket's description is read by operators, always in Vietnamese.
TICKET_DESCRIPTION = ("Công dân đề nghị đôn đốc hồ sơ {code} ({procedure}) tại {agency}: {state}. "
                      "Hẹn trả: {due:%d/%m/%Y %H:%M}.")
TICKET_DESCRIPTION_NO_DUE = "Công dân đề nghị hỗ trợ hồ sơ {code} ({procedure}): {state}."
TICKET_STATE_OVERDUE = "quá hạn {days} ngày làm việc"


def text(key: str, lang: str = "vi", **values: object) -> str:
    """The text `key` in the reply language (the assistant's one policy), placeholders filled."""
    return say(TEXTS[key], lang, **values)


def configured_hotline() -> str:
    """The hotline number from the settings (HOTLINE_PHONE), for callers that were given none."""
    from hotline.settings import load_settings

    return load_settings().hotline_phone


def status_label(status: str, lang: str = "vi") -> str:
    """The status as the citizen reads it; an unknown status shows as stored."""
    key = f"status.{status}"
    return text(key, lang) if key in TEXTS else str(status)


def status_labels(lang: str = "vi") -> dict[str, str]:
    """Every status → its label (console tables)."""
    return {status.value: status_label(status, lang) for status in DossierStatus}


def code_problem(reason: str, lang: str = "vi") -> str:
    """Why a typed code was refused (`CodeCheck.reason`); an unknown reason reads as a format problem."""
    key = f"code.{reason}"
    return text(key if key in TEXTS else "code.format", lang)


def when(moment: datetime | None) -> str:
    """A stored moment as the citizen reads it: Vietnam time."""
    return format_vn(moment) if moment else "—"


def status_change_text(code: str, status: str, message: str, lang: str = "vi") -> str:
    """The notice a subscriber receives when the dossier `code` changes status."""
    note = f" — {message}" if message else ""
    return text("notice.status_changed", lang, code=code, label=status_label(status, lang), note=note)


def card_text(view: DossierView, lang: str = "vi") -> str:
    """The dossier as a verified citizen sees it (phone never shown)."""
    lines = [
        text("card.title", lang, code=view.code),
        text("card.procedure", lang, name=view.procedure_name) if view.procedure_name else "",
        text("card.agency", lang, agency=view.agency) if view.agency else "",
        text("card.status", lang, label=status_label(view.status, lang)),
        text("card.due", lang, when=when(view.due_at)),
    ]
    if view.overdue:
        lines.append(text("card.overdue", lang, days=view.days_late))
    elif view.due_soon:
        lines.append(text("card.due_soon", lang))
    elif view.status == DossierStatus.COMPLETED:
        lines.append(text("card.ready", lang))
    if view.last_message:
        lines.append(text("card.note", lang, note=view.last_message))
    return "\n".join(line for line in lines if line)


def answer_text(outcome: LookupOutcome, lang: str = "vi", hotline_phone: str | None = None) -> str:
    """The reply for a lookup outcome. NO_MATCH never says which half was wrong."""
    kind = outcome.kind
    if kind == LookupOutcomeKind.BAD_CODE:
        return code_problem(outcome.code_problem, lang)
    if kind == LookupOutcomeKind.BAD_DIGITS:
        return text("lookup.bad_digits", lang)
    if kind == LookupOutcomeKind.LIMITED:
        return text("lookup.code_locked" if outcome.code_locked else "lookup.limited", lang,
                    minutes=outcome.retry_after_minutes, hotline=hotline_phone or configured_hotline())
    if kind == LookupOutcomeKind.NO_MATCH:
        return text("lookup.no_match", lang, tries_left=outcome.tries_left)
    assert outcome.view is not None
    return card_text(outcome.view, lang)


def explanation_text(view: DossierView, lang: str = "vi", hotline_phone: str | None = None) -> str:
    """What overdue / needs-documents means for the citizen, and what they can do ("" otherwise)."""
    if view.status == DossierStatus.NEEDS_DOCUMENTS:
        return text("explain.needs_documents", lang)
    if view.overdue:
        return text("explain.overdue", lang, hotline=hotline_phone or configured_hotline())
    return ""


def fetch_text(kind: str, lang: str = "vi", hotline_phone: str | None = None) -> str:
    """Citizen-facing text for a provincial fetch that brought no dossier ("" when it did)."""
    if kind == FetchKind.UNAVAILABLE:
        return text("fetch.unavailable", lang, hotline=hotline_phone or configured_hotline())
    if kind == FetchKind.NOT_FOUND:
        return text("fetch.not_found", lang)
    if kind == FetchKind.BAD_CODE:
        return code_problem("format", lang)
    return ""


def ticket_description(view: DossierView) -> str:
    """The description of the overdue_dossier ticket a citizen opens with one tap."""
    state = (TICKET_STATE_OVERDUE.format(days=view.days_late) if view.overdue
             else status_label(view.status, "vi"))
    if view.due_at:
        return TICKET_DESCRIPTION.format(code=view.code, procedure=view.procedure_name, agency=view.agency,
                                         state=state, due=view.due_at)
    return TICKET_DESCRIPTION_NO_DUE.format(code=view.code, procedure=view.procedure_name, state=state)
