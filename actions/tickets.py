"""Hotline actions: complaint/feedback form, ticket status, hand-off to a person, rating.

Thin: they read the citizen's own words (`user_text`), call `hotline.tickets`, and word the
answer in the citizen's language. Tickets are committed by `open_ticket` before any code is
shown, and every lookup goes through the ownership check, so nobody sees another's ticket.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    buttons,
    citizen_channel,
    db_sessions,
    latest_intent,
    pick,
    reply_language,
    settings,
    user_text,
)
from hotline import places, tickets
from hotline.db import transaction
from hotline.masking import mask_phone
from hotline.workcalendar import DEFAULT_CALENDAR, VN_TZ, now_vn
from procedure_kb.textnorm import fold

log = logging.getLogger(__name__)

FORM_SLOTS = ("complaint_text", "complaint_when", "complaint_place", "complaint_office", "complaint_ref",
              "contact_consent", "contact_phone",
              "complaint_commune_code", "complaint_commune_name", "complaint_province_code",
              "complaint_province_name", "complaint_procedure_code", "complaint_dossier_code",
              "complaint_pending", "complaint_draft_id", "ticket_kind")
CHECK_SLOTS = ("ticket_code", "ticket_phone_last4")
MAX_CHECK_FAILURES = 3
_NONE_WORDS = {"khong", "khong co", "ko", "k", "chua co", "khong biet", "no", "none", "nope", "skip", "bo qua",
               "khong nho", "don't know", "dont know", "n/a", "khong nho ro", "not sure", "i don't remember",
               "i dont remember", "don't remember"}
NOT_GIVEN = "—"
# What each "change" button (or typed request) of the check-your-answers summary clears, so the form asks again.
CHANGE_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("complaint_text",),
    "when": ("complaint_when",),
    "place": ("complaint_place", "complaint_office", "complaint_commune_code", "complaint_commune_name",
              "complaint_province_code", "complaint_province_name"),
    "ref": ("complaint_ref", "complaint_procedure_code", "complaint_dossier_code"),
    "contact": ("contact_consent", "contact_phone"),
}
# Typed requests ("sửa số điện thoại"): the first field whose words appear, checked in this order.
_CHANGE_WORDS = (
    ("contact", re.compile(r"\b(lien he|dien thoai|sdt|so dt|goi dien|phone|contact|call)\b")),
    ("text", re.compile(r"\b(noi dung|mo ta|su viec|viec gi|description|what happened|details?)\b")),
    ("when", re.compile(r"\b(thoi gian|thoi diem|khi nao|ngay|luc nao|when|date|time|day)\b")),
    ("ref", re.compile(r"\b(thu tuc|ho so|ma|procedure|dossier|code|reference)\b")),
    ("place", re.compile(r"\b(noi|dia ban|co quan|xa|phuong|dia chi|o dau|place|office|where|ward|commune)\b")),
)
_YES = re.compile(r"^(co|dong y|ok|oke|yes|y|u|vang|da|duoc|chac chan|sure)\b")
_NO = re.compile(r"^(khong|ko|k|no|nope|thoi|khong dong y)\b")
_PROCEDURE_CODE = re.compile(r"\b\d\.\d{6}\b")
_DOSSIER_CODE = re.compile(r"\b(?=[A-Za-z0-9.\-/]*\d)[A-Za-z0-9][A-Za-z0-9.\-/]{5,40}\b")
STATUS_VI = {"new": "mới tiếp nhận", "triaged": "đã phân loại, chờ cán bộ nhận", "assigned": "đã có cán bộ nhận",
             "in_progress": "đang xử lý", "waiting_for_citizen": "đang chờ bạn bổ sung thông tin",
             "resolved": "đã giải quyết", "closed": "đã đóng"}
STATUS_EN = {"new": "received", "triaged": "triaged, waiting for an officer", "assigned": "taken by an officer",
             "in_progress": "in progress", "waiting_for_citizen": "waiting for information from you",
             "resolved": "resolved", "closed": "closed"}
OFFICE_HOURS_VI = "giờ hành chính (7:30–11:30 và 13:00–17:00, thứ Hai đến thứ Sáu, trừ ngày lễ, Tết)"
OFFICE_HOURS_EN = "office hours (7:30–11:30 and 13:00–17:00, Monday to Friday, except public holidays and Tết)"


def _local(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


async def _db(fn, *args):
    """fn(session, *args) in one committed transaction on a worker thread."""
    def work():
        with transaction(db_sessions()) as session:
            return fn(session, *args)

    return await asyncio.to_thread(work)


def _sorry(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    phone = settings().hotline_phone
    dispatcher.utter_message(text=pick(
        tracker,
        f"Xin lỗi, hệ thống đang bận nên chưa xử lý được yêu cầu. Bạn vui lòng thử lại sau ít phút hoặc gọi tổng đài {phone}.",
        f"Sorry, the system is busy and could not handle this. Please try again in a few minutes or call {phone}.",
    ))


def transcript(tracker: Tracker, limit: int = 40) -> list[dict[str, str]]:
    """The conversation so far, with the citizen's own words (not the NLU's folded copy)."""
    lines = []
    for event in tracker.events:
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            text = parse.get("text_original") or event.get("text") or ""
            if text and not text.startswith("/"):
                lines.append({"who": "citizen", "text": text[:1000]})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"who": "bot", "text": event["text"][:1000]})
    return lines[-limit:]


NO_PLACE: dict[str, str | None] = {"complaint_commune_code": None, "complaint_commune_name": None,
                                   "complaint_province_code": None, "complaint_province_name": None}


def resolve_place(text: str) -> dict[str, str | None]:
    """New commune/province from what the citizen typed: an office or new ward name, else an old address."""
    place = dict(NO_PLACE)
    found = places.resolve(text)
    if found.status == "found" and found.ward:
        ward = found.ward
        return {"complaint_commune_code": ward["code"], "complaint_commune_name": ward["name"],
                "complaint_province_code": ward["province_code"], "complaint_province_name": ward["province"]}
    place["complaint_commune_name"] = text[:128]
    return place


def parse_reference(text: str) -> dict[str, str | None]:
    """Procedure code (1.000894) or dossier code from the answer, or none of them."""
    folded = fold(text).strip(" .!")
    if folded in _NONE_WORDS or not folded:
        return {"complaint_ref": "none", "complaint_procedure_code": None, "complaint_dossier_code": None}
    procedure = _PROCEDURE_CODE.search(text)
    without = _PROCEDURE_CODE.sub(" ", text)
    dossier = _DOSSIER_CODE.search(without)
    return {"complaint_ref": text[:120],
            "complaint_procedure_code": procedure.group(0) if procedure else None,
            "complaint_dossier_code": dossier.group(0) if dossier else None}


def _yes_no(tracker: Tracker) -> str | None:
    """"yes"/"no" from the words first (short answers are unambiguous), then from the intent."""
    folded = fold(user_text(tracker)).strip()
    if _NO.match(folded):
        return "no"
    if _YES.match(folded):
        return "yes"
    intent = latest_intent(tracker)
    return {"affirm": "yes", "deny": "no"}.get(intent)


def _wants_to_stop(tracker: Tracker) -> bool:
    """The citizen said "hủy"/"cancel": extracting nothing makes the form reject, so the stop rule runs.

    Only short messages count: a long description is an answer even if the NLU hears "stop" in it,
    and so is a skip answer to an optional step.
    """
    intent = latest_intent(tracker)
    text = user_text(tracker)
    # "không nhớ rõ", "bỏ qua" answer an optional question; they never cancel the draft.
    return intent == "stop" and len(text.split()) <= 6 and fold(text).strip(" .!") not in _NONE_WORDS


# Inside a form, an unusable answer must still set the asked slot (to None): a form whose
# validation sets no slot is rejected and the conversation would leave the form.


class ActionStartComplaint(Action):
    """Starts a complaint or feedback draft; a detailed first message already counts as the description."""

    def name(self) -> str:
        return "action_start_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        kind = "feedback" if intent == "give_feedback" else "complaint"
        events = [SlotSet(slot, None) for slot in FORM_SLOTS]
        events += [SlotSet("ticket_kind", kind), SlotSet("complaint_draft_id", uuid.uuid4().hex)]
        text = user_text(tracker).strip()
        if len(text.split()) >= 10:
            events.append(SlotSet("complaint_text", text[:tickets.MAX_DESCRIPTION]))
        dispatcher.utter_message(text=pick(
            tracker,
            "Tôi sẽ ghi lại " + ("góp ý" if kind == "feedback" else "phản ánh") + " của bạn để gửi tổng đài "
            "(nói \"hủy\" bất cứ lúc nào để dừng).",
            "I'll take down your " + kind + " for the hotline (say \"cancel\" at any time to stop).",
        ))
        return events


class ValidateComplaintForm(FormValidationAction):
    """Fills the complaint form from the citizen's own words."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        slots = list(domain_slots)
        if tracker.get_slot("contact_consent") == "no" and "contact_phone" in slots:
            slots.remove("contact_phone")
        return slots

    def _asked(self, tracker: Tracker, slot: str) -> str | None:
        """The citizen's answer when `slot` was asked; None lets the form step aside (e.g. "hủy")."""
        if tracker.get_slot("requested_slot") != slot or _wants_to_stop(tracker):
            return None
        return user_text(tracker).strip() or None

    async def extract_complaint_text(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_text")
        return {"complaint_text": text} if text else {}

    async def validate_complaint_text(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").replace("\x00", "").strip()
        if len(re.sub(r"\W", "", text)) < 5:
            dispatcher.utter_message(text=pick(
                tracker, "Bạn kể cụ thể hơn giúp tôi: việc gì đã xảy ra, bạn cần làm gì?",
                "Please tell me a bit more: what happened, and what did you need?"))
            return {"complaint_text": None}
        return {"complaint_text": text[:tickets.MAX_DESCRIPTION]}

    async def extract_complaint_when(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_when")
        return {"complaint_when": text[:120]} if text else {}

    async def validate_complaint_when(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"complaint_when": NOT_GIVEN if fold(text).strip(" .!") in _NONE_WORDS else text[:120]}

    async def extract_complaint_place(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_place")
        return {"complaint_place": text[:200]} if text else {}

    async def validate_complaint_place(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        if fold(text).strip(" .!") in _NONE_WORDS:
            return {"complaint_place": NOT_GIVEN, "complaint_office": None, **NO_PLACE}
        place = await asyncio.to_thread(resolve_place, text)
        shown = place["complaint_commune_name"] or text
        if place["complaint_province_name"]:
            shown = f"{shown}, {place['complaint_province_name']}"
        # The citizen's own words name the office ("bộ phận một cửa UBND phường …"); keep them
        # unless they were just the commune's name.
        office = None if fold(text) == fold(place["complaint_commune_name"] or "") else text[:200]
        return {"complaint_place": shown if office is None or not place["complaint_commune_code"] else f"{text} ({shown})",
                "complaint_office": office, **place}

    async def extract_complaint_ref(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_ref")
        return {"complaint_ref": text} if text else {}

    async def validate_complaint_ref(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return parse_reference(str(value or ""))

    async def extract_contact_consent(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "contact_consent" or _wants_to_stop(tracker):
            return {}
        answer = _yes_no(tracker)
        if answer is None:
            dispatcher.utter_message(text=pick(tracker, "Bạn chọn \"Có\" hoặc \"Không\" giúp tôi nhé.",
                                               "Please answer \"Yes\" or \"No\"."))
        return {"contact_consent": answer}

    async def extract_contact_phone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "contact_phone")
        if not text:
            return {}
        phone = tickets.normalize_phone(text)
        if phone is None and _NO.match(fold(text).strip()):
            return {"contact_consent": "no", "contact_phone": "none"}
        if phone is None:
            dispatcher.utter_message(text=pick(
                tracker, "Số điện thoại chưa đúng. Bạn nhập 10 số, ví dụ 0912345678 (hoặc trả lời \"không\").",
                "That phone number does not look right. Please type 10 digits, e.g. 0912345678 (or \"no\")."))
        return {"contact_phone": phone}


def change_buttons(en: bool) -> list[dict[str, Any]]:
    """One "change" button per answer of the summary (GOV.UK's check your answers)."""
    titles = ({"text": "Change what happened", "when": "Change when", "place": "Change where",
               "ref": "Change procedure/dossier", "contact": "Change contact"} if en else
              {"text": "Sửa nội dung", "when": "Sửa thời điểm", "place": "Sửa nơi xảy ra",
               "ref": "Sửa thủ tục/hồ sơ", "contact": "Sửa liên hệ"})
    return buttons(*((title, f'/change_complaint{{"complaint_field":"{field}"}}') for field, title in titles.items()))


def summary_message(tracker: Tracker) -> tuple[str, list[dict[str, Any]]]:
    """The draft read back, one answer a line, with Send, a Change button per answer, and Cancel."""
    en = reply_language(tracker) == "en"
    kind = tracker.get_slot("ticket_kind") or "complaint"
    phone = tracker.get_slot("contact_phone")
    masked = mask_phone(phone) if phone and phone != "none" else None
    ref = tracker.get_slot("complaint_ref")
    ref = None if ref in (None, "none") else ref
    text = (tracker.get_slot("complaint_text") or "")[:600]
    when = tracker.get_slot("complaint_when") or NOT_GIVEN
    place = tracker.get_slot("complaint_place") or NOT_GIVEN
    if en:
        lines = [f"Check your {kind} before sending:", f"• What happened: {text}", f"• When: {when}",
                 f"• Where: {place}", f"• Procedure/dossier: {ref or NOT_GIVEN}",
                 f"• Contact: {masked or 'no phone call'}",
                 "You can change any answer below. Send it to the hotline?"]
        send, cancel = ("Send", "/affirm"), ("Cancel", "/deny")
    else:
        lines = ["Kiểm tra lại " + ("góp ý" if kind == "feedback" else "phản ánh") + " trước khi gửi:",
                 f"• Nội dung: {text}", f"• Thời điểm: {when}", f"• Nơi xảy ra: {place}",
                 f"• Thủ tục/hồ sơ: {ref or NOT_GIVEN}", f"• Liên hệ: {masked or 'không gọi điện'}",
                 "Bạn có thể sửa từng mục bằng các nút bên dưới. Bạn xác nhận gửi tới tổng đài chứ?"]
        send, cancel = ("Gửi", "/affirm"), ("Hủy", "/deny")
    return "\n".join(lines), buttons(send) + change_buttons(en) + buttons(cancel)


class ActionComplaintSummary(Action):
    """Reads the draft back and asks the citizen to confirm (or change an answer) before anything is stored."""

    def name(self) -> str:
        return "action_complaint_summary"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text, choices = summary_message(tracker)
        dispatcher.utter_message(text=text, buttons=choices)
        return [SlotSet("complaint_pending", True)]


def field_to_change(tracker: Tracker) -> str | None:
    """Which answer the citizen wants to change: the button's entity, else the words they typed."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "complaint_field" and entity.get("value") in CHANGE_FIELDS:
            return entity["value"]
    folded = fold(user_text(tracker))
    return next((field for field, words in _CHANGE_WORDS if words.search(folded)), None)


class ActionChangeComplaint(Action):
    """Clears one answer of a draft so the form asks it again; then the summary comes back.

    complaint_pending tells the rules which way to go: False -> the form asks again; True
    (the citizen did not say which answer) -> the summary is shown again with its buttons.
    """

    def name(self) -> str:
        return "action_change_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        field = field_to_change(tracker)
        if field is None or not tracker.get_slot("complaint_draft_id"):
            dispatcher.utter_message(text=pick(tracker, "Bạn chọn mục cần sửa bằng các nút bên dưới nhé.",
                                               "Please pick the answer to change with the buttons below."))
            return [SlotSet("complaint_pending", True)]
        return [SlotSet(slot, None) for slot in CHANGE_FIELDS[field]] + [
            SlotSet("complaint_pending", False), SlotSet("requested_slot", None)]


class ActionSubmitComplaint(Action):
    """Stores the confirmed draft as a ticket (idempotent per draft) and gives the code."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        clear = [SlotSet(slot, None) for slot in FORM_SLOTS]
        draft = tracker.get_slot("complaint_draft_id")
        description = tracker.get_slot("complaint_text")
        if not draft or not description or not tracker.get_slot("complaint_pending"):
            dispatcher.utter_message(text=pick(tracker, "Không có phản ánh nào đang chờ gửi.",
                                               "There is no complaint waiting to be sent."))
            return clear
        channel, address = citizen_channel(tracker)
        phone = tracker.get_slot("contact_phone")
        fields = dict(
            kind=tracker.get_slot("ticket_kind") or "complaint", description=description, channel=channel,
            reply_address=address, channel_message_id=f"draft:{draft}", sender_id=tracker.sender_id,
            phone=None if phone in (None, "none") else phone,
            contact_consent=tracker.get_slot("contact_consent") == "yes",
            province_code=tracker.get_slot("complaint_province_code"),
            province_name=tracker.get_slot("complaint_province_name"),
            commune_code=tracker.get_slot("complaint_commune_code"),
            commune_name=tracker.get_slot("complaint_commune_name"),
            procedure_code=tracker.get_slot("complaint_procedure_code"),
            dossier_code=tracker.get_slot("complaint_dossier_code"),
            occurred=None if tracker.get_slot("complaint_when") in (None, NOT_GIVEN) else tracker.get_slot("complaint_when"),
            office=tracker.get_slot("complaint_office"),
            transcript=transcript(tracker), language=reply_language(tracker),
        )
        try:
            ticket = await asyncio.to_thread(tickets.open_ticket, db_sessions(), **fields)
        except Exception:  # stored or not, the citizen must not be told a code we cannot vouch for
            log.exception("could not store a complaint")
            _sorry(dispatcher, tracker)
            return [SlotSet("complaint_pending", None)]
        due = _local(ticket.sla_due_at)
        answer_here = channel in ("telegram", "zalo", "web")
        # The code on a line of its own: easy to read out, copy or screenshot.
        dispatcher.utter_message(text=pick(
            tracker,
            f"Đã tiếp nhận. Mã phản ánh của bạn:\n{ticket.code}\nCán bộ sẽ phản hồi trong {OFFICE_HOURS_VI}, "
            f"chậm nhất trước {due}. " + ("Câu trả lời sẽ gửi ngay trong cuộc trò chuyện này. " if answer_here else "")
            + f"Để xem tiến độ, nhắn \"tra cứu phản ánh {ticket.code}\".",
            f"Received. Your reference:\n{ticket.code}\nAn officer will answer during {OFFICE_HOURS_EN}, "
            f"at the latest by {due}. " + ("The answer will arrive in this chat. " if answer_here else "")
            + f"To check progress, write \"check ticket {ticket.code}\".",
        ))
        return clear


class ActionCancelComplaint(Action):
    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=pick(
            tracker, "Đã hủy, phản ánh chưa được gửi. Bạn cần gì khác cứ nhắn nhé.",
            "Cancelled; nothing was sent. Anything else I can help with?"))
        return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


class ValidateTicketCheckForm(FormValidationAction):
    """Asks for the ticket code, then (unless it is the same sender) the phone's last 4 digits."""

    def name(self) -> str:
        return "validate_ticket_check_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return list(domain_slots)

    async def extract_ticket_code(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("ticket_code") or _wants_to_stop(tracker):
            return {}
        code = tickets.parse_code(user_text(tracker))
        if code:
            return {"ticket_code": code}
        if tracker.get_slot("requested_slot") == "ticket_code":
            dispatcher.utter_message(text=pick(
                tracker, "Mã phản ánh có dạng PA-2026-000123 (nói \"hủy\" để dừng).",
                "A reference looks like PA-2026-000123 (say \"cancel\" to stop)."))
            return {"ticket_code": None}
        return {}

    async def validate_ticket_code(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if not value:
            return {"ticket_code": None}
        owner = await _db(lambda s: tickets.ticket_for_citizen(s, value, sender_id=tracker.sender_id) is not None)
        return {"ticket_code": value, "ticket_phone_last4": "owner" if owner else None}

    async def extract_ticket_phone_last4(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "ticket_phone_last4" or _wants_to_stop(tracker):
            return {}
        digits = re.sub(r"\D", "", user_text(tracker))
        if len(digits) < 4:
            return {"ticket_phone_last4": None}  # the form asks again
        return {"ticket_phone_last4": digits[-4:]}


class ActionCheckTicket(Action):
    """Status and the last operator reply of the asker's own ticket."""

    def name(self) -> str:
        return "action_check_ticket"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        code = tracker.get_slot("ticket_code")
        last4 = tracker.get_slot("ticket_phone_last4")
        failures = int(tracker.get_slot("ticket_check_failures") or 0)
        reset = [SlotSet("ticket_code", None), SlotSet("ticket_phone_last4", None)]
        if failures >= MAX_CHECK_FAILURES:
            dispatcher.utter_message(text=pick(
                tracker, f"Bạn đã thử quá nhiều lần. Vui lòng gọi tổng đài {settings().hotline_phone} để được hỗ trợ.",
                f"Too many attempts. Please call the hotline {settings().hotline_phone}."))
            return reset

        def load(session):
            return tickets.lookup_for_citizen(session, code or "", tracker.sender_id,
                                              None if last4 == "owner" else last4)

        try:
            found = await _db(load)
        except Exception:
            log.exception("ticket lookup failed")
            _sorry(dispatcher, tracker)
            return reset
        if found.ticket is None and found.locked_minutes:
            dispatcher.utter_message(text=pick(
                tracker, f"Đã có quá nhiều lần tra cứu sai nên việc tra cứu tạm dừng {found.locked_minutes} phút. "
                         f"Vui lòng gọi tổng đài {settings().hotline_phone} để được hỗ trợ.",
                f"There have been too many unsuccessful lookups, so lookups are paused for {found.locked_minutes} "
                f"minutes. Please call the hotline {settings().hotline_phone}."))
            return reset + [SlotSet("ticket_check_failures", failures + 1)]
        if found.ticket is None:
            dispatcher.utter_message(text=pick(
                tracker, "Không tìm thấy phản ánh nào khớp với mã và thông tin bạn cung cấp. Bạn kiểm tra lại mã "
                         "(dạng PA-2026-000123) hoặc số điện thoại đã để lại nhé.",
                "No ticket matches that reference and details. Please check the reference (like PA-2026-000123) "
                "or the phone number you gave."))
            return reset + [SlotSet("ticket_check_failures", failures + 1)]
        ticket, reply = found.ticket, found.reply
        en = reply_language(tracker) == "en"
        status = (STATUS_EN if en else STATUS_VI).get(ticket.status, ticket.status)
        lines = [f"{ticket.code}: {status}." if en else f"Phản ánh {ticket.code}: {status}."]
        if reply:
            lines.append(("Latest answer from the hotline: " if en else "Trả lời gần nhất của tổng đài: ") + reply)
        elif ticket.is_open:
            lines.append(f"An officer will answer by {_local(ticket.sla_due_at)}." if en
                         else f"Cán bộ sẽ trả lời chậm nhất trước {_local(ticket.sla_due_at)}.")
        rating = None
        if ticket.status in ("resolved", "closed") and ticket.csat_rating is None and ticket.sender_id == tracker.sender_id:
            lines.append("How satisfied are you? Tap or type a number from 1 to 5." if en
                         else "Bạn hài lòng ở mức nào? Bấm hoặc trả lời một số từ 1 đến 5.")
            rating = tickets.rating_buttons("en" if en else "vi")
        dispatcher.utter_message(text="\n".join(lines), buttons=rating)
        return reset + [SlotSet("ticket_check_failures", 0)]


class ActionHumanHandoff(Action):
    """A question_for_person ticket with the conversation attached; says how and when they hear back."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        lines = transcript(tracker)
        asked = [line["text"] for line in lines if line["who"] == "citizen"]
        question = asked[-1] if asked else user_text(tracker)
        earlier = [text for text in asked[:-1] if len(text.split()) > 2][-3:]
        description = "Công dân đề nghị gặp cán bộ: " + question
        if earlier:
            description += "\nCâu hỏi trước đó: " + " | ".join(earlier)
        channel, address = citizen_channel(tracker)
        message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
        try:
            ticket = await asyncio.to_thread(
                tickets.open_ticket, db_sessions(), kind="question_for_person", description=description,
                channel=channel, reply_address=address, channel_message_id=f"handoff:{tracker.sender_id}:{message_id}",
                sender_id=tracker.sender_id, transcript=lines, language=reply_language(tracker))
        except Exception:
            log.exception("could not store a hand-off")
            _sorry(dispatcher, tracker)
            return []
        now = now_vn()
        next_open = DEFAULT_CALENDAR.add_working_hours(now, 0)
        closed_now = next_open > now
        phone = settings().hotline_phone
        here = channel in ("telegram", "zalo", "web")
        vi = (f"Tôi đã chuyển câu hỏi của bạn tới tổng đài viên. Mã của bạn:\n{ticket.code}\nCán bộ làm việc trong {OFFICE_HOURS_VI}"
              + (f"; hiện ngoài giờ, cán bộ sẽ bắt đầu xem từ {_local(next_open)}" if closed_now else "")
              + f" và sẽ trả lời chậm nhất trước {_local(ticket.sla_due_at)}. "
              + ("Câu trả lời sẽ gửi ngay trong cuộc trò chuyện này." if here
                 else f"Bạn nhắn \"tra cứu phản ánh {ticket.code}\" để xem trả lời.")
              + f" Việc gấp, gọi tổng đài {phone}.")
        en = (f"I've passed your question to a hotline officer. Your reference:\n{ticket.code}\nOfficers work {OFFICE_HOURS_EN}"
              + (f"; it is outside office hours now, so they will start from {_local(next_open)}" if closed_now else "")
              + f" and will answer by {_local(ticket.sla_due_at)} at the latest. "
              + ("The answer will arrive in this chat." if here
                 else f"Write \"check ticket {ticket.code}\" to see the answer.")
              + f" If it is urgent, call {phone}.")
        dispatcher.utter_message(text=pick(tracker, vi, en))
        return []


class ActionRateTicket(Action):
    """Records the 1–5 rating of the citizen's most recently resolved ticket."""

    def name(self) -> str:
        return "action_rate_ticket"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        match = re.search(r"(?<!\d)([1-5])(?!\d)", user_text(tracker))
        if not match:
            dispatcher.utter_message(text=pick(tracker, "Bạn chấm từ 1 (kém) đến 5 (rất tốt) giúp tôi nhé.",
                                               "Please rate from 1 (bad) to 5 (very good)."),
                                     buttons=tickets.rating_buttons(reply_language(tracker)))
            return []
        rating = int(match.group(1))

        def save(session):
            ticket = tickets.latest_resolved_unrated(session, tracker.sender_id)
            if ticket is None:
                return None
            tickets.rate(session, ticket.id, rating)
            return ticket.code

        try:
            code = await _db(save)
        except Exception:
            log.exception("rating failed")
            _sorry(dispatcher, tracker)
            return []
        if code is None:
            dispatcher.utter_message(text=pick(
                tracker, "Hiện bạn không có phản ánh nào đã giải quyết đang chờ đánh giá.",
                "You have no resolved ticket waiting for a rating."))
            return []
        dispatcher.utter_message(text=pick(
            tracker, f"Cảm ơn bạn đã đánh giá {rating}/5 cho phản ánh {code}. Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn.",
            f"Thank you for rating {code} {rating}/5. It helps us serve you better."))
        return []
