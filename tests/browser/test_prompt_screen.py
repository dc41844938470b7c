"""A prompt on the demo hall's window screen B01, in Debian's chromium: a business system starts it,
the screen draws its QR code with the case and the member, the code decodes to the prompt's own link,
the citizen rates on the phone through it, and the code leaves the screen."""

from __future__ import annotations

import io

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser


def _api(server, method, path, **kwargs):
    r = requests.request(method, server.url + "/api/v1" + path, headers={"Authorization": f"Bearer {server.token}"},
                         timeout=10, **kwargs)
    assert r.status_code in (200, 201), r.text
    return r.json()


def _id(server, collection, **match):
    items = _api(server, "GET", f"/{collection}", params={"per_page": 200})["items"]
    return next(i["id"] for i in items if all(i.get(k) == v for k, v in match.items()))


def test_the_window_screen_draws_the_prompts_code_and_the_phone_rates_through_it(browser, demo_server):
    window = _id(demo_server, "windows", number="B01")
    screen = _id(demo_server, "screens", window_id=window)
    other_screen = _id(demo_server, "screens", name="A01 窗口屏")
    made = _api(demo_server, "POST", "/prompts", json={
        "case_no": "SB-2026-100088", "service_item": "社会保障卡申领与补换", "window_id": window})
    member = _api(demo_server, "GET", f"/staff/{made['staff_id']}")["name"]

    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        page = wall.new_page()
        page.goto(f"{demo_server.url}/display/{screen}#token={demo_server.devices['screens'][str(screen)]}")
        page.wait_for_selector('.win-prompt [data-qr="drawn"] canvas')
        box = page.locator(".win-prompt")
        assert box.get_attribute("data-prompt") == str(made["id"])
        assert box.locator(".prompt-case").inner_text() == "SB-2026-100088"
        assert box.locator(".prompt-item").inner_text() == "社会保障卡申领与补换"
        assert box.locator(".prompt-member").inner_text() == member
        assert "请为本次服务评价" in box.inner_text()
        assert page.locator(".win-rate").count() == 0  # the prompt's code, not the window's standing one
        shot = box.locator("canvas").screenshot()
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
        assert len(codes) == 1, "the prompt's code could not be read"
        link = codes[0].text
        assert link == made["rating_url"] and link.startswith(demo_server.url + "/q/")

        # Another window's screen shows no prompt.
        other = wall.new_page()
        other.goto(f"{demo_server.url}/display/{other_screen}#token={demo_server.devices['screens'][str(other_screen)]}")
        other.wait_for_selector(".window-screen")
        assert other.locator(".win-prompt").count() == 0

        citizen = phone.new_page()
        citizen.goto(link)
        assert citizen.inner_text(".p-member .name") == member
        citizen.tap('.p-level[data-score="5"]')
        citizen.tap("#rate-send")
        citizen.wait_for_selector("#rate-done:not([hidden])")
        # Rated: the code leaves the window screen, and the prompt is rated once.
        page.wait_for_selector(".win-prompt", state="detached", timeout=8000)
        page.wait_for_selector(".win-rate")  # the standing code is back
        read = wait_for(lambda: (r := _api(demo_server, "GET", f"/prompts/{made['id']}"))["state"] == "rated" and r)
        assert read["score"] == 5 and read["channel"] == "qr"
        again = phone.new_page()
        again.goto(link)
        assert "本次服务已评价" in again.inner_text("body")  # one rating per prompt: the link is used up
        second = requests.post(demo_server.url + "/api/v1/ratings", timeout=10, json={
            "id": "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "score": 1, "channel": "qr",
            "qr_token": link.rsplit("/q/", 1)[1]})
        assert second.status_code == 409 and second.json()["error"]["code"] == "prompt_used"
    finally:
        wall.close()
        phone.close()
