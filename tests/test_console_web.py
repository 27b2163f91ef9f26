"""Operator console and JSON API over HTTP (aiohttp test server, real SQLite database)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from tickets_helpers import add_user, complaint

from hotline import tickets as T
from hotline.analytics import apply_events, week_of
from hotline.db import transaction
from hotline.web.app import SESSIONS, create_app


@pytest.fixture
async def client(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("API_TOKEN", "test-token")
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    app = create_app(migrate=True)  # a fresh database; servers only check the schema
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def sessions(client):
    return client.server.app[SESSIONS]


async def csrf_of(client, path: str) -> str:
    page = await (await client.get(path)).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def log_in(client, username: str, password: str = "mat-khau-123"):
    token = await csrf_of(client, "/console/login")
    return await client.post("/console/login", data={"csrf": token, "username": username, "password": password},
                             allow_redirects=False)


async def test_login_needs_the_right_password_and_a_csrf_token(client):
    add_user(sessions(client), "lan")
    assert (await client.get("/console/queue/unassigned", allow_redirects=False)).status == 302
    wrong = await log_in(client, "lan", "sai-mat-khau")
    assert "Sai tên đăng nhập hoặc mật khẩu" in await wrong.text()
    forged = await client.post("/console/login", data={"username": "lan", "password": "mat-khau-123"})
    assert forged.status == 403
    ok = await log_in(client, "lan")
    assert ok.status == 302 and ok.headers["Location"] == "/console/queue/unassigned"
    page = await (await client.get("/console/queue/unassigned")).text()
    assert "Lan" in page and "Đăng xuất" in page


async def test_claim_reply_resolve_reaches_the_web_widget(client):
    add_user(sessions(client), "lan")
    ticket = T.open_ticket(sessions(client), **complaint(description="Xã từ chối nhận hồ sơ do sáp nhập <script>alert(1)</script>"))
    await log_in(client, "lan")
    queue = await (await client.get("/console/queue/unassigned")).text()
    assert ticket.code in queue and "091*****78" in queue and "0912345678" not in queue
    assert "<script>alert(1)</script>" not in queue and "&lt;script&gt;" in queue
    token = await csrf_of(client, f"/console/tickets/{ticket.code}")
    # a POST without the CSRF token is refused and changes nothing
    assert (await client.post(f"/console/tickets/{ticket.code}/claim", data={})).status == 403
    await client.post(f"/console/tickets/{ticket.code}/claim", data={"csrf": token})
    page = await (await client.post(f"/console/tickets/{ticket.code}/reply",
                                    data={"csrf": token, "text": "Chúng tôi đã liên hệ UBND phường."})).text()
    assert "Đã gửi trả lời tới công dân" in page
    await client.post(f"/console/tickets/{ticket.code}/resolve", data={"csrf": token, "text": "Đã tiếp nhận."})
    page = await (await client.get(f"/console/tickets/{ticket.code}")).text()
    assert "Đã giải quyết" in page
    polled = await (await client.post("/api/widget/messages", json={"session": "sess-1"})).json()
    texts = [m["text"] for m in polled["messages"]]
    assert "Chúng tôi đã liên hệ UBND phường." in texts[0] and "1 (kém) đến 5" in texts[1]
    # the widget asks only for what is newer than what it has; an earlier poll took nothing away
    newest = polled["messages"][-1]["id"]
    again = await (await client.post("/api/widget/messages", json={"session": "sess-1", "after": newest})).json()
    assert again["messages"] == []
    replay = await (await client.post("/api/widget/messages", json={"session": "sess-1"})).json()
    assert [m["text"] for m in replay["messages"]] == texts


async def test_second_claim_is_told_someone_else_has_it(client):
    add_user(sessions(client), "lan")
    other = add_user(sessions(client), "hoa")
    ticket = T.open_ticket(sessions(client), **complaint())
    from hotline.db import transaction
    with transaction(sessions(client)) as session:
        assert T.claim(session, ticket.id, other)
    await log_in(client, "lan")
    token = await csrf_of(client, f"/console/tickets/{ticket.code}")
    page = await (await client.post(f"/console/tickets/{ticket.code}/claim", data={"csrf": token})).text()
    assert "đã có người nhận" in page


async def test_phone_search_is_for_supervisors_only(client):
    add_user(sessions(client), "lan")
    add_user(sessions(client), "boss", role="supervisor")
    ticket = T.open_ticket(sessions(client), **complaint())
    await log_in(client, "lan")
    page = await (await client.get("/console/search", params={"phone": "0912345678"})).text()
    assert "Chỉ giám sát viên" in page and ticket.code not in page
    client.session.cookie_jar.clear()
    await log_in(client, "boss")
    page = await (await client.get("/console/search", params={"phone": "0912 345 678"})).text()
    assert ticket.code in page


async def test_reports_page_has_charts_and_csv(client):
    add_user(sessions(client), "boss", role="supervisor")
    T.open_ticket(sessions(client), **complaint())
    await log_in(client, "boss")
    page = await (await client.get("/console/reports")).text()
    # one chart per table: kind, commune, SLA, satisfaction, overdue dossiers
    assert page.count("<svg") == 5 and "Phường Ba Đình" in page and "Hồ sơ trễ hạn" in page
    quarter = await (await client.get("/console/reports", params={"period": "2026-Q9"})).text()
    assert "period must look like" in quarter
    csv = await client.get("/console/reports.csv", params={"period": "2026-Q1"})
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert "Tỷ lệ đúng hạn" in await csv.text()


async def test_unanswered_questions_page_ranks_phrasings_with_chart_csv_and_weeks(client):
    events = json.loads((Path(__file__).parent / "data" / "rasa_events_sample.json").read_text(encoding="utf-8"))
    with transaction(sessions(client)) as session:
        apply_events(session, events)
    week = week_of(datetime.fromtimestamp(events[0]["timestamp"], timezone.utc))
    assert (await client.get("/console/unanswered", allow_redirects=False)).status == 302  # operators only
    add_user(sessions(client), "lan")
    await log_in(client, "lan")
    page = await (await client.get("/console/unanswered", params={"week": week})).text()
    assert "Câu hỏi chưa trả lời được" in page and 'id="unanswered">6<' in page
    top = page[page.index('id="top-phrasings"'):]
    assert top.index("thủ tục đăng ký") < top.index("quoc tich")  # asked twice, listed first
    assert "091*****78" in page and "0912345678" not in page
    assert page.count("<svg") == 3 and "tuần trước" in page.lower()
    empty = await (await client.get("/console/unanswered", params={"week": "2026-W01"})).text()
    assert "chưa có câu hỏi nào" in empty
    assert "week must look like" in await (await client.get("/console/unanswered", params={"week": "tuần 3"})).text()
    csv = await client.get("/console/unanswered.csv", params={"week": week})
    assert csv.headers["Content-Type"].startswith("text/csv") and "thủ tục đăng ký,2," in await csv.text()


async def test_api_needs_the_token_and_mirrors_the_console(client):
    add_user(sessions(client), "lan")
    assert (await client.get("/api/tickets")).status == 401
    auth = {"Authorization": "Bearer test-token"}
    body = {"kind": "complaint", "description": "Cổng DVC lỗi", "channel": "telegram", "reply_address": "99",
            "channel_message_id": "tg:99:1", "phone": "0912345678"}
    first = await client.post("/api/tickets", json=body, headers=auth)
    second = await client.post("/api/tickets", json=body, headers=auth)
    assert first.status == 201 and second.status == 200
    code = (await first.json())["code"]
    assert (await second.json())["code"] == code
    listed = await (await client.get("/api/tickets", params={"queue": "unassigned"}, headers=auth)).json()
    assert listed["tickets"][0]["phone_masked"] == "091*****78" and "phone" not in listed["tickets"][0]
    claim = await client.post(f"/api/tickets/{code}/claim", json={"operator": "lan"}, headers=auth)
    assert claim.status == 200 and (await claim.json())["assignee"] == "lan"
    assert (await client.post(f"/api/tickets/{code}/claim", json={"operator": "lan"}, headers=auth)).status == 409
    assert (await client.post(f"/api/tickets/{code}/claim", json={"operator": "ghost"}, headers=auth)).status == 403
    assert (await client.post(f"/api/tickets/{code}/status", json={"operator": "lan", "status": "new"},
                              headers=auth)).status == 409
    assert (await client.post("/api/tickets", data="not json", headers=auth)).status == 400
    assert (await client.get("/api/tickets/PA-2020-000001", headers=auth)).status == 404
    detail = await (await client.get(f"/api/tickets/{code}", headers=auth)).json()
    assert [e["action"] for e in detail["history"]] == ["created", "claimed"]
    assert (await client.get("/api/reports", params={"period": "2026-Q1"}, headers=auth)).status == 200


async def test_a_phone_call_becomes_a_ticket_with_the_new_commune_and_a_read_back(client):
    add_user(sessions(client), "lan")
    await log_in(client, "lan")
    form = await (await client.get("/console/intake")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    intake_id = re.search(r'name="intake_id" value="([0-9a-f]{32})"', form).group(1)
    call = {"csrf": token, "intake_id": intake_id, "citizen_name": "Nguyễn Văn An", "phone": "0912 345 678",
            "consent": "on", "kind": "complaint", "commune": "phường Bến Nghé, quận 1, TP HCM",
            "procedure": "đăng ký khai sinh 1.001193", "description": "Xã từ chối nhận hồ sơ khai sinh, bảo chờ sáp nhập xong",
            "occurred": "sáng nay", "claim": "on", "op": "create"}
    created = await client.post("/console/intake", data=call, allow_redirects=False)
    assert created.status == 302
    page = await (await client.get(created.headers["Location"])).text()
    code = re.search(r'id="created-code">(PA-\d{4}-\d{6})<', page).group(1)
    assert "Đọc lại cho người gọi" in page and "Cán bộ sẽ trả lời chậm nhất trước" in page
    # the same form sent twice (a double click) makes one ticket
    again = await client.post("/console/intake", data=call, allow_redirects=False)
    assert again.headers["Location"].endswith(code)
    with transaction(sessions(client)) as session:
        ticket = T.get_ticket(session, code)
        assert (ticket.channel, ticket.commune_name, ticket.province_code) == ("phone", "Phường Sài Gòn", "79")
        assert ticket.citizen_name == "Nguyễn Văn An" and ticket.phone == "0912345678" and ticket.occurred == "sáng nay"
        assert ticket.procedure_code == "1.001193" and ticket.priority == 1     # same triage: refusal + merger
        assert ticket.assignee.username == "lan"                               # "I handle it" was ticked
        assert T.history(session, ticket)[0].actor == "lan"                    # who took the call
        assert T.tickets_of_sender(session, "x") == []
    # an ambiguous commune is offered as choices; nothing is created until one is picked
    choose = await client.post("/console/intake", data={**call, "intake_id": "0" * 32, "commune": "Tân Phú"})
    text = await choose.text()
    assert choose.status == 400 and "Chọn đúng xã/phường" in text and text.count('name="commune_code"') >= 3
    assert "Phường Tân Phú, Thành phố Hồ Chí Minh" in text
    looked_up = await (await client.post("/console/intake", data={**call, "op": "lookup", "commune": "Ba Đình, Hà Nội"})).text()
    assert "→ <strong>Phường Ba Đình, Thành phố Hà Nội</strong>" in looked_up


async def test_canned_replies_are_kept_by_supervisors_and_filled_in(client):
    add_user(sessions(client), "lan")
    add_user(sessions(client), "boss", role="supervisor")
    ticket = T.open_ticket(sessions(client), **complaint())
    await log_in(client, "lan")
    token = await csrf_of(client, "/console/canned")
    await client.post("/console/canned", data={"csrf": token, "title": "Mẫu của tôi", "body": "x"})
    assert "Chỉ giám sát viên" in await (await client.get("/console/canned")).text()
    client.session.cookie_jar.clear()
    await log_in(client, "boss")
    token = await csrf_of(client, "/console/canned")
    await client.post("/console/canned", data={"csrf": token, "title": "Hẹn gọi lại",
                                                "body": "Phản ánh {ma_phan_anh}: cán bộ gọi lại trước {han}. Tổng đài {tong_dai}."})
    page = await (await client.get("/console/canned")).text()
    assert "Hẹn gọi lại" in page and "Mẫu của tôi" not in page
    reply_id = re.search(r'aria-label="Sửa mẫu Hẹn gọi lại">.*?name="id" value="(\d+)"', page, re.S).group(1)
    chosen = await (await client.get(f"/console/tickets/{ticket.code}", params={"mau": reply_id})).text()
    box = re.search(r'<textarea name="text" id="reply-text"[^>]*>([^<]*)</textarea>', chosen).group(1)
    assert box.startswith(f"Phản ánh {ticket.code}: cán bộ gọi lại trước ") and box.endswith("Tổng đài 1800 1096.")
    # switched off, it is no longer offered to operators
    await client.post("/console/canned", data={"csrf": token, "id": reply_id, "title": "Hẹn gọi lại", "body": "y"})
    assert "Hẹn gọi lại" not in await (await client.get(f"/console/tickets/{ticket.code}")).text()


async def test_personal_numbers_are_masked_and_the_history_reads_as_vietnamese(client):
    add_user(sessions(client), "lan")
    ticket = T.open_ticket(sessions(client), **complaint(
        description="Gọi tôi số 0987654321, CCCD 079123456789", contact_consent=True,
        transcript=[{"who": "citizen", "text": "số tôi 0987654321, căn cước 079123456789"}]))
    await log_in(client, "lan")
    for page in (await (await client.get("/console/queue/unassigned")).text(),
                 await (await client.get(f"/console/tickets/{ticket.code}")).text()):
        assert "0987654321" not in page and "079123456789" not in page and "0912345678" not in page
    token = await csrf_of(client, f"/console/tickets/{ticket.code}")
    await client.post(f"/console/tickets/{ticket.code}/claim", data={"csrf": token})
    page = await (await client.get(f"/console/tickets/{ticket.code}")).text()
    assert "0987654321" not in page and "Hiện số để gọi" in page    # claimed: still masked until asked
    await client.post(f"/console/tickets/{ticket.code}/phone", data={"csrf": token})
    page = await (await client.get(f"/console/tickets/{ticket.code}")).text()
    assert '<span id="phone">0912345678</span>' in page and "Xem số điện thoại" in page
    assert "0987654321" not in page                                   # the transcript stays masked
    assert "Mức ưu tiên bình thường, chuyển tới Phường Ba Đình." in page and "priority 2; queue" not in page


async def test_status_needs_a_choice_and_the_live_rows_come_with_a_count(client):
    add_user(sessions(client), "lan")
    ticket = T.open_ticket(sessions(client), **complaint())
    await log_in(client, "lan")
    page = await (await client.get(f"/console/tickets/{ticket.code}")).text()
    assert '<option value="" selected disabled>' in page
    token = await csrf_of(client, f"/console/tickets/{ticket.code}")
    refused = await (await client.post(f"/console/tickets/{ticket.code}/status", data={"csrf": token, "status": ""})).text()
    assert "Hãy chọn trạng thái mới" in refused and "Mới" in refused
    rows = await client.get("/console/queue/unassigned/rows", params={"priority": "2"})
    body = await rows.json()
    assert body["count"] == 1 and body["codes"] == [ticket.code] and "091*****78" in body["html"]
    assert (await (await client.get("/console/queue/unassigned/rows", params={"priority": "1"})).json())["count"] == 0
    assert "script-src 'self'" in rows.headers["Content-Security-Policy"]
