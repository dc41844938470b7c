"""The screen's pages: pairing a fresh browser, the screen page itself, and its service worker.

The pages carry no content: a screen gets everything over the ``/display`` Socket.IO
namespace (see docs/SCREENS.md). The pairing endpoints are public (a fresh screen has no
credentials yet), so they are rate-limited per address and never reveal a token to anyone
but the browser that holds the pairing secret.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from datetime import timezone
from functools import lru_cache
from pathlib import Path

from flask import current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _

from liangbiping import assets
from liangbiping.admin.errors import DomainError
from liangbiping.admin.extensions import csrf
from liangbiping.admin.models.types import utcnow
from liangbiping.admin.services import pairing

from . import bp
from .labels import labels

ASSETS = Path(assets.__file__).parent
SCRIPTS = ("vendor/socket.io/socket.io.min.js", "vendor/qrcode-generator/qrcode.js", "display/screen.js")


class AddressLimiter:
    """Token buckets per client address, in this process (several processes: the limit times N)."""

    def __init__(self, capacity: float, per_second: float):
        self.capacity, self.per_second = capacity, per_second
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """0 when this request may pass, else the seconds until it would."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > 10_000:
                    horizon = self.capacity / self.per_second
                    for k, (_t, seen) in list(self._buckets.items()):
                        if now - seen > horizon:
                            del self._buckets[k]
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


# A fresh screen asks for a code on load and again every ~14 minutes; a hall pairing a dozen
# screens at once from behind one address still fits. Collecting is a poll every 2 s per screen.
open_limiter = AddressLimiter(capacity=30, per_second=1 / 10)
collect_limiter = AddressLimiter(capacity=60, per_second=5)


def _error(status: int, code: str, message: str, **headers):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


def _limited(limiter: AddressLimiter):
    wait = limiter.wait(request.remote_addr or "?")
    if wait:
        return _error(429, "too_many_requests", _("Too many requests. Please wait a moment."),
                      **{"Retry-After": str(max(1, math.ceil(wait)))})
    return None


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
    return _page("display/pairing.html", page_config={
        "labels": labels(),
        "openUrl": url_for("display.pairing_open"),
        "collectUrl": url_for("display.pairing_collect"),
        "screenUrl": url_for("display.screen_page", screen_id=0).rsplit("/", 1)[0] + "/",
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
        "shell": [asset_url(p) for p in (*SCRIPTS, "display/screen.css")],
    })


@bp.get("/sw.js")
def service_worker():
    """The service worker, served under /display/ so that its scope covers every screen page."""
    response = make_response((ASSETS / "display" / "sw.js").read_bytes())
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/display/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/pairing")
def pairing_open():
    """A new pairing code for this browser: ``{"code", "secret", "expires_at", "expires_in"}``."""
    limited = _limited(open_limiter)
    if limited:
        return limited
    code, secret, expires_at = pairing.open_code("screen")
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    expires_in = max(0, int((expires_at - utcnow()).total_seconds()))
    response = jsonify({"code": code, "secret": secret, "expires_at": expires_at.isoformat(),
                        "expires_in": expires_in})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/pairing/collect")
def pairing_collect():
    """202 while nobody has claimed the code, 200 ``{"id", "token"}`` once (then forgotten), 404 when expired."""
    limited = _limited(collect_limiter)
    if limited:
        return limited
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) or not isinstance(data.get("secret"), str):
        return _error(400, "bad_request", _("Send JSON with the code and its secret."))
    code, secret = data["code"][:16], data["secret"][:128]
    try:
        result = pairing.collect("screen", code, secret)
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message)
    if result is None:
        response = jsonify({"status": "waiting"})
        response.status_code = 202
    else:
        response = jsonify(result)
        current_app.logger.info("screen %s collected its token", result["id"])
    response.headers["Cache-Control"] = "no-store"
    return response


csrf.exempt(pairing_open)
csrf.exempt(pairing_collect)
