"""SLA due times and states in office hours (weekends and Tết stop the clock)."""

from datetime import datetime, timedelta, timezone

from hotline import sla
from hotline.workcalendar import VN_TZ


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_ticket_filed_before_tet_is_due_after_it():
    # Filed Friday 13 Feb 2026 at 16:00 with 4 office hours: 1 h that day, 3 h after Tết.
    due = sla.sla_due(vn(2026, 2, 13, 16, 0), 4)
    assert due == vn(2026, 2, 23, 10, 30).astimezone(timezone.utc)


def test_ticket_filed_on_saturday_night_starts_on_monday_morning():
    assert sla.sla_due(vn(2026, 3, 14, 22, 0), 8) == vn(2026, 3, 16, 17, 0)


def test_states_shown_in_the_console():
    due = sla.sla_due(vn(2026, 3, 16, 7, 30), 16)    # two full working days: Tuesday 17:00
    assert due == vn(2026, 3, 17, 17, 0)
    assert sla.sla_state(due, vn(2026, 3, 16, 9, 0)) == "ok"
    assert sla.sla_state(due, vn(2026, 3, 17, 14, 0)) == "due_soon"
    assert sla.sla_state(due, vn(2026, 3, 18, 8, 0)) == "breached"
    assert sla.sla_state(due, vn(2026, 3, 18, 8, 0), done_at=vn(2026, 3, 17, 9, 0)) == "met"
    assert sla.is_breached(due, now=vn(2026, 3, 17, 17, 0) + timedelta(minutes=1))
    assert not sla.is_breached(None, now=vn(2030, 1, 1))


def test_office_hours_between_skips_nights():
    assert sla.office_hours_between(vn(2026, 3, 16, 16, 0), vn(2026, 3, 17, 8, 30)) == 2
