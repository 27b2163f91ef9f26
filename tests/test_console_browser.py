"""The console in headless Chromium against a real web app process: log in, claim, reply, resolve."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, http_json, running_stack

pytestmark = pytest.mark.browser


@pytest.fixture
def web_app(tmp_path: Path):
    with running_stack(None, tmp_path, tmp_path, names=(), API_TOKEN="browser-token", TELEGRAM_BOT_TOKEN="",
                       HOTLINE_DATABASE_URL="") as web:
        subprocess.run([sys.executable, "-m", "hotline", "users", "create", "--username", "lan", "--role", "operator",
                        "--password", "mat-khau-123", "--name", "Chị Lan"], cwd=PROJECT_ROOT, env=web.env, check=True,
                       capture_output=True)
        web.start("web")
        yield web.web_url


def test_operator_logs_in_claims_replies_and_resolves(web_app, browser):
    auth = {"Authorization": "Bearer browser-token"}
    status, ticket = http_json("POST", f"{web_app}/api/tickets", {
        "kind": "complaint", "channel": "web", "reply_address": "widget-42", "sender_id": "web:widget-42",
        "description": "Phường từ chối nhận hồ sơ do sáp nhập <script>alert('xss')</script><img src=x onerror=alert(2)>",
    }, headers=auth)
    assert status == 201
    code = ticket["code"]
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{web_app}/console/")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill("mat-khau-123")
    page.get_by_role("button", name="Đăng nhập").click()
    assert "Chị Lan" in page.inner_text("header")
    row = page.locator("tr", has_text=code)
    assert "<script>alert('xss')</script>" in row.inner_text()
    row.get_by_role("button", name="Nhận").click()
    assert page.inner_text("#assignee") == "Chị Lan"
    assert "<script>alert('xss')</script>" in page.inner_text("#description")
    page.get_by_label("Trả lời công dân").fill("Chúng tôi đã chuyển phản ánh tới UBND phường.")
    page.get_by_role("button", name="Gửi trả lời").click()
    assert "Đã gửi trả lời tới công dân" in page.inner_text("[role=status]")
    page.get_by_label("Kết quả giải quyết").fill("Phường đã tiếp nhận hồ sơ của bạn.")
    page.get_by_role("button", name="Đánh dấu đã giải quyết").click()
    assert page.inner_text("#status") == "Đã giải quyết"
    assert page.locator("#description script").count() == 0
    page.close()
    assert dialogs == []
    # the citizen's web widget receives both messages
    status, inbox = http_json("POST", f"{web_app}/api/widget/messages", {"session": "widget-42"})
    texts = [m["text"] for m in inbox["messages"]]
    assert any("UBND phường" in text for text in texts)
    assert any("1 (kém) đến 5" in text for text in texts)
