"""Vietnamese working-day calendar: deadlines of dossiers and SLA of hotline tickets.

Working days are Monday to Friday minus Vietnam's public holidays as the `holidays` library
knows them (Tết, Hùng Kings, 30/4, 1/5, 2/9 with their observed days), plus any extra days
off a province announces (swapped bridge days). Working hours are the office hours of a
Public Administration Service Center. Times are handled in Vietnam's time zone; callers
may pass naive datetimes (taken as Vietnam time) or aware ones (converted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Morning and afternoon sessions of a typical service centre (Decree 45/2013 leaves the
# exact hours to each province; these are the common ones and can be overridden).
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days and which hours are office hours."""

    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)  # make-up Saturdays

    def is_working_day(self, day: date) -> bool:
        """True on a weekday that is neither a public holiday nor an announced day off."""
        if day in self.extra_working_days:
            return True
        if day.weekday() >= 5 or day in self.extra_days_off:
            return False
        return day not in _vn_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the receiving day itself does not count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        for _ in range(days):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def _sessions(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return ()
        return [
            (datetime.combine(day, begin, VN_TZ), datetime.combine(day, end, VN_TZ))
            for begin, end in self.office_hours
        ]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` office hours after `start`, skipping nights, weekends and holidays."""
        remaining = timedelta(hours=hours)
        moment = to_vn(start)
        day = moment.date()
        while True:
            for begin, end in self._sessions(day):
                if moment >= end:
                    continue
                moment = max(moment, begin)
                available = end - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
                moment = end
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), VN_TZ)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed between two moments (0 when end is not after start)."""
        start, end = to_vn(start), to_vn(end)
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for begin, finish in self._sessions(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600


def to_vn(moment: datetime) -> datetime:
    """An aware datetime in Vietnam time (naive input is taken to be Vietnam time already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def format_vn(moment: datetime) -> str:
    """A moment as citizens read it: Vietnam time, "17:00 05/03/2026"."""
    return to_vn(moment).strftime("%H:%M %d/%m/%Y")


def now_vn() -> datetime:
    """The current time in Vietnam."""
    return datetime.now(VN_TZ)


DEFAULT_CALENDAR = WorkCalendar()
