"""Statutory deadlines of dossiers: due date, overdue, due soon, days late.

Plain functions over `hotline.workcalendar`. Rules, as the procedure records state them:

- "ngày làm việc" (working days): the receiving day does not count; the result is due at
  the close of the N-th working day after it. A dossier received on a weekend, a holiday or
  after closing time counts as received on the next working day.
- "ngày" (calendar days): N days after receipt; when the last day falls on a day off, the
  deadline moves to the close of the next working day (Civil Code 2015, art. 148).
- "giờ" (hours) and "phút": office hours from the moment of receipt.
- "tháng": calendar months, with the same day-off rule as calendar days.
- A province's published reduction (e.g. 0.5 = the 50% cut Ho Chi Minh City ordered) shortens
  the time before counting; a fraction of a working day becomes office hours (3.5 days =
  3 working days + 4 office hours), a fraction of a calendar day rounds up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from hotline.workcalendar import DEFAULT_CALENDAR, VN_TZ, WorkCalendar, to_vn

WORKING_DAYS, CALENDAR_DAYS, HOURS, MINUTES, MONTHS = "working_days", "days", "hours", "minutes", "months"

_UNIT_NAMES = {
    "ngày làm việc": WORKING_DAYS, "ngay lam viec": WORKING_DAYS, "working_days": WORKING_DAYS,
    "working days": WORKING_DAYS, "ngày": CALENDAR_DAYS, "ngay": CALENDAR_DAYS, "days": CALENDAR_DAYS,
    "calendar_days": CALENDAR_DAYS, "giờ": HOURS, "gio": HOURS, "hours": HOURS, "giờ làm việc": HOURS,
    "phút": MINUTES, "phut": MINUTES, "minutes": MINUTES, "tháng": MONTHS, "thang": MONTHS, "months": MONTHS,
}


def parse_unit(unit: str) -> str:
    """The canonical unit for a unit written as the procedure data writes it."""
    key = " ".join(str(unit).strip().lower().split())
    if key not in _UNIT_NAMES:
        raise ValueError(f"unknown processing-time unit: {unit!r}")
    return _UNIT_NAMES[key]


@dataclass(frozen=True)
class ProcessingTime:
    """A procedure's processing time as the knowledge base records it."""

    value: float
    unit: str  # any spelling parse_unit accepts

    def reduced(self, reduction: float) -> ProcessingTime:
        """This time after a province's published cut (0 ≤ reduction < 1)."""
        if not 0 <= reduction < 1:
            raise ValueError("reduction must be in [0, 1)")
        return ProcessingTime(self.value * (1 - reduction), self.unit)


def closing_time(calendar: WorkCalendar, day: date) -> datetime:
    """End of the last office session of `day`."""
    return datetime.combine(day, calendar.office_hours[-1][1], VN_TZ)


def effective_receipt_day(received_at: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR) -> date:
    """The working day a dossier counts as received on (weekend/holiday/after-hours → next one)."""
    moment = to_vn(received_at)
    day = moment.date()
    if calendar.is_working_day(day) and moment < closing_time(calendar, day):
        return day
    return calendar.next_working_day(day)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due_at(
    received_at: datetime,
    processing: ProcessingTime,
    reduction: float = 0.0,
    calendar: WorkCalendar = DEFAULT_CALENDAR,
) -> datetime | None:
    """The moment the result is due (Vietnam time), or None when the time is zero/unknown."""
    unit = parse_unit(processing.unit)
    value = processing.reduced(reduction).value
    if value <= 0:
        return None
    received_at = to_vn(received_at)
    if unit in (HOURS, MINUTES):
        hours = value if unit == HOURS else value / 60
        return calendar.add_working_hours(received_at, hours)
    start = effective_receipt_day(received_at, calendar)
    if unit == WORKING_DAYS:
        whole = math.floor(value + 1e-9)
        fraction = value - whole
        due = closing_time(calendar, calendar.add_working_days(start, whole))
        if fraction > 1e-9:
            day_hours = sum(
                (datetime.combine(date.min, end) - datetime.combine(date.min, begin)).seconds / 3600
                for begin, end in calendar.office_hours
            )
            due = calendar.add_working_hours(due, fraction * day_hours)
        return due
    if unit == CALENDAR_DAYS:
        last = start + timedelta(days=math.ceil(value - 1e-9))
    else:  # MONTHS
        last = _add_months(start, math.ceil(value - 1e-9))
    if not calendar.is_working_day(last):
        last = calendar.next_working_day(last)
    return closing_time(calendar, last)


# ------------------------------------------------------------------ status of a deadline

def is_overdue(due: datetime | None, now: datetime, completed: bool) -> bool:
    """Past due and not completed (a finished dossier is judged by `completed_late`)."""
    return due is not None and not completed and to_vn(now) > to_vn(due)


def completed_late(due: datetime | None, completed_at: datetime | None) -> bool:
    """True when the result came after the deadline."""
    return due is not None and completed_at is not None and to_vn(completed_at) > to_vn(due)


def is_due_soon(
    due: datetime | None, now: datetime, completed: bool, calendar: WorkCalendar = DEFAULT_CALENDAR
) -> bool:
    """Not yet overdue, and due before the close of the next working day."""
    if due is None or completed or is_overdue(due, now, completed):
        return False
    now = to_vn(now)
    horizon = closing_time(calendar, calendar.next_working_day(now.date()))
    return to_vn(due) <= horizon


@lru_cache(maxsize=4096)
def _working_days_late(due_day: date, today: date, calendar: WorkCalendar) -> int:
    return calendar.working_days_between(due_day, today)


def days_late(
    due: datetime | None, now: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR,
    completed_at: datetime | None = None,
) -> int:
    """Working days late (0 when on time); a dossier late the same day counts 1."""
    end = completed_at if completed_at is not None else now
    if due is None or to_vn(end) <= to_vn(due):
        return 0
    return max(1, _working_days_late(to_vn(due).date(), to_vn(end).date(), calendar))


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, Vietnam time."""
    return datetime.combine(day, time(0), VN_TZ)
