"""A deterministic, realistic demo set of dossiers (real procedure codes, real new communes).

Two parts, both reproducible:
- a fixed history of 240 dossiers received July–December 2025 (after the 1 July 2025 reform),
  mostly finished, some completed late, a few still open and therefore overdue; the two
  README codes are among them and never change;
- 60 recent dossiers received in the four weeks before the current week (seeded by that
  week's Monday), so the console always shows work in progress, due-soon and overdue ones.
Loading is an upsert by code: running it twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from hotline.deadlines import ProcessingTime, due_at
from hotline.dossiers.codes import make_code
from hotline.workcalendar import DEFAULT_CALENDAR, VN_TZ, now_vn

# (national code, name, processing time value, unit) — from the National Public Service Portal.
PROCEDURES: list[tuple[str, str, float, str]] = [
    ("1.004222", "Đăng ký thường trú", 7, "Ngày làm việc"),
    ("1.003197", "Xóa đăng ký thường trú", 5, "Ngày làm việc"),
    ("1.013314", "Xác nhận về điều kiện diện tích bình quân nhà ở để đăng ký thường trú", 2, "Ngày làm việc"),
    ("1.012753", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận lần đầu", 17, "Ngày làm việc"),
    ("1.012812", "Hòa giải tranh chấp đất đai", 30, "Ngày"),
    ("1.013949", "Giao đất, cho thuê đất, chuyển mục đích sử dụng đất", 15, "Ngày"),
    ("1.008004", "Chuyển đổi cơ cấu cây trồng, vật nuôi trên đất trồng lúa", 5, "Ngày làm việc"),
    ("1.001598", "Giải quyết hưởng trợ cấp nghỉ dưỡng sức phục hồi sức khỏe sau ốm đau, thai sản", 6, "Ngày làm việc"),
    ("1.007277", "Khai lệ phí trước bạ nhà, đất", 5, "Ngày làm việc"),
    ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", 3, "Ngày làm việc"),
    ("1.014849", "Cấp giấy phép cho các hoạt động trong phạm vi bảo vệ công trình thủy lợi", 11, "Ngày làm việc"),
    ("1.013967", "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch UBND cấp xã", 45, "Ngày"),
]

# (agency identifier, new ward code, new ward, province) — real communes after 1 July 2025.
WARDS: list[tuple[str, str, str, str]] = [
    ("000.31.25.H29", "00004", "Phường Ba Đình", "Thành phố Hà Nội"),
    ("000.32.25.H29", "00070", "Phường Hoàn Kiếm", "Thành phố Hà Nội"),
    ("000.33.25.H29", "00166", "Phường Cầu Giấy", "Thành phố Hà Nội"),
    ("000.34.25.H29", "00235", "Phường Đống Đa", "Thành phố Hà Nội"),
    ("000.35.25.H29", "00454", "Xã Đông Anh", "Thành phố Hà Nội"),
    ("000.21.26.H58", "26740", "Phường Sài Gòn", "Thành phố Hồ Chí Minh"),
    ("000.22.26.H58", "26743", "Phường Bến Thành", "Thành phố Hồ Chí Minh"),
    ("000.23.26.H58", "26929", "Phường Bình Thạnh", "Thành phố Hồ Chí Minh"),
    ("000.24.26.H58", "26824", "Phường Thủ Đức", "Thành phố Hồ Chí Minh"),
    ("000.25.26.H58", "27343", "Phường Chợ Lớn", "Thành phố Hồ Chí Minh"),
    ("000.26.26.H58", "25747", "Phường Thủ Dầu Một", "Thành phố Hồ Chí Minh"),
    ("000.11.27.H17", "20242", "Phường Hải Châu", "Thành phố Đà Nẵng"),
    ("000.12.27.H17", "20200", "Phường Hòa Khánh", "Thành phố Đà Nẵng"),
]

MESSAGES = {
    "received": "Hồ sơ đã được tiếp nhận, đang chờ phân công xử lý.",
    "in_processing": "Hồ sơ đang được cán bộ chuyên môn thẩm định.",
    "needs_additional_documents": "Đề nghị bổ sung bản sao Giấy chứng nhận quyền sử dụng đất và sơ đồ thửa đất.",
    "transferred": "Hồ sơ đã chuyển Văn phòng đăng ký đất đai để xác minh.",
    "completed": "Đã có kết quả, mời ông/bà đến Trung tâm Phục vụ hành chính công nhận kết quả.",
    "returned": "Hồ sơ không đủ điều kiện giải quyết, đã có văn bản trả lời nêu rõ lý do.",
    "withdrawn": "Công dân đề nghị rút hồ sơ.",
}

# The two codes the README offers; their phone numbers end in the digits given there.
DEMO_OVERDUE_CODE = "000.31.25.H29-250903-0007"   # in processing, long overdue — phone …4321
DEMO_COMPLETED_CODE = "000.21.26.H58-251015-0003"  # completed, result ready — phone …5678
DEMO_CODES = {DEMO_OVERDUE_CODE: "4321", DEMO_COMPLETED_CODE: "5678"}


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(["090", "091", "093", "096", "097", "098", "086", "088", "070", "077"])
    return prefix + "".join(rng.choice("0123456789") for _ in range(7))


def _record(rng: random.Random, received: datetime, sequence: int, status: str, *, finish_ratio: float,
            not_after: datetime) -> dict[str, Any]:
    procedure = rng.choice(PROCEDURES)
    place = rng.choice(WARDS)
    due = due_at(received, ProcessingTime(*procedure[2:]))
    if status in ("completed", "returned", "withdrawn"):
        span = (due - received) * finish_ratio
        status_at = received + span
    elif status == "received":
        status_at = received
    else:
        status_at = received + (due - received) * rng.uniform(0.1, 0.6)
    status_at = max(received, min(status_at, not_after))  # nothing happens in the future
    record = _dossier(make_code(place[0], received.date(), sequence), procedure, place, received, due, status,
                      status_at, _phone(rng))
    if status not in ("received", "withdrawn", "in_processing"):
        record["history"].append({"status": "in_processing",
                                  "at": (received + (status_at - received) / 3).isoformat(),
                                  "message": MESSAGES["in_processing"]})
    return record


def _dossier(code: str, procedure: tuple[str, str, float, str], place: tuple[str, str, str, str],
             received: datetime, due: datetime | None, status: str, status_at: datetime,
             phone: str) -> dict[str, Any]:
    """One dossier in the provincial export's JSON shape, its history starting at reception."""
    procedure_code, name, _value, _unit = procedure
    _agency, ward_code, ward_name, province = place
    return {
        "code": code, "procedure_code": procedure_code, "procedure_name": name, "agency": f"UBND {ward_name}",
        "ward_code": ward_code, "ward_name": ward_name, "province_name": province,
        "received_at": received.isoformat(), "due_at": due.isoformat() if due else "",
        "status": status, "status_at": status_at.isoformat(), "message": MESSAGES[status],
        "phone": phone,
        "history": [{"status": "received", "at": received.isoformat(), "message": MESSAGES["received"]}],
    }


