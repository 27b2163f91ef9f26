"""Import of the provincial one-stop system's dossier export (CSV or JSON), and record parsing.

Both the export and the provincial API describe a dossier with the same fields; headers may
be English (``code``) or the Vietnamese names exports use (``ma_ho_so``, ``Mã hồ sơ``).
Re-importing a file updates dossiers in place (matched by code); a status change goes
through the status rules and notifies subscribers. Bad rows are reported, never fatal.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from hotline.db import transaction
from hotline.deadlines import ProcessingTime, due_at
from hotline.dossiers.codes import check_code
from hotline.dossiers.enums import FINISHED, STATUSES, DossierStatus
from hotline.dossiers.models import Dossier, DossierRecord, DossierStatusEvent, StatusUpdate
from hotline.dossiers.service import InvalidTransition, aware, upsert_dossier
from hotline.masking import mask_phone, phone_digits
from hotline.workcalendar import VN_TZ, now_vn, to_vn

log = logging.getLogger(__name__)

BATCH = 1000
MAX_ERRORS_KEPT = 50

# Header spellings → field. Keys are compared folded (no accents, lower case, "_" for spaces).
_ALIASES = {
    "code": "code", "ma_ho_so": "code", "so_ho_so": "code", "dossier_code": "code",
    "procedure_code": "procedure_code", "ma_thu_tuc": "procedure_code", "ma_tthc": "procedure_code",
    "procedure_name": "procedure_name", "ten_thu_tuc": "procedure_name", "ten_tthc": "procedure_name",
    "agency": "agency", "co_quan": "agency", "co_quan_tiep_nhan": "agency", "co_quan_giai_quyet": "agency",
    "don_vi_xu_ly": "agency",
    "ward_code": "ward_code", "ma_xa": "ward_code", "ma_xa_phuong": "ward_code",
    "ward_name": "ward_name", "ward": "ward_name", "xa_phuong": "ward_name", "ten_xa": "ward_name",
    "province_name": "province_name", "province": "province_name", "tinh": "province_name",
    "tinh_thanh_pho": "province_name",
    "received_at": "received_at", "ngay_tiep_nhan": "received_at", "ngay_nop": "received_at",
    "due_at": "due_at", "ngay_hen_tra": "due_at", "han_xu_ly": "due_at", "appointment": "due_at",
    "status": "status", "trang_thai": "status", "tinh_trang": "status",
    "status_at": "status_at", "ngay_cap_nhat": "status_at", "thoi_gian_cap_nhat": "status_at",
    "message": "message", "ghi_chu": "message", "noi_dung_xu_ly": "message", "y_kien": "message",
    "phone": "phone", "so_dien_thoai": "phone", "dien_thoai": "phone", "applicant_phone": "phone",
    "processing_time": "processing_time", "thoi_han_giai_quyet": "processing_time", "thoi_gian_xu_ly": "processing_time",
    "processing_unit": "processing_unit", "don_vi_thoi_gian": "processing_unit", "don_vi": "processing_unit",
    "history": "history", "lich_su": "history",
}

# Status wording of provincial systems → our statuses (folded keys).
_S = DossierStatus
_STATUS_WORDS = {
    "received": _S.RECEIVED, "da tiep nhan": _S.RECEIVED, "tiep nhan": _S.RECEIVED, "moi tiep nhan": _S.RECEIVED,
    "cho xu ly": _S.RECEIVED,
    "in_processing": _S.IN_PROCESSING, "dang xu ly": _S.IN_PROCESSING, "dang giai quyet": _S.IN_PROCESSING,
    "needs_additional_documents": _S.NEEDS_DOCUMENTS, "yeu cau bo sung": _S.NEEDS_DOCUMENTS,
    "bo sung ho so": _S.NEEDS_DOCUMENTS, "cho bo sung": _S.NEEDS_DOCUMENTS,
    "can bo sung": _S.NEEDS_DOCUMENTS,
    "transferred": _S.TRANSFERRED, "da chuyen": _S.TRANSFERRED, "chuyen xu ly": _S.TRANSFERRED,
    "chuyen co quan khac": _S.TRANSFERRED, "lien thong": _S.TRANSFERRED,
    "completed": _S.COMPLETED, "da co ket qua": _S.COMPLETED, "hoan thanh": _S.COMPLETED, "da giai quyet": _S.COMPLETED,
    "cho tra ket qua": _S.COMPLETED, "da tra ket qua": _S.COMPLETED,
    "returned": _S.RETURNED, "refused": _S.RETURNED, "tra lai": _S.RETURNED, "tu choi": _S.RETURNED,
    "khong giai quyet": _S.RETURNED, "tra lai ho so": _S.RETURNED,
    "withdrawn": _S.WITHDRAWN, "rut ho so": _S.WITHDRAWN, "da rut": _S.WITHDRAWN, "cong dan rut ho so": _S.WITHDRAWN,
}

_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%H:%M %d/%m/%Y", "%H:%M:%S %d/%m/%Y",
)


class RecordError(ValueError):
    """A row or API answer that cannot become a dossier (the message says why)."""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def parse_moment(value: Any, field_name: str) -> datetime | None:
    """A Vietnam-time datetime from the formats exports use (ISO, dd/mm/yyyy, with offsets)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return to_vn(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=VN_TZ)
    text = str(value).strip()
    try:
        return to_vn(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    raise RecordError(f"{field_name}: not a date/time: {text[:40]!r}")


def parse_status(value: Any) -> str:
    key = _fold(value or "")
    if key.replace(" ", "_") in STATUSES:
        return DossierStatus(key.replace(" ", "_")).value
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key].value
    raise RecordError(f"status: unknown value {str(value)[:40]!r}")


