"""Never blank: with the server down a reloaded screen still shows its last content, and catches up after."""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.screen_support import (module_server, new_screen, open_screen, screen_context, seed_small_hall,
                                          wait_for_offline_copy)
from tests.livesrv import Api, admin_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = module_server(tmp_path_factory, "offline")
    server.api = Api(server, admin_token(server))
    server.hall = seed_small_hall(server.api)
    yield server
    server.stop()


def test_a_reload_while_the_server_is_down_shows_the_last_content_then_catches_up(browser, server):
    context = screen_context(browser)
    page = context.new_page()
    screen = new_screen(server.api, "断网屏")
    open_screen(page, server, screen, slide="identity_wall")
    wait_for_offline_copy(page)
    member = server.hall["members"][0]
    assert member["title"] in page.locator("#stage").inner_text()

    server.stop()
    page.reload()
    page.locator("#stage .member-card").first.wait_for(timeout=10_000)
    text = page.locator("#stage").inner_text()
    assert member["name"] in text and member["title"] in text
    assert page.evaluate("window.lbpScreen.socket.connected") is False

    # The "last updated" line appears only after a minute without a connection: pretend it has been that long.
    page.evaluate("""() => { const m = window.lbpScreen.model; window.lbpScreen.disconnectedFor(61000); }""")
    stale = page.locator("#stale")
    stale.wait_for(state="visible", timeout=7_000)
    assert stale.inner_text().startswith("最后更新 ")

    # A change made while the server is down (straight into its database), then the server comes back.
    with sqlite3.connect(server.data_dir / "liangbiping.db") as db:
        db.execute("UPDATE staff SET title = ? WHERE id = ?", ("停机期间改的岗位", member["id"]))
    server.start()
    page.wait_for_function("t => document.getElementById('stage').innerText.includes(t)", arg="停机期间改的岗位",
                           timeout=30_000)
    stale.wait_for(state="hidden", timeout=7_000)
    context.close()
