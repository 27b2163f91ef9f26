"""Overdue dossiers for operators and the monthly/quarterly report.

- overdue list: dossiers the agency still holds past their due date, most late first, with
  working days late, filterable by agency or commune, and the same grouped with counts;
- overdue rate per month of due date: share of the dossiers due that month that were
  completed late or are still overdue (the figure provinces report, e.g. 8.2%).
Heavy lifting is in SQL on the (status, due_at) index; days late are computed in Python
with the working-day calendar (cached per date pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Interval, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from hotline.deadlines import days_late
from hotline.dossiers.enums import CLOCK_RUNNING, DossierStatus
from hotline.dossiers.models import Dossier
from hotline.workcalendar import VN_TZ, now_vn, to_vn

VN_OFFSET_SQLITE = "+7 hours"


@dataclass(frozen=True)
class OverdueRow:
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    ward_name: str
    province_name: str
    status: str
    due_at: datetime
    days_late: int
    phone_masked: str


@dataclass(frozen=True)
class OverdueGroup:
    name: str
    province_name: str
    count: int
    max_days_late: int


@dataclass(frozen=True)
class OverdueReport:
    total: int
    groups: list[OverdueGroup]
    rows: list[OverdueRow]


def _overdue_filter(now: datetime, agency: str | None = None, ward: str | None = None):
    conditions = [Dossier.status.in_(CLOCK_RUNNING), Dossier.due_at < now]
    if agency:
        conditions.append(Dossier.agency == agency)
    if ward:
        conditions.append(Dossier.ward_name == ward)
    return and_(*conditions)


def overdue_report(
    session: Session, now: datetime | None = None, *, by: str = "agency", agency: str | None = None,
    ward: str | None = None, limit: int = 200, offset: int = 0,
) -> OverdueReport:
    """Overdue dossiers grouped by agency or commune, plus one page of them, most late first."""
    now = to_vn(now or now_vn())
    where = _overdue_filter(now, agency, ward)
    key = Dossier.ward_name if by == "ward" else Dossier.agency
    grouped = session.execute(
        select(key, Dossier.province_name, func.count(Dossier.id), func.min(Dossier.due_at))
        .where(where).group_by(key, Dossier.province_name).order_by(func.count(Dossier.id).desc(), key)
    ).all()
    groups = [OverdueGroup(name or "—", province or "", count, days_late(to_vn(oldest), now))
              for name, province, count, oldest in grouped]
    dossiers = session.execute(
        select(Dossier.code, Dossier.procedure_code, Dossier.procedure_name, Dossier.agency, Dossier.ward_name,
               Dossier.province_name, Dossier.status, Dossier.due_at, Dossier.phone_masked)
        .where(where).order_by(Dossier.due_at, Dossier.code).limit(limit).offset(offset)
    ).all()
    rows = [OverdueRow(*r[:7], due_at=to_vn(r.due_at), days_late=days_late(to_vn(r.due_at), now),
                       phone_masked=r.phone_masked) for r in dossiers]
    return OverdueReport(total=sum(g.count for g in groups), groups=groups, rows=rows)


@dataclass(frozen=True)
class MonthRate:
    period: str  # "2025-09" or "2025-Q3"
    due: int
    completed_late: int
    still_overdue: int

    @property
    def late(self) -> int:
        return self.completed_late + self.still_overdue

    @property
    def rate(self) -> float:
        """Share of the period's due dossiers that were late (0..1)."""
        return self.late / self.due if self.due else 0.0


def _month_expression(session: Session):
    """The Vietnam-time month of the due date (stored as UTC; Vietnam is UTC+7, no DST)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Dossier.due_at + literal_column("interval '7 hours'", Interval()), "YYYY-MM")
    # SQLite keeps DateTime as "YYYY-MM-DD HH:MM:SS…" text: shift the first 19 characters by the
    # offset and keep the first 7, the month (cheaper than strftime over 200,000 rows).
    return func.substr(func.datetime(func.substr(Dossier.due_at, 1, 19), VN_OFFSET_SQLITE), 1, 7)


def overdue_rate_by_month(
    session: Session, now: datetime | None = None, *, since: str | None = None, until: str | None = None,
) -> list[MonthRate]:
    """Per month of due date (up to now): dossiers due, completed late, still overdue."""
    now = to_vn(now or now_vn())
    month = _month_expression(session).label("month")
    late_done = case((and_(Dossier.status == DossierStatus.COMPLETED, Dossier.completed_at > Dossier.due_at), 1), else_=0)
    still = case((Dossier.status.in_(CLOCK_RUNNING), 1), else_=0)
    query = (
        select(month, func.count(Dossier.id), func.sum(late_done), func.sum(still))
        .where(Dossier.due_at.is_not(None), Dossier.due_at < now)
        # Withdrawn/refused dossiers and those waiting for the citizen owe nothing on time.
        .where(Dossier.status.in_((DossierStatus.COMPLETED, *CLOCK_RUNNING)))
        .group_by(month).order_by(month)
    )
    if since:  # "YYYY-MM": bound the scan on the due_at index, not after the fact
        query = query.where(Dossier.due_at >= datetime(int(since[:4]), int(since[5:7]), 1, tzinfo=VN_TZ))
    rates = [MonthRate(m, int(n), int(done or 0), int(s or 0)) for m, n, done, s in session.execute(query)]
    return [r for r in rates if until is None or r.period <= until]


def by_quarter(months: list[MonthRate]) -> list[MonthRate]:
    """The monthly figures summed per quarter (for the quarterly report)."""
    quarters: dict[str, list[int]] = {}
    for m in months:
        year, month = m.period.split("-")
        key = f"{year}-Q{(int(month) - 1) // 3 + 1}"
        totals = quarters.setdefault(key, [0, 0, 0])
        totals[0] += m.due
        totals[1] += m.completed_late
        totals[2] += m.still_overdue
    return [MonthRate(k, *v) for k, v in sorted(quarters.items())]
