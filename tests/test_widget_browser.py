"""The web chat widget in headless Chromium (Debian's, driven by Playwright) against the real stack."""

from __future__ import annotations

import re
import uuid

import pytest
from conftest import PROJECT_ROOT, axe_serious, http_json

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"




def _bot_messages(page):
    return page.locator("#tthc-chat-widget .msg.bot, #tthc-chat-widget .msg.operator")


def _ask(page, text: str) -> None:
    """Type and press Enter; wait until the assistant has answered."""
    answered = page.locator("#tthc-chat-widget .msg.bot").count()
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
    bubble = page.get_by_role("button", name=re.compile("^Hỏi trợ lý"))
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
    answered = page.locator("#tthc-chat-widget .msg.bot").count()
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
    page.get_by_role("button", name=re.compile("^Hỏi trợ lý")).tap()
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
    page.get_by_role("button", name=re.compile("^Hỏi trợ lý")).click()
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

    bubble = page.get_by_role("button", name=re.compile(r"^Hỏi trợ lý.*1 tin nhắn mới"))
    bubble.wait_for(timeout=20_000)                      # the widget polls every few seconds
    bubble.click()
    reply = page.locator("#tthc-chat-widget .msg.operator").last
    assert "Tổng đài viên" in reply.inner_text()
    assert "kiểm tra <ngõ 5>" in reply.inner_text() and ticket["code"] in reply.inner_text()
    page.reload()
    assert page.locator("#tthc-chat-widget .msg.operator").count() == 1   # kept, and shown once

    # resolved: the rating comes as 1-5 buttons, and tapping one rates the ticket
    status, body = http_json("POST", f"{stack.web_url}/api/tickets/{ticket['code']}/resolve",
                             {"operator": operator, "text": "Đã sửa xong ngõ 5."}, headers=auth)
    assert status == 200, body
    five = page.get_by_role("button", name="5 – rất tốt")
    five.wait_for(timeout=20_000)
    assert [b.inner_text() for b in page.locator("#tthc-chat-widget .msg.operator").last.get_by_role("button").all()] == [
        "1 – kém", "2", "3", "4", "5 – rất tốt"]
    answered = page.locator("#tthc-chat-widget .msg.bot").count()
    five.click()
    page.wait_for_function(
        "n => document.querySelector('#tthc-chat-widget').shadowRoot.querySelectorAll('.msg.bot').length > n",
        arg=answered, timeout=60_000)
    assert "5/5" in _bot_messages(page).last.inner_text()
    status, stored = http_json("GET", f"{stack.web_url}/api/tickets/{ticket['code']}", headers=auth)
    assert stored["csat_rating"] == 5
    context.close()


