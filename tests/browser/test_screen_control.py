"""Remote commands, rotation and self-healing on a real screen page."""

from __future__ import annotations

import pytest

from tests.browser.screen_support import module_server, new_screen, open_screen, screen_context, seed_small_hall
from tests.livesrv import Api, admin_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = module_server(tmp_path_factory, "control")
    server.api = Api(server, admin_token(server))
    server.hall = seed_small_hall(server.api)
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = screen_context(browser)
    yield context.new_page()
    context.close()


def _slide(page) -> str:
    return page.locator("#stage").get_attribute("data-slide")


def test_identify_shows_the_screen_name_huge_and_next_advances_the_rotation(page, server):
    screen = new_screen(server.api, "二楼东侧大屏")
    open_screen(page, server, screen)
    page.wait_for_function("() => window.lbpScreen.model.screen !== null")
    assert _slide(page) == "identity_wall"  # the default hall playlist starts with the identity wall

    page.evaluate("window.lbpScreen.command({name: 'identify'})")
    name = page.locator("#identify .identify-name")
    name.wait_for(state="visible")
    assert name.inner_text() == "二楼东侧大屏"
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.identify-name')).fontSize)")) > 100

    page.evaluate("window.lbpScreen.command({name: 'next'})")
    assert _slide(page) == "member_spotlight"
    page.evaluate("window.lbpScreen.command({name: 'next'})")
    assert _slide(page) == "standards"


def test_empty_slides_are_skipped(page, server):
    # No honors and no ratings in this hall: the rotation never shows an empty board.
    screen = new_screen(server.api, "轮播屏")
    open_screen(page, server, screen)
    seen = set()
    for _ in range(12):
        seen.add(_slide(page))
        page.evaluate("window.lbpScreen.advance()")
    assert {"identity_wall", "member_spotlight", "standards", "pledges", "banner"} <= seen
    assert "honor_board" not in seen and "satisfaction" not in seen and "notices" not in seen


def test_the_page_reloads_itself_at_a_slide_boundary_when_its_heap_is_too_big(page, server):
    screen = new_screen(server.api, "自愈屏")
    open_screen(page, server, screen)
    page.evaluate("window.__beforeHeal = 1")
    assert page.evaluate("performance.memory.usedJSHeapSize") > 0
    page.evaluate("window.lbpScreen.heal.heapLimit = 1")
    with page.expect_navigation():
        page.evaluate("window.lbpScreen.advance()")
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0")
    assert page.evaluate("window.__beforeHeal") is None
    page.locator("#stage .slide").wait_for()


def test_a_patch_on_another_base_asks_for_the_whole_state(page, server):
    screen = new_screen(server.api, "补发屏")
    open_screen(page, server, screen, slide="identity_wall")
    version = page.evaluate("window.lbpScreen.model.version")
    page.evaluate("""() => {
        window.__states = 0;
        window.lbpScreen.socket.on("state", () => { window.__states += 1; });
        window.lbpScreen.socket.listeners("patch")[0]({version: 2000000000, base: -7, sections: {members: []}});
    }""")
    # Not applied: the page asked for a resync and the server answered with a full state.
    page.wait_for_function("() => window.__states >= 1", timeout=5_000)
    assert version <= page.evaluate("window.lbpScreen.model.version") < 2000000000
    assert page.locator("#stage .member-card").count() >= 1


def test_a_window_screen_draws_the_rating_qr_code_of_its_member(browser, server):
    """Window A01 of the small hall has two members on duty: each card carries its own code."""
    import base64
    import io

    import zxingcpp
    from PIL import Image

    screen = new_screen(server.api, "二维码屏", "window", server.hall["windows"][0]["id"])
    context = screen_context(browser, 1280, 720)
    page = context.new_page()
    open_screen(page, server, screen)
    cards = page.locator(".win-member")
    on_duty = [m["name"] for m in server.hall["members"] if m["window_id"] == server.hall["windows"][0]["id"]
               and m["on_duty"]]
    assert cards.count() == len(on_duty) == 2
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".qr-slot").get_attribute("data-qr") == "drawn"
        png = card.locator(".qr-slot canvas").evaluate("c => c.toDataURL('image/png')")
        image = Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1])))
        decoded = [b.text for b in zxingcpp.read_barcodes(image)]
        assert len(decoded) == 1 and decoded[0].startswith(server.url + "/q/"), decoded
        member_page = page.context.request.get(decoded[0])
        assert member_page.ok and card.locator(".member-name").inner_text() in member_page.text()
    context.close()


def test_a_window_screen_with_nobody_on_duty_shows_an_empty_rating_slot(browser, server):
    screen = new_screen(server.api, "空窗口屏", "window", server.hall["windows"][2]["id"])
    context = screen_context(browser, 800, 480)
    page = context.new_page()
    open_screen(page, server, screen)
    assert page.locator(".qr-slot").get_attribute("data-qr") == "empty"
    assert "扫码评价" in page.locator(".win-rate").inner_text()
    context.close()
