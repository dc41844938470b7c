"""The headers every response carries (docs/SECURITY.md, "Headers, cookies and proxies").

Every response: ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy``. Every HTML page
(the console, screens, kiosks and phones, error pages of any path) also gets a
``Content-Security-Policy`` that runs scripts only from files on this server: no inline
``<script>``, no ``on…=`` attributes, no ``javascript:`` links. The JSON blocks pages hand their
scripts (``<script type="application/json">``) are data, never run, so they need no hash or nonce.

A WSGI middleware rather than ``after_request``: it also covers what never reaches a view (the
Socket.IO polling answers) and error pages at paths no blueprint owns. A header a view has set
itself is left as it is.
"""

from __future__ import annotations

# What every page may load: everything from this server and nothing from anywhere else.
#   script-src 'self'   only files under /assets (and the screens' service worker, /display/sw.js)
#   style-src 'self'    only stylesheets: no <style> blocks and no style="" attributes; the pages set
#                       computed sizes from their scripts (element.style, which CSP allows), e.g. the
#                       console's bars from data-w/data-left (assets/js/console.js)
#   img-src 'self' data:  members' photos (/media/photos), evidence photos; data: for the screens'
#                       empty icon (<link rel="icon" href="data:,">: no request for /favicon.ico).
#                       QR codes are inline SVG, never images.
#   connect-src 'self'  fetch() and Socket.IO, whose websocket ws:/wss: to this host 'self' covers
#                       (CSP 3; tests/browser/test_csp.py runs the sockets under this policy)
#   object-src 'none', base-uri 'none'  no plugins; no <base> redirecting the relative script URLs
#   form-action 'self'  forms post only here
_SOURCES = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
            "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'")
_NO_FRAMES = "frame-ancestors 'none'"

# name: (Content-Security-Policy, X-Frame-Options or None, Referrer-Policy)
POLICIES = {
    # The console: no page of it may be framed (clickjacking its buttons: delete, rotate badges,
    # pair a device); links to other sites get no referrer, its own pages the full one.
    "console": ("; ".join((*_SOURCES, _NO_FRAMES)), "DENY", "same-origin"),
    # Screens only show: no button, form or link to click, so framing them lures nobody into
    # anything, while signage players often show a web page inside a frame of their own. So any
    # page may frame them (no frame-ancestors, no X-Frame-Options); the rest is the same policy.
    "screen": ("; ".join(_SOURCES), None, "same-origin"),
    # Kiosks, phones, receipts and the kiosk pairing page: a framed page could be clicked into
    # ratings ("very dissatisfied" with a badge's token), so no frames. And no referrer at all:
    # /q/<token> lets whoever has it rate as from that badge or prompt, /s/<receipt> shows a
    # citizen's suggestion and the hall's reply; neither may leak to where a page's link leads.
    "kiosk": ("; ".join((*_SOURCES, _NO_FRAMES)), "DENY", "no-referrer"),
    # Everything else: error pages of any path, the API, health check, photos, scripts, pairing.
    "other": ("; ".join((*_SOURCES, _NO_FRAMES)), "DENY", "same-origin"),
}
_PREFIXES = (("/admin", "console"), ("/display", "screen"), ("/kiosk", "kiosk"), ("/q/", "kiosk"), ("/s/", "kiosk"),
             ("/v/", "kiosk"), ("/w/", "kiosk"), ("/p/", "kiosk"))


def page_kind(path: str) -> str:
    """Which policy a path gets (its error pages too: a 404 under /admin is a console page)."""
    for prefix, kind in _PREFIXES:
        if path == prefix or path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return kind
    return "other"


def add_headers(headers: list, kind: str) -> list:
    """``headers`` (a WSGI list of pairs) with what is missing of ``kind``'s headers."""
    present = {name.lower(): value for name, value in headers}
    csp, frames, referrer = POLICIES[kind]
    out = list(headers)
    if "x-content-type-options" not in present:
        out.append(("X-Content-Type-Options", "nosniff"))
    if "referrer-policy" not in present:
        out.append(("Referrer-Policy", referrer))
    if present.get("content-type", "").lower().startswith("text/html"):
        if "content-security-policy" not in present:
            out.append(("Content-Security-Policy", csp))
        if frames and "x-frame-options" not in present:
            out.append(("X-Frame-Options", frames))
    return out


class SecurityHeaders:
    """WSGI middleware adding ``add_headers`` to every response but a websocket's handshake."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            return self.wsgi_app(environ, start_response)
        kind = page_kind(environ.get("PATH_INFO", ""))

        def start(status, headers, exc_info=None):
            return start_response(status, add_headers(headers, kind), exc_info)

        return self.wsgi_app(environ, start)


def init_app(app) -> None:
    """Wrap the app (Socket.IO's middleware included, so call this after ``socketio.init_app``)."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
