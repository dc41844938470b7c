"""The rating kiosk and the phone page in Debian's chromium against a real ``liangbiping serve``."""

from __future__ import annotations

import io
import itertools
import time

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def live_server(api_server):
    """One real server for this module (each test makes its own window, member and kiosk)."""
    return api_server


@pytest.fixture
def hall(live_server):
    h = {"Authorization": f"Bearer {live_server.token}"}
    n = next(_numbers)

    post = live_server.api.post

    w = post("/windows", {"number": f"C{n:02d}", "name": "公积金提取"})
    member = post("/staff", {"name": "陈晓", "title": "受理员", "employee_no": f"C{n:03d}", "window_id": w["id"],
                             "on_duty": True, "is_party_member": True})
    kiosk = post("/kiosks", {"name": f"C{n:02d} 评价器", "window_id": w["id"]})
    return {"headers": h, "member": member, "kiosk": kiosk, "window": w,
            "kiosk_url": f"{live_server.url}/kiosk/{kiosk['id']}#token={kiosk['token']}"}


def ratings(server, hall, **params) -> list[dict]:
    params = dict(per_page=200, staff_id=hall["member"]["id"], **params)
    r = requests.get(server.url + "/api/v1/ratings", params=params, headers=hall["headers"], timeout=10)
    return r.json()["items"]


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN", has_touch=True)
    yield context
    context.close()


def test_tap_a_rating_on_the_kiosk_and_find_it_stored(tablet, live_server, hall):
    page = tablet.new_page()
    page.goto(hall["kiosk_url"])
    page.wait_for_selector("#screen-start.active .member .name")
    assert page.inner_text("#member .name") == "陈晓"
    box = page.locator('.level[data-score="4"]').bounding_box()
    assert box["width"] >= 800 / 6  # each level at least a sixth of the screen wide
    page.tap('.level[data-score="4"]')
    page.wait_for_selector("#screen-thanks.active")
    stored = wait_for(lambda: ratings(live_server, hall))
    assert len(stored) == 1
    assert stored[0]["score"] == 4 and stored[0]["staff_id"] == hall["member"]["id"] and stored[0]["channel"] == "kiosk"
    # The thank-you screen counts down and goes back to the start by itself.
    assert "15" in page.inner_text("#screen-thanks .countdown") or "14" in page.inner_text("#screen-thanks .countdown")


def test_a_low_score_asks_for_reasons_first(tablet, live_server, hall):
    page = tablet.new_page()
    page.goto(hall["kiosk_url"])
    page.wait_for_selector("#screen-start.active .member .name")
    page.tap('.level[data-score="1"]')
    page.wait_for_selector("#screen-reasons.active")
    assert page.is_disabled("#reasons-send")
    page.tap('.chip[data-reason="attitude"]')
    page.fill("#comment", "<b>态度</b>生硬")
    page.tap("#reasons-send")
    page.wait_for_selector("#screen-thanks.active")
    stored = wait_for(lambda: ratings(live_server, hall))
    assert stored[0]["score"] == 1 and stored[0]["reasons"] == ["attitude"] and stored[0]["comment"] == "<b>态度</b>生硬"


def test_offline_ratings_are_kept_and_replayed_exactly_once(tablet, live_server, hall):
    page = tablet.new_page()
    page.goto(hall["kiosk_url"])
    page.wait_for_selector("#screen-start.active .member .name")
    page.wait_for_selector("#net:not(.off)")
    tablet.set_offline(True)
    for score in (5, 4, 5, 3, 5):
        page.tap(f'.level[data-score="{score}"]')
        page.wait_for_selector("#screen-thanks.active")  # thanked all the same
        page.tap("#thanks-done")
        page.wait_for_selector("#screen-start.active")
    page.wait_for_function("document.getElementById('net-text').textContent.includes('5')", timeout=15000)
    assert ratings(live_server, hall) == []
    tablet.set_offline(False)
    stored = wait_for(lambda: (lambda items: items if len(items) >= 5 else None)(ratings(live_server, hall)), timeout=40)
    assert stored and len(stored) == 5
    assert sorted(r["score"] for r in stored) == [3, 4, 5, 5, 5]
    page.wait_for_function("!document.getElementById('net-text').textContent.includes('·')", timeout=15000)
    time.sleep(2)
    assert len(ratings(live_server, hall)) == 5  # none doubled
    # The original press times were kept: received after, pressed before going back online.
    assert all(r["received_at"] >= r["rated_at"] for r in stored)


def test_the_phone_page_at_360_px_takes_reasons_and_a_comment(browser, live_server, hall):
    png = requests.get(f"{live_server.url}/api/v1/staff/{hall['member']['id']}/badge.png", headers=hall["headers"], timeout=30)
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))[0].text
    assert url.startswith(live_server.url + "/q/")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(url)
        assert "陈晓" in page.inner_text(".p-member .name")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.tap('.p-level[data-score="2"]')
        page.wait_for_selector("#reasons-box:not([hidden])")
        page.tap('.p-chip[data-reason="slow"]')
        page.tap('.p-chip[data-reason="repeat_trips"]')
        page.fill("#comment", "材料清单没有一次讲清楚")
        page.fill("#contact", "139 0000 1111")
        page.tap("#rate-send")
        page.wait_for_selector("#rate-done:not([hidden])")
    finally:
        context.close()
    stored = wait_for(lambda: ratings(live_server, hall))
    assert len(stored) == 1
    r = stored[0]
    assert r["channel"] == "qr" and r["score"] == 2 and r["reasons"] == ["slow", "repeat_trips"]
    assert r["comment"] == "材料清单没有一次讲清楚" and r["contact_masked"] == "139****1111"
