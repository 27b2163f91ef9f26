"""Dossier repository on SQLite and the real PostgreSQL: status rules, import, verified lookup."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.db import make_engine, make_session_factory, transaction
from hotline.dossiers import (
    Dossier,
    InvalidTransition,
    answer_text,
    change_status,
    get_by_code,
    subscribe,
    view_of,
)
from hotline.dossiers.importer import import_file, import_records, to_csv
from hotline.dossiers.lookup import (
    BAD_CODE,
    FOUND,
    LIMITED,
    NO_MATCH,
    verify_and_lookup,
)
from hotline.notify import OutboxMessage
from hotline.workcalendar import VN_TZ

CODE = "000.00.31.H29-250715-0012"
NOW = datetime(2025, 8, 20, 10, 0, tzinfo=VN_TZ)


def row(**overrides) -> dict:
    base = {
        "Mã hồ sơ": CODE, "Mã thủ tục": "1.004222", "Tên thủ tục": "Đăng ký thường trú",
        "Cơ quan tiếp nhận": "UBND Phường Ba Đình", "Mã xã": "00004", "Xã phường": "Phường Ba Đình",
        "Tỉnh": "Thành phố Hà Nội", "Ngày tiếp nhận": "15/07/2025 09:30", "Ngày hẹn trả": "",
        "Thời hạn giải quyết": "7", "Đơn vị thời gian": "Ngày làm việc", "Trạng thái": "Đang xử lý",
        "Ngày cập nhật": "16/07/2025 10:00", "Ghi chú": "Đang thẩm định", "Số điện thoại": "0912 345 678",
    }
    base.update(overrides)
    return base


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def stored(sessions, code=CODE) -> Dossier:
    with sessions() as session:
        dossier = get_by_code(session, code)
        _ = dossier.events  # load the history before the session closes
        return dossier


def test_import_computes_the_due_date_and_never_stores_the_full_phone(sessions):
    report = import_records(sessions, [row()])
    assert (report.created, report.rejected) == (1, 0)
    dossier = stored(sessions)
    assert dossier.status == "in_processing"
    # 7 working days from Tue 15 Jul 2025 → Thu 24 Jul, close of office.
    assert dossier.due_at == datetime(2025, 7, 24, 17, 0, tzinfo=VN_TZ)
    assert dossier.phone_masked == "091*****78" and dossier.phone_last4 == "5678"
    with sessions() as session:
        values = session.execute(select(Dossier.__table__)).one()
    assert not any("0912345678" in str(v) for v in values)


def test_due_date_comes_from_the_knowledge_base_and_the_province_reduction(sessions):
    bare = row(**{"Thời hạn giải quyết": "", "Đơn vị thời gian": ""})  # 1.004222: 7 working days
    import_records(sessions, [bare], reduction=0.5)
    # 3.5 working days from Tue 15 Jul 2025: close of Fri 18 Jul + 4 office hours → Mon 21 Jul 11:30.
    assert stored(sessions).due_at == datetime(2025, 7, 21, 11, 30, tzinfo=VN_TZ)


def test_reimport_updates_in_place_and_notifies_subscribers(sessions, tmp_path):
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(to_csv([row(), row(**{"Mã hồ sơ": "000.00.31.H29-250715-0013"})]), encoding="utf-8-sig")
    first = import_file(sessions, csv_file)
    again = import_file(sessions, csv_file)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    with transaction(sessions) as session:
        subscribe(session, get_by_code(session, CODE), "telegram", "123456", "vi")

    changed = [row(**{"Trạng thái": "Đã có kết quả", "Ngày cập nhật": "2025-07-23T15:00:00",
                      "Ghi chú": "Mời nhận kết quả"})]
    json_file = tmp_path / "export.json"
    json_file.write_text(json.dumps({"dossiers": changed}, ensure_ascii=False), encoding="utf-8")
    report = import_file(sessions, json_file)
    assert (report.created, report.updated, report.status_changes) == (0, 1, 1)
    assert import_file(sessions, json_file).unchanged == 1  # the same file again changes nothing

    dossier = stored(sessions)
    assert dossier.status == "completed" and dossier.completed_at == datetime(2025, 7, 23, 15, 0, tzinfo=VN_TZ)
    assert [e.status for e in dossier.events] == ["in_processing", "completed"]
    with sessions() as session:
        assert session.execute(select(Dossier.id)).all().__len__() == 2
        outbox = session.execute(select(OutboxMessage)).scalars().all()
    assert len(outbox) == 1
    assert outbox[0].channel == "telegram" and outbox[0].recipient == "123456"
    assert CODE in outbox[0].text and "Đã có kết quả" in outbox[0].text


def test_bad_rows_are_reported_and_the_rest_imported(sessions):
    rows = [row(), row(**{"Mã hồ sơ": "<script>"}), row(**{"Mã hồ sơ": "000.00.31.H29-250715-0014",
                                                             "Trạng thái": "đã bay lên trời"}),
            row(**{"Mã hồ sơ": "000.00.31.H29-250715-0015", "Ngày tiếp nhận": "hôm qua"}), "not a row"]
    report = import_records(sessions, rows)
    assert report.created == 1 and report.rejected == 4
    assert any("status" in e for e in report.errors) and any("received_at" in e for e in report.errors)


def test_status_rules(sessions):
    import_records(sessions, [row(**{"Trạng thái": "Đã tiếp nhận"})])
    with transaction(sessions) as session:
        dossier = get_by_code(session, CODE)
        assert change_status(session, dossier, "needs_additional_documents", message="Thiếu CCCD", at=NOW)
        assert change_status(session, dossier, "in_processing", at=NOW + timedelta(days=2))
        assert not change_status(session, dossier, "in_processing", message="Đang trình ký")
        assert dossier.status_message == "Đang trình ký"
        assert change_status(session, dossier, "completed", at=NOW + timedelta(days=3))
        with pytest.raises(InvalidTransition):
            change_status(session, dossier, "in_processing")
        with pytest.raises(InvalidTransition):
            change_status(session, dossier, "lost")
    dossier = stored(sessions)
    assert [e.status for e in dossier.events] == [
        "received", "needs_additional_documents", "in_processing", "completed"]
    assert dossier.events[1].message == "Thiếu CCCD"


def test_import_refuses_an_impossible_status_change(sessions):
    import_records(sessions, [row(**{"Trạng thái": "Hoàn thành", "Ngày cập nhật": "20/07/2025 10:00"})])
    report = import_records(sessions, [row(**{"Trạng thái": "Đang xử lý", "Ngày cập nhật": "21/07/2025"})])
    assert report.rejected == 1 and "completed" in report.errors[0]
    assert stored(sessions).status == "completed"


def test_view_shows_overdue_only_while_the_agency_holds_the_dossier(sessions):
    import_records(sessions, [row()])
    with sessions() as session:
        view = view_of(get_by_code(session, CODE), NOW)
    assert view.overdue and view.days_late > 0
    with transaction(sessions) as session:
        change_status(session, get_by_code(session, CODE), "needs_additional_documents", at=NOW)
    with sessions() as session:
        assert not view_of(get_by_code(session, CODE), NOW).overdue


# ------------------------------------------------------------------ verified lookup

def lookup(sessions, sender, code, digits, now=NOW):
    with transaction(sessions) as session:
        return verify_and_lookup(session, sender, code, digits, now)


def test_only_code_and_matching_digits_show_the_dossier(sessions):
    import_records(sessions, [row()])
    found = lookup(sessions, "telegram:1", " 000.00.31.h29-250715-0012 ", "5 6 7 8")
    assert found.kind == FOUND
    text = answer_text(found)
    assert "Đang xử lý" in text and "UBND Phường Ba Đình" in text and "quá hạn" in text
    assert "0912" not in text and "345" not in text


def test_right_code_with_wrong_digits_reveals_nothing(sessions):
    import_records(sessions, [row()])
    wrong_digits = lookup(sessions, "web:a", CODE, "1111")
    unknown_code = lookup(sessions, "web:b", "000.00.31.H29-250715-0099", "5678")
    assert wrong_digits.kind == unknown_code.kind == NO_MATCH
    assert wrong_digits.view is None and unknown_code.view is None
    for lang in ("vi", "en"):
        assert answer_text(wrong_digits, lang) == answer_text(unknown_code, lang)
        assert "Ba Đình" not in answer_text(wrong_digits, lang)
    assert lookup(sessions, "web:c", "DROP TABLE dossiers;", "5678").kind == BAD_CODE


def test_five_failures_an_hour_then_a_pause_even_for_the_right_digits(sessions, database_url):
    import_records(sessions, [row()])
    kinds = [lookup(sessions, "telegram:9", CODE, f"{n:04d}", NOW + timedelta(minutes=n)).kind for n in range(5)]
    assert kinds == [NO_MATCH] * 4 + [LIMITED]
    # Another process (a new engine) sees the same attempts: the limit holds across replicas.
    engine = make_engine(database_url)
    try:
        other = make_session_factory(engine)
        blocked = lookup(other, "telegram:9", CODE, "5678", NOW + timedelta(minutes=10))
    finally:
        engine.dispose()
    assert blocked.kind == LIMITED and blocked.view is None and blocked.retry_after_minutes > 0
    assert "5678" not in answer_text(blocked) and "phút" in answer_text(blocked)
    # Someone else is not affected, and an hour after the first failure the citizen may try again.
    assert lookup(sessions, "telegram:10", CODE, "5678", NOW + timedelta(minutes=10)).kind == FOUND
    assert lookup(sessions, "telegram:9", CODE, "5678", NOW + timedelta(minutes=61)).kind == FOUND
