"""Signed tokens behind the QR codes: a member's badge, a rating prompt, a kiosk's "rate on your phone".

Tokens are short (they become QR codes people scan across a counter) and carry only ids:

* badge ``{"b": staff_id, "v": badge_version}`` — never expires; bumping the member's
  ``badge_version`` revokes every badge printed before (rotation).
* prompt ``{"p": prompt_id}`` — the prompt row holds its expiry and whether it was used.
* kiosk ``{"k": kiosk_id}`` with a timestamp — a photo of a kiosk's code stops working after
  ``KIOSK_QR_LIFETIME``; the kiosk shows a fresh one with every state it receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from liangbiping.admin.errors import DomainError

SALT = "lbp-qr-v1"
KIOSK_SALT = "lbp-kiosk-qr-v1"
KIOSK_QR_LIFETIME = 20 * 60  # seconds
MAX_TOKEN_LENGTH = 200


class TokenError(DomainError):
    """A QR token that cannot be used; the status says why (401 forged, 410 expired or revoked, 409 used)."""

    status = 401
    code = "invalid_token"


@dataclass(frozen=True)
class QrToken:
    kind: str            # badge | prompt | kiosk
    id: int              # staff id, prompt id or kiosk id
    version: int = 0     # badge version


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _timed() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=KIOSK_SALT)


def badge_token(staff) -> str:
    return badge_token_for(staff.id, staff.badge_version)


def badge_token_for(staff_id: int, badge_version: int | None) -> str:
    # The same every time for a member and version: window screens ask for them every push round.
    return _badge_token(current_app.config["SECRET_KEY"], staff_id, badge_version or 1)


@lru_cache(maxsize=4096)
def _badge_token(secret: str, staff_id: int, version: int) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps({"b": staff_id, "v": version})


def prompt_token(prompt) -> str:
    return _serializer().dumps({"p": prompt.id})


def kiosk_token(kiosk) -> str:
    return _timed().dumps({"k": kiosk.id})


def phone_url(token: str) -> str:
    """The absolute /q/ URL a QR code carries: on the hall's public address when one is set
    (admin.services.settings.public_base_url), else on the address this request came to."""
    from liangbiping.admin.services.settings import public_base_url

    path = url_for("kiosk.phone", token=token)
    base = public_base_url()
    return base + path if base else url_for("kiosk.phone", token=token, _external=True)


def parse(token: str, *, check_age: bool = True) -> QrToken:
    """The token's meaning, or TokenError. Checks the signature only; callers check the rows.
    ``check_age=False`` accepts a kiosk code however old (who sent a replayed rating)."""
    invalid = TokenError(_("This QR code is not valid. Please scan the code again."))
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid
    try:
        data = _serializer().loads(token)
    except BadSignature:
        data = None
    if data is None:
        try:
            data = _timed().loads(token, max_age=KIOSK_QR_LIFETIME if check_age else None)
        except SignatureExpired:
            raise TokenError(_("This QR code has expired. Please scan the code shown now."),
                             code="token_expired", status=410) from None
        except BadSignature:
            raise invalid from None
    if not isinstance(data, dict):
        raise invalid
    for key, kind in (("b", "badge"), ("p", "prompt"), ("k", "kiosk")):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
            version = data.get("v", 0)
            return QrToken(kind, value, version if isinstance(version, int) else 0)
    raise invalid
