"""Screens and pages tell the truth, on the demo hall in Debian's chromium: the satisfaction slide
shows every window (the weakest too, on a later page), the campaign phase is drawn, and no screen,
kiosk or phone page shows a stored identifier instead of Chinese."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from tests.browser.test_two_members import _id, _kiosk_url, _screen_url

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LIANGBIPING_SCREENSHOTS")


def _api(server, path, **params):
    r = requests.get(server.url + "/api/v1" + path, params=params,
                     headers={"Authorization": f"Bearer {server.token}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _hall_screen(server):
    screens = _api(server, "/screens", per_page=200)["items"]
    screen = next(s for s in screens if s["kind"] == "hall")
    return f"{server.url}/display/{screen['id']}?slide={{slide}}#token={server.devices['screens'][str(screen['id'])]}"


def _open(page, url):
    page.goto(url)
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0")


def test_the_satisfaction_slide_shows_every_window_weakest_included(browser, demo_server):
    windows = {w["id"]: w for w in _api(demo_server, "/windows", per_page=200)["items"]}
    assert len(windows) > 8  # more than one page holds
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        _open(page, _hall_screen(demo_server).format(slide="satisfaction"))
        page.wait_for_selector(".sat-row")
        seen, pages = [], 0
        while True:
            page.wait_for_function("() => document.querySelectorAll('.sat-row').length > 0")
            if SHOTS and pages < 2:
                page.wait_for_function("() => [...document.images].every(i => i.complete)")
                page.screenshot(path=str(Path(SHOTS) / f"hall-satisfaction-{pages + 1}-1920x1080.png"))
            seen += [int(x) for x in page.eval_on_selector_all(".sat-row", "rows => rows.map(r => r.dataset.window)")]
            pages += 1
            page.evaluate("window.lbpScreen.advance()")
            if page.evaluate("window.lbpScreen.rotation.page") == 0 or pages > 5:
                break
        assert pages >= 2
        assert sorted(seen) == sorted(windows), "every window, each once, across the pages"
        month = page.evaluate("window.lbpScreen.model.sections.satisfaction.windows")
        weakest = min(month, key=lambda w: w["rate"])["window_id"]
        assert weakest in seen
        # The campaign phase the hall is in, in the foot of every hall slide.
        phases = _api(demo_server, "/campaign/phases")["items"]
        assert phases
        chip = page.inner_text(".slide-foot .phase-chip")
        assert "活动阶段" in chip and "剩余" in chip
        assert any(p["name"] in chip for p in phases)
    finally:
        context.close()


def _identifiers() -> set[str]:
    from tests.test_route_scope import _identifiers as names

    return names()


WORD = re.compile(r"(?<![A-Za-z0-9_./:@#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9_./:@-])")


def _leaks(text: str, names: set[str]) -> set[str]:
    return {t for t in WORD.findall(text) if t in names or "_" in t}


def test_screens_kiosks_and_phones_speak_chinese(browser, demo_server):
    """Every hall slide, a window screen, a window kiosk (with its member pick), the floor kiosk and
    the phone page: their visible text has no stored identifier."""
    names = _identifiers()
    leaks = {}
    screen = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = screen.new_page()
        for slide in ("identity_wall", "member_spotlight", "standards", "pledges", "honor_board", "notices", "banner",
                      "boards", "satisfaction"):
            _open(page, _hall_screen(demo_server).format(slide=slide))
            page.wait_for_timeout(300)
            found = _leaks(page.inner_text("body"), names)
            if found:
                leaks[slide] = found
        _open(page, _screen_url(demo_server, "A01"))
        page.wait_for_selector(".win-member")
        if found := _leaks(page.inner_text("body"), names):
            leaks["window screen"] = found
    finally:
        screen.close()
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True)
    try:
        page = tablet.new_page()
        page.goto(_kiosk_url(demo_server, "A01"))
        page.wait_for_selector("#screen-floor.active .tile")
        if found := _leaks(page.inner_text("body"), names):
            leaks["window kiosk"] = found
        floor = _api(demo_server, "/kiosks", per_page=200)["items"]
        floor_kiosk = next(k for k in floor if k["window_id"] is None)
        page.goto(f"{demo_server.url}/kiosk/{floor_kiosk['id']}#token={demo_server.devices['kiosks'][str(floor_kiosk['id'])]}")
        page.wait_for_selector("#screen-floor.active .tile")
        if found := _leaks(page.inner_text("body"), names):
            leaks["floor kiosk"] = found
        phone = page.evaluate("() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('lbp_kiosk_state_')))).phone.url")
        page.goto(phone)
        page.wait_for_selector("#pick-list .p-tile")
        if found := _leaks(page.inner_text("body"), names):
            leaks["phone"] = found
    finally:
        tablet.close()
    assert not leaks, leaks
    assert _id(demo_server, "windows", number="A01")


def test_the_kiosk_clock_shows_the_hall_s_time_on_a_tablet_set_elsewhere(browser, demo_server):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True,
                                 timezone_id="America/New_York")
    try:
        page = tablet.new_page()
        page.goto(_kiosk_url(demo_server, "A01"))
        page.wait_for_selector("#screen-floor.active .tile")
        shown = page.inner_text("#clock").strip()
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        assert shown in {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}, shown
        tablet_time = page.evaluate("() => { const d = new Date(); return [d.getHours(), d.getMinutes()]; }")
        assert tablet_time != [now.hour, now.minute]  # the tablet's own zone would have shown another time
    finally:
        tablet.close()
