"""Printing badges from the console, in Debian's chromium against a real server (gevent; the PDF is
built in a worker thread): the page shows the badges and pages done while it builds, then offers
the file, which is the demo hall's sheets."""

from __future__ import annotations

import math

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "liangbiping-demo"

# Every text the progress line shows, as it changes.
WATCH = """
window.__seen = [];
new MutationObserver(function () {
  var t = document.getElementById("job-text").textContent;
  if (t && window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
}).observe(document.getElementById("job-text"), {childList: true, characterData: true, subtree: true});
"""


def test_the_console_shows_badges_and_pages_done_then_the_pdf(page, demo_server):
    import pypdfium2 as pdfium

    members = len(demo_server.api.get("/staff?limit=500")["items"])
    pages = math.ceil(members / 9)
    sign_in(page, demo_server, "admin", DEMO_PASSWORD)
    page.goto(demo_server.url + "/admin/badges/")
    page.evaluate(WATCH)
    page.click("#print-form button[type=submit]")
    page.wait_for_selector("#download:not([hidden])", timeout=60_000)
    seen = page.evaluate("window.__seen")
    # While rendering: "badges done of all · pages done of all" (in the console's language).
    rendering = [t for t in seen if " · " in t]
    assert rendering and all(str(members) in t.split(" · ")[0] and str(pages) in t.split(" · ")[1] for t in rendering), seen
    assert seen[-1].startswith(str(members)), seen  # "19 张工作牌已生成。"
    assert page.evaluate("document.getElementById('bar').value") == members

    pdf = page.request.get(demo_server.url + page.get_attribute("#download", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(pdf.body())
    try:
        assert len(doc) == pages and "扫码评价" in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
