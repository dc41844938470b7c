"""The Content-Security-Policy (admin/security_headers.py) breaks no page: in Debian's chromium, on
the demo hall, the console (signed out and in), a lobby and a window screen, a kiosk, a phone page,
both pairing pages and error pages load under the policy their response carries, their scripts run
(the behaviour moved out of inline scripts included), their sockets reach the server over a
websocket (connect-src 'self' covers ws:), and the browser reports no violation."""

from __future__ import annotations

import io

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser.conftest import sign_in
from tests.browser.test_two_members import _id, _kiosk_url, _screen_url

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "liangbiping-demo"
VIOLATION = ("Content Security Policy", "Content-Security-Policy", "Refused to")

# Also catch what the page itself is told of (the console message is Chromium's wording).
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watched:
    """A browser context whose pages report CSP violations, script errors and the websockets they open."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(locale="zh-CN", **options)
        self.context.add_init_script(COLLECT)
        self.problems: list[str] = []
        self.sockets: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("websocket", lambda ws: self.sockets.append(ws.url))

    def _console(self, message):
        if any(word in message.text for word in VIOLATION):
            self.problems.append(f"{message.type}: {message.text}")

    def open(self, url: str, kind: str):
        """Go to ``url``; its HTML carries the policy of ``kind`` (frames as admin/security_headers.py says)."""
        response = self.page.goto(url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (url, policy)
        assert ("frame-ancestors 'none'" in policy) == (kind != "screen"), (url, policy)
        return response

    def check(self, where: str):
        self.page.wait_for_timeout(300)  # a violation of the last moment still reaches the console
        seen = self.page.evaluate("window.__csp || []")
        assert not self.problems and not seen, (where, self.problems, seen)

    def wait_for_websocket(self, timeout_ms: int = 15000):
        """Until the page's Socket.IO client has opened its websocket (Playwright reports events only
        while it runs, so wait in the page, not in ``time.sleep``)."""
        for _ in range(timeout_ms // 250):
            if any("/socket.io/" in url and "transport=websocket" in url for url in self.sockets):
                return
            self.page.wait_for_timeout(250)
        raise AssertionError(f"no websocket opened: {self.sockets}")

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser):
    made = []

    def make(**options) -> Watched:
        made.append(Watched(browser, **options))
        return made[-1]

    yield make
    for w in made:
        w.close()


def test_the_console_signed_out_and_in(watched, demo_server):
    w = watched(viewport={"width": 1366, "height": 900})
    url = demo_server.url
    w.open(url + "/admin/login", "console")
    w.check("login")
    sign_in(w.page, demo_server, "admin", DEMO_PASSWORD)
    w.check("dashboard")

    # The live ratings list: its socket upgrades to a websocket under connect-src 'self'.
    w.open(url + "/admin/ratings/", "console")
    w.wait_for_websocket()
    w.check("ratings")

    # The bars take their widths from data-w/data-left (no style attributes under style-src 'self').
    for path in ("/admin/reports/", "/admin/boards/"):
        w.open(url + path, "console")
        bars = w.page.eval_on_selector_all("[data-w]", "els => els.map(e => e.style.width)")
        assert bars and all(b.endswith("%") for b in bars), (path, bars[:5])
        w.check(path)
    markers = w.page.eval_on_selector_all("[data-left]", "els => els.map(e => e.style.left)")
    assert markers and all(m.endswith("%") for m in markers), markers

    # Pairing: the screen's kind shows only for a screen (was an inline script).
    w.open(url + "/admin/pair", "console")
    assert w.page.is_hidden("#screen-kind")
    w.page.check("#kind-screen")
    assert w.page.is_visible("#screen-kind")
    w.page.check("input[name=kind][value=kiosk]")
    assert w.page.is_hidden("#screen-kind")
    w.check("pairing")

    # Asking for a rating: choosing a member submits the form (was onchange="…").
    w.open(url + "/admin/prompt", "console")
    chosen = w.page.eval_on_selector("select[name=staff_id] option:nth-child(2)", "o => o.value")
    with w.page.expect_navigation():
        w.page.select_option("select[name=staff_id]", chosen)
    assert f"staff_id={chosen}" in w.page.url
    w.check("prompt")

    # Badges: the page's script reads its words from a JSON block; a withdrawal asks first (was onsubmit).
    w.open(url + "/admin/badges/", "console")
    asked = []
    w.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    w.page.click("form[data-confirm] button")
    assert asked, "no question before withdrawing the badges"
    assert w.page.url == url + "/admin/badges/"  # dismissed: nothing was sent
    assert w.page.evaluate("JSON.parse(document.getElementById('badge-labels').textContent).writing")
    w.check("badges")

    # An error page: "Go back" works without a javascript: link.
    w.open(url + "/admin/reports/", "console")
    w.open(url + "/admin/no-such-page", "console")
    w.page.click("a[data-back]")
    w.page.wait_for_url(url + "/admin/reports/")
    w.check("error page")


def test_a_lobby_screen_and_a_window_screen(watched, demo_server):
    w = watched(viewport={"width": 1920, "height": 1080})
    screens = requests.get(demo_server.url + "/api/v1/screens", params={"per_page": 200}, timeout=10,
                           headers={"Authorization": f"Bearer {demo_server.token}"}).json()["items"]
    hall = next(s for s in screens if s["kind"] == "hall")
    for url in (f"{demo_server.url}/display/{hall['id']}#token={demo_server.devices['screens'][str(hall['id'])]}",
                _screen_url(demo_server, "A01")):
        w.sockets.clear()
        w.open(url, "screen")
        w.page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0")
        w.wait_for_websocket()
        w.page.wait_for_function("() => [...document.images].every(i => i.complete)")
        w.check(url)


def test_a_kiosk_and_the_phone_page(watched, demo_server):
    tablet = watched(viewport={"width": 1280, "height": 800}, has_touch=True)
    tablet.open(_kiosk_url(demo_server, "A01"), "kiosk")
    tablet.page.wait_for_selector("#screen-floor.active #tiles .tile.member img")
    tablet.wait_for_websocket()
    tablet.check("kiosk")

    member = _id(demo_server, "staff", name="王磊")
    png = requests.get(f"{demo_server.url}/api/v1/staff/{member}/badge.png", timeout=10,
                       headers={"Authorization": f"Bearer {demo_server.token}"}).content
    phone_url = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
    phone = watched(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    answer = phone.open(phone_url, "kiosk")
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert phone.page.inner_text(".p-member .name") == "王磊"
    phone.page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    phone.check("phone page")
    phone.open(demo_server.url + "/q/not-a-token", "kiosk")
    phone.open(demo_server.url + "/s/NOSUCHCODE", "kiosk")
    phone.check("phone and receipt errors")


def test_the_pairing_pages(watched, demo_server):
    kiosk = watched(viewport={"width": 1280, "height": 800})
    kiosk.open(demo_server.url + "/kiosk/", "kiosk")
    kiosk.page.wait_for_selector("#pairing-code[data-code]")
    kiosk.check("kiosk pairing")
    screen = watched(viewport={"width": 1920, "height": 1080})
    screen.open(demo_server.url + "/display/", "screen")
    screen.page.wait_for_selector("[data-code]")
    screen.check("screen pairing")
