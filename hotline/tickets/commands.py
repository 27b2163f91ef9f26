"""Operator commands: the one entry point the console and the JSON API share.

Each view reads its own input (form or JSON), resolves the acting user, and calls `perform`;
the console words the outcome from `messages`, the API answers with the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.tickets.enums import NOT_DELIVERED, Operation
from hotline.tickets.errors import TicketError
from hotline.tickets.models import Ticket
from hotline.tickets.queries import get_ticket
from hotline.tickets.service import (
    add_note,
    assign,
    change_status,
    claim,
    reopen,
    reply,
    resolve,
    reveal_phone,
    set_priority,
)
from hotline.users import User, find_user


@dataclass(frozen=True)
class Performed:
    """What an operator command did: the ticket afterwards, and what the console words from it."""

    operation: Operation
    ticket: Ticket
    delivered: bool = True          # reply: False when the channel cannot carry it (call the citizen)
    assignee: User | None = None    # assign: who got the ticket
    phone: str | None = None        # phone: the revealed number


def perform(session: Session, code: str | int, operation: str, actor: User, *, text: str = "",
            status: str = "", assignee: str = "", priority: int = 0) -> Performed:
    """Run one operator command (console and JSON API alike) on the ticket `code`.

    Raises TicketNotFound, or TicketError with a message safe to show (the console translates it,
    see messages.ERRORS_VI); ValueError for an operation that does not exist.
    """
    op = Operation(operation)
    ticket = get_ticket(session, code)
    done = {}
    if op is Operation.CLAIM:
        if not claim(session, ticket.id, actor):
            raise TicketError("already claimed")
    elif op is Operation.ASSIGN:
        found = find_user(session, assignee)
        if found is None:
            raise TicketError("no such assignee")
        assign(session, ticket.id, found, actor)
        done["assignee"] = found
    elif op is Operation.STATUS:
        change_status(session, ticket.id, status, actor, text)
    elif op is Operation.PRIORITY:
        set_priority(session, ticket.id, priority, actor)
    elif op is Operation.NOTE:
        add_note(session, ticket.id, actor, text)
    elif op is Operation.REPLY:
        done["delivered"] = reply(session, ticket.id, actor, text).to_status != NOT_DELIVERED
    elif op is Operation.RESOLVE:
        resolve(session, ticket.id, actor, text)
    elif op is Operation.PHONE:
        done["phone"] = reveal_phone(session, ticket.id, actor)
    else:
        reopen(session, ticket.id, actor, text)
    return Performed(operation=op, ticket=get_ticket(session, ticket.id), **done)
