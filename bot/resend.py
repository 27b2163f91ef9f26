"""A message sent again is answered once.

A client whose answer was lost on the way (a replica killed mid-answer, a timeout, a dropped
connection) sends the message again. Rasa would run it a second time, and a "không" meant for
one question of a form answers the next one too. A client that gives each message an id
(``"message_id"`` in the channel body, the same id when it sends again) is safe: inside the
conversation's lock, a message whose id the conversation already holds gets back the replies
it got the first time, and nothing else runs — no NLU, no action, no new event.

The id a client gives is scoped to its sender (`scoped_id`): one citizen's id can never match,
or replay, another citizen's conversation.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable

_NAMESPACE = uuid.UUID("1f0c6a52-0d5e-4f7e-9a57-0c1a4f3d2b11")


def scoped_id(sender: str, client_id: str) -> str:
    """The tracker's message id for a client's message id: stable, 32 hex characters like
    Rasa's own ids, and different for every sender."""
    return uuid.uuid5(_NAMESPACE, f"{sender}\n{client_id}").hex


def replies_to(events: Iterable, message_id: str) -> list[dict[str, Any]] | None:
    """The replies that followed the user message `message_id` in `events`, or None when the
    conversation does not hold that message. One pass from the newest event, no copy: a message
    sent again is usually one of the last."""
    from rasa.shared.core.events import BotUttered, UserUttered

    later: list = []  # bot replies after the user message being looked at, newest first
    for event in reversed(events):
        if isinstance(event, BotUttered):
            later.append(event)
        elif isinstance(event, UserUttered):
            if event.message_id == message_id:
                return [reply.message() for reply in reversed(later)]
            later = []
    return None


class _AlreadyAnswered(Exception):
    def __init__(self, replies: list[dict[str, Any]]) -> None:
        super().__init__("message already answered")
        self.replies = replies


def install() -> None:
    """Make Rasa's message processor answer a message id it already holds with its first replies."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor, "_answers_once", False):
        return
    handle_with_tracker = MessageProcessor._handle_message_with_tracker
    handle_message = MessageProcessor.handle_message

    async def _handle_message_with_tracker(self, message, tracker) -> None:
        # Here the conversation is loaded and locked, and nothing of this message is logged yet.
        replies = replies_to(tracker.events, message.message_id) if message.message_id else None
        if replies is not None:
            raise _AlreadyAnswered(replies)
        await handle_with_tracker(self, message, tracker)

    async def _handle_message(self, message):
        try:
            return await handle_message(self, message)
        except _AlreadyAnswered as answered:
            for reply in answered.replies:
                await message.output_channel.send_response(message.sender_id, dict(reply))
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None

    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker
    MessageProcessor.handle_message = _handle_message
    MessageProcessor._answers_once = True
