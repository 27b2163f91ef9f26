"""Session start: carry slots over and put the configured hotline number into a slot."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import settings


class ActionSessionStart(Action):
    """Starts a session like Rasa's default, plus the `hotline_phone` slot for responses."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        carry_over = domain.get("session_config", {}).get("carry_over_slots_to_new_session", True)
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if carry_over and value is not None and name not in ("requested_slot", "hotline_phone")
        ]
        return [
            SessionStarted(),
            *carried,
            SlotSet("hotline_phone", settings().hotline_phone),
            ActionExecuted("action_listen"),
        ]
