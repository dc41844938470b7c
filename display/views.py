"""The screen's pages: pairing a fresh browser, the screen page itself, and its service worker.

The pages carry no content: a screen gets everything over the ``/display`` Socket.IO
namespace (see docs/SCREENS.md). The pairing page uses the hub's pairing endpoints
(``/pair/screen``, admin/public.py), the same as a kiosk's.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import make_response, render_template, request, url_for

from liangbiping import assets

from . import bp
from .labels import labels

ASSETS = Path(assets.__file__).parent
SCRIPTS = ("vendor/socket.io/socket.io.min.js", "vendor/qrcode-generator/qrcode.js", "js/dom.js", "display/screen.js")


@lru_cache(maxsize=64)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.blake2b((ASSETS / path).read_bytes(), digest_size=6).hexdigest()


def asset_url(path: str) -> str:
    """``/assets/<path>?v=<content hash>``: the service worker may cache it for good."""
    file = ASSETS / path
    version = _fingerprint(path, file.stat().st_mtime) if file.exists() else "0"
    return url_for("static", filename=path, v=version)


@bp.app_context_processor
def _display_helpers():
    return {"display_asset": asset_url}


def _page(template: str, **context):
    response = make_response(render_template(template, labels=labels(), **context))
    # The service worker keeps its own copy for offline use; the browser must not serve a stale one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def pairing_page():
    """A fresh screen: shows a pairing code and waits until an administrator claims it."""
    words = labels()
    return _page("display/pairing.html", page_config={
        "labels": {"expires": words["pairing_expires"], "offline": words["pairing_offline"],
                   "done": words["pairing_done"]},
        "kind": "screen",
        "openUrl": url_for("public.pair_open", kind="screen"),
        "collectUrl": url_for("public.pair_collect", kind="screen"),
        "deviceUrl": url_for("display.screen_page", screen_id=0).rsplit("/", 1)[0] + "/",
        "swUrl": url_for("display.service_worker"),
    })


@bp.get("/<int:screen_id>")
def screen_page(screen_id: int):
    """A paired screen; its token is in the browser (localStorage), its content comes by socket."""
    slide = request.args.get("slide", "")[:32]
    return _page("display/screen.html", screen_id=screen_id, page_config={
        "screenId": screen_id,
        "labels": labels(),
        "pinnedSlide": slide or None,
        "pairingUrl": url_for("display.pairing_page"),
        "swUrl": url_for("display.service_worker"),
        "shell": [asset_url(p) for p in (*SCRIPTS, "css/palette.css", "display/screen.css")],
    })


@bp.get("/sw.js")
def service_worker():
    """The service worker, served under /display/ so that its scope covers every screen page."""
    response = make_response((ASSETS / "display" / "sw.js").read_bytes())
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/display/"
    response.headers["Cache-Control"] = "no-cache"
    return response
