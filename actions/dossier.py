"""Dossier actions: the check_dossier form (code, then the phone's last 4 digits), the answer,
a one-tap overdue ticket, and status-change subscription.

Each action reads the slots and the citizen's own words, calls `hotline.dossiers.flows`
(verification, rate limit, the provincial refresh), and renders from
`hotline.dossiers.messages`; the only logic here is which buttons to offer.
"""

from __future__ import annotations

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
from hotline.dossiers import flows
from hotline.dossiers.codes import check_code, find_code
from hotline.dossiers.enums import FINISHED, DossierStatus, LookupOutcomeKind
from hotline.dossiers.lookup import clean_digits
from hotline.dossiers.messages import answer_text, explanation_text, text

log = logging.getLogger(__name__)

CODE_SLOT, DIGITS_SLOT, VERIFIED_SLOT = "dossier_code", "dossier_digits", "dossier_verified_code"
STOP_INTENTS = {"stop", "deny"}  # the form rules turn these into "cancelled"


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


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> list[dict[str, Any]]:
    """Ask in the reply language, and keep it: the answer (a code, digits) says nothing about it."""
    lang = _language(tracker)
    dispatcher.utter_message(text=text(key, lang))
    return [SlotSet("language", lang)]


class ActionAskDossierCode(Action):
    """Asks for the code (a custom action so the language survives a code-only message)."""

    def name(self) -> str:
        return "action_ask_dossier_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        return _ask(dispatcher, tracker, "ask.code")


class ActionAskDossierDigits(Action):
    def name(self) -> str:
        return "action_ask_dossier_digits"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        return _ask(dispatcher, tracker, "ask.digits")


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
        dispatcher.utter_message(text=text("ask.digits_again", _language(tracker)))
        return {DIGITS_SLOT: None}


class ActionCheckDossier(Action):
    """Verifies code + digits together and answers; the same neutral text for any mismatch."""

    def name(self) -> str:
        return "action_check_dossier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        lang = _language(tracker)
        phone = settings().hotline_phone
        try:
            checked = await flows.check(db_sessions(), settings(), tracker.sender_id or "",
                                        tracker.get_slot(CODE_SLOT), tracker.get_slot(DIGITS_SLOT))
        except Exception:  # database down: say so politely, never a traceback
            log.exception("dossier lookup failed")
            dispatcher.utter_message(text=text("chat.lookup_broken", lang, hotline=phone))
            return [SlotSet(CODE_SLOT, None), SlotSet(DIGITS_SLOT, None)]
        outcome = checked.outcome
        reset = [SlotSet(CODE_SLOT, None), SlotSet(DIGITS_SLOT, None), SlotSet("language", lang)]
        dispatcher.utter_message(text=answer_text(outcome, lang, phone))
        if outcome.kind != LookupOutcomeKind.FOUND:
            if outcome.kind not in (LookupOutcomeKind.BAD_CODE, LookupOutcomeKind.BAD_DIGITS) and outcome.tries_left:
                dispatcher.utter_message(text=text("chat.try_again_question", lang),
                                         buttons=buttons((text("button.try_again", lang), "/check_dossier")))
            return [*reset, SlotSet(VERIFIED_SLOT, None)]
        view = outcome.view
        if checked.stale:  # shown to every verified citizen alike, so it reveals nothing
            dispatcher.utter_message(text=text("chat.stale", lang))
        options = []
        if view.overdue or view.status == DossierStatus.NEEDS_DOCUMENTS:
            dispatcher.utter_message(text=explanation_text(view, lang, phone))
            options.append((text("button.open_ticket", lang), "/dossier_open_ticket"))
        if view.status not in FINISHED:
            options.append((text("button.subscribe", lang), "/dossier_subscribe"))
        if options:
            dispatcher.utter_message(text=text("chat.options", lang), buttons=buttons(*options))
        return [*reset, SlotSet(VERIFIED_SLOT, view.code)]


class _VerifiedDossierAction(Action, ABC):
    """An action on the dossier the citizen has just verified, answered on the citizen's channel.

    Without a verified dossier it asks the citizen to look one up first and does nothing else.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        lang = reply_language(tracker)
        code = tracker.get_slot(VERIFIED_SLOT)
        if not code:
            dispatcher.utter_message(text=text("chat.verify_first", lang),
                                     buttons=buttons((text("button.check", lang), "/check_dossier")))
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
        try:
            ticket = await flows.open_overdue_ticket(db_sessions(), code, channel=channel, address=address,
                                                     sender=tracker.sender_id, language=lang)
        except Exception:  # database down: say so politely, never a traceback
            log.exception("could not open an overdue_dossier ticket")
            dispatcher.utter_message(text=text("chat.ticket_failed", lang, hotline=settings().hotline_phone))
            return []
        if ticket is None:
            return [SlotSet(VERIFIED_SLOT, None)]
        key = "chat.ticket_opened" if getattr(ticket, "created", True) else "chat.ticket_exists"
        dispatcher.utter_message(text=text(key, lang, ticket=ticket.code, code=code))
        return []


class ActionDossierSubscribe(_VerifiedDossierAction):
    """Subscribes the citizen's channel to status changes of the verified dossier."""

    def name(self) -> str:
        return "action_dossier_subscribe"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, code: str, channel: str,
                  address: str) -> list[dict[str, Any]]:
        try:
            done = await flows.subscribe_citizen(db_sessions(), code, channel=channel, address=address,
                                                 language=lang)
        except Exception:  # database down: the citizen is told it did not work
            log.exception("dossier subscription failed")
            done = False
        if not done:
            dispatcher.utter_message(text=text("chat.subscribe_failed", lang))
            return []
        dispatcher.utter_message(text=text("chat.subscribed", lang, code=code))
        return []
