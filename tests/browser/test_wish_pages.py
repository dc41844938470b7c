"""A wish in Debian's chromium against a real ``liangbiping serve``, in Chinese: asked on a 360 px
phone, taken on and closed by a member through the API, confirmed 满意 on the receipt page, and
counted on the hall screen's 心愿墙 slide."""

from __future__ import annotations

import io
import re

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser.screen_support import new_screen, open_screen
from tests.livesrv import Api

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(api_server):
    return api_server


def test_a_wish_from_the_phone_to_the_hall_screen(browser, live_server):
    api = live_server.api
    dept = api.post("/departments", {"name": "医保服务科"})
    window = api.post("/windows", {"number": "W07", "name": "医保窗口", "department_id": dept["id"]})
    member = api.post("/staff", {"name": "周红", "employee_no": "W007", "department_id": dept["id"],
                                 "window_id": window["id"], "on_duty": True, "is_party_member": True})
    user = api.post("/users", {"username": "zhouhong", "password": "long-enough-1", "role": "staff",
                               "staff_id": member["id"]})
    staff = Api(live_server, api.post("/tokens", {"name": "周红", "role": "staff", "user_id": user["id"]})["token"])

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True,
                                is_mobile=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        page.goto(f"{live_server.url}/w/?window={window['id']}")
        assert "遇到难题" in page.locator("h1.sv-title").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_text("代办：请工作人员代为办理").click()
        page.fill("#wish-text", "腿脚不便，请帮我把材料送到二楼医保科")
        page.click("#wish-submit")
        page.wait_for_selector("#wish-sent")
        receipt = page.locator("#wish-receipt").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{8}", receipt)
        assert page.locator("#wish-sent svg").count() == 1

        wish = next(w for w in staff.get("/wishes")["items"] if w["receipt"] == receipt)
        assert wish["kind"] == "errand" and wish["window_id"] == window["id"]
        staff.post(f"/wishes/{wish['id']}/transition", {"action": "claim"})
        staff.post(f"/wishes/{wish['id']}/transition", {"action": "complete", "note": "已陪同送达二楼医保科"})

        page.goto(f"{live_server.url}/w/{receipt}")
        assert "已陪同送达二楼医保科" in page.locator("#wish-done").inner_text()
        assert "周红" in page.inner_text("body")
        page.click("#wish-satisfied")
        assert "您已确认满意" in page.locator("#wish-verdict").inner_text()
    finally:
        phone.close()

    screen = new_screen(api, "大厅心愿屏")
    lobby = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        view = open_screen(lobby.new_page(), live_server, screen, slide="wishes")
        view.wait_for_selector(".wishes-num")
        assert view.locator(".wishes-num").inner_text() == "1"
        assert "本月圆梦心愿与代办" in view.inner_text("body") and "腿脚不便" in view.inner_text("body")
        # the wish page's own code under the wall, for the next citizen who needs a hand
        shot = view.locator('.wishes-qr[data-qr="drawn"] canvas').screenshot()
        assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))] == [f"{live_server.url}/w/"]
    finally:
        lobby.close()
    assert requests.get(f"{live_server.url}/w/NOSUCH22", timeout=10).status_code == 404
