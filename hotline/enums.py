"""Kinds shared by more than one domain (tickets, dossiers, notifications, analytics):
the channels, and the ticket kinds (the dossiers open overdue-dossier tickets).

`str` enums: they compare equal to the stored strings, so rows and JSON keep plain values.
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A str enum whose str() is its stored value (in messages, logs and f-strings alike)."""

    def __str__(self) -> str:
        return self.value


class Channel(str, Enum):
    """Where a conversation, ticket or subscription came from and where replies go back."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEB = "web"  # the web chat widget
    REST = "rest"  # Rasa's REST channel (tests, integrations)
    PHONE = "phone"  # a call logged by an operator
    API = "api"  # created through the JSON API

    @property
    def can_receive_replies(self) -> bool:
        """Channels the outbox can deliver an operator's reply or a status push to."""
        return self in (Channel.TELEGRAM, Channel.ZALO, Channel.WEB, Channel.REST)


class TicketKind(StrEnum):
    """What a ticket is about; it sets the SLA and the queue (hotline.triage)."""

    COMPLAINT = "complaint"
    FEEDBACK = "feedback"
    QUESTION_FOR_PERSON = "question_for_person"  # a question the assistant handed to a person
    OVERDUE_DOSSIER = "overdue_dossier"  # opened in one tap from an overdue dossier
    TECHNICAL_FAULT = "technical_fault"


# Sender-id prefixes Rasa sees for the channel front ends ("zalo:<user id>").
CHAT_CHANNELS = (Channel.WEB, Channel.TELEGRAM, Channel.ZALO)
