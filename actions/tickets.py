"""Hotline actions: the complaint/feedback form (ticket status, hand-off and rating are in
actions/ticket_followup.py, which shares the helpers here).

Thin: read the slots and the citizen's own words (`user_text`), make sense of them with the
pure core (`hotline.tickets.intake`), call the tickets service, and word the answer from the
catalogue (`hotline.tickets.messages`). A ticket is committed before its code is shown, and
every lookup goes through the ownership check, so nobody sees another's ticket.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.types import DomainDict

from actions.common import (
    buttons,
    citizen_channel,
    db_sessions,
    entity,
    latest_intent,
    reply_language,
    settings,
    user_text,
)
from hotline import tickets
from hotline.db import transaction
from hotline.enums import CHAT_CHANNELS
from hotline.masking import mask_phone
from hotline.tickets import intake
from hotline.tickets.intake import NOT_GIVEN, Field
from hotline.tickets.messages import citizen, kind_noun, local_time

log = logging.getLogger(__name__)

FORM_SLOTS = ("complaint_text", "complaint_when", "complaint_place", "complaint_office", "complaint_ref",
              "contact_consent", "contact_phone",
              "complaint_commune_code", "complaint_commune_name", "complaint_province_code",
              "complaint_province_name", "complaint_procedure_code", "complaint_dossier_code",
              "complaint_pending", "complaint_draft_id", "ticket_kind")
# What each "change" button (or typed request) of the check-your-answers summary clears, so the form asks again.
CHANGE_FIELDS: dict[str, tuple[str, ...]] = {
    Field.TEXT: ("complaint_text",),
    Field.WHEN: ("complaint_when",),
    Field.PLACE: ("complaint_place", "complaint_office", "complaint_commune_code", "complaint_commune_name",
                  "complaint_province_code", "complaint_province_name"),
    Field.REF: ("complaint_ref", "complaint_procedure_code", "complaint_dossier_code"),
    Field.CONTACT: ("contact_consent", "contact_phone"),
}


def say(dispatcher, tracker: Tracker, key: str, **values) -> None:
    dispatcher.utter_message(text=citizen(key, reply_language(tracker), **values))


async def in_db(fn, *args):
    """fn(session, *args) in one committed transaction on a worker thread."""
    def work():
        with transaction(db_sessions()) as session:
            return fn(session, *args)

    return await asyncio.to_thread(work)


def sorry(dispatcher, tracker: Tracker) -> None:
    say(dispatcher, tracker, "busy", phone=settings().hotline_phone)


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


def _commune_slots(found: intake.Commune) -> dict[str, str | None]:
    return {"complaint_commune_code": found.code, "complaint_commune_name": found.name,
            "complaint_province_code": found.province_code, "complaint_province_name": found.province_name}


def resolve_place(text: str) -> dict[str, str | None]:
    """The commune slots from what the citizen typed (see intake.commune)."""
    return _commune_slots(intake.commune(text))


def parse_reference(text: str) -> dict[str, str | None]:
    """The reference slots: procedure code (1.000894) or dossier code, or "none"."""
    ref = intake.reference(text)
    return {"complaint_ref": ref.text or "none", "complaint_procedure_code": ref.procedure_code,
            "complaint_dossier_code": ref.dossier_code}


def stop_asked(tracker: Tracker) -> bool:
    """Extracting nothing after "hủy" makes the form reject, so the stop rule runs."""
    return intake.wants_to_stop(latest_intent(tracker), user_text(tracker))


# Inside a form, an unusable answer must still set the asked slot (to None): a form whose
# validation sets no slot is rejected and the conversation would leave the form.


class ActionStartComplaint(Action):
    """Starts a complaint or feedback draft; a detailed first message already counts as the description."""

    def name(self) -> str:
        return "action_start_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        kind = "feedback" if latest_intent(tracker) == "give_feedback" else "complaint"
        events = [SlotSet(slot, None) for slot in FORM_SLOTS]
        events += [SlotSet("ticket_kind", kind), SlotSet("complaint_draft_id", uuid.uuid4().hex)]
        text = user_text(tracker).strip()
        if len(text.split()) >= intake.DETAILED_WORDS:
            events.append(SlotSet("complaint_text", text[:tickets.MAX_DESCRIPTION]))
        say(dispatcher, tracker, "form_start", kind=kind_noun(kind, reply_language(tracker)))
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
        if tracker.get_slot("requested_slot") != slot or stop_asked(tracker):
            return None
        return user_text(tracker).strip() or None

    async def extract_complaint_text(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_text")
        return {"complaint_text": text} if text else {}

    async def validate_complaint_text(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = intake.description(value, tickets.MAX_DESCRIPTION)
        if text is None:
            say(dispatcher, tracker, "form_more_detail")
        return {"complaint_text": text}

    async def extract_complaint_when(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_when")
        return {"complaint_when": text[:intake.MAX_WHEN]} if text else {}

    async def validate_complaint_when(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"complaint_when": intake.when(value)}

    async def extract_complaint_place(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_place")
        return {"complaint_place": text[:intake.MAX_PLACE]} if text else {}

    async def validate_complaint_place(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        answer = await asyncio.to_thread(intake.place, value)
        return {"complaint_place": answer.shown, "complaint_office": answer.office, **_commune_slots(answer.commune)}

    async def extract_complaint_ref(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "complaint_ref")
        return {"complaint_ref": text} if text else {}

    async def validate_complaint_ref(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return parse_reference(str(value or ""))

    async def extract_contact_consent(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "contact_consent" or stop_asked(tracker):
            return {}
        answer = intake.yes_no(user_text(tracker), latest_intent(tracker))
        if answer is None:
            say(dispatcher, tracker, "form_yes_or_no")
            return {"contact_consent": None}
        return {"contact_consent": "yes" if answer else "no"}

    async def extract_contact_phone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = self._asked(tracker, "contact_phone")
        if not text:
            return {}
        answer = intake.phone(text)
        if answer.declined:
            return {"contact_consent": "no", "contact_phone": "none"}
        if answer.phone is None:
            say(dispatcher, tracker, "form_bad_phone")
        return {"contact_phone": answer.phone}


def change_buttons(lang: str) -> list[dict[str, Any]]:
    """One "change" button per answer of the summary (GOV.UK's check your answers)."""
    return buttons(*((citizen(f"change_{field.value}", lang), f'/change_complaint{{"complaint_field":"{field.value}"}}')
                     for field in Field))


def summary_message(tracker: Tracker) -> tuple[str, list[dict[str, Any]]]:
    """The draft read back, one answer a line, with Send, a Change button per answer, and Cancel."""
    lang = reply_language(tracker)
    phone = tracker.get_slot("contact_phone")
    ref = tracker.get_slot("complaint_ref")
    text = citizen(
        "summary", lang, kind=kind_noun(tracker.get_slot("ticket_kind"), lang),
        text=(tracker.get_slot("complaint_text") or "")[:600],
        when=tracker.get_slot("complaint_when") or NOT_GIVEN, place=tracker.get_slot("complaint_place") or NOT_GIVEN,
        ref=NOT_GIVEN if ref in (None, "none") else ref,
        contact=mask_phone(phone) if phone and phone != "none" else citizen("summary_no_call", lang))
    return text, (buttons((citizen("button_send", lang), "/affirm")) + change_buttons(lang)
                  + buttons((citizen("button_cancel", lang), "/deny")))


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
    tapped = entity(tracker, "complaint_field")
    if tapped in CHANGE_FIELDS:
        return tapped
    found = intake.field_from_words(user_text(tracker))
    return found.value if found else None


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
            say(dispatcher, tracker, "change_which")
            return [SlotSet("complaint_pending", True)]
        return [SlotSet(slot, None) for slot in CHANGE_FIELDS[field]] + [
            SlotSet("complaint_pending", False), SlotSet("requested_slot", None)]


def _draft_fields(tracker: Tracker) -> dict[str, Any]:
    """The confirmed draft as `open_ticket`'s keyword arguments."""
    channel, address = citizen_channel(tracker)
    phone, when = tracker.get_slot("contact_phone"), tracker.get_slot("complaint_when")
    slot = tracker.get_slot
    return dict(
        kind=slot("ticket_kind") or "complaint", description=slot("complaint_text"), channel=channel,
        reply_address=address, channel_message_id=f"draft:{slot('complaint_draft_id')}", sender_id=tracker.sender_id,
        phone=None if phone in (None, "none") else phone, contact_consent=slot("contact_consent") == "yes",
        province_code=slot("complaint_province_code"), province_name=slot("complaint_province_name"),
        commune_code=slot("complaint_commune_code"), commune_name=slot("complaint_commune_name"),
        procedure_code=slot("complaint_procedure_code"), dossier_code=slot("complaint_dossier_code"),
        occurred=None if when in (None, NOT_GIVEN) else when, office=slot("complaint_office"),
        transcript=transcript(tracker), language=reply_language(tracker),
    )


class ActionSubmitComplaint(Action):
    """Stores the confirmed draft as a ticket (idempotent per draft) and gives the code."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        clear = [SlotSet(slot, None) for slot in FORM_SLOTS]
        pending = (tracker.get_slot("complaint_draft_id") and tracker.get_slot("complaint_text")
                   and tracker.get_slot("complaint_pending"))
        # "Gửi" again right after the code was given (its answer was lost on the way): say the same code.
        told = None if pending else tracker.get_slot("complaint_submitted_code")
        try:
            if pending:
                ticket = (await asyncio.to_thread(tickets.open_ticket, db_sessions(), **_draft_fields(tracker))).ticket
            elif told:
                ticket = await in_db(tickets.get_ticket, told)
            else:
                say(dispatcher, tracker, "nothing_pending")
                return clear
        except Exception:  # logged; stored or not, the citizen must not be told a code we cannot vouch for
            log.exception("could not store a complaint")
            sorry(dispatcher, tracker)
            return [SlotSet("complaint_pending", None)]
        lang = reply_language(tracker)
        in_chat = citizen("answer_in_chat", lang) + " " if ticket.channel in CHAT_CHANNELS else ""
        # The code on a line of its own: easy to read out, copy or screenshot.
        say(dispatcher, tracker, "submitted", code=ticket.code, due=local_time(ticket.sla_due_at),
             office_hours=citizen("office_hours", lang), in_chat=in_chat)
        return clear + [SlotSet("complaint_submitted_code", ticket.code)]


class ActionCancelComplaint(Action):
    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        say(dispatcher, tracker, "cancelled")
        return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]
