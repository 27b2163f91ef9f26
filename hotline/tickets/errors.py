"""Errors of ticket operations; their messages are safe to show to an operator."""

from __future__ import annotations


class TicketError(ValueError):
    """An operation that cannot be done; the message is safe to show to the operator."""


class TicketNotFound(TicketError):
    pass
