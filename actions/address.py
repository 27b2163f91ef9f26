"""Old address -> new commune: the `address_form` and its answer.

Thin: each action reads the form's slots into a `FormState`, calls the pure conversation core
`procedure_kb.address_form` (which uses the typed lookup API of `procedure_kb.units`), and sends
what it returns, worded from `procedure_kb.address_messages`. Plain text + buttons, so the same
replies work on every channel.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import hotline, latest_intent, reply_language, user_text
from procedure_kb import address_form as core
from procedure_kb import units
from procedure_kb.address_form import CANDIDATES, ISLAND, MAX_BUTTONS, SLOTS, FormState

__all__ = ["understand", "answer_text", "ISLAND", "MAX_BUTTONS", "SLOTS", "CANDIDATES"]

FORM = "address_form"
# Intents that, inside the form, are an answer to its question even when nothing was understood.
ANSWER_INTENTS = {"inform_address", "ask_new_address", "nlu_fallback", None}


def _state(tracker: Tracker) -> FormState:
    return FormState(tracker.get_slot("addr_province"), tracker.get_slot("addr_district"),
                     tracker.get_slot("addr_ward"), tuple(tracker.get_slot(CANDIDATES) or ()))


def understand(tracker: Tracker) -> dict[str, Any]:
    """Slot updates from the latest message, given what the form already knows."""
    entities = {e.get("entity"): e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
                if isinstance(e, dict) and isinstance(e.get("value"), str)}
    return core.understand(_state(tracker), user_text(tracker), entities)


def answer_text(tracker: Tracker, ward_slot: str) -> str:
    """The full answer for the ward (or island district) in `ward_slot`."""
    return core.answer_text(ward_slot, reply_language(tracker), hotline(tracker))


class ValidateAddressForm(FormValidationAction):
    """Fills the three slots from whatever the citizen wrote this turn."""

    def name(self) -> str:
        return "validate_address_form"

    async def extract_addr_province(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if (requested in SLOTS and (latest_intent(tracker) or None) not in ANSWER_INTENTS
                and not units.is_old_unit_name(user_text(tracker))):
            # Another request ("hỗ trợ tiền điện cho hộ nghèo" is not Thị trấn Tiên Điền):
            # let its own rule answer it; the form asks again afterwards. A bare unit name is
            # always the answer, whatever intent the classifier guessed for it.
            return {}
        values = understand(tracker)
        if requested not in SLOTS:
            return values
        if not values:
            dispatcher.utter_message(text=core.not_understood(user_text(tracker), reply_language(tracker)))
        if not any(slot in values for slot in SLOTS):
            # Rasa drops out of the form unless a required slot was set this turn; setting the
            # asked slot to what it already holds keeps the form asking.
            values[requested] = tracker.get_slot(requested)
        return values

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        # The SDK only passes on required slots; the candidates must survive to the next turn.
        events = await super().get_validation_events(dispatcher, tracker, domain)
        pending = tracker.slots_to_validate()
        if CANDIDATES in pending:
            events.append(SlotSet(CANDIDATES, pending[CANDIDATES]))
        return events


def _ask(dispatcher: CollectingDispatcher, tracker: Tracker, question) -> list[EventType]:
    """Send the form's next question, as the core words it for the form's state."""
    asked = question(_state(tracker), reply_language(tracker))
    dispatcher.utter_message(text=asked.text, buttons=asked.buttons)
    return []


class AskProvince(Action):
    def name(self) -> str:
        return "action_ask_addr_province"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        return _ask(dispatcher, tracker, core.ask_province)


class AskDistrict(Action):
    def name(self) -> str:
        return "action_ask_addr_district"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        return _ask(dispatcher, tracker, core.ask_district)


class AskWard(Action):
    def name(self) -> str:
        return "action_ask_addr_ward"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        return _ask(dispatcher, tracker, core.ask_ward)


class ActionAnswerNewAddress(Action):
    """Submit of the form: answer, then clear the slots for the next address."""

    def name(self) -> str:
        return "action_answer_new_address"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        ward = tracker.get_slot("addr_ward")
        if ward:
            dispatcher.utter_message(text=answer_text(tracker, ward),
                                     buttons=[core.another_address_button(reply_language(tracker))])
        return [SlotSet(s, None) for s in (*SLOTS, CANDIDATES)]
