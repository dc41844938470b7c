"""Screenshots of the campaign pages (三比三评) at 1366x768, from ``liangbiping demo`` in Debian's chromium.

    python docs/screenshots/make_campaign.py        # writes docs/screenshots/campaign-*.png

Starts the demo in a temporary data dir, signs in as the demo's administrator (the leader for
the ledger entry, so its next steps show) and shoots the dashboard, the ledger, an entry, the
statistics and the boards; each is looked at in the viewport the console is designed for.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.livesrv import LiveServer  # noqa: E402

OUT = Path(__file__).resolve().parent
PASSWORD = "liangbiping-demo"
VIEWPORT = {"width": 1366, "height": 768}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")


def shoot(page, url: str, name: str, full: bool = False) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / name), full_page=full)
    print("wrote", OUT / name)


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data", command="demo").start(timeout=180)
        base = server.url
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
                page = context.new_page()
                sign_in(page, base, "admin")
                shoot(page, base + "/admin/", "campaign-dashboard.png")
                shoot(page, base + "/admin/ledger/", "campaign-ledger.png")
                shoot(page, base + "/admin/stats/?kind=month", "campaign-statistics.png")
                shoot(page, base + "/admin/boards/?board=composite", "campaign-boards.png")
                shoot(page, base + "/admin/reports/?kind=month", "campaign-report.png")
                context.close()
                # The entry page as the leader who works it: the next step's form shows.
                context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
                page = context.new_page()
                sign_in(page, base, "leader")
                page.goto(base + "/admin/ledger/?state=rectifying")
                href = page.locator("table.cp-ledger a[href*='/admin/ledger/']").first.get_attribute("href")
                entry_id = re.search(r"/admin/ledger/(\d+)", href).group(1)
                shoot(page, f"{base}/admin/ledger/{entry_id}", "campaign-ledger-entry.png")
                context.close()
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
