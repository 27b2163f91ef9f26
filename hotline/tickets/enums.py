"""The ticket's states and history kinds: one definition each.

`str`/`int` enums compare equal to the stored values, so rows, JSON and templates keep plain
values; `str()` gives the value too, so a member never renders as "TicketStatus.NEW".
"""

from __future__ import annotations

from enum import IntEnum

from hotline.enums import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket is in its lifecycle."""

    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Still owed work (the open queues list it)."""
        return self not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)

    @property
    def is_unassigned(self) -> bool:
        """A status in which nobody handles the ticket yet (it may be claimed)."""
        return self in (TicketStatus.NEW, TicketStatus.TRIAGED)


OPEN_STATUSES = tuple(s for s in TicketStatus if s.is_open)
UNASSIGNED_STATUSES = tuple(s for s in TicketStatus if s.is_unassigned)
FINISHED_STATUSES = tuple(s for s in TicketStatus if not s.is_open)

# Status moves an operator may make with change_status(); claim/assign/resolve/reopen have their own calls.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset({TicketStatus.TRIAGED, TicketStatus.RESOLVED, TicketStatus.CLOSED}),
    TicketStatus.TRIAGED: frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED}),
    TicketStatus.ASSIGNED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_CITIZEN,
                                      TicketStatus.RESOLVED, TicketStatus.TRIAGED}),
    TicketStatus.IN_PROGRESS: frozenset({TicketStatus.WAITING_FOR_CITIZEN, TicketStatus.RESOLVED,
                                         TicketStatus.TRIAGED}),
    TicketStatus.WAITING_FOR_CITIZEN: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}


class EventKind(StrEnum):
    """What one line of a ticket's history records (`TicketEvent.action`)."""

    CREATED = "created"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    STATUS = "status"
    PRIORITY = "priority"
    NOTE = "note"
    REPLY = "reply"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    RATED = "rated"
    CITIZEN_MESSAGE = "citizen_message"
    PHONE_REVEALED = "phone_revealed"


# A reply event's to_status when the channel cannot carry it: the operator must call back.
NOT_DELIVERED = "not_delivered"


class QueueState(IntEnum):
    """Denormalised from status/assignee so each queue is one ordered index scan."""

    UNASSIGNED = 0  # waiting for an operator
    ASSIGNED = 1    # with an operator
    DONE = 2        # finished

    def __str__(self) -> str:
        return str(self.value)


class Operation(StrEnum):
    """What an operator may do to a ticket, from the console or the JSON API (`service.perform`)."""

    CLAIM = "claim"
    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    NOTE = "note"
    REPLY = "reply"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    PHONE = "phone"  # reveal the citizen's phone to the handling officer
