"""The citizen's dossier lookup: code + last 4 phone digits, one neutral answer, a rate limit.

Rules (issue #5):
- Only a matching code *and* matching last four digits of the applicant's phone shows the
  dossier. An unknown code and a known code with wrong digits get the same answer, so
  nobody can find out which codes exist.
- 5 failed tries per sender in an hour, and 10 per dossier code from all senders together
  (hotline.lookup_limits), then a pause until the oldest of them is an hour old. Failures
  live in the database so the limits hold across Rasa/action replicas. A success does not
  wipe the count: otherwise one's own dossier would reset the limit between guesses.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline import lookup_limits
from hotline.dossier_codes import CodeCheck, check_code
from hotline.dossiers import DossierView, get_by_code, view_of
from hotline.lookup_limits import LookupKind
from hotline.workcalendar import now_vn, to_vn

MAX_FAILURES = lookup_limits.SENDER_LIMIT[LookupKind.DOSSIER]

FOUND, NO_MATCH, BAD_CODE, BAD_DIGITS, LIMITED = "found", "no_match", "bad_code", "bad_digits", "rate_limited"


@dataclass(frozen=True)
class LookupOutcome:
    kind: str  # FOUND | NO_MATCH | BAD_CODE | BAD_DIGITS | LIMITED
    view: DossierView | None = None
    code: str = ""
    retry_after_minutes: int = 0
    tries_left: int = MAX_FAILURES
    code_problem: str = ""  # citizen-facing reason when kind == BAD_CODE
    code_locked: bool = False  # LIMITED because of too many failures on this code (from anyone)


def clean_digits(text: str | None) -> str | None:
    """The four digits the citizen typed ("5678", "5 6 7 8", "５６７８"), or None."""
    if text is None or len(text) > 40:
        return None
    digits = re.sub(r"[\s.\-]", "", str(text))
    digits = "".join(str(int(ch)) if ch.isdigit() else ch for ch in digits)
    return digits if re.fullmatch(r"\d{4}", digits) else None


def pause_remaining(session: Session, sender: str, code: str = "", now: datetime | None = None) -> int:
    """Minutes this sender (or anyone, for this code) must still wait (0 = may try)."""
    return lookup_limits.check(session, LookupKind.DOSSIER, sender, code, now).minutes


def verify_and_lookup(
    session: Session, sender: str, code_text: str | None, digits_text: str | None, now: datetime | None = None
) -> LookupOutcome:
    """Check the code's format, the limits (per sender and per code), then code + digits together."""
    now = to_vn(now or now_vn())
    checked = check_code(code_text, today=now.date())
    if not checked.ok:
        return LookupOutcome(BAD_CODE, code_problem=checked.reason)
    digits = clean_digits(digits_text)
    if digits is None:
        return LookupOutcome(BAD_DIGITS, code=checked.code)
    pause = lookup_limits.check(session, LookupKind.DOSSIER, sender, checked.code, now)
    if pause.blocked:
        return LookupOutcome(LIMITED, code=checked.code, retry_after_minutes=pause.minutes, tries_left=0,
                             code_locked=pause.by_code)
    dossier = get_by_code(session, checked.code)
    # Compare against a dummy when the code is unknown so both paths do the same work.
    expected = dossier.phone_last4 if dossier is not None and dossier.phone_last4 else "\x00\x00\x00\x00"
    if dossier is not None and hmac.compare_digest(expected.encode(), digits.encode()):
        return LookupOutcome(FOUND, view=view_of(dossier, now), code=checked.code)
    pause = lookup_limits.record_failure(session, LookupKind.DOSSIER, sender, checked.code, now)
    if pause.blocked:
        return LookupOutcome(LIMITED, code=checked.code, retry_after_minutes=pause.minutes, tries_left=0,
                             code_locked=pause.by_code)
    return LookupOutcome(NO_MATCH, code=checked.code, tries_left=pause.tries_left)


# ------------------------------------------------------------------ citizen-facing text

