"""A fresh screen pairs through the UI, lands on its page with content; a removed one goes back to pairing."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in
from tests.browser.screen_support import module_server, new_screen, open_screen, screen_context, seed_small_hall
from tests.livesrv import Api, admin_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = module_server(tmp_path_factory, "pairing", console_admin=True)
    api = Api(server, admin_token(server))
    seed_small_hall(api)
    server.api = api
    yield server
    server.stop()


def _pair_in_console(browser, server, code: str) -> bool:
    """Pair through the console's pairing page (/admin/pair); False when the console has none."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        admin = context.new_page()
        sign_in(admin, server)
        response = admin.goto(server.url + "/admin/pair?kind=screen")
        if response.status != 200 or admin.locator("input[name=code]").count() == 0:
            return False
        admin.check("input[name=kind][value=screen]")
        admin.fill("input[name=code]", code)
        admin.fill("input[name=name]", "一楼大厅屏")
        admin.select_option("select[name=screen_kind]", "hall")
        admin.locator("form.fb-pair button[type=submit]").click()
        admin.wait_for_load_state()
        return True
    finally:
        context.close()


def test_a_fresh_screen_is_paired_through_the_ui_and_shows_its_content(browser, server):
    context = screen_context(browser)
    screen = context.new_page()
    screen.goto(server.url + "/display/")
    code_box = screen.locator("#pairing-code[data-code]")
    code_box.wait_for(timeout=10_000)
    code = code_box.get_attribute("data-code")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)

    if not _pair_in_console(browser, server, code):
        server.api.post("/screens/pair", {"code": code, "name": "一楼大厅屏", "kind": "hall"})
    screens = server.api.get("/screens?per_page=200")["items"]
    assert [s["name"] for s in screens].count("一楼大厅屏") == 1

    screen.wait_for_url(re.compile(r"/display/\d+$"), timeout=10_000)
    screen_id = int(screen.url.rsplit("/", 1)[1])
    screen.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0", timeout=10_000)
    screen.locator(".slide").first.wait_for()
    assert screen.locator(".hall-name").first.inner_text() == "政务服务中心"
    stored = screen.evaluate("JSON.parse(localStorage.getItem('lbp.display.auth'))")
    assert stored["id"] == screen_id and len(stored["token"]) > 20
    assert server.api.get(f"/screens/{screen_id}")["name"] == "一楼大厅屏"

    # A paired browser that opens /display/ again goes straight to its screen.
    screen.goto(server.url + "/display/")
    screen.wait_for_url(re.compile(rf"/display/{screen_id}$"), timeout=5_000)
    context.close()


def test_a_removed_screen_goes_back_to_the_pairing_page(browser, server):
    context = screen_context(browser)
    page = context.new_page()
    created = new_screen(server.api, "待撤销屏")
    open_screen(page, server, created, slide="identity_wall")
    assert "#token" not in page.url  # the fragment is taken out of the address at once

    server.api.delete(f"/screens/{created['id']}")
    page.wait_for_url(server.url + "/display/", timeout=5_000)
    page.locator("#pairing-code[data-code]").wait_for(timeout=5_000)
    assert page.evaluate("localStorage.getItem('lbp.display.auth')") is None
    assert page.evaluate(f"localStorage.getItem('lbp.display.state.{created['id']}')") is None
    context.close()


def test_a_bad_token_is_refused_and_sends_the_page_to_pairing(browser, server):
    context = screen_context(browser)
    page = context.new_page()
    page.goto(f"{server.url}/display/999#token=not-a-real-token")
    page.wait_for_url(server.url + "/display/", timeout=10_000)
    page.locator("#pairing-code[data-code]").wait_for(timeout=5_000)
    context.close()


def test_console_commands_reach_the_open_screen(browser, server):
    context = screen_context(browser)
    page = context.new_page()
    created = new_screen(server.api, "三楼走廊屏")
    open_screen(page, server, created, slide="identity_wall")
    page.evaluate("window.__beforeReload = 1")

    console = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    admin = console.new_page()
    sign_in(admin, server)
    admin.goto(f"{server.url}/admin/screens/{created['id']}")
    identify = admin.locator(f"button[formaction$='/screens/{created['id']}/command/identify']")
    assert identify.count() == 1
    identify.click()
    name = page.locator("#identify .identify-name")
    name.wait_for(state="visible", timeout=5_000)
    assert name.inner_text() == "三楼走廊屏"

    with page.expect_navigation(timeout=10_000):
        admin.locator(f"button[formaction$='/screens/{created['id']}/command/reload']").click()
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0")
    assert page.evaluate("window.__beforeReload") is None
    console.close()
    context.close()
