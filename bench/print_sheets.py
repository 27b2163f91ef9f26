"""Check: every procedure's printed guide sheet is one A4 page at a readable size.

Starts the web app as `make run` does (no Rasa needed), prints each `/guide/p/<code>` to PDF in
Debian's Chromium (print media, A4, as a volunteer's browser does) and counts the pages; also
reports the smallest type on the sheet and how many sheets the print plan shortened
(hotline/web/guide.py, plan_print). Exits 1 when any sheet takes more than one page.

    RASA_TELEMETRY_ENABLED=false .venv/bin/python bench/print_sheets.py [--limit N] [--codes 1.001193,1.011441]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline.web.guide import procedure_view  # noqa: E402
from procedure_kb.procedures import load_procedures  # noqa: E402

SMALLEST_FONT = """() => { let smallest = 99;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) { const parent = walker.currentNode.parentElement;
    if (walker.currentNode.textContent.trim() && parent && parent.getClientRects().length)
      smallest = Math.min(smallest, parseFloat(getComputedStyle(parent).fontSize) * 0.75); }
  return smallest; }"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--codes", default="")
    args = parser.parse_args()
    procedures = load_procedures()
    codes = args.codes.split(",") if args.codes else [p.code for p in procedures]
    codes = codes[:args.limit] if args.limit else codes
    by_code = {p.code: p for p in procedures}

    port = _free_port()
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "VAR_DIR": var, "WEB_PORT": str(port), "HOST": "127.0.0.1", "HOTLINE_DATABASE_URL": "",
               "TELEGRAM_BOT_TOKEN": "", "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen([sys.executable, "-m", "hotline.web"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)  # noqa: S310 - local
                    break
                except OSError:
                    time.sleep(0.2)
            return _check(f"http://127.0.0.1:{port}", codes, by_code)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _check(base: str, codes: list[str], by_code: dict) -> int:
    from playwright.sync_api import sync_playwright

    pages: dict[str, int] = {}
    smallest = 99.0
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        for code in codes:
            page.goto(f"{base}/guide/p/{code}")
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
            pages[code] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            smallest = min(smallest, page.evaluate(SMALLEST_FONT))
            page.emulate_media(media="screen")
        browser.close()
    plans = [procedure_view(by_code[code])["print_plan"] for code in codes if code in by_code]
    over = sorted((code for code, count in pages.items() if count > 1), key=lambda c: -pages[c])
    print(f"{len(pages)} sheets printed in {time.monotonic() - started:.0f} s")
    print(f"one A4 page: {len(pages) - len(over)}; more than one: {len(over)} {over[:20]}")
    print(f"smallest type on any sheet: {smallest:.1f} pt (documents and tables 9 pt)")
    print(f"printed in full: {sum(not p['shortened'] and not p['left_out'] for p in plans)}; "
          f"texts shortened on paper: {sum(bool(p['shortened']) for p in plans)}; "
          f"with case-only documents left to the screen: {sum(bool(p['left_out']) for p in plans)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
