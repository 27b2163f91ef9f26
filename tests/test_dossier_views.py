"""Console dossier pages served by the real web app: login required, search, overdue list, rates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import aiohttp
import pytest
from aiohttp import web

from bot.localnet import free_port
from hotline.db import make_engine, make_session_factory, transaction, upgrade
from hotline.demo_data import DEMO_COMPLETED_CODE, DEMO_OVERDUE_CODE, demo_records
from hotline.dossiers.importer import import_records
from hotline.dossiers.reports import by_quarter, overdue_rate_by_month, overdue_report
from hotline.settings import load_settings
from hotline.users import create_user
from hotline.web.app import create_app
from hotline.workcalendar import VN_TZ


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
    assert DEMO_OVERDUE_CODE in page and "Quá hạn" in page and "091*****21" in page
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


async def test_json_api_needs_the_token_and_masks_the_phone(console, tmp_path):
    token = (tmp_path / "var" / "api.token").read_text().strip()
    auth = {"Authorization": f"Bearer {token}"}
    async with console.get(f"/api/dossiers/{DEMO_OVERDUE_CODE}") as response:
        assert response.status == 401
    async with console.get(f"/api/dossiers/{DEMO_OVERDUE_CODE.lower()}", headers=auth) as response:
        body = await response.json()
    assert body["overdue"] and body["phone"] == "091*****21" and body["history"]
    assert "0912344321" not in str(body)
    async with console.get("/api/dossiers/%3Cscript%3E", headers=auth) as response:
        assert response.status == 400
    async with console.get("/api/dossiers/overdue", params={"by": "ward", "limit": "5"}, headers=auth) as response:
        body = await response.json()
    assert body["total"] > 0 and len(body["dossiers"]) == 5
    async with console.get("/api/dossiers/overdue-rate", params={"since": "2025-07"}, headers=auth) as response:
        body = await response.json()
    assert body["quarters"][0]["period"] == "2025-Q3"
    pushed = [{"code": DEMO_OVERDUE_CODE, "received_at": "2025-09-03T09:15:00+07:00", "status": "Đã có kết quả",
               "status_at": "2026-11-20T10:00:00+07:00", "phone": "0912344321"}, {"code": "rác"}]
    async with console.post("/api/dossiers/import", json={"dossiers": pushed}, headers=auth) as response:
        body = await response.json()
    assert (body["updated"], body["status_changes"], body["rejected"]) == (1, 1, 1)
