"""Monthly/quarterly report figures, charts and CSV from real tickets (SQLite)."""

from __future__ import annotations

from datetime import datetime

import pytest
from tickets_helpers import add_user, complaint

from hotline import reports
from hotline import tickets as T
from hotline.db import transaction
from hotline.workcalendar import VN_TZ


@pytest.fixture
def sessions(sqlite_sessions):
    return sqlite_sessions


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_march_report(sessions):
    operator = add_user(sessions, "lan")
    # Monday 2 March 2026, 8:00: two complaints and a feedback
    fast = T.open_ticket(sessions, **complaint(now=vn(2026, 3, 2, 8, 0)))
    slow = T.open_ticket(sessions, **complaint(now=vn(2026, 3, 2, 8, 0), commune_name="=HYPERLINK(1)"))
    T.open_ticket(sessions, **complaint(kind="feedback", now=vn(2026, 3, 2, 8, 0)))
    T.open_ticket(sessions, **complaint(now=vn(2026, 4, 1, 8, 0)))          # April: not in March
    with transaction(sessions) as session:
        T.reply(session, fast.id, operator, "Đã nhận", now=vn(2026, 3, 2, 10, 0))          # 2 office hours
        T.resolve(session, fast.id, operator, "Xong", now=vn(2026, 3, 3, 8, 0))            # 8 office hours
        T.rate(session, fast.id, 4)
        T.reply(session, slow.id, operator, "Trễ", now=vn(2026, 3, 10, 8, 0))             # past its 16 h SLA
    with transaction(sessions) as session:
        march = reports.build_report(session, "2026-03", now=vn(2026, 3, 31, 12, 0))
        quarter = reports.build_report(session, "2026-q1", now=vn(2026, 3, 31, 12, 0))
    assert march.label == "Tháng 3/2026" and quarter.label == "Quý 1/2026"
    assert march.total == 3 == quarter.total
    assert dict(march.by_kind)["Khiếu nại / phản ánh"] == 2 and dict(march.by_kind)["Góp ý"] == 1
    assert (march.sla_met, march.sla_breached, march.sla_pending) == (1, 2, 0)   # unanswered feedback is late too
    assert march.sla_compliance == pytest.approx(33.3)
    assert march.median_first_response_hours is not None
    assert march.median_resolution_hours == 8.0
    assert (march.csat_count, march.csat_average) == (1, 4.0)
    svg = reports.bar_chart_svg(march.by_commune, "<b>x</b>")
    assert svg.startswith("<svg") and "<b>" not in svg
    csv = reports.report_csv(march)
    assert "Tỷ lệ đúng hạn (%),33.3" in csv
    assert "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv   # no formula injection into Excel


def test_bad_periods_are_refused():
    for bad in ("", "2026", "2026-13", "2026-Q5", "1999-01", "'; DROP"):
        with pytest.raises(ValueError):
            reports.parse_period(bad)


def test_report_carries_the_dossier_overdue_rate_per_month(sessions):
    from hotline.dossiers import DossierRecord, upsert_dossier

    def dossier(code: str, due: datetime, status: str, status_at: datetime) -> DossierRecord:
        return DossierRecord(code=code, received_at=vn(2026, 2, 20, 9, 0), status=status, status_at=status_at,
                             due_at=due, procedure_code="1.001193", ward_name="Phường Ba Đình")

    with transaction(sessions) as session:
        upsert_dossier(session, dossier("000.00.31.H29-260220-0001", vn(2026, 3, 5, 17, 0), "completed",
                                        vn(2026, 3, 4, 10, 0)))                       # on time
        upsert_dossier(session, dossier("000.00.31.H29-260220-0002", vn(2026, 3, 5, 17, 0), "completed",
                                        vn(2026, 3, 9, 10, 0)))                       # completed late
        upsert_dossier(session, dossier("000.00.31.H29-260220-0003", vn(2026, 3, 20, 17, 0), "in_processing",
                                        vn(2026, 2, 21, 10, 0)))                      # still overdue
        upsert_dossier(session, dossier("000.00.31.H29-260220-0004", vn(2026, 4, 2, 17, 0), "in_processing",
                                        vn(2026, 2, 21, 10, 0)))                      # due in April
    with transaction(sessions) as session:
        march = reports.build_report(session, "2026-03", now=vn(2026, 4, 10, 12, 0))
        quarter = reports.build_report(session, "2026-Q1", now=vn(2026, 4, 10, 12, 0))
    assert [(m.period, m.due, m.completed_late, m.still_overdue) for m in march.dossier_months] == [
        ("2026-03", 3, 1, 1)
    ]
    assert march.dossier_overdue.rate == pytest.approx(2 / 3)
    assert quarter.dossier_overdue.late == 2 and quarter.dossier_overdue.due == 3
    assert "2026-03,3,1,1,66.7" in reports.report_csv(march)
