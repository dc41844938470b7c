"""An open screen follows changes live, without reloading: a member's post, urgent notices, escaping."""

from __future__ import annotations

import time

import pytest

from tests.browser.screen_support import module_server, new_screen, open_screen, screen_context, seed_small_hall
from tests.livesrv import Api, admin_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = module_server(tmp_path_factory, "live")
    server.api = Api(server, admin_token(server))
    server.hall = seed_small_hall(server.api)
    yield server
    server.stop()


@pytest.fixture
def screen_page(browser, server):
    context = screen_context(browser)
    page = context.new_page()
    yield page
    context.close()


def _text_appears(page, text: str, timeout_ms: float):
    page.wait_for_function("t => document.getElementById('stage').innerText.includes(t)", arg=text,
                           timeout=timeout_ms, polling="raf")


def test_a_changed_post_shows_within_2s_without_a_reload(screen_page, server):
    screen = new_screen(server.api, "实时屏")
    open_screen(screen_page, server, screen, slide="identity_wall")
    member = server.hall["members"][0]
    assert member["title"] in screen_page.locator("#stage").inner_text()
    screen_page.evaluate("window.__notReloaded = 'still here'")
    version = screen_page.evaluate("window.lbpScreen.model.version")

    started = time.monotonic()
    server.api.patch(f"/staff/{member['id']}", {"title": "社保业务骨干（已调岗）"})
    _text_appears(screen_page, "社保业务骨干（已调岗）", 2_000)
    assert time.monotonic() - started < 2.0
    assert screen_page.evaluate("window.__notReloaded") == "still here"
    assert screen_page.evaluate("window.lbpScreen.model.version") > version
    assert member["title"] not in screen_page.locator("#stage").inner_text()


def test_an_urgent_notice_takes_over_and_goes_away_when_deleted(screen_page, server):
    screen = new_screen(server.api, "紧急通知屏")
    open_screen(screen_page, server, screen, slide="identity_wall")
    urgent = screen_page.locator("#urgent")
    assert urgent.is_hidden()

    notice = server.api.post("/notices", {"title": "系统升级暂停办理", "text": "今日15:00至16:00系统升级，暂停受理。",
                                          "priority": "urgent"})
    urgent.wait_for(state="visible", timeout=2_000)
    assert "系统升级暂停办理" in urgent.inner_text()
    box = urgent.bounding_box()
    assert box["width"] == 1920 and box["height"] == 1080  # full-bleed
    color = screen_page.evaluate("getComputedStyle(document.getElementById('urgent')).backgroundColor")
    assert color.startswith("rgb(192, 22, 28)")

    server.api.delete(f"/notices/{notice['id']}")
    urgent.wait_for(state="hidden", timeout=2_000)
    assert screen_page.locator("#stage .slide").is_visible()


def test_data_is_shown_as_text_never_as_markup(screen_page, server):
    hall = server.hall
    hostile = server.api.post("/staff", {
        "name": "<b>x</b>", "title": "<img src=x onerror=\"window.__pwned=1\">", "employee_no": "X666",
        "window_id": hall["windows"][2]["id"], "on_duty": True, "designations": ["<u>先锋</u>"]})
    screen = new_screen(server.api, "转义屏")
    open_screen(screen_page, server, screen, slide="identity_wall")
    stage = screen_page.locator("#stage")
    assert "<img src=x onerror=" in stage.inner_text()
    assert screen_page.locator("#stage b, #stage u, #stage img[src='x']").count() == 0
    assert screen_page.evaluate("window.__pwned") is None
    server.api.delete(f"/staff/{hostile['id']}")


def test_a_window_screen_shows_its_member_items_and_a_rating_code(browser, server):
    hall = server.hall
    screen = new_screen(server.api, "01窗口屏", "window", hall["windows"][0]["id"])
    context = screen_context(browser, 800, 480)
    page = context.new_page()
    open_screen(page, server, screen)
    text = page.locator("#stage").inner_text()
    assert "社保综合窗口" in text and "陈建国" in text and "城乡居民养老保险参保登记" in text
    assert "李明" not in text  # on duty, but at another window
    # Two members on duty at this window: a code on each card, none shared.
    slots = page.locator(".win-member .qr-slot")
    assert slots.count() == 2 and all(slots.nth(i).get_attribute("data-qr") == "drawn" for i in range(2))
    assert page.locator(".win-member-rate").all_inner_texts() == ["扫码评价我", "扫码评价我"]
    assert page.locator(".win-rate").count() == 0
    page.screenshot(path=str(server.data_dir / "window-800x480.png"))
    # Nothing spills out of an 800x480 screen.
    assert page.evaluate("document.documentElement.scrollWidth <= 800 && document.documentElement.scrollHeight <= 480")
    context.close()


def test_the_screen_acknowledges_the_version_it_applied(screen_page, server):
    screen = new_screen(server.api, "回执屏")
    open_screen(screen_page, server, screen, slide="standards")
    version = screen_page.evaluate("window.lbpScreen.model.version")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        seen = server.api.get(f"/screens/{screen['id']}")
        if seen["applied_version"] == version and seen["current_slide"] == "standards":
            break
        time.sleep(0.2)
    assert seen["applied_version"] == version and seen["current_slide"] == "standards"
    assert seen["resolution"] == "1920x1080"


def _fonts_rendering(page, selector: str) -> dict:
    """{font family: glyphs} that chromium actually used to draw the text of ``selector``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    fonts: dict = {}
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            fonts[font["familyName"]] = fonts.get(font["familyName"], 0) + font["glyphCount"]
    return fonts


def test_chinese_text_is_drawn_with_a_cjk_font_not_boxes(screen_page, server):
    screen = new_screen(server.api, "字体屏")
    open_screen(screen_page, server, screen, slide="identity_wall")
    _text_appears(screen_page, "王丽华", 10_000)
    fonts = _fonts_rendering(screen_page, "#stage *")
    assert fonts, "no text was drawn"
    cjk = {name: n for name, n in fonts.items() if "CJK" in name}
    assert sum(cjk.values()) > 20, fonts
    # Every family drawing glyphs is a real font: no last-resort fallback that draws boxes.
    assert not any("LastResort" in name or name == "" for name in fonts), fonts
