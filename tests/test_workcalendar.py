"""Working days and office hours across Tết 2026, the 30/4–1/5 bridge and weekends."""

from datetime import date, datetime

from hotline.workcalendar import VN_TZ, WorkCalendar

CAL = WorkCalendar()


def test_tet_2026_is_not_worked():
    # Tết Bính Ngọ: 16–20 Feb 2026 off, so the week before ends on Friday 13 Feb.
    for day in range(16, 21):
        assert not CAL.is_working_day(date(2026, 2, day))
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_30_april_1_may_bridge_with_swapped_days():
    # 2025: 30/4 (Wed) and 1/5 (Thu) are holidays; the Government moved Friday 2/5 off
    # and Saturday 26/4 became a make-up working day.
    bridge = WorkCalendar(extra_days_off=frozenset({date(2025, 5, 2)}),
                          extra_working_days=frozenset({date(2025, 4, 26)}))
    assert bridge.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    assert bridge.is_working_day(date(2025, 4, 26))
    assert CAL.is_working_day(date(2025, 5, 2))  # without the announcement Friday is worked
    # counted: Sat 26/4 (make-up), Mon 28/4, Tue 29/4, Mon 5/5
    assert bridge.working_days_between(date(2025, 4, 25), date(2025, 5, 5)) == 4


def test_working_hours_across_a_weekend():
    friday_4pm = datetime(2026, 3, 13, 16, 0, tzinfo=VN_TZ)
    assert CAL.add_working_hours(friday_4pm, 2) == datetime(2026, 3, 16, 8, 30, tzinfo=VN_TZ)
    assert CAL.working_hours_between(friday_4pm, datetime(2026, 3, 16, 8, 30, tzinfo=VN_TZ)) == 2
    # lunch break does not count
    assert CAL.add_working_hours(datetime(2026, 3, 16, 11, 0, tzinfo=VN_TZ), 1) == \
        datetime(2026, 3, 16, 13, 30, tzinfo=VN_TZ)
