"""Monthly and quarterly hotline reports for the provincial People's Committee.

`build_report(session, "2026-03")` or `"2026-Q1"` returns plain data; `report_csv` and
`bar_chart_svg` turn it into a CSV file and inline SVG charts. Times are office hours
(`WorkCalendar`), so a ticket filed before Tết is not counted as answered slowly over Tết.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.dossiers.reports import MonthRate, overdue_rate_by_month
from hotline.sla import office_hours_between
from hotline.tickets import Ticket
from hotline.triage import KINDS
from hotline.workcalendar import VN_TZ

KIND_LABELS = {
    "complaint": "Khiếu nại / phản ánh",
    "feedback": "Góp ý",
    "question_for_person": "Cần cán bộ trả lời",
    "overdue_dossier": "Hồ sơ quá hạn",
    "technical_fault": "Lỗi cổng / kỹ thuật",
}


@dataclass
class Report:
    period: str
    label: str
    start: datetime
    end: datetime
    total: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_commune: list[tuple[str, int]] = field(default_factory=list)
    sla_met: int = 0
    sla_breached: int = 0
    sla_pending: int = 0
    median_first_response_hours: float | None = None
    median_resolution_hours: float | None = None
    csat_count: int = 0
    csat_average: float | None = None
    csat_distribution: list[tuple[str, int]] = field(default_factory=list)
    # Dossiers due in the period (one row per month): due, completed late, still overdue.
    dossier_months: list[MonthRate] = field(default_factory=list)

    @property
    def dossier_overdue(self) -> MonthRate:
        """The period's dossier figures summed over its months."""
        return MonthRate(
            self.period,
            sum(m.due for m in self.dossier_months),
            sum(m.completed_late for m in self.dossier_months),
            sum(m.still_overdue for m in self.dossier_months),
        )

    @property
    def sla_compliance(self) -> float | None:
        decided = self.sla_met + self.sla_breached
        return round(100.0 * self.sla_met / decided, 1) if decided else None


