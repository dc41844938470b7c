"""Remote commands, rotation and self-healing on a real screen page."""

from __future__ import annotations

import pytest

from tests.browser.screen_support import (Api, admin_token, module_server, new_screen, open_screen, screen_context,
                                          seed_small_hall)

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
