"""The console in headless Chromium against a real web app process: an operator's day."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, axe_serious, http_json, running_stack

pytestmark = pytest.mark.browser
TOKEN = "browser-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _users(env: dict) -> None:
    for username, role, name in (("lan", "operator", "Chị Lan"), ("hoa", "operator", "Anh Hòa"),
                                 ("boss", "supervisor", "Anh Hùng")):
        subprocess.run([sys.executable, "-m", "hotline", "users", "create", "--username", username, "--role", role,
                        "--password", "mat-khau-123", "--name", name], cwd=PROJECT_ROOT, env=env, check=True,
                       capture_output=True)


@pytest.fixture
def web_app(tmp_path: Path):
    with running_stack(None, tmp_path, tmp_path, names=(), API_TOKEN=TOKEN, TELEGRAM_BOT_TOKEN="",
                       HOTLINE_DATABASE_URL="") as web:
        _users(web.env)
        web.start("web")
        yield web.web_url


@pytest.fixture(scope="module")
def console_app(tmp_path_factory):
    """One web app for the module's tests; the live queue refreshes every second."""
    var = tmp_path_factory.mktemp("console")
    with running_stack(None, var, var, names=(), API_TOKEN=TOKEN, TELEGRAM_BOT_TOKEN="", HOTLINE_DATABASE_URL="",
                       CONSOLE_REFRESH_SECONDS="1") as web:
        _users(web.env)
        web.start("web")
        yield web.web_url


def _ticket(url: str, description: str, **fields) -> str:
    body = {"kind": "complaint", "description": description, "channel": "web", "reply_address": "w-1",
            "sender_id": "web:w-1", "phone": "0912345678", "contact_consent": True, "commune_code": "26740",
            "commune_name": "Phường Sài Gòn", "province_code": "79", "province_name": "Thành phố Hồ Chí Minh", **fields}
    status, ticket = http_json("POST", f"{url}/api/tickets", body, headers=AUTH)
    assert status == 201, ticket
    return ticket["code"]


def _log_in(browser, url: str, username: str, width: int = 1366, height: int = 768):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/console/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile("/console/queue/"))
    return context, page


def test_operator_logs_in_claims_replies_and_resolves(web_app, browser):
    status, ticket = http_json("POST", f"{web_app}/api/tickets", {
        "kind": "complaint", "channel": "web", "reply_address": "widget-42", "sender_id": "web:widget-42",
        "description": "Phường từ chối nhận hồ sơ do sáp nhập <script>alert('xss')</script><img src=x onerror=alert(2)>",
    }, headers=AUTH)
    assert status == 201
    code = ticket["code"]
    dialogs: list[str] = []
    context, page = _log_in(browser, web_app, "lan")
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    assert "Chị Lan" in page.inner_text("header")
    row = page.locator("tr", has_text=code)
    assert "<script>alert('xss')</script>" in row.inner_text()
    row.get_by_role("button", name="Nhận").click()
    assert page.inner_text("#assignee") == "Chị Lan"
    assert "<script>alert('xss')</script>" in page.inner_text("#description")
    page.get_by_label("Trả lời công dân").fill("Chúng tôi đã chuyển phản ánh tới UBND phường.")
    page.get_by_role("button", name="Gửi trả lời").click()
    assert "Đã gửi trả lời tới công dân" in page.inner_text("[role=status]")
    assert page.inner_text("#status") == "Chờ công dân"            # a reply waits for the citizen
    page.get_by_label("Kết quả giải quyết").fill("Phường đã tiếp nhận hồ sơ của bạn.")
    page.get_by_role("button", name="Đánh dấu đã giải quyết").click()
    assert page.inner_text("#status") == "Đã giải quyết"
    assert page.locator("#description script").count() == 0
    context.close()
    assert dialogs == []
    # the citizen's web widget receives both messages
    status, inbox = http_json("POST", f"{web_app}/api/widget/messages", {"session": "widget-42"})
    texts = [m["text"] for m in inbox["messages"]]
    assert any("UBND phường" in text for text in texts)
    assert any("1 (kém) đến 5" in text for text in texts)


