"""The volunteer guide in headless Chromium (Debian's, driven by Playwright) on the real web app."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT, axe_serious, free_port, http_json, wait_until_ready

pytestmark = pytest.mark.browser

# Procedures volunteers print most: birth and marriage registration, a lost ID card.
TYPICAL = {"1.001193": "Thủ tục đăng ký khai sinh", "1.000894": "Thủ tục đăng ký kết hôn",
           "1.014064": "Cấp lại thẻ căn cước"}
# The longest sheets of the portal's 2,642 procedures (up to 110 case-only documents, 950-character
# fees, long result lists): each must still print on one page at a readable size. Every procedure
# was checked the same way once (bench/RESULTS.md, "Printed guide sheets").
LONGEST = ("1.011441", "1.013225", "1.009568", "2.002011", "1.012344", "1.004332", "1.014034", "2.001580",
           "1.003650", "2.002123")
READABLE_PT = 7.5   # the smallest type on the sheet (source line, remarks); documents are 9 pt


@pytest.fixture(scope="module")
def web_url(tmp_path_factory) -> str:
    """The hotline web app as `make run` starts it (the guide needs no Rasa)."""
    from bot.processes import child_environment, web_app
    from hotline.settings import load_settings

    var_dir = tmp_path_factory.mktemp("guide-var")
    previous = dict(os.environ)
    os.environ.update(VAR_DIR=str(var_dir), WEB_PORT=str(free_port()), HOST="127.0.0.1")
    try:
        settings = load_settings()
        env = child_environment(settings)
    finally:
        os.environ.clear()
        os.environ.update(previous)
    spec = web_app(settings)
    # Migrations are a deploy step (`make run` runs them first); servers only check the schema.
    subprocess.run([sys.executable, "-m", "hotline", "migrate"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True)
    log = var_dir / "web.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(spec.command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_until_ready(spec.ready_url, process, timeout=90)
        yield f"http://127.0.0.1:{settings.web_port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        assert "Traceback" not in log.read_text(errors="replace")




@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="vi-VN")
    yield context.new_page()
    context.close()


def _pdf_pages(page) -> int:
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_search_without_accents_as_you_type_then_open_and_print(page, web_url):
    page.goto(f"{web_url}/guide")
    box = page.get_by_label(re.compile("Người dân cần làm gì"))
    box.press_sequentially("dang ky khai sinh", delay=30)
    first = page.locator("#ket-qua li a").first
    first.wait_for()
    page.wait_for_function("document.querySelector('#ket-qua a').textContent === 'Thủ tục đăng ký khai sinh'")
    assert page.url.endswith("/guide?q=dang%20ky%20khai%20sinh")   # results came without submitting the form
    assert "thủ tục phù hợp" in page.locator("#trang-thai").inner_text()

    # Keyboard: arrow down from the box reaches the first result; Enter opens it.
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/guide/p/1\.001193$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Thủ tục đăng ký khai sinh"
    where = page.locator(".where").inner_text()
    assert "Nộp hồ sơ ở đâu" in where and "cấp xã" in where
    assert page.get_by_role("checkbox").count() >= 5            # documents as a checklist
    page.get_by_role("checkbox").first.check()
    assert "Miễn phí" in page.locator(".channels").inner_text()
    assert page.get_by_role("link", name="Trang thủ tục trên Cổng DVC").get_attribute("href").startswith(
        "https://dichvucong.gov.vn/")
    assert "Nguồn: Cổng Dịch vụ công quốc gia" in page.locator(".source").inner_text()
    assert "Lưu ý" in page.locator(".procedure").inner_text()   # remarks are on screen…

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name=re.compile("In phiếu")).is_visible()
    assert page.locator(".print-only.kicker").is_visible()
    assert _pdf_pages(page) == 1                                # …and the sheet is one A4 page


@pytest.mark.parametrize("code", sorted(TYPICAL))
def test_typical_procedures_print_on_one_a4_page(page, web_url, code):
    page.goto(f"{web_url}/guide/p/{code}?dia_chi=phuong+Ben+Nghe+quan+1+TP+HCM")
    assert page.get_by_role("heading", level=1).inner_text() == TYPICAL[code]
    assert "Phường Sài Gòn" in page.locator(".where").inner_text()   # the citizen's new ward
    page.emulate_media(media="print")
    assert _pdf_pages(page) == 1


def test_accented_and_unaccented_searches_agree(web_url):
    _, plain = http_json("GET", f"{web_url}/guide/api/search?q=cap%20lai%20the%20can%20cuoc")
    _, accented = http_json("GET", f"{web_url}/guide/api/search?q=c%E1%BA%A5p%20l%E1%BA%A1i%20th%E1%BA%BB%20c%C4%83n%20c%C6%B0%E1%BB%9Bc")
    assert plain["results"][0]["code"] == accented["results"][0]["code"] == "1.014064"


def test_address_box(page, web_url):
    page.goto(f"{web_url}/guide")
    page.get_by_role("searchbox", name=re.compile("Địa chỉ cũ")).fill("phuong Ben Nghe, quan 1, TP HCM")
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(re.compile(r"/guide/address\?q="))
    result = page.locator(".address-result").inner_text()
    assert "Phường Sài Gòn" in result and "Trung tâm Phục vụ hành chính công" in result


def _smallest_printed_font_pt(page) -> float:
    return page.evaluate("""() => {
        let smallest = 99;
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, parent = node.parentElement;
            if (!node.textContent.trim() || !parent || !parent.getClientRects().length) continue;
            smallest = Math.min(smallest, parseFloat(getComputedStyle(parent).fontSize) * 0.75);
        }
        return smallest;
    }""")


@pytest.mark.parametrize("code", LONGEST)
def test_the_longest_procedures_print_on_one_readable_a4_page(page, web_url, code):
    page.goto(f"{web_url}/guide/p/{code}")
    page.emulate_media(media="print")
    assert _pdf_pages(page) == 1
    assert _smallest_printed_font_pt(page) >= READABLE_PT
    assert page.get_by_text("Mọi người đều cần").count() + page.get_by_text("Chỉ khi thuộc trường hợp riêng").count()


def test_ambiguous_address_results_are_links(page, web_url):
    page.goto(f"{web_url}/guide/address?q=phuong+1")
    assert "Có 33 nơi" in page.locator(".address-result").inner_text()
    page.get_by_role("link", name="Tỉnh Quảng Trị").click()
    page.wait_for_url(re.compile(r"/guide/address\?q=phuong"))
    page.locator(".address-result .options a").first.click()
    result = page.locator(".address-result").inner_text()
    assert "Phường Đông Hà" in result and "Trung tâm Phục vụ hành chính công" in result
    # the same choices on a procedure's page keep its "where to submit" box working
    page.goto(f"{web_url}/guide/p/1.001193?dia_chi=phuong+1")
    page.locator(".where .options a", has_text="Tỉnh Quảng Trị").click()
    page.locator(".where .options a").first.click()
    assert "Phường Đông Hà" in page.locator(".where").inner_text()


def test_ticked_documents_survive_looking_up_where_to_submit(page, web_url):
    page.goto(f"{web_url}/guide/p/1.001193")
    boxes = page.get_by_role("checkbox")
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.get_by_label("Người dân ở").fill("phuong Ben Nghe quan 1 TP HCM")
    page.get_by_role("button", name="Xem nơi nộp").click()
    page.wait_for_url(re.compile("dia_chi="))
    assert "Phường Sài Gòn" in page.locator(".where").inner_text()
    ticks = page.get_by_role("checkbox").evaluate_all("boxes => boxes.map(b => b.checked)")
    assert ticks[:3] == [True, False, True] and not any(ticks[3:])


def test_guide_pages_have_no_serious_accessibility_violations(page, web_url):
    for path in ("/guide", "/guide?q=dang+ky+khai+sinh", "/guide/p/1.001193?dia_chi=phuong+Ben+Nghe+quan+1",
                 "/guide/p/1.011441?dia_chi=phuong+1", "/guide/address?q=phuong+1",
                 "/guide/address?q=quan+1+tp+hcm", "/guide/p/0.000000"):
        page.goto(f"{web_url}{path}")
        assert axe_serious(page) == [], path
    page.goto(f"{web_url}/guide")
    page.get_by_label(re.compile("Người dân cần làm gì")).press_sequentially("cap lai cccd", delay=20)
    page.locator("#ket-qua li a").first.wait_for()
    assert axe_serious(page) == []                     # results typed in live


def test_bad_input_gets_a_page_not_a_traceback(page, web_url):
    page.goto(f"{web_url}/guide?q=%3Cscript%3Ewindow.hacked%3D1%3C%2Fscript%3E")
    assert page.evaluate("window.hacked") is None
    response = page.goto(f"{web_url}/guide/p/%3Cb%3Ex%3C%2Fb%3E")
    assert response.status == 404 and "Không tìm thấy thủ tục" in page.content()
    assert page.locator("b", has_text="x").count() == 0
    status, body = http_json("GET", f"{web_url}/guide/api/search?q=" + "a" * 5000)
    assert status == 200 and isinstance(body["results"], list)
    status, _ = http_json("GET", f"{web_url}/guide/address?q=" + "%00" * 10)
    assert status == 200
