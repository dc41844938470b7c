"""A survey round answered in Debian's chromium against a real ``liangbiping serve``, in Chinese: the
phone page at 360 px (nothing wider than the screen, targets large enough to tap, the answer stored,
a second answer from the same phone refused), and the kiosk's page sending its own token."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"kind": "rating", "text": "服务态度", "dimension": "attitude"},
    {"kind": "rating", "text": "总体评价", "dimension": "overall", "required": True},
    {"kind": "multiple", "text": "您希望改进哪些方面？", "options": ["排队时间", "指引标识", "网上办理"]},
    {"kind": "text", "text": "意见和建议"},
]


@pytest.fixture(scope="module")
def live_server(api_server):
    return api_server


@pytest.fixture(scope="module")
def survey(live_server):
    api = live_server.api
    window = api.post("/windows", {"number": "V01", "name": "社保综合窗口"})
    other = api.post("/windows", {"number": "V02", "name": "医保窗口"})
    kiosk = api.post("/kiosks", {"name": "V01 评价器", "window_id": window["id"]})
    made = api.post("/surveys", {"title": "2026年下半年窗口单位民意调查", "target_kind": "window",
                                 "target_ids": [window["id"], other["id"]], "questions": QUESTIONS})
    api.post(f"/surveys/{made['id']}/transition", {"action": "open"})
    return {"survey": made, "window": window, "kiosk": kiosk}


def _results(live_server, survey_id):
    return live_server.api.get(f"/surveys/{survey_id}/results")


def test_the_phone_page_at_360_px_in_chinese(browser, live_server, survey):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True,
                                is_mobile=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        page.goto(f"{live_server.url}/v/{survey['survey']['code']}")
        assert page.locator("h1.sv-title").inner_text() == "2026年下半年窗口单位民意调查"
        assert page.locator("button#sv-submit").inner_text() == "提交"
        assert page.get_by_text("非常满意").count() == 2  # the five levels in Chinese, on both rating questions
        # nothing wider than the phone; every choice at least 44 px tall (WCAG's target size)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        heights = page.evaluate("[...document.querySelectorAll('.sv-level, .sv-option')]"
                                ".map(e => e.getBoundingClientRect().height)")
        assert heights and min(heights) >= 44
        # sending without the required 总体评价: the browser keeps the form (nothing stored)
        page.get_by_text("V01 社保综合窗口").click()
        page.click("#sv-submit")
        assert page.locator("#sv-thanks").count() == 0
        page.locator(".sv-question").nth(0).get_by_text("满意", exact=True).click()
        page.locator(".sv-question").nth(1).get_by_text("非常满意").click()
        page.get_by_text("排队时间").click()
        page.get_by_text("网上办理").click()
        page.fill("textarea[name=q4]", "希望增加自助填表机")
        page.screenshot(path=str(live_server.data_dir.parent / "survey-phone-360.png"), full_page=True)
        page.click("#sv-submit")
        page.wait_for_selector("#sv-thanks")
        assert "谢谢您" in page.locator("#sv-thanks").inner_text()
        result = _results(live_server, survey["survey"]["id"])
        assert result["channels"] == {"phone": 1}
        overall = result["questions"][1]["all"]
        assert overall["distribution"]["5"] == 1 and overall["rate"] == 1.0
        assert result["questions"][2]["choices"][0]["count"] == 1 and result["questions"][2]["choices"][2]["count"] == 1
        assert result["questions"][3]["texts"][0]["text"] == "希望增加自助填表机"
        # the same phone again: it has answered already
        page.goto(f"{live_server.url}/v/{survey['survey']['code']}")
        assert "您已参加过本次测评" in page.locator("#sv-done").inner_text()
    finally:
        phone.close()


def test_the_kiosk_page_sends_its_token(browser, live_server, survey):
    tablet = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN", has_touch=True)
    try:
        page = tablet.new_page()
        kiosk = survey["kiosk"]
        # the kiosk keeps its token where kiosk.js puts it
        page.goto(f"{live_server.url}/kiosk/{kiosk['id']}#token={kiosk['token']}")
        page.wait_for_function(f"localStorage.getItem('lbp_kiosk_token_{kiosk['id']}') !== null")
        page.goto(f"{live_server.url}/kiosk/{kiosk['id']}/survey/{survey['survey']['code']}")
        assert page.locator(".sv-qr svg").count() == 1  # "or scan to answer on your phone"
        page.get_by_text("V01 社保综合窗口").click()
        page.locator(".sv-question").nth(1).get_by_text("基本满意").click()
        page.click("#sv-submit")
        page.wait_for_selector("#sv-thanks")
        assert _results(live_server, survey["survey"]["id"])["channels"].get("kiosk") == 1
    finally:
        tablet.close()
