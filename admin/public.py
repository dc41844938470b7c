"""Routes anyone may reach: health check, uploaded photos, the landing redirect, and pairing a
fresh screen or kiosk (one flow for both: the device's page shows a code, an administrator
claims it, the page collects its token with the secret only it holds; docs/SCREENS.md)."""

from __future__ import annotations

from datetime import timezone

from flask import Blueprint, abort, current_app, jsonify, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _

from . import __version__
from .client_address import client_address
from .database import ping
from .errors import DomainError, TooManyRequests, error_body
from .extensions import csrf
from .limits import TokenBuckets
from .models.types import utcnow
from .services import pairing
from .services.photos import photo_dir

bp = Blueprint("public", __name__)

# A fresh device asks for a code on load and again every ~14 minutes; a hall pairing a dozen
# devices at once from behind one address still fits. Collecting is a poll every 2 s per device.
open_limiter = TokenBuckets(30, 1 / 10)
collect_limiter = TokenBuckets(60, 5)


# For machines and operators (nginx, systemd, monitoring), in both of the hall's languages.
_DOWN = {"database": "数据库不可用。The database is unavailable.",
         "redis": "Redis 不可用，各服务进程之间无法互通。Redis is unavailable: the server processes cannot reach each other."}


@bp.get("/healthz")
def healthz():
    """200 when every part this process needs answers; 503 naming the parts that do not, in the
    error shape. Redis is a part only when configured (several processes; docs/deploy/)."""
    parts = {"database": "ok" if ping() else "down"}
    redis_up = redis_ping()
    if redis_up is not None:
        parts["redis"] = "ok" if redis_up else "down"
    down = [name for name, state in parts.items() if state == "down"]
    if down:
        body = {"status": "unavailable", **parts, **error_body("unavailable", " ".join(_DOWN[n] for n in down))}
        return _no_store(jsonify(body), 503)
    return _no_store(jsonify({"status": "ok", **parts, "version": __version__}))


def redis_ping() -> bool | None:
    """Whether the message queue answers within a second; None when there is none."""
    url = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return None
    import redis

    client = current_app.extensions.get("liangbiping.health_redis")
    if client is None:
        # Its own client: a probe must not wait behind, or disturb, the pushes' connections.
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        current_app.extensions["liangbiping.health_redis"] = client
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


@bp.get("/media/photos/<name>")
def photo(name: str):
    # Only names the photo service writes: "<id>-<hash>.jpg".
    if not name.endswith(".jpg") or "/" in name or name.startswith("."):
        abort(404)
    response = send_from_directory(photo_dir(), name, mimetype="image/jpeg", max_age=86400 * 30)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
def index():
    return redirect(url_for("console.dashboard"))


def _pairing_kind(kind: str) -> str:
    if kind not in pairing.RESOURCES:
        abort(404)
    return kind


def _limit(limiter: TokenBuckets) -> None:
    wait = limiter.take(client_address() or "?")
    if wait:
        raise TooManyRequests(_("Too many requests. Please wait a moment."), retry_after=wait)


def _no_store(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/pair/<kind>")
def pair_open(kind: str):
    """A new pairing code for this browser (a ``screen`` or a ``kiosk``):
    201 ``{"code", "secret", "expires_at", "expires_in"}``."""
    _limit(open_limiter)
    code, secret, expires_at = pairing.open_code(_pairing_kind(kind))
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    expires_in = max(0, int((expires_at - utcnow()).total_seconds()))
    return _no_store(jsonify({"code": code, "secret": secret, "expires_at": expires_at.isoformat(),
                              "expires_in": expires_in}), 201)


@bp.post("/pair/<kind>/collect")
def pair_collect(kind: str):
    """202 ``{"status": "waiting"}`` while nobody has claimed the code, 200 ``{"status": "paired",
    "id", "token"}`` once (then forgotten), 404 when expired or unknown."""
    _limit(collect_limiter)
    kind = _pairing_kind(kind)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("code"), str) or not isinstance(data.get("secret"), str):
        raise DomainError(_("Send JSON with the code and its secret."), code="bad_request")
    result = pairing.collect(kind, data["code"][:16], data["secret"][:128])
    if result is None:
        return _no_store(jsonify({"status": "waiting"}), 202)
    current_app.logger.info("%s %s collected its token", kind, result["id"])
    return _no_store(jsonify({"status": "paired", **result}))


# The device has no session yet: its secret, not a cookie, proves who is asking.
csrf.exempt(pair_open)
csrf.exempt(pair_collect)
