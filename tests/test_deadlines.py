"""Statutory deadlines: working days across Tết 2026 and the 30/4–1/5 bridge, reductions, overdue."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hotline.deadlines import (
    ProcessingTime,
    completed_late,
    days_late,
    due_at,
    effective_receipt_day,
    is_due_soon,
    is_overdue,
    parse_unit,
)
from hotline.workcalendar import VN_TZ, WorkCalendar


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_working_days_skip_tet_2026():
    # Tết Bính Ngọ: Mon 16 – Fri 20 Feb 2026 off. Received Wed 11 Feb, 5 working days:
    # 12, 13, (16–20 off, weekends off) 23, 24, 25 → due close of Wed 25 Feb.
    assert due_at(vn(2026, 2, 11, 9, 0), ProcessingTime(5, "Ngày làm việc")) == vn(2026, 2, 25, 17, 0)


def test_dossier_received_during_tet_counts_from_the_first_working_day_after():
    assert effective_receipt_day(vn(2026, 2, 17, 10, 0)) == date(2026, 2, 23)
    assert due_at(vn(2026, 2, 17, 10, 0), ProcessingTime(1, "ngày làm việc")) == vn(2026, 2, 24, 17, 0)


def test_hung_kings_and_30_4_1_5_in_2026():
    # Hùng Kings' day falls on Sun 26 Apr 2026 → observed Mon 27; 30/4 Thu and 1/5 Fri off.
    assert due_at(vn(2026, 4, 28, 9, 0), ProcessingTime(3, "Ngày làm việc")) == vn(2026, 5, 5, 17, 0)


def test_bridge_day_announced_by_the_government_2025():
    # 2025: 30/4 Wed, 1/5 Thu; civil servants also had Fri 2/5 off, made up on Sat 26/4.
    plain = WorkCalendar()
    bridged = WorkCalendar(extra_days_off=frozenset({date(2025, 5, 2)}),
                           extra_working_days=frozenset({date(2025, 4, 26)}))
    received = vn(2025, 4, 29, 8, 0)
    assert due_at(received, ProcessingTime(2, "Ngày làm việc"), calendar=plain) == vn(2025, 5, 5, 17, 0)
    assert due_at(received, ProcessingTime(2, "Ngày làm việc"), calendar=bridged) == vn(2025, 5, 6, 17, 0)
    # A dossier received on the make-up Saturday counts that day as received.
    assert effective_receipt_day(vn(2025, 4, 26, 9, 0), bridged) == date(2025, 4, 26)


def test_after_closing_time_counts_as_next_working_day():
    assert due_at(vn(2026, 3, 6, 17, 30), ProcessingTime(1, "Ngày làm việc")) == vn(2026, 3, 10, 17, 0)
    assert due_at(vn(2026, 3, 6, 16, 30), ProcessingTime(1, "Ngày làm việc")) == vn(2026, 3, 9, 17, 0)


def test_calendar_days_ending_on_a_holiday_move_to_next_working_day():
    # 15 calendar days from Thu 2 Apr 2026 → Fri 17 Apr (a working day).
    assert due_at(vn(2026, 4, 2, 9, 0), ProcessingTime(15, "Ngày")) == vn(2026, 4, 17, 17, 0)
    # From Fri 10 Apr → Sat 25 Apr; Sun 26 and Mon 27 (Hùng Kings, observed) are off → Tue 28.
    assert due_at(vn(2026, 4, 10, 9, 0), ProcessingTime(15, "ngày")) == vn(2026, 4, 28, 17, 0)
    # From Thu 9 Apr + 18 → Mon 27 Apr, the observed holiday → Tue 28.
    assert due_at(vn(2026, 4, 9, 9, 0), ProcessingTime(18, "ngày")) == vn(2026, 4, 28, 17, 0)


def test_hours_are_office_hours_and_skip_nights_and_weekends():
    # Friday 15:00 + 8 office hours: 2 h Friday, 4 h Monday morning, 2 h Monday afternoon.
    assert due_at(vn(2026, 3, 6, 15, 0), ProcessingTime(8, "Giờ")) == vn(2026, 3, 9, 15, 0)


def test_province_reduction_halves_the_time_and_keeps_half_days():
    received = vn(2026, 3, 2, 9, 0)  # Monday
    assert due_at(received, ProcessingTime(10, "Ngày làm việc"), 0.5) == vn(2026, 3, 9, 17, 0)
    # 7 → 3.5 working days: close of Thu 5 Mar + 4 office hours = Fri 6 Mar 11:30.
    assert due_at(received, ProcessingTime(7, "Ngày làm việc"), 0.5) == vn(2026, 3, 6, 11, 30)
    with pytest.raises(ValueError):
        ProcessingTime(7, "Ngày làm việc").reduced(1.0)


def test_unknown_or_zero_time_gives_no_deadline():
    assert due_at(vn(2026, 3, 2, 9), ProcessingTime(0, "Ngày")) is None
    with pytest.raises(ValueError):
        parse_unit("fortnights")


def test_overdue_due_soon_and_days_late():
    due = vn(2026, 2, 13, 17, 0)  # Friday before Tết
    assert not is_overdue(due, vn(2026, 2, 13, 16, 0), completed=False)
    assert is_due_soon(due, vn(2026, 2, 12, 9, 0), completed=False)
    assert not is_due_soon(due, vn(2026, 2, 10, 9, 0), completed=False)
    assert is_overdue(due, vn(2026, 2, 13, 17, 1), completed=False)
    assert not is_overdue(due, vn(2026, 3, 1), completed=True)
    # Late over Tết counts working days only: 23, 24 Feb → 2.
    assert days_late(due, vn(2026, 2, 24, 10, 0)) == 2
    assert days_late(due, vn(2026, 2, 13, 18, 0)) == 1
    assert days_late(due, vn(2026, 2, 13, 12, 0)) == 0
    assert completed_late(due, vn(2026, 2, 23, 9, 0))
    assert not completed_late(due, vn(2026, 2, 13, 9, 0))
