"""SLA arithmetic for hotline tickets: due times and breaches in office hours.

SLA clocks run only during a service centre's office hours on Vietnamese working days
(weekends, Tết and the other public holidays stop the clock), as `WorkCalendar` defines.
All functions take and return aware datetimes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from hotline.workcalendar import DEFAULT_CALENDAR, WorkCalendar

DUE_SOON_HOURS = 4.0  # the "due soon" queue shows tickets with at most this many office hours left


def sla_due(start: datetime, hours: float, calendar: WorkCalendar = DEFAULT_CALENDAR) -> datetime:
    """The moment a ticket received at `start` with an SLA of `hours` office hours falls due (UTC)."""
    return calendar.add_working_hours(start, hours).astimezone(timezone.utc)


def is_breached(due: datetime | None, now: datetime, done_at: datetime | None = None) -> bool:
    """True when the ticket was (or still is) unanswered past its due time."""
    if due is None:
        return False
    moment = done_at if done_at is not None else now
    return moment > due


def due_soon_threshold(now: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR,
                       hours: float = DUE_SOON_HOURS) -> datetime:
    """Tickets due before this moment are 'due soon' (or already breached)."""
    return sla_due(now, hours, calendar)


def sla_state(due: datetime | None, now: datetime, done_at: datetime | None = None,
              calendar: WorkCalendar = DEFAULT_CALENDAR) -> str:
    """'met', 'breached', 'due_soon' or 'ok' — what the console shows next to a ticket."""
    if due is None:
        return "ok"
    if done_at is not None:
        return "breached" if done_at > due else "met"
    if now > due:
        return "breached"
    if due <= due_soon_threshold(now, calendar):
        return "due_soon"
    return "ok"


def office_hours_between(start: datetime, end: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR) -> float:
    """Office hours elapsed from `start` to `end` (for response-time reports)."""
    return calendar.working_hours_between(start, end)