def _canonical(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = _ALIASES.get(_fold(key).replace(" ", "_"))
        if name and name not in out:
            out[name] = value
    return out


def kb_processing_time(procedure_code: str) -> ProcessingTime | None:
    """The procedure's processing time from the knowledge base (online channel first)."""
    try:
        from procedure_kb.search import get_procedure
    except ImportError:  # knowledge base not installed: due dates must come from the data
        return None
    procedure = get_procedure(procedure_code) if procedure_code else None
    if procedure is None:
        return None
    channels = sorted(procedure.channels, key=lambda c: c.channel != "Trực tuyến")
    for channel in channels:
        if channel.time_value and channel.time_unit:
            return ProcessingTime(channel.time_value, channel.time_unit)
    return None


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value if value is not None else "").split())[:limit]


def parse_record(raw: Any, reduction: float = 0.0, today: date | None = None) -> DossierRecord:
    """Validate one dossier described by an export row or an API answer."""
    if not isinstance(raw, dict):
        raise RecordError("not an object")
    data = _canonical(raw)
    checked = check_code(str(data.get("code") or ""), today=today)
    if not checked.ok:
        raise RecordError(f"code: {checked.message('en')}")
    received = parse_moment(data.get("received_at"), "received_at")
    if received is None:
        raise RecordError("received_at: missing")
    status = parse_status(data.get("status") or "received")
    status_at = parse_moment(data.get("status_at"), "status_at") or received
    due = parse_moment(data.get("due_at"), "due_at")
    if due is None:
        processing = None
        if data.get("processing_time") not in (None, "") and data.get("processing_unit"):
            try:
                processing = ProcessingTime(float(str(data["processing_time"]).replace(",", ".")),
                                            str(data["processing_unit"]))
            except ValueError as exc:
                raise RecordError(f"processing_time: {exc}") from None
        if processing is not None:
            try:
                due = due_at(received, processing, reduction)
            except ValueError as exc:
                raise RecordError(f"processing_time: {exc}") from None
        else:
            known = kb_processing_time(_text(data.get("procedure_code"), 20))
            try:
                due = due_at(received, known, reduction) if known else None
            except ValueError:  # a unit the calendar cannot count ("Năm"): no due date rather than no dossier
                due = None
    phone = phone_digits(str(data.get("phone") or ""))
    if phone and not 9 <= len(phone) <= 12:
        raise RecordError("phone: not a phone number")
    history: list[StatusUpdate] = []
    raw_history = data.get("history") or []
    if isinstance(raw_history, str):
        try:
            raw_history = json.loads(raw_history)
        except ValueError:
            raise RecordError("history: not JSON") from None
    if not isinstance(raw_history, list):
        raise RecordError("history: not a list")
    for item in raw_history[:200]:
        if not isinstance(item, dict):
            raise RecordError("history: entry is not an object")
        when = parse_moment(item.get("at") or item.get("occurred_at") or item.get("thoi_gian"), "history.at")
        if when is None:
            raise RecordError("history: entry without a time")
        history.append(StatusUpdate(parse_status(item.get("status") or item.get("trang_thai")), when,
                                    _text(item.get("message") or item.get("ghi_chu") or "", 2000)))
    return DossierRecord(
        code=checked.code, received_at=received, status=status, status_at=status_at,
        procedure_code=_text(data.get("procedure_code"), 20), procedure_name=_text(data.get("procedure_name"), 400),
        agency=_text(data.get("agency"), 200), ward_code=_text(data.get("ward_code"), 10),
        ward_name=_text(data.get("ward_name"), 120), province_name=_text(data.get("province_name"), 120),
        due_at=due, message=_text(data.get("message"), 2000), phone=phone, history=history,
    )


