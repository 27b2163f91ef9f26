"""The web chat widget in headless Chromium (Debian's, driven by Playwright) against the real stack."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"




def _bot_messages(page):
    return page.locator("#tthc-chat-widget .msg.bot, #tthc-chat-widget .msg.operator")


def _ask(page, text: str) -> None:
    """Type and press Enter; wait until the assistant has answered."""
    answered = _bot_messages(page).count()
    page.get_by_label("Nhập câu hỏi của bạn").fill(text)
    page.get_by_label("Nhập câu hỏi của bạn").press("Enter")
    page.wait_for_function(
        "n => document.querySelector('#tthc-chat-widget').shadowRoot.querySelectorAll('.msg.bot').length > n",
        arg=answered, timeout=60_000,
    )
    page.locator("#tthc-chat-widget .typing").wait_for(state="hidden", timeout=60_000)


def test_ask_tap_a_button_reload_and_keep_the_history(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{stack.web_url}/")
    bubble = page.get_by_role("button", name=re.compile("Mở trò chuyện"))
    bubble.click()
    dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
    assert dialog.is_visible()
    assert page.evaluate("document.querySelector('#tthc-chat-widget').shadowRoot.activeElement.id") == "tthc-input"

    _ask(page, "thu tuc dang ky khai sinh")
    assert _bot_messages(page).last.inner_text().strip()

    _ask(page, "xin chào")
    greeting = _bot_messages(page).nth(_bot_messages(page).count() - 1)  # fixed, not "the last one"
    assert "Xin chào" in greeting.inner_text()
    choice = greeting.get_by_role("button", name="Thủ tục làm căn cước")
    answered = _bot_messages(page).count()
    choice.click()
    page.wait_for_function(
        "n => document.querySelector('#tthc-chat-widget').shadowRoot.querySelectorAll('.msg.bot').length > n",
        arg=answered, timeout=60_000,
    )
    page.locator("#tthc-chat-widget .typing").wait_for(state="hidden", timeout=60_000)
    users = page.locator("#tthc-chat-widget .msg.user")
    assert "Thủ tục làm căn cước" in users.last.inner_text()   # the title is shown, the payload sent
    assert greeting.get_by_role("button", name="Thủ tục làm căn cước").is_disabled()

    # Rasa saw the payload from sender web:<session>, the id kept in localStorage.
    session = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('tthc-widget'))))"
        ".session")
    said = [e.get("text") for e in stack.tracker(f"web:{session}")["events"] if e.get("event") == "user"]
    assert said[-3:] == ["thu tuc dang ky khai sinh", "xin chào", "thủ tục làm căn cước công dân"]

    # Markup typed by a user is shown as text, never run.
    _ask(page, '<img src=x onerror="window.hacked=1"> xin chào')
    assert "<img src=x" in users.last.inner_text()
    assert page.evaluate("window.hacked") is None
    assert page.locator("#tthc-chat-widget .msg img").count() == 0

    before = [m.inner_text() for m in page.locator("#tthc-chat-widget .msg").all()]
    page.reload()
    assert page.get_by_role("dialog", name="Trợ lý thủ tục hành chính").is_visible()   # still open
    after = [m.inner_text() for m in page.locator("#tthc-chat-widget .msg").all()]
    assert after == before

    # Esc closes the chat and gives focus back to the bubble.
    page.get_by_label("Nhập câu hỏi của bạn").focus()
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog", name="Trợ lý thủ tục hành chính").is_visible()
    assert page.evaluate("document.querySelector('#tthc-chat-widget').shadowRoot.activeElement.className") == "bubble"
    context.close()


def test_phone_screen_screenshot(browser, stack):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{stack.web_url}/widget")
    page.get_by_role("button", name=re.compile("Mở trò chuyện")).tap()
    _ask(page, "xin chào")
    box = page.get_by_role("dialog").bounding_box()
    assert box["width"] == 390 and box["height"] >= 800, box   # the chat fills a phone's screen
    for button in _bot_messages(page).last.get_by_role("button").all():
        button_box = button.bounding_box()
        assert button_box["x"] >= 0 and button_box["x"] + button_box["width"] <= 390
        assert button_box["height"] >= 32   # big enough to tap
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    context.close()


def test_operator_reply_reaches_the_widget(browser, stack):
    """A hotline operator answers a ticket; the citizen's widget shows it, with a badge if closed."""
    import uuid

    from conftest import http_json

    from hotline.db import make_engine, make_session_factory, transaction
    from hotline.users import create_user

    operator = f"op-{uuid.uuid4().hex[:8]}"
    engine = make_engine(stack.env["HOTLINE_DATABASE_URL"])
    with transaction(make_session_factory(engine)) as session:
        create_user(session, operator, "mat-khau-123", "operator", rounds=4)
    engine.dispose()
    auth = {"Authorization": "Bearer " + (stack.var_dir / "api.token").read_text().strip()}

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{stack.web_url}/widget")
    page.get_by_role("button", name=re.compile("Mở trò chuyện")).click()
    _ask(page, "xin chào")
    session = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('tthc-widget'))))"
        ".session")
    page.keyboard.press("Escape")

    status, ticket = http_json("POST", f"{stack.web_url}/api/tickets", {
        "kind": "complaint", "description": "Đường ngõ 5 hỏng lâu ngày", "channel": "web",
        "reply_address": session, "sender_id": f"web:{session}", "channel_message_id": f"widget-test:{session}",
    }, headers=auth)
    assert status in (200, 201), ticket
    status, body = http_json("POST", f"{stack.web_url}/api/tickets/{ticket['code']}/reply",
                             {"operator": operator, "text": "Xã đã cử người kiểm tra <ngõ 5> trong tuần này."},
                             headers=auth)
    assert status == 200, body

    bubble = page.get_by_role("button", name=re.compile(r"Mở trò chuyện.*1 tin nhắn mới"))
    bubble.wait_for(timeout=20_000)                      # the widget polls every few seconds
    bubble.click()
    reply = page.locator("#tthc-chat-widget .msg.operator").last
    assert "Tổng đài viên" in reply.inner_text()
    assert "kiểm tra <ngõ 5>" in reply.inner_text() and ticket["code"] in reply.inner_text()
    page.reload()
    assert page.locator("#tthc-chat-widget .msg.operator").count() == 1   # kept, and shown once
    context.close()
