"""A kiosk on the floor shows its "rate on your phone" code; on a 360 px phone the citizen picks the
window, then the member on duty, and rates: in Debian's chromium against a real ``liangbiping serve``."""

from __future__ import annotations

import io

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(api_server):
    return api_server


@pytest.fixture
def hall(live_server):
    """Two windows: one with two members on duty (one of them with a photo) and one away, one with nobody."""
    h = {"Authorization": f"Bearer {live_server.token}"}

    post = live_server.api.post

    busy = post("/windows", {"number": "F01", "name": "不动产登记"})
    empty = post("/windows", {"number": "F02", "name": "公积金提取"})
    wang = post("/staff", {"name": "王芳", "title": "综合受理员", "employee_no": "F001", "window_id": busy["id"],
                           "on_duty": True})
    liu = post("/staff", {"name": "刘洋", "title": "登记审核员", "employee_no": "F002", "window_id": busy["id"],
                          "on_duty": True, "is_party_member": True})
    post("/staff", {"name": "孙倩", "title": "受理员", "employee_no": "F003", "window_id": busy["id"], "on_duty": False})
    jpeg = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 60, 60)).save(jpeg, "JPEG")
    r = requests.put(f"{live_server.url}/api/v1/staff/{liu['id']}/photo", headers=h, timeout=10,
                     files={"photo": ("liu.jpg", jpeg.getvalue(), "image/jpeg")})
    assert r.status_code == 200, r.text
    liu["photo_url"] = r.json()["photo_url"]
    assert liu["photo_url"]
    kiosk = post("/kiosks", {"name": "大厅评价器"})  # no window: a kiosk on the floor
    return {"headers": h, "busy": busy, "empty": empty, "wang": wang, "liu": liu,
            "kiosk_url": f"{live_server.url}/kiosk/{kiosk['id']}#token={kiosk['token']}"}


def ratings(server, hall, **params) -> list[dict]:
    r = requests.get(server.url + "/api/v1/ratings", params=dict(per_page=200, **params), headers=hall["headers"],
                     timeout=10)
    return r.json()["items"]


def test_a_phone_picks_the_window_and_member_from_the_floor_kiosks_code(browser, live_server, hall):
    # The floor kiosk shows its standing code on the window-picking screen; read it as a phone would.
    tablet = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN", has_touch=True,
                                 device_scale_factor=2)
    try:
        kiosk = tablet.new_page()
        kiosk.goto(hall["kiosk_url"])
        kiosk.wait_for_selector("#screen-floor.active #floor-phone-qr svg")
        assert kiosk.is_visible("#floor-phone-qr")
        shot = kiosk.locator("#floor-phone-qr").screenshot()
    finally:
        tablet.close()
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert codes, "the floor kiosk's phone code could not be read"
    url = codes[0].text
    assert url.startswith(live_server.url + "/q/")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True, is_mobile=True)
    try:
        page = phone.new_page()
        page.goto(url)
        # First the hall's windows, with number and name; the rating form waits.
        page.wait_for_selector("#pick-list .p-tile")
        assert page.is_hidden("#rate")
        tiles = page.locator("#pick-list .p-tile")
        assert tiles.count() == 2
        assert "F01" in tiles.nth(0).inner_text() and "不动产登记" in tiles.nth(0).inner_text()
        assert "F02" in tiles.nth(1).inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.tap(f'#pick-list .p-tile[data-window-id="{hall["busy"]["id"]}"]')
        # Then the members on duty there (the one away is not offered), with photo, name and post.
        page.wait_for_selector("#pick-list .p-tile.member")
        members = page.locator("#pick-list .p-tile.member")
        assert members.count() == 2
        text = page.inner_text("#pick-list")
        assert "王芳" in text and "综合受理员" in text and "刘洋" in text and "孙倩" not in text
        liu_tile = f'#pick-list .p-tile[data-staff-id="{hall["liu"]["id"]}"]'
        assert page.locator(liu_tile + " img").get_attribute("src") == hall["liu"]["photo_url"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.tap(liu_tile)
        # The chosen member, then the same five levels as every phone page.
        page.wait_for_selector("#rate:not([hidden])")
        assert page.is_hidden("#pick")
        assert "刘洋" in page.inner_text("#chosen .name")
        page.tap('.p-level[data-score="5"]')
        page.fill("#comment", "讲解清楚")
        page.tap("#rate-send")
        page.wait_for_selector("#rate-done:not([hidden])")
        assert page.is_hidden("#pick-again")
        # Another citizen, a window where nobody is on duty: the window alone is rated.
        page = phone.new_page()
        page.goto(url)
        page.tap(f'#pick-list .p-tile[data-window-id="{hall["empty"]["id"]}"]')
        page.wait_for_selector("#rate:not([hidden])")
        assert "公积金提取" in page.inner_text("#chosen .name")
        page.tap('.p-level[data-score="4"]')
        page.tap("#rate-send")
        page.wait_for_selector("#rate-done:not([hidden])")
    finally:
        phone.close()
    alone = wait_for(lambda: ratings(live_server, hall, window_id=hall["empty"]["id"]))
    assert len(alone) == 1 and alone[0]["staff_id"] is None and alone[0]["score"] == 4 and alone[0]["channel"] == "qr"
    stored = wait_for(lambda: ratings(live_server, hall, staff_id=hall["liu"]["id"]))
    assert len(stored) == 1
    r = stored[0]
    assert r["score"] == 5 and r["channel"] == "qr" and r["window_id"] == hall["busy"]["id"]
    assert r["staff_id"] == hall["liu"]["id"] and r["comment"] == "讲解清楚" and r["flagged"] is None
    assert ratings(live_server, hall, staff_id=hall["wang"]["id"]) == []