def _office_moment(rng: random.Random, day: date) -> datetime:
    minutes = rng.randrange(0, 8 * 60)
    start = time(7, 30) if minutes < 240 else time(13, 0)
    return datetime.combine(day, start, VN_TZ) + timedelta(minutes=minutes % 240)


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if DEFAULT_CALENDAR.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def historical() -> list[dict[str, Any]]:
    """The fixed July–December 2025 part, identical on every machine and every day."""
    rng = random.Random(20250701)
    days = _working_days(date(2025, 7, 1), date(2025, 12, 31))
    records = []
    for index in range(240):
        day = days[index * len(days) // 240]
        roll = rng.random()
        if roll < 0.80:
            status, ratio = "completed", rng.uniform(0.3, 0.95)
        elif roll < 0.88:
            status, ratio = "completed", rng.uniform(1.1, 1.8)  # late
        elif roll < 0.92:
            status, ratio = "returned", rng.uniform(0.3, 0.9)
        elif roll < 0.94:
            status, ratio = "withdrawn", rng.uniform(0.1, 0.5)
        else:
            status, ratio = "in_processing", 0.0  # never finished: overdue
        records.append(_record(rng, _office_moment(rng, day), index % 50 + 1, status, finish_ratio=ratio,
                               not_after=datetime(2026, 3, 31, tzinfo=VN_TZ)))
    _pin(records)
    return records


def _pin(records: list[dict[str, Any]]) -> None:
    """Make the README's two dossiers exactly what the README says."""
    overdue = _fixed(DEMO_OVERDUE_CODE, "in_processing", "0912344321", 3, 0)
    overdue["message"] = "Hồ sơ đang chờ ý kiến của Văn phòng đăng ký đất đai."
    completed = _fixed(DEMO_COMPLETED_CODE, "completed", "0987655678", 9, 5)
    records.extend([overdue, completed])


def _fixed(code: str, status: str, phone: str, proc: int, ward: int) -> dict[str, Any]:
    yymmdd = code.split("-")[1]
    received = datetime(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]), 9, 15, tzinfo=VN_TZ)
    due = due_at(received, ProcessingTime(*PROCEDURES[proc][2:]))
    status_at = received + (due - received) * (0.4 if status == "in_processing" else 0.8)
    return _dossier(code, PROCEDURES[proc], WARDS[ward], received, due, status, status_at, phone)


def recent(today: date | None = None) -> list[dict[str, Any]]:
    """60 dossiers from the four weeks before this week (deterministic for a given week)."""
    today = today or now_vn().date()
    monday = today - timedelta(days=today.weekday())
    rng = random.Random(monday.toordinal())
    days = _working_days(monday - timedelta(days=28), monday - timedelta(days=1))
    records = []
    for index in range(60):
        day = days[index * len(days) // 60]
        status = rng.choices(
            ["received", "in_processing", "needs_additional_documents", "transferred", "completed"],
            weights=[15, 45, 10, 10, 20],
        )[0]
        records.append(_record(rng, _office_moment(rng, day), 51 + index % 40, status,
                               finish_ratio=rng.uniform(0.3, 0.9),
                               not_after=datetime.combine(monday, time(7, 0), VN_TZ)))
    return records


def demo_records(today: date | None = None) -> list[dict[str, Any]]:
    """The whole demo set in the provincial export's JSON shape."""
    return historical() + recent(today)