def parse_period(period: str) -> tuple[datetime, datetime, str]:
    """'2026-03' or '2026-Q1' -> (start, end) in Vietnam time and a Vietnamese label."""
    period = (period or "").strip().upper()
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", period)
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", period)
    if month and 1 <= int(month.group(2)) <= 12:
        year, first, months, label = int(month.group(1)), int(month.group(2)), 1, "Tháng {m}/{y}"
    elif quarter:
        year, first, months, label = int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 3, "Quý {q}/{y}"
    else:
        raise ValueError("period must look like 2026-03 or 2026-Q1")
    if not 2000 <= year <= 2100:
        raise ValueError("year out of range")
    start = datetime(year, first, 1, tzinfo=VN_TZ)
    end_month = first + months
    end = datetime(year + (end_month > 12), (end_month - 1) % 12 + 1, 1, tzinfo=VN_TZ)
    return start, end, label.format(m=first, y=year, q=(first + 2) // 3)


def current_period(now: datetime | None = None) -> str:
    now = (now or datetime.now(timezone.utc)).astimezone(VN_TZ)
    return f"{now.year}-{now.month:02d}"


def build_report(session: Session, period: str, now: datetime | None = None) -> Report:
    """Figures for tickets received in `period`."""
    start, end, label = parse_period(period)
    now = now or datetime.now(timezone.utc)
    rows = session.execute(
        select(Ticket.kind, Ticket.province_name, Ticket.commune_name, Ticket.created_at, Ticket.sla_due_at,
               Ticket.first_response_at, Ticket.resolved_at, Ticket.csat_rating)
        .where(Ticket.created_at >= start, Ticket.created_at < end)
    ).all()
    report = Report(period=period.upper(), label=label, start=start, end=end, total=len(rows))
    kinds = {kind: 0 for kind in KINDS}
    communes: dict[str, int] = {}
    first_response, resolution, ratings = [], [], []
    for row in rows:
        kinds[row.kind] = kinds.get(row.kind, 0) + 1
        place = row.commune_name or row.province_name or "Chưa rõ địa bàn"
        if row.commune_name and row.province_name:
            place = f"{row.commune_name} ({row.province_name})"
        communes[place] = communes.get(place, 0) + 1
        if row.first_response_at is not None:
            report.sla_met += row.first_response_at <= row.sla_due_at
            report.sla_breached += row.first_response_at > row.sla_due_at
            first_response.append(office_hours_between(row.created_at, row.first_response_at))
        elif now > row.sla_due_at:
            report.sla_breached += 1
        else:
            report.sla_pending += 1
        if row.resolved_at is not None:
            resolution.append(office_hours_between(row.created_at, row.resolved_at))
        if row.csat_rating:
            ratings.append(row.csat_rating)
    report.by_kind = [(KIND_LABELS.get(kind, kind), count) for kind, count in kinds.items()]
    report.by_commune = sorted(communes.items(), key=lambda item: (-item[1], item[0]))[:30]
    report.median_first_response_hours = round(statistics.median(first_response), 1) if first_response else None
    report.median_resolution_hours = round(statistics.median(resolution), 1) if resolution else None
    report.csat_count = len(ratings)
    report.csat_average = round(statistics.fmean(ratings), 2) if ratings else None
    report.csat_distribution = [(f"{score} sao", ratings.count(score)) for score in range(1, 6)]
    last_month = (end.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    report.dossier_months = overdue_rate_by_month(session, now, since=start.strftime("%Y-%m"), until=last_month)
    return report


def bar_chart_svg(rows: list[tuple[str, int]], title: str, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG; every label is escaped."""
    bar, gap, label_width = 22, 8, 230
    height = 30 + len(rows) * (bar + gap)
    peak = max((value for _, value in rows), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>']
    for index, (label, value) in enumerate(rows):
        y = 20 + index * (bar + gap)
        length = int((width - label_width - 60) * value / peak)
        parts.append(f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="13">'
                     f'{escape(str(label)[:40])}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" fill="#b3261e"></rect>')
        parts.append(f'<text x="{label_width + length + 6}" y="{y + 16}" font-size="13">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _cell(value):
    """Neutralise text Excel would run as a formula (place names come from citizens' input)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def report_csv(report: Report) -> str:
    """The report as CSV (UTF-8 with BOM so Excel shows Vietnamese correctly)."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["Báo cáo", report.label])
    writer.writerow(["Tổng số phản ánh", report.total])
    writer.writerow([])
    writer.writerow(["Loại", "Số lượng"])
    writer.writerows(report.by_kind)
    writer.writerow([])
    writer.writerow(["Địa bàn", "Số lượng"])
    writer.writerows(report.by_commune)
    writer.writerow([])
    writer.writerow(["Chỉ số", "Giá trị"])
    writer.writerow(["Đúng hạn SLA", report.sla_met])
    writer.writerow(["Trễ hạn SLA", report.sla_breached])
    writer.writerow(["Chưa đến hạn", report.sla_pending])
    writer.writerow(["Tỷ lệ đúng hạn (%)", "" if report.sla_compliance is None else report.sla_compliance])
    writer.writerow(["Trung vị thời gian phản hồi đầu tiên (giờ làm việc)",
                     "" if report.median_first_response_hours is None else report.median_first_response_hours])
    writer.writerow(["Trung vị thời gian giải quyết (giờ làm việc)",
                     "" if report.median_resolution_hours is None else report.median_resolution_hours])
    writer.writerow(["Số đánh giá hài lòng", report.csat_count])
    writer.writerow(["Điểm hài lòng trung bình (1-5)", "" if report.csat_average is None else report.csat_average])
    for label, count in report.csat_distribution:
        writer.writerow([label, count])
    writer.writerow([])
    writer.writerow(["Hồ sơ đến hạn trong tháng", "Đến hạn", "Hoàn thành trễ", "Còn quá hạn", "Tỷ lệ trễ hạn (%)"])
    for month in [*report.dossier_months, report.dossier_overdue]:
        writer.writerow([month.period, month.due, month.completed_late, month.still_overdue,
                         round(100 * month.rate, 1)])
    return "\ufeff" + out.getvalue()
