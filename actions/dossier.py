"""Dossier actions: the check_dossier form (code, then the phone's last 4 digits), the answer,
a one-tap overdue ticket, and status-change subscription.

The rules live in `hotline.dossier_lookup` (verification, rate limit, texts); these actions
only read the citizen's own words, call it, and pick buttons.
"""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    buttons,
    citizen_channel,
    db_sessions,
    latest_intent,
    reply_language,
    settings,
    user_text,
)
from hotline.db import transaction
from hotline.dossier_codes import check_code, find_code
from hotline.dossier_connector import UNAVAILABLE, DossierConnector, FetchResult, sync_dossier
from hotline.dossier_lookup import (
    BAD_CODE,
    BAD_DIGITS,
    FOUND,
    answer_text,
    clean_digits,
    explanation_text,
    pause_remaining,
    verify_and_lookup,
)
from hotline.dossiers import NEEDS_DOCUMENTS, get_by_code, subscribe, view_of

log = logging.getLogger(__name__)

CODE_SLOT, DIGITS_SLOT, VERIFIED_SLOT = "dossier_code", "dossier_digits", "dossier_verified_code"
STOP_INTENTS = {"stop", "deny"}  # the form rules turn these into "cancelled"


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _neutral(text: str) -> bool:
    """A message with no words, only a code and/or digits: it says nothing about the language."""
    rest = text
    code = find_code(text)
    if code:
        rest = rest.upper().replace(code, " ")
    return not re.search(r"[^\W\d_]{2,}", rest)


