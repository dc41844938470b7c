"""Citizens find an open survey round (issue 12), in Debian's chromium against a real ``liangbiping
serve``: the kiosk's main page offers it in Chinese and tapping the entry opens the kiosk's survey
page; the hall screen's 群众评议 slide carries the round's QR code, which decodes to the phone link,
and the wish page's."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.browser.screen_support import new_screen, open_screen

pytestmark = pytest.mark.browser

QUESTIONS = [{"kind": "rating", "text": "总体评价", "dimension": "overall", "required": True}]


@pytest.fixture(scope="module")
def place(api_server):
    api = api_server.api
    window = api.post("/windows", {"number": "E01", "name": "社保综合窗口"})
    api.post("/staff", {"name": "陈芳", "employee_no": "E9001", "window_id": window["id"], "on_duty": True})
    kiosk = api.post("/kiosks", {"name": "E01 评价器", "window_id": window["id"]})
    survey = api.post("/surveys", {"title": "2026年下半年群众评议", "target_kind": "window",
                                   "target_ids": [window["id"]], "questions": QUESTIONS})
    api.post(f"/surveys/{survey['id']}/transition", {"action": "open"})
    return {"window": window, "kiosk": kiosk, "survey": survey}


def test_the_kiosk_offers_the_open_round_and_the_wish_page_in_chinese(browser, api_server, place):
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True)
    try:
        page = tablet.new_page()
        kiosk, code = place["kiosk"], place["survey"]["code"]
        page.goto(f"{api_server.url}/kiosk/{kiosk['id']}#token={kiosk['token']}")
        entry = page.locator(f'#screen-start.active #entries a.survey-entry[data-survey="{code}"]')
        entry.wait_for()
        assert entry.locator("strong").inner_text() == "参加测评"
        assert entry.locator("span").inner_text() == "2026年下半年群众评议"
        assert entry.is_visible() and page.locator("#entries a.wish-entry").is_visible()
        assert page.locator("#entries a.wish-entry strong").inner_text() == "心愿与代办"
        entry.tap()
        page.wait_for_url(f"{api_server.url}/kiosk/{kiosk['id']}/survey/{code}")
        assert page.locator("h1.sv-title").inner_text() == "2026年下半年群众评议"
        # the kiosk's survey page sends the kiosk's own token, and leads back to the kiosk
        assert page.locator("#sv-kiosk-token").input_value() == kiosk["token"]
        assert page.locator("#sv-home").inner_text() == "← 返回"
        page.locator("#sv-home").tap()
        page.locator("#entries a.wish-entry").wait_for()
        page.locator("#entries a.wish-entry").tap()
        page.wait_for_url(f"{api_server.url}/kiosk/{kiosk['id']}/wish")
    finally:
        tablet.close()


def test_the_hall_screen_shows_the_rounds_code_which_opens_the_phone_page(browser, api_server, place):
    screen = new_screen(api_server.api, "大厅评议屏")
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = open_screen(wall.new_page(), api_server, screen, slide="take_part")
        code = place["survey"]["code"]
        card = page.locator(f'.take-survey[data-survey="{code}"]')
        card.locator('[data-qr="drawn"] canvas').wait_for()
        assert page.locator(".slide-title").inner_text() == "群众评议 · 扫码参与"
        assert card.locator(".take-title").inner_text() == "2026年下半年群众评议"
        assert card.locator(".take-how").inner_text() == "扫码参加测评"
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(card.locator("canvas").screenshot())))
        assert [c.text for c in decoded] == [f"{api_server.url}/v/{code}"]
        wish = page.locator(".take-wish canvas")
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(wish.screenshot())))
        assert [c.text for c in decoded] == [f"{api_server.url}/w/"]
    finally:
        wall.close()
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    try:
        p = phone.new_page()
        p.goto(f"{api_server.url}/v/{place['survey']['code']}")
        assert p.locator("h1.sv-title").inner_text() == "2026年下半年群众评议"
    finally:
        phone.close()
