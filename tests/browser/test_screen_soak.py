"""A hall screen that rotates for a while ends as it started: no DOM nodes, listeners or timers
left behind by its slides or by the pushes it applied (bench/screen_soak.py is the long run)."""

from __future__ import annotations

import pytest

from tests.browser.screen_support import screen_context

pytestmark = pytest.mark.browser

# Every timer the page sets, until it fires or is cleared (socket.io's included: it takes its
# timer functions from the page when it loads).
COUNT_TIMERS = """(() => {
    const pending = new Set();
    const set = window.setTimeout, clear = window.clearTimeout;
    window.setTimeout = function (fn, ms, ...rest) {
        const id = set.call(window, function () {
            pending.delete(id);
            if (typeof fn === "function") return fn.apply(this, arguments);
        }, ms, ...rest);
        pending.add(id);
        return id;
    };
    window.clearTimeout = function (id) {
        pending.delete(id);
        return clear.call(window, id);
    };
    window.__pendingTimers = () => pending.size;
    window.__applied = 0;
    window.addEventListener("lbp:applied", () => { window.__applied += 1; });
})();"""

# To the identity wall's first page, at a hall's pace: the same slide at every look.
TO_FIRST_PAGE = """() => {
    const s = window.lbpScreen;
    s.pace.scale = 1;
    for (let i = 0; i < 500; i++) {
        s.advance();  // at least once: the page's timer is then a hall's, seconds away
        if (s.rotation.kind === "identity_wall" && s.rotation.page === 0) return s.rotation.changes;
    }
    throw new Error("the identity wall never came round");
}"""

FAST = "() => { window.lbpScreen.pace.scale = 0.001; window.lbpScreen.advance(); }"


@pytest.fixture
def hall_screen(browser, demo_server):
    screens = demo_server.api.get("/screens?per_page=100")["items"]
    screen = next(s for s in screens if s["kind"] == "hall")
    context = screen_context(browser)
    page = context.new_page()
    page.add_init_script(COUNT_TIMERS)
    page.goto(f"{demo_server.url}/display/{screen['id']}#token={demo_server.devices['screens'][str(screen['id'])]}")
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0 "
                           "&& window.lbpScreen.socket.connected", timeout=15_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    yield page, cdp
    context.close()


def _look(page, cdp) -> dict:
    at = page.evaluate(TO_FIRST_PAGE)
    page.wait_for_timeout(1000)  # photos of the slides just replaced may still be loading, and keep them alive
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
        page.wait_for_timeout(50)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"nodes": int(metrics["Nodes"]), "listeners": int(metrics["JSEventListeners"]),
            "timers": page.evaluate("window.__pendingTimers()"),
            "elements": page.evaluate("document.getElementsByTagName('*').length"),
            "changes": page.evaluate("window.lbpScreen.rotation.changes"), "at": at}


def _rotate(page, changes: int) -> None:
    page.evaluate(FAST)
    page.wait_for_function("n => window.lbpScreen.rotation.changes >= n", arg=changes, timeout=30_000, polling=100)


def test_300_slide_changes_and_pushes_leave_nothing_behind(hall_screen, demo_server):
    page, cdp = hall_screen
    member = next(m for m in demo_server.api.get("/staff?per_page=100")["items"] if m["on_duty"])
    _rotate(page, 40)  # every slide kind drawn at least once
    start = _look(page, cdp)
    assert start["nodes"] > 100 and start["elements"] > 50

    for i in range(3):
        _rotate(page, start["changes"] + 100 * (i + 1))
        applied = page.evaluate("window.__applied")
        demo_server.api.patch(f"/staff/{member['id']}", {"title": f"浸泡测试岗位{i}"})
        page.wait_for_function("n => window.__applied > n", arg=applied, timeout=10_000)
    end = _look(page, cdp)
    assert start["changes"] == start["at"] and end["changes"] == end["at"], "each look saw one page"

    assert end["changes"] - start["changes"] >= 300
    assert "浸泡测试岗位2" in page.locator("#stage").inner_text()
    assert end["elements"] == start["elements"]
    # Nodes alive, in the document or not: a slide kept after it was replaced would show here.
    assert end["nodes"] <= start["nodes"] * 1.02, (start, end)
    assert end["listeners"] == start["listeners"], (start, end)
    assert end["timers"] == start["timers"], (start, end)
    assert page.evaluate("window.lbpScreen.socket.connected")
