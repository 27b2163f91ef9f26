"""Console dossier pages served by the real web app: login required, search, overdue list, rates."""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from datetime import datetime

import aiohttp
import pytest
from aiohttp import web

from hotline.db import make_engine, make_session_factory, transaction, upgrade
from hotline.demo_data import DEMO_COMPLETED_CODE, DEMO_OVERDUE_CODE, demo_records
from hotline.dossier_import import import_records
from hotline.dossier_reports import by_quarter, overdue_rate_by_month, overdue_report
from hotline.settings import load_settings
from hotline.users import create_user
from hotline.web.app import create_app
from hotline.workcalendar import VN_TZ


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    assert import_records(sessions, demo_records(), source="demo").rejected == 0
    with transaction(sessions) as session:
        create_user(session, "op1", "mat-khau-123", "operator", rounds=4)
    yield url, sessions
    engine.dispose()


@pytest.fixture
async def console(demo_db, tmp_path, monkeypatch):
    url, _ = demo_db
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    settings = replace(load_settings(), hotline_database_url=url)
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}",
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        yield client
    await runner.cleanup()


async def login(client) -> None:
    async with client.get("/console/login") as response:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await response.text()).group(1)
    async with client.post("/console/login", data={"csrf": csrf, "username": "op1",
                                                   "password": "mat-khau-123"}) as response:
        assert response.status == 200


async def test_pages_need_a_login(console):
    async with console.get("/console/dossiers/overdue", allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == "/console/login"


async def test_search_overdue_list_and_rates(console):
    await login(console)
    async with console.get("/console/dossiers", params={"code": DEMO_OVERDUE_CODE.lower()}) as response:
        page = await response.text()
    assert DEMO_OVERDUE_CODE in page and "Quá hạn" in page and "091****321" in page
    assert "0912344321" not in page and "Lịch sử xử lý" in page
    async with console.get("/console/dossiers", params={"code": "<script>alert(1)</script>"}) as response:
        page = await response.text()
    assert response.status == 200 and "chưa đúng định dạng" in page and "<script>alert" not in page
    async with console.get("/console/dossiers/000.00.31.H29-250715-0999") as response:
        assert response.status == 404
    async with console.get("/console/dossiers/overdue", params={"by": "ward"}) as response:
        page = await response.text()
    assert "Phường Ba Đình" in page and DEMO_OVERDUE_CODE in page
    async with console.get("/console/dossiers", params={"since": "2025-07"}) as response:
        page = await response.text()
    assert "Tỷ lệ hồ sơ trễ hạn theo tháng" in page and "2025-Q3" in page
    async with console.get(f"/console/dossiers/{DEMO_COMPLETED_CODE}") as response:
        assert "Đã có kết quả" in await response.text()


def test_overdue_report_and_monthly_rate(demo_db):
    _, sessions = demo_db
    now = datetime(2026, 11, 22, 10, 0, tzinfo=VN_TZ)
    with sessions() as session:
        report = overdue_report(session, now, by="ward", limit=1000)
        months = overdue_rate_by_month(session, now)
    assert report.total == len(report.rows) > 0
    assert any(r.code == DEMO_OVERDUE_CODE and r.days_late > 200 for r in report.rows)
    assert all(r.days_late >= 1 for r in report.rows)
    assert [r.days_late for r in report.rows] == sorted((r.days_late for r in report.rows), reverse=True)
    assert sum(g.count for g in report.groups) == report.total
    assert months and all(0 <= m.rate <= 1 for m in months)
    late = sum(m.late for m in months)
    assert 0 < late < sum(m.due for m in months)
    quarters = by_quarter(months)
    assert sum(q.due for q in quarters) == sum(m.due for m in months)