def _when(moment: datetime | None) -> str:
    return to_vn(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"


def answer_text(outcome: LookupOutcome, lang: str = "vi", hotline_phone: str = "1800 1096") -> str:
    """The reply for a lookup outcome. NO_MATCH never says which half was wrong."""
    en = lang == "en"
    if outcome.kind == BAD_CODE:
        return CodeCheck(False, reason=outcome.code_problem).message(lang)
    if outcome.kind == BAD_DIGITS:
        return ("Please type the last 4 digits of the phone number given when the dossier was filed (e.g. 5678)."
                if en else "Vui lòng nhập 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ (ví dụ: 5678).")
    if outcome.kind == LIMITED and outcome.code_locked:
        return (f"This dossier code has had too many unsuccessful lookups, so for the applicant's safety it "
                f"cannot be looked up for {outcome.retry_after_minutes} minutes. Please call the hotline "
                f"{hotline_phone}." if en else
                f"Mã hồ sơ này đã bị tra cứu sai quá nhiều lần nên tạm khóa tra cứu {outcome.retry_after_minutes} "
                f"phút để bảo vệ người nộp hồ sơ. Vui lòng gọi tổng đài {hotline_phone}.")
    if outcome.kind == LIMITED:
        return (f"Too many unsuccessful tries. Please try again in {outcome.retry_after_minutes} minutes "
                f"or call the hotline {hotline_phone}." if en else
                f"Bạn đã thử quá nhiều lần không thành công. Vui lòng thử lại sau {outcome.retry_after_minutes} "
                f"phút hoặc gọi tổng đài {hotline_phone}.")
    if outcome.kind == NO_MATCH:
        return ("We could not find a dossier matching that code and those phone digits. Please check the code on "
                f"your receipt and the phone number you gave. Tries left: {outcome.tries_left}." if en else
                "Không tìm thấy hồ sơ khớp với mã và 4 số điện thoại đã nhập. Vui lòng kiểm tra lại mã trên "
                f"giấy tiếp nhận và số điện thoại đã khai. Số lần thử còn lại: {outcome.tries_left}.")
    view = outcome.view
    assert view is not None
    lines = [
        f"Dossier {view.code}" if en else f"Hồ sơ {view.code}",
        (f"Procedure: {view.procedure_name}" if en else f"Thủ tục: {view.procedure_name}") if view.procedure_name else "",
        f"{'Agency' if en else 'Cơ quan giải quyết'}: {view.agency}" if view.agency else "",
        f"{'Status' if en else 'Trạng thái'}: {view.label(lang)}",
        f"{'Due' if en else 'Hẹn trả kết quả'}: {_when(view.due_at)}",
    ]
    if view.overdue:
        lines.append(f"⚠ Overdue by {view.days_late} working day(s)." if en
                     else f"⚠ Hồ sơ đã quá hạn {view.days_late} ngày làm việc.")
    elif view.due_soon:
        lines.append("Due within one working day." if en else "Sắp đến hạn trả kết quả (trong 1 ngày làm việc).")
    elif view.status == "completed":
        lines.append("The result is ready to collect." if en else "Kết quả đã sẵn sàng để nhận.")
    if view.last_message:
        lines.append(f"{'Latest note from the agency' if en else 'Ghi chú mới nhất của cơ quan'}: {view.last_message}")
    return "\n".join(line for line in lines if line)


def explanation_text(view: DossierView, lang: str = "vi", hotline_phone: str = "1800 1096") -> str:
    """What overdue / needs-documents means for the citizen, and what they can do."""
    en = lang == "en"
    if view.status == "needs_additional_documents":
        return ("The agency needs more documents before it can continue. The deadline is paused until you "
                "supply them; the note above says what is missing. You can ask the hotline for help."
                if en else
                "Cơ quan cần bạn bổ sung giấy tờ trước khi giải quyết tiếp; thời hạn tạm dừng cho đến khi bạn "
                "bổ sung. Ghi chú ở trên cho biết còn thiếu gì. Bạn có thể nhờ tổng đài hỗ trợ.")
    if view.overdue:
        return ("The agency has passed the statutory deadline. It must send you a written apology stating a new "
                f"date. The hotline ({hotline_phone}) can follow it up with the agency for you."
                if en else
                "Cơ quan đã quá thời hạn giải quyết theo quy định và phải gửi văn bản xin lỗi, hẹn lại ngày trả "
                f"kết quả. Tổng đài ({hotline_phone}) có thể đôn đốc cơ quan giúp bạn.")
    return ""
