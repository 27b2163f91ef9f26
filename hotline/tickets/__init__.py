"""Hotline tickets, one package per concern (the Netflix/dispatch shape):

- `enums`     TicketStatus, EventKind, QueueState, Operation and the lifecycle's TRANSITIONS
- `models`    the tables (Ticket, TicketEvent, TicketCounter)
- `codes`     ticket codes and phone numbers as typed: pure functions
- `service`   every operation that changes a ticket, each taking a session (`open_ticket` → `Opened`)
- `commands`  `perform(session, code, operation, actor, ...)`: the console's and the API's one entry
- `queries`   reading: by code, the citizen's own ticket, queues (`queue_view`), search
- `messages`  every text citizens and operators read, vi and en side by side
- `intake`    the chat form's pure core: parsing the citizen's answers into typed results

Other areas need two calls:

    opened = tickets.open_ticket(sessions, kind="overdue_dossier", description="…",
                                 channel="telegram", reply_address="12345",
                                 channel_message_id="telegram:12345:678")  # idempotent, committed
    enqueue_message(session, "telegram", "12345", "…")                      # hotline.notify

The names below are re-exported so `from hotline import tickets; tickets.open_ticket(...)` keeps
working, and importing the package registers the tables on `Base.metadata` (Alembic's env).
"""

from hotline.dbtypes import utcnow
from hotline.tickets.codes import format_code, masked_transcript, normalize_phone, parse_code
from hotline.tickets.commands import Performed, perform
from hotline.tickets.enums import (
    FINISHED_STATUSES,
    NOT_DELIVERED,
    OPEN_STATUSES,
    TRANSITIONS,
    UNASSIGNED_STATUSES,
    EventKind,
    Operation,
    QueueState,
    TicketStatus,
)
from hotline.tickets.errors import TicketError, TicketNotFound
from hotline.tickets.messages import rating_buttons
from hotline.tickets.models import Ticket, TicketCounter, TicketEvent
from hotline.tickets.queries import (
    COUNT_CAP,
    NO_FILTER,
    QUEUE_NAMES,
    CitizenLookup,
    QueueFilter,
    QueueView,
    get_ticket,
    history,
    last_reply,
    latest_resolved_unrated,
    lookup_for_citizen,
    open_counts_by_place,
    queue,
    queue_by_commune,
    queue_by_kind,
    queue_by_province,
    queue_count,
    queue_mine,
    queue_sla,
    queue_unassigned,
    queue_view,
    search,
    ticket_for_citizen,
    tickets_of_sender,
    valid_queue,
)
from hotline.tickets.service import (
    CHANNELS,
    MAX_DESCRIPTION,
    MAX_NOTE,
    Opened,
    add_note,
    assign,
    change_status,
    citizen_message,
    claim,
    open_ticket,
    rate,
    reopen,
    reply,
    resolve,
    reveal_phone,
    set_priority,
)

__all__ = [
    "CHANNELS", "COUNT_CAP", "FINISHED_STATUSES", "MAX_DESCRIPTION", "MAX_NOTE", "NOT_DELIVERED", "NO_FILTER",
    "OPEN_STATUSES", "QUEUE_NAMES", "TRANSITIONS", "UNASSIGNED_STATUSES", "CitizenLookup", "EventKind",
    "Opened", "Operation", "Performed", "QueueFilter", "QueueState", "QueueView", "Ticket", "TicketCounter",
    "TicketError", "TicketEvent", "TicketNotFound", "TicketStatus", "add_note", "assign", "change_status",
    "citizen_message", "claim", "format_code", "get_ticket", "history", "last_reply",
    "latest_resolved_unrated", "lookup_for_citizen", "masked_transcript", "normalize_phone",
    "open_counts_by_place", "open_ticket", "parse_code", "perform", "queue", "queue_by_commune", "queue_by_kind",
    "queue_by_province", "queue_count", "queue_mine", "queue_sla", "queue_unassigned", "queue_view",
    "rate", "rating_buttons", "reopen", "reply", "resolve", "reveal_phone", "search", "set_priority",
    "ticket_for_citizen", "tickets_of_sender", "utcnow", "valid_queue",
]