def _language_before(tracker: Tracker) -> str | None:
    """The `language` slot as it was before the latest message filled it again."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                break
            seen_user = True
            continue
        if seen_user and event.get("event") == "slot" and event.get("name") == "language":
            return event.get("value")
    return None


def _language(tracker: Tracker) -> str:
    """Reply language; typing only the code or 4 digits must not flip English to Vietnamese."""
    previous = _language_before(tracker)
    if previous in ("vi", "en") and _neutral(user_text(tracker)):
        return previous
    return reply_language(tracker)


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker, vi: str, en: str) -> list[dict[str, Any]]:
    """Ask in the reply language, and keep it: the answer (a code, digits) says nothing about it."""
    lang = _language(tracker)
    dispatcher.utter_message(text=_t(lang, vi, en))
    return [SlotSet("language", lang)]


class ActionAskDossierCode(Action):
    """Asks for the code (a custom action so the language survives a code-only message)."""

    def name(self) -> str:
        return "action_ask_dossier_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        return _ask(
            dispatcher, tracker, "Bạn vui lòng nhập mã hồ sơ in trên giấy tiếp nhận (dạng 000.00.31.H29-250715-0012).",
            "Please type the dossier code printed on your receipt (it looks like 000.00.31.H29-250715-0012).")


class ActionAskDossierDigits(Action):
    def name(self) -> str:
        return "action_ask_dossier_digits"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        return _ask(
            dispatcher, tracker,
            "Để bảo vệ thông tin của bạn, vui lòng nhập 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ.",
            "To protect your data, please type the last 4 digits of the phone number given when the dossier "
            "was filed.")


class ValidateDossierForm(FormValidationAction):
    """Fills the two slots from the citizen's original words and checks their shape only."""

    def name(self) -> str:
        return "validate_dossier_form"

    async def extract_dossier_code(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if latest_intent(tracker) in STOP_INTENTS:
            return {}  # let the form be interrupted by the stop rule
        text = user_text(tracker)
        if requested == CODE_SLOT:
            return {CODE_SLOT: find_code(text) or text[:300]}
        if requested is None:  # the form is starting
            code = find_code(text)  # "tra cứu hồ sơ 000.00.31.H29-250715-0012" in one message
            return {CODE_SLOT: code} if code else {}
        return {}

    async def extract_dossier_digits(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != DIGITS_SLOT or latest_intent(tracker) in STOP_INTENTS:
            return {}
        return {DIGITS_SLOT: user_text(tracker)[:40]}

    def validate_dossier_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain):
        checked = check_code(str(value) if value is not None else "")
        if checked.ok:
            return {CODE_SLOT: checked.code}
        dispatcher.utter_message(text=checked.message(_language(tracker)))
        return {CODE_SLOT: None}

    def validate_dossier_digits(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain):
        digits = clean_digits(str(value) if value is not None else "")
        if digits:
            return {DIGITS_SLOT: digits}
        dispatcher.utter_message(text=_t(
            _language(tracker),
            "Vui lòng chỉ nhập đúng 4 chữ số cuối của số điện thoại đã khai khi nộp hồ sơ (ví dụ: 5678).",
            "Please type just the last 4 digits of the phone number given with the dossier (e.g. 5678).",
        ))
        return {DIGITS_SLOT: None}


class ActionCheckDossier(Action):
    """Verifies code + digits together and answers; the same neutral text for any mismatch."""

    def name(self) -> str:
        return "action_check_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        lang = _language(tracker)
        phone = settings().hotline_phone
        code, digits = tracker.get_slot(CODE_SLOT), tracker.get_slot(DIGITS_SLOT)

        def work():
            with transaction(db_sessions()) as session:
                return verify_and_lookup(session, tracker.sender_id or "", code, digits)

        try:
            stale = await _refresh_from_province(tracker.sender_id or "", code)
            outcome = await asyncio.to_thread(work)
        except Exception:  # database down: say so politely, never a traceback
            log.exception("dossier lookup failed")
            dispatcher.utter_message(text=_t(
                lang, f"Hệ thống tra cứu đang gặp sự cố. Vui lòng thử lại sau hoặc gọi tổng đài {phone}.",
                f"The lookup system has a problem right now. Please try again later or call {phone}."))
            return [SlotSet(CODE_SLOT, None), SlotSet(DIGITS_SLOT, None)]
        reset = [SlotSet(CODE_SLOT, None), SlotSet(DIGITS_SLOT, None), SlotSet("language", lang)]
        if outcome.kind != FOUND:
            dispatcher.utter_message(text=answer_text(outcome, lang, phone))
            if outcome.kind not in (BAD_CODE, BAD_DIGITS) and outcome.tries_left:
                dispatcher.utter_message(text=_t(lang, "Bạn muốn thử lại không?", "Would you like to try again?"),
                                         buttons=buttons((_t(lang, "Thử lại", "Try again"), "/check_dossier")))
            return [*reset, SlotSet(VERIFIED_SLOT, None)]
        view = outcome.view
        dispatcher.utter_message(text=answer_text(outcome, lang, phone))
        if stale is not None:  # shown to every verified citizen alike, so it reveals nothing
            dispatcher.utter_message(text=_t(
                lang, "Lưu ý: hệ thống hồ sơ của tỉnh đang không phản hồi, thông tin trên có thể chưa mới nhất.",
                "Note: the provincial dossier system is not answering, so this may not be the latest."))
        options = []
        explanation = explanation_text(view, lang, phone)
        if view.overdue or view.status == NEEDS_DOCUMENTS:
            dispatcher.utter_message(text=explanation)
            options.append((_t(lang, "Mở phiếu hỗ trợ cho hồ sơ này", "Open a hotline ticket for it"),
                            "/dossier_open_ticket"))
        if view.status not in ("completed", "returned", "withdrawn"):
            options.append((_t(lang, "Báo tôi khi có thay đổi", "Tell me when it changes"), "/dossier_subscribe"))
        if options:
            dispatcher.utter_message(text=_t(lang, "Bạn có muốn:", "Would you like to:"), buttons=buttons(*options))
        return [*reset, SlotSet(VERIFIED_SLOT, view.code)]


_connector: DossierConnector | None = None


async def _refresh_from_province(sender: str, code: str | None) -> FetchResult | None:
    """Update the dossier from the provincial API (when configured) before verifying.

    Only for a well-formed code from a sender who is not paused, so the bot cannot be used to
    hammer the provincial system. Returns the failed fetch when the API did not answer.
    """
    global _connector
    if not settings().dossier_api_url or not check_code(code).ok:
        return None

    def paused() -> bool:
        with db_sessions()() as session:
            return pause_remaining(session, sender) > 0

    if await asyncio.to_thread(paused):
        return None
    if _connector is None:
        _connector = DossierConnector.from_settings(settings())
    outcome = await sync_dossier(db_sessions(), _connector, code)
    return outcome.fetch if outcome.fetch.kind == UNAVAILABLE else None


class _VerifiedDossierAction(Action, ABC):
    """An action on the dossier the citizen has just verified, answered on the citizen's channel.

    Without a verified dossier it asks the citizen to look one up first and does nothing else.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        lang = reply_language(tracker)
        code = tracker.get_slot(VERIFIED_SLOT)
        if not code:
            dispatcher.utter_message(
                text=_t(lang, "Bạn cần tra cứu hồ sơ trước (mã hồ sơ và 4 số cuối điện thoại).",
                        "Please look the dossier up first (its code and your phone's last 4 digits)."),
                buttons=buttons((_t(lang, "Tra cứu hồ sơ", "Check a dossier"), "/check_dossier")))
            return []
        channel, address = citizen_channel(tracker)
        return await self.act(dispatcher, tracker, lang, code, channel, address)

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, code: str, channel: str,
                  address: str) -> list[dict[str, Any]]:
        """Do the action for the verified dossier `code`."""


class ActionDossierOpenTicket(_VerifiedDossierAction):
    """Opens (once) an overdue_dossier ticket linked to the verified dossier."""

    def name(self) -> str:
        return "action_dossier_open_ticket"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, code: str, channel: str,
                  address: str) -> list[dict[str, Any]]:
        phone = settings().hotline_phone

        def work():
            from hotline.tickets import open_ticket

            with db_sessions()() as session:
                dossier = get_by_code(session, code)
                view = view_of(dossier) if dossier else None
            if view is None:
                return None
            state = (f"quá hạn {view.days_late} ngày làm việc" if view.overdue else view.label("vi"))
            description = (f"Công dân đề nghị đôn đốc hồ sơ {view.code} ({view.procedure_name}) tại {view.agency}: "
                           f"{state}. Hẹn trả: {view.due_at:%d/%m/%Y %H:%M}." if view.due_at else
                           f"Công dân đề nghị hỗ trợ hồ sơ {view.code} ({view.procedure_name}): {state}.")
            return open_ticket(
                db_sessions(), kind="overdue_dossier", description=description, channel=channel,
                reply_address=address, sender_id=tracker.sender_id, dossier_code=view.code,
                procedure_code=view.procedure_code or None, commune_name=view.ward_name or None,
                province_name=view.province_name or None, language=lang,
                # One tap or five, one ticket per citizen and dossier.
                channel_message_id=f"dossier:{view.code}:{address}"[:128],
            )

        try:
            ticket = await asyncio.to_thread(work)
        except Exception:
            log.exception("could not open an overdue_dossier ticket")
            dispatcher.utter_message(text=_t(
                lang, f"Chưa mở được phiếu hỗ trợ. Vui lòng thử lại sau hoặc gọi tổng đài {phone}.",
                f"The ticket could not be opened. Please try again later or call {phone}."))
            return []
        if ticket is None:
            return [SlotSet(VERIFIED_SLOT, None)]
        if getattr(ticket, "created", True):
            text = _t(lang, f"Đã mở phiếu hỗ trợ {ticket.code} cho hồ sơ {code}. Tổng đài viên sẽ liên hệ cơ quan "
                            "giải quyết và trả lời bạn ngay trong cuộc trò chuyện này.",
                      f"Ticket {ticket.code} is open for dossier {code}. An operator will follow it up with the "
                      "agency and answer you in this chat.")
        else:
            text = _t(lang, f"Hồ sơ {code} đã có phiếu hỗ trợ {ticket.code}; tổng đài đang xử lý.",
                      f"Dossier {code} already has ticket {ticket.code}; the hotline is on it.")
        dispatcher.utter_message(text=text)
        return []


class ActionDossierSubscribe(_VerifiedDossierAction):
    """Subscribes the citizen's channel to status changes of the verified dossier."""

    def name(self) -> str:
        return "action_dossier_subscribe"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, code: str, channel: str,
                  address: str) -> list[dict[str, Any]]:
        def work() -> bool | None:
            with transaction(db_sessions()) as session:
                dossier = get_by_code(session, code)
                if dossier is None:
                    return None
                subscribe(session, dossier, channel, address, lang)
                return True

        try:
            done = await asyncio.to_thread(work)
        except Exception:
            log.exception("dossier subscription failed")
            done = None
        if not done:
            dispatcher.utter_message(text=_t(lang, "Chưa đăng ký được, vui lòng thử lại sau.",
                                             "That did not work, please try again later."))
            return []
        dispatcher.utter_message(text=_t(
            lang, f"Đã đăng ký. Khi hồ sơ {code} thay đổi trạng thái, tôi sẽ nhắn bạn tại đây.",
            f"Done. When dossier {code} changes status, I will message you here."))
        return []
