"""Hotline actions after intake: a citizen checks their ticket, asks for a person, rates the answer.

Thin, like actions/tickets.py (whose helpers they share): read slots and words, call the tickets
service, word the answer from `hotline.tickets.messages`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.types import DomainDict

from actions.common import citizen_channel, db_sessions, reply_language, settings, user_text
from actions.tickets import in_db, say, sorry, stop_asked, transcript
from hotline import tickets
from hotline.enums import CHAT_CHANNELS
from hotline.tickets import intake
from hotline.tickets.messages import citizen, local_time, operator, status_text
from hotline.workcalendar import DEFAULT_CALENDAR, now_vn

log = logging.getLogger(__name__)

MAX_CHECK_FAILURES = 3


class ValidateTicketCheckForm(FormValidationAction):
    """Asks for the ticket code, then (unless it is the same sender) the phone's last 4 digits."""

    def name(self) -> str:
        return "validate_ticket_check_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return list(domain_slots)

    async def extract_ticket_code(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("ticket_code") or stop_asked(tracker):
            return {}
        code = tickets.parse_code(user_text(tracker))
        if code:
            return {"ticket_code": code}
        if tracker.get_slot("requested_slot") == "ticket_code":
            say(dispatcher, tracker, "check_code_format")
            return {"ticket_code": None}
        return {}

    async def validate_ticket_code(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if not value:
            return {"ticket_code": None}
        owner = await in_db(lambda s: tickets.ticket_for_citizen(s, value, sender_id=tracker.sender_id) is not None)
        return {"ticket_code": value, "ticket_phone_last4": "owner" if owner else None}

    async def extract_ticket_phone_last4(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "ticket_phone_last4" or stop_asked(tracker):
            return {}
        return {"ticket_phone_last4": intake.phone_last4(user_text(tracker))}  # None: the form asks again


def check_reply(found: tickets.CitizenLookup, lang: str, sender_id: str) -> tuple[str, list[dict] | None]:
    """The status of the citizen's own ticket, its latest answer or due time, and the rating ask."""
    ticket = found.ticket
    lines = [citizen("check_status", lang, code=ticket.code, status=status_text(ticket.status, lang))]
    if found.reply:
        lines.append(citizen("check_latest_answer", lang, reply=found.reply))
    elif ticket.is_open:
        lines.append(citizen("check_answer_by", lang, due=local_time(ticket.sla_due_at)))
    if not ticket.is_open and ticket.csat_rating is None and ticket.sender_id == sender_id:
        lines.append(citizen("check_rate", lang))
        return "\n".join(lines), tickets.rating_buttons(lang)
    return "\n".join(lines), None


class ActionCheckTicket(Action):
    """Status and the last operator reply of the asker's own ticket."""

    def name(self) -> str:
        return "action_check_ticket"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        code = tracker.get_slot("ticket_code")
        last4 = tracker.get_slot("ticket_phone_last4")
        failures = int(tracker.get_slot("ticket_check_failures") or 0)
        reset = [SlotSet("ticket_code", None), SlotSet("ticket_phone_last4", None)]
        phone = settings().hotline_phone
        if failures >= MAX_CHECK_FAILURES:
            say(dispatcher, tracker, "check_too_many", phone=phone)
            return reset
        try:
            found = await in_db(lambda s: tickets.lookup_for_citizen(s, code or "", tracker.sender_id,
                                                                   None if last4 == "owner" else last4))
        except Exception:  # logged with its traceback; the citizen hears "busy", never a crash
            log.exception("ticket lookup failed")
            sorry(dispatcher, tracker)
            return reset
        if found.ticket is None:
            if found.locked_minutes:
                say(dispatcher, tracker, "check_paused", minutes=found.locked_minutes, phone=phone)
            else:
                say(dispatcher, tracker, "check_not_found")
            return reset + [SlotSet("ticket_check_failures", failures + 1)]
        text, rating = check_reply(found, reply_language(tracker), tracker.sender_id)
        dispatcher.utter_message(text=text, buttons=rating)
        return reset + [SlotSet("ticket_check_failures", 0)]


class ActionHumanHandoff(Action):
    """A question_for_person ticket with the conversation attached; says how and when they hear back."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        lines = transcript(tracker)
        question, earlier = intake.handoff_question(lines, user_text(tracker))
        description = operator("handoff_description", question=question)
        if earlier:
            description += operator("handoff_earlier", earlier=" | ".join(earlier))
        channel, address = citizen_channel(tracker)
        message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
        lang = reply_language(tracker)
        try:
            ticket = (await asyncio.to_thread(
                tickets.open_ticket, db_sessions(), kind="question_for_person", description=description,
                channel=channel, reply_address=address, channel_message_id=f"handoff:{tracker.sender_id}:{message_id}",
                sender_id=tracker.sender_id, transcript=lines, language=lang)).ticket
        except Exception:  # logged with its traceback; the citizen hears "busy", never a crash
            log.exception("could not store a hand-off")
            sorry(dispatcher, tracker)
            return []
        now = now_vn()
        next_open = DEFAULT_CALENDAR.add_working_hours(now, 0)
        after_hours = citizen("handoff_after_hours", lang, start=local_time(next_open)) if next_open > now else ""
        follow_up = (citizen("answer_in_chat", lang) if channel in CHAT_CHANNELS
                     else citizen("handoff_check_later", lang, code=ticket.code))
        say(dispatcher, tracker, "handoff", code=ticket.code, office_hours=citizen("office_hours", lang),
             after_hours=after_hours, due=local_time(ticket.sla_due_at), follow_up=follow_up,
             phone=settings().hotline_phone)
        return []


class ActionRateTicket(Action):
    """Records the 1–5 rating of the citizen's most recently resolved ticket."""

    def name(self) -> str:
        return "action_rate_ticket"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        rating = intake.rating(user_text(tracker))
        if rating is None:
            dispatcher.utter_message(text=citizen("rate_prompt", reply_language(tracker)),
                                     buttons=tickets.rating_buttons(reply_language(tracker)))
            return []

        def save(session):
            ticket = tickets.latest_resolved_unrated(session, tracker.sender_id)
            if ticket is None:
                return None
            tickets.rate(session, ticket.id, rating)
            return ticket.code

        try:
            code = await in_db(save)
        except Exception:  # logged with its traceback; the citizen hears "busy", never a crash
            log.exception("rating failed")
            sorry(dispatcher, tracker)
            return []
        if code is None:
            say(dispatcher, tracker, "rate_nothing")
        else:
            say(dispatcher, tracker, "rate_thanks", rating=rating, code=code)
        return []
