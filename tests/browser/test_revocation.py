"""A kiosk deleted in the console, in Debian's chromium: it goes back to its pairing page within
5 s, takes no more ratings, says how many of its ratings wait, and uploads them once paired again;
a deleted screen goes back to its pairing page too."""

from __future__ import annotations

import time

import pytest
import requests

from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser


def _api(server, method, path, **kwargs):
    r = requests.request(method, server.url + "/api/v1" + path, headers={"Authorization": f"Bearer {server.token}"},
                         timeout=10, **kwargs)
    assert r.status_code < 400, r.text
    return r.json() if r.content else None


def _find(server, collection, **match):
    items = _api(server, "GET", f"/{collection}", params={"per_page": 200})["items"]
    return next(i for i in items if all(i.get(k) == v for k, v in match.items()))


def test_a_deleted_kiosk_returns_to_pairing_and_keeps_its_waiting_ratings(browser, demo_server):
    window = _find(demo_server, "windows", number="B01")
    kiosk = _find(demo_server, "kiosks", window_id=window["id"])
    member = _find(demo_server, "staff", name="孙浩")
    before = _api(demo_server, "GET", "/ratings", params={"staff_id": member["id"], "per_page": 1})["total"]
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True)
    try:
        page = tablet.new_page()
        page.goto(f"{demo_server.url}/kiosk/{kiosk['id']}#token={demo_server.devices['kiosks'][str(kiosk['id'])]}")
        page.wait_for_selector("#screen-start.active #member .name")
        # The ratings endpoint is unreachable for a while: the tap waits in the kiosk's outbox.
        page.route("**/api/v1/ratings", lambda route: route.abort())
        page.tap('.level[data-score="5"]')
        page.wait_for_selector("#screen-thanks.active")
        page.wait_for_function("() => /1/.test(document.getElementById('net-text').textContent)")
        started = time.monotonic()
        _api(demo_server, "DELETE", f"/kiosks/{kiosk['id']}")
        page.wait_for_url(demo_server.url + "/kiosk/", timeout=5000)
        page.wait_for_selector("#pair-waiting:not([hidden])", timeout=5000)
        elapsed = time.monotonic() - started
        print(f"deleted kiosk back at its pairing page in {elapsed * 1000:.0f} ms")
        assert "1" in page.inner_text("#pair-waiting") and "上传" in page.inner_text("#pair-waiting")
        assert page.locator(".level").count() == 0  # no rating buttons: it takes no more taps
        code = wait_for(lambda: (page.inner_text("#pairing-code").strip() if "·" not in page.inner_text("#pairing-code") else ""))
        assert len(code) == 6

        page.unroute("**/api/v1/ratings")
        paired = _api(demo_server, "POST", "/kiosks/pair", json={"code": code, "name": "B01 评价器（新）",
                                                                 "window_id": window["id"]})
        page.wait_for_url(f"{demo_server.url}/kiosk/{paired['id']}", timeout=15000)
        after = wait_for(lambda: _api(demo_server, "GET", "/ratings", params={"staff_id": member["id"], "per_page": 1})
                         ["total"] == before + 1, timeout=20)
        assert after, "the rating taken before the deletion was not uploaded after pairing again"
        stored = _api(demo_server, "GET", "/ratings", params={"staff_id": member["id"], "per_page": 1})["items"][0]
        assert stored["score"] == 5 and stored["kiosk_id"] == paired["id"]
    finally:
        tablet.close()


def test_a_deleted_screen_returns_to_its_pairing_page(browser, demo_server):
    window = _find(demo_server, "windows", number="D02")
    screen = _find(demo_server, "screens", window_id=window["id"])
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = wall.new_page()
        page.goto(f"{demo_server.url}/display/{screen['id']}#token={demo_server.devices['screens'][str(screen['id'])]}")
        page.wait_for_selector(".win-member")
        _api(demo_server, "DELETE", f"/screens/{screen['id']}")
        page.wait_for_url(demo_server.url + "/display/", timeout=5000)
        page.wait_for_function("() => /[A-Z0-9]{6}/.test(document.body.innerText)", timeout=10000)
    finally:
        wall.close()