def _open(browser, stack, width=1280, height=800, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN", **options)
    page = context.new_page()
    page.goto(f"{stack.web_url}/")
    page.get_by_role("button", name=re.compile("^Hỏi trợ lý")).click()
    return context, page


def _active_id(page) -> str:
    return page.evaluate("document.querySelector('#tthc-chat-widget').shadowRoot.activeElement?.id || ''")


def test_welcome_button_gui_phan_anh_starts_a_complaint_and_focus_returns(browser, stack):
    context, page = _open(browser, stack)
    answered = page.locator("#tthc-chat-widget .msg.bot").count()
    page.get_by_role("button", name="Gửi phản ánh").click()
    assert _active_id(page) == "tthc-input"          # back to the input, ready to type the answer
    page.wait_for_function(
        "n => document.querySelector('#tthc-chat-widget').shadowRoot.querySelectorAll('.msg.bot').length > n",
        arg=answered, timeout=60_000)
    page.locator("#tthc-chat-widget .typing").wait_for(state="hidden", timeout=60_000)
    reply = page.locator("#tthc-chat-widget .log").inner_text()
    assert "ghi lại phản ánh" in reply and "Việc gì đã xảy ra" in reply and "chưa hiểu" not in reply
    _ask(page, "Gửi phản ánh")                       # typed, the same
    assert "chưa hiểu" not in _bot_messages(page).last.inner_text()
    context.close()


def test_a_long_answer_is_shown_from_its_start(browser, stack):
    context, page = _open(browser, stack)
    _ask(page, "xin chào")
    _ask(page, "thủ tục đăng ký khai sinh")
    position = page.evaluate("""() => {
        const root = document.querySelector('#tthc-chat-widget').shadowRoot;
        const log = root.querySelector('.log');
        const answers = root.querySelectorAll('.msg.user');
        const first = answers[answers.length - 1].nextElementSibling;   // the answer's first bubble
        return {top: first.offsetTop - log.scrollTop, scrolled: log.scrollTop,
                end: log.scrollHeight - log.clientHeight, tall: first.offsetHeight > log.clientHeight / 2};
    }""")
    assert position["tall"], position                         # a long answer (the procedure card)
    assert 0 <= position["top"] <= 16, position               # its first line at the top of the log
    assert position["scrolled"] < position["end"], position   # not scrolled past it to the end
    context.close()


def test_phone_first_screen_modal_dialog_and_big_targets(browser, stack):
    context, page = _open(browser, stack, 390, 844, device_scale_factor=2, is_mobile=True, has_touch=True)
    dialog = page.get_by_role("dialog")
    assert dialog.get_attribute("aria-modal") == "true"
    _ask(page, "thủ tục đăng ký khai sinh")
    card = _bot_messages(page).last
    first_screen = card.inner_text()
    for essential in ("Thủ tục đăng ký khai sinh", "Nơi nộp hiện nay", "4 giấy tờ", "Thời hạn giải quyết", "Lệ phí"):
        assert essential in first_screen
    assert "Căn cứ pháp lý" not in first_screen and "1. Giấy chứng sinh" not in first_screen
    assert card.bounding_box()["height"] < 844
    for title in ("Hồ sơ", "Các bước"):                          # buttons for the rest
        assert card.get_by_role("button", name=title).is_visible()
    more = card.get_by_role("button", name="Xem đầy đủ")
    more.tap()
    assert "Căn cứ pháp lý" in card.inner_text() and "1. Giấy chứng sinh" in card.inner_text()
    assert card.get_by_role("button", name="Thu gọn").get_attribute("aria-expanded") == "true"

    # every control in the panel is at least 44 px high
    heights = page.locator("#tthc-chat-widget button:visible, #tthc-chat-widget input").evaluate_all(
        "nodes => nodes.map(n => [n.textContent || n.id, n.getBoundingClientRect().height])")
    assert heights and all(height >= 44 for _, height in heights), heights
    # the full-screen dialog keeps Tab inside it
    page.get_by_role("button", name="Gửi", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#tthc-chat-widget').shadowRoot.activeElement.className") == "icon reset"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.querySelector('#tthc-chat-widget').shadowRoot.activeElement.className") == "send"
    # sizes follow the reader's font size (rem)
    page.evaluate("document.documentElement.style.fontSize = '20px'")
    assert page.locator("#tthc-chat-widget .panel").evaluate("p => getComputedStyle(p).fontSize") == "20px"
    context.close()


def test_bubble_name_landmarks_and_english_labels(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{stack.web_url}/")
    # its accessible name starts with its visible text ("Hỏi trợ lý (mở trò chuyện…)"), no aria-label over it
    bubble = page.get_by_role("button", name=re.compile(r"^Hỏi trợ lý \(mở trò chuyện"))
    assert bubble.get_attribute("aria-label") is None and "Hỏi trợ lý" in bubble.inner_text()
    bubble.click()
    assert page.get_by_role("banner").count() == 1               # the page's own header only
    assert page.get_by_role("dialog").get_attribute("aria-modal") is None   # a side panel on a desktop
    _ask(page, "How do I register a birth?")
    assert page.get_by_role("dialog", name="Public services assistant").is_visible()
    assert page.get_by_role("button", name="Send", exact=True).is_visible()
    assert page.get_by_label("Type your question").get_attribute("placeholder") == "Type your question…"
    page.reload()                                                # the language is kept with the conversation
    assert page.get_by_role("button", name="Send", exact=True).is_visible()
    context.close()


def test_widget_has_no_serious_accessibility_violations(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{stack.web_url}/")
    assert axe_serious(page) == []                               # closed
    page.get_by_role("button", name=re.compile("^Hỏi trợ lý")).click()
    assert axe_serious(page) == []                               # open, welcome
    _ask(page, "thủ tục đăng ký khai sinh")
    _ask(page, "tôi muốn khiếu nại")
    assert axe_serious(page) == []                               # with answers and buttons
    context.close()
    context, page = _open(browser, stack, 390, 844, is_mobile=True, has_touch=True)
    _ask(page, "thủ tục đăng ký khai sinh")
    assert axe_serious(page) == []                               # full screen on a phone
    context.close()
