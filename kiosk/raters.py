"""Who rates from a phone, without knowing who: a random cookie and the address, both kept only as
keyed hashes (comparable, not reversible), for the one-rating-per-member-per-day rule."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, g, request

RATER_COOKIE = "lbp_rater"


def keyed_hash(kind: str, value: str | None) -> str | None:
    """An HMAC of a cookie or address under the app's secret: comparable, not reversible."""
    if not value:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def rater_cookie() -> str:
    """The phone's random id: from its cookie, or a new one that this response will set."""
    value = request.cookies.get(RATER_COOKIE)
    if not value or len(value) > 64:
        value = g.get("new_rater_cookie")
        if value is None:
            value = g.new_rater_cookie = secrets.token_urlsafe(16)
    return value


def set_rater_cookie(response):
    """Give a phone a random, HttpOnly id that lets the 24 h rule recognise it (nothing personal)."""
    if not request.cookies.get(RATER_COOKIE) or g.get("new_rater_cookie"):
        response.set_cookie(RATER_COOKIE, rater_cookie(), max_age=400 * 86400,
                            httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure)
    return response