# ------------------------------------------------------------------ reading files

def read_rows(path: str | Path) -> Iterator[Any]:
    """Rows of a CSV (UTF-8, with or without BOM; comma or semicolon) or JSON export."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".jsonl"):
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".jsonl":
            for line in text.splitlines():
                if line.strip():
                    yield json.loads(line)
            return
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("dossiers") or data.get("data") or data.get("items") or []
        if not isinstance(data, list):
            raise RecordError("JSON export must be a list of dossiers or {\"dossiers\": [...]}")
        yield from data
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        yield from csv.DictReader(handle, delimiter=delimiter)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def add_error(self, where: str, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"{where}: {message}")

    def summary(self) -> str:
        return (f"created {self.created}, updated {self.updated} ({self.status_changes} status changes), "
                f"unchanged {self.unchanged}, rejected {self.rejected}")


def _insert_new(session: Session, records: list[DossierRecord], source: str) -> None:
    """Fast path for dossiers not yet stored: Core bulk inserts (the 200,000-row import)."""
    now = now_vn()
    session.execute(insert(Dossier.__table__), [
        dict(code=r.code, procedure_code=r.procedure_code, procedure_name=r.procedure_name, agency=r.agency,
             ward_code=r.ward_code, ward_name=r.ward_name, province_name=r.province_name,
             received_at=aware(r.received_at), due_at=aware(r.due_at), status=r.status,
             status_message=r.message, status_changed_at=aware(r.status_at),
             completed_at=aware(r.status_at) if r.status in FINISHED else None,
             phone_masked=mask_phone(r.phone), phone_last4=r.phone[-4:], source=source, updated_at=now)
        for r in records
    ])
    ids = dict(session.execute(
        select(Dossier.code, Dossier.id).where(Dossier.code.in_([r.code for r in records]))
    ).all())
    events, seen = [], set()
    for r in records:
        for update in [*r.history, StatusUpdate(r.status, r.status_at, r.message)]:
            key = (ids[r.code], update.status, aware(update.occurred_at))
            if key in seen:
                continue
            seen.add(key)
            events.append(dict(dossier_id=key[0], status=update.status, message=update.message,
                               occurred_at=key[2], source=source))
    if events:
        session.execute(insert(DossierStatusEvent.__table__), events)


def import_records(
    sessions: sessionmaker, rows: Iterable[Any], *, source: str = "import", reduction: float = 0.0,
    batch_size: int = BATCH,
) -> ImportReport:
    """Upsert every valid row, one transaction per batch; invalid rows are counted and reported."""
    report = ImportReport()
    batch: list[tuple[int, DossierRecord]] = []

    def flush() -> None:
        if not batch:
            return
        # A code repeated inside one file: the last row wins, like a later re-import would.
        latest: dict[str, tuple[int, DossierRecord]] = {}
        for number, record in batch:
            latest[record.code] = (number, record)
        with transaction(sessions) as session:
            existing = {d.code: d for d in session.execute(
                select(Dossier).options(selectinload(Dossier.events), selectinload(Dossier.subscriptions))
                .where(Dossier.code.in_(list(latest)))
            ).scalars()}
            new = [record for code, (_, record) in latest.items() if code not in existing]
            if new:
                _insert_new(session, new, source)
                report.created += len(new)
            for code, dossier in existing.items():
                number, record = latest[code]
                try:  # the transition is checked before anything changes: no savepoint needed
                    result = upsert_dossier(session, record, source, existing=dossier)
                except InvalidTransition as exc:
                    report.add_error(f"row {number} ({code})", str(exc))
                    continue
                if result.changed:
                    report.updated += 1
                    report.status_changes += result.status_changed
                else:
                    report.unchanged += 1
        batch.clear()

    for number, raw in enumerate(rows, start=1):
        try:
            batch.append((number, parse_record(raw, reduction)))
        except RecordError as exc:
            report.add_error(f"row {number}", str(exc))
        if len(batch) >= batch_size:
            flush()
    flush()
    log.info("dossier import: %s", report.summary())
    return report


def import_file(sessions: sessionmaker, path: str | Path, *, reduction: float = 0.0) -> ImportReport:
    """Import a CSV/JSON export file."""
    try:
        rows = list(read_rows(path))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        report = ImportReport()
        report.add_error(str(path), f"cannot read the file: {exc}")
        return report
    except RecordError as exc:
        report = ImportReport()
        report.add_error(str(path), str(exc))
        return report
    return import_records(sessions, rows, reduction=reduction)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Write export-shaped dicts as CSV (demo data, tests, bench)."""
    buffer = io.StringIO()
    columns = [c for c in rows[0] if c != "history"] if rows else []
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
