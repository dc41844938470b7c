"""Screenshots of the admin console at 1366x768, made in Debian's chromium against ``liangbiping demo``.

    python docs/screenshots/make_console.py [--out docs/screenshots] [--lang zh|en]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from liangbiping.admin.demo import DEMO_PASSWORD  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.livesrv import LiveServer  # noqa: E402

PAGES = [  # file name, path (after sign-in), what to wait for
    ("console-staff-list", "/admin/staff/", "table.grid"),
    ("console-member-form", None, "form.record"),  # the first member's form
    ("console-screens", "/admin/screens/", "table.grid"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data", command="demo").start(timeout=120)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
                page.goto(f"{server.url}/admin/login?lang={args.lang}")
                page.fill("input[name=username]", "admin")
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(server.url + "/admin/")
                suffix = "" if args.lang == "zh" else "-en"
                for name, path, ready in PAGES:
                    if path is None:
                        page.goto(server.url + "/admin/staff/")
                        page.locator("table.grid tbody td a").first.click()
                    else:
                        page.goto(server.url + path)
                    page.wait_for_selector(ready)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / f"{name}{suffix}.png"))
                    print("wrote", out / f"{name}{suffix}.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