def test_a_dense_live_queue_with_high_priority_marked(console_app, browser):
    for number in range(14):
        _ticket(console_app, f"Hồ sơ đăng ký đất đai trễ hẹn, lần {number}", reply_address=f"q{number}")
    high = _ticket(console_app, "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ", reply_address="q-high")
    context, page = _log_in(browser, console_app, "lan")
    rows = page.locator("#queue-rows tr[data-code]")
    visible = [box for box in (row.bounding_box() for row in rows.all()) if box and box["y"] + box["height"] <= 768]
    assert len(visible) >= 12, f"only {len(visible)} tickets fit on a 1366×768 screen"
    first_cell = page.locator(f'tr[data-code="{high}"] td').first
    assert page.locator(f'tr[data-code="{high}"]').get_attribute("class").startswith("priority-high")
    assert first_cell.evaluate("td => getComputedStyle(td).borderLeftWidth") == "4px"
    assert first_cell.evaluate("td => getComputedStyle(td).borderLeftColor") == "rgb(179, 38, 30)"
    assert page.locator(f'tr[data-code="{high}"] .badge').inner_text() in ("Sắp đến hạn", "Trong hạn", "Quá hạn")
    count = int(page.inner_text("#queue-count"))
    assert page.title().startswith(f"({count}) Chưa ai nhận")

    # a new ticket appears without a reload, counted in the title and announced
    page.evaluate("window.__stillHere = true")
    fresh = _ticket(console_app, "Cổng dịch vụ công báo lỗi khi nộp hồ sơ", reply_address="q-new")
    page.locator(f'tr[data-code="{fresh}"]').wait_for(timeout=10_000)
    assert page.evaluate("window.__stillHere") is True
    assert "fresh" in page.locator(f'tr[data-code="{fresh}"]').get_attribute("class")
    assert page.title().startswith(f"({count + 1}) ")
    assert "1 phản ánh mới" in page.inner_text("#live-status")

    # filters: only the high-priority ones
    page.get_by_label("Ưu tiên").select_option(label="Cao")
    page.get_by_role("button", name="Lọc").click()
    codes = page.locator("#queue-rows tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == [high]
    context.close()


def test_sla_queue_lists_a_ticket_labelled_due_soon(console_app, browser):
    # High priority: 4 office hours, exactly the "due soon" window, so it is labelled so at once
    # (outside office hours its due time equals the window's end: the case the queue used to drop).
    code = _ticket(console_app, "Xã từ chối nhận hồ sơ vì sáp nhập, rất gấp", reply_address="sla-1")
    context, page = _log_in(browser, console_app, "hoa")
    page.goto(f"{console_app}/console/tickets/{code}")
    assert "Sắp đến hạn" in page.locator(".ticket-head .badge").nth(1).inner_text()
    page.goto(f"{console_app}/console/queue/sla")
    assert page.locator(f'tr[data-code="{code}"] .badge').inner_text() == "Sắp đến hạn"
    context.close()


def test_claim_reveal_reply_resolve_with_the_keyboard(console_app, browser):
    code = _ticket(console_app, "Cần gọi lại gấp", reply_address="kb-1", transcript=[
        {"who": "citizen", "text": "số tôi 0987654321, căn cước 079123456789"}, {"who": "bot", "text": "Cảm ơn"}])
    context, page = _log_in(browser, console_app, "lan")
    page.goto(f"{console_app}/console/tickets/{code}")
    transcript = page.inner_text("#transcript")
    assert "0987654321" not in transcript and "079123456789" not in transcript and "098*****21" in transcript
    assert page.inner_text("#phone") == "091*****78"
    with page.expect_navigation():
        page.keyboard.press("c")                                    # claim
    assert page.inner_text("#assignee") == "Chị Lan"
    assert "0987654321" not in page.inner_text("#transcript")       # the handling officer too
    page.get_by_role("button", name="Hiện số để gọi").click()       # one click, recorded
    assert page.inner_text("#phone") == "0912345678"
    assert "Xem số điện thoại" in page.inner_text("#history")
    assert "Mức ưu tiên" in page.inner_text("#history") and "priority" not in page.inner_text("#history")

    status = page.get_by_label("Chuyển trạng thái")
    assert status.input_value() == ""                               # no default: one click closes nothing
    page.get_by_role("button", name="Chuyển", exact=True).click()
    assert page.inner_text("#status") == "Đã nhận"

    page.locator("h1").click()                                      # out of the form field the browser focused
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
    page.keyboard.type("Cán bộ sẽ gọi lại cho bạn trong sáng nay.")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.inner_text("#status") == "Chờ công dân"
    page.keyboard.press("g")
    assert page.evaluate("document.activeElement.id") == "resolve-text"
    context.close()

    context, page = _log_in(browser, console_app, "boss")           # a supervisor is not the handler
    page.goto(f"{console_app}/console/tickets/{code}")
    assert page.inner_text("#phone") == "091*****78"
    assert page.get_by_role("button", name="Hiện số để gọi").count() == 0
    context.close()


def test_queue_keyboard_selects_and_claims(console_app, browser):
    context, page = _log_in(browser, console_app, "hoa")
    first = page.locator("#queue-rows tr[data-code]").first.get_attribute("data-code")
    page.keyboard.press("j")
    assert page.locator("#queue-rows tr.selected").get_attribute("data-code") == first
    page.keyboard.press("c")
    page.wait_for_url(re.compile(f"/console/tickets/{first}$"))
    assert page.inner_text("#assignee") == "Anh Hòa"
    context.close()


def test_phone_call_intake_reads_the_code_back(console_app, browser):
    context, page = _log_in(browser, console_app, "lan")
    page.get_by_role("link", name="Nhận cuộc gọi").click()
    page.get_by_label("Họ tên người gọi").fill("Trần Thị Bích")
    page.get_by_label("Số điện thoại").fill("0987 111 222")
    page.get_by_label(re.compile("Tên xã/phường mới")).fill("phường Bến Nghé, quận 1, TP HCM")
    page.get_by_role("button", name="Tra địa bàn").click()
    assert "Phường Sài Gòn, Thành phố Hồ Chí Minh" in page.inner_text(".place-found")
    page.get_by_label("Việc gì đã xảy ra").fill("Gọi lên phường nhiều lần không ai nghe máy để hỏi hồ sơ khai sinh")
    page.get_by_label("Khi nào").fill("sáng nay")
    page.get_by_role("button", name="Tạo phản ánh").click()
    code = page.inner_text("#created-code")
    assert re.fullmatch(r"PA-\d{4}-\d{6}", code)
    read_back = page.inner_text(".read-back")
    assert "Mã phản ánh của anh/chị là P A" in read_back and "trả lời chậm nhất trước" in read_back
    details = page.inner_text("dl.details")
    assert "Điện thoại" in details and "Trần Thị Bích" in details and "Phường Sài Gòn" in details
    assert page.inner_text("#assignee") == "Chị Lan"
    page.reload()
    assert page.locator(".read-back").count() == 0                  # read once, not on every visit
    context.close()


def test_canned_reply_goes_in_at_the_cursor(console_app, browser):
    code = _ticket(console_app, "Hỏi về hồ sơ đăng ký kinh doanh", reply_address="cn-1")
    context, page = _log_in(browser, console_app, "boss")
    page.goto(f"{console_app}/console/canned")
    new = page.get_by_role("form", name="Thêm mẫu mới")
    new.get_by_label("Tên").fill("Hẹn trả lời")
    new.get_by_label("Nội dung").fill("Phản ánh {ma_phan_anh} sẽ được trả lời trước {han}; gọi {tong_dai} nếu cần.")
    new.get_by_role("button", name="Thêm").click()
    assert "Đã lưu câu trả lời mẫu" in page.inner_text("[role=status]")
    context.close()

    context, page = _log_in(browser, console_app, "lan")
    page.goto(f"{console_app}/console/tickets/{code}")
    page.evaluate("window.__stillHere = true")
    page.get_by_label("Trả lời công dân").fill("Chào anh.")
    page.get_by_label("Câu trả lời mẫu").select_option(label="Hẹn trả lời")
    page.get_by_role("button", name="Chèn vào câu trả lời").click()
    text = page.get_by_label("Trả lời công dân").input_value()
    assert text.startswith(f"Chào anh. Phản ánh {code} sẽ được trả lời trước ") and text.endswith("gọi 1800 1096 nếu cần.")
    assert page.evaluate("window.__stillHere") is True             # inserted in place, typed text kept
    context.close()


def test_console_pages_have_no_serious_accessibility_violations(console_app, browser):
    code = _ticket(console_app, "Thái độ cán bộ một cửa", reply_address="a11y-1",
                   transcript=[{"who": "citizen", "text": "xin chào"}])
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{console_app}/console/login")
    assert axe_serious(page) == []
    context.close()
    context, page = _log_in(browser, console_app, "boss")
    for path in ("/console/queue/unassigned", "/console/queue/sla", "/console/queue/commune?value=26740",
                 f"/console/tickets/{code}", "/console/intake", "/console/canned", "/console/reports",
                 "/console/locked", "/console/dossiers", "/console/password", "/console/search?text=c%C3%A1n"):
        page.goto(f"{console_app}{path}")
        assert axe_serious(page) == [], path
    page.goto(f"{console_app}/console/intake")
    page.get_by_label(re.compile("Tên xã/phường mới")).fill("Tân Phú")
    page.get_by_role("button", name="Tra địa bàn").click()           # the choices of a lookup
    assert page.get_by_role("radio").count() >= 3
    assert axe_serious(page) == []
    context.close()
