"""Pairing a fresh screen or kiosk: the browser shows a code, an administrator claims it.

The code alone never reveals the device token: the browser that asked for the code also
got a secret, and only that secret collects the token, once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..catalog import KIOSKS, SCREENS
from ..errors import NotFound
from ..extensions import db
from ..models import PairingCode
from ..models.types import utcnow
from .accounts import hash_secret
from .devices import create_device

# No 0/O, 1/I/L: the code is read off a screen across a room and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LIFETIME = timedelta(minutes=15)
RESOURCES = {"screen": SCREENS, "kiosk": KIOSKS}


def open_code(kind: str) -> tuple[str, str, object]:
    """A new pairing code for a ``screen`` or ``kiosk``: (code, browser secret, expiry)."""
    db.session.execute(delete(PairingCode).where(PairingCode.expires_at < utcnow()))
    for _attempt in range(20):
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        if db.session.scalar(select(PairingCode.id).where(PairingCode.code == code)) is None:
            break
    secret = secrets.token_urlsafe(24)
    row = PairingCode(code=code, device_kind=kind, secret_hash=hash_secret(secret), expires_at=utcnow() + LIFETIME)
    db.session.add(row)
    db.session.commit()
    return code, secret, row.expires_at


def claim(kind: str, code: str, data: dict, actor: str):
    """Create the device for a code shown on a ``kind`` device; NotFound when wrong or expired."""
    code = (code or "").strip().upper()
    row = db.session.scalar(select(PairingCode).where(PairingCode.code == code, PairingCode.device_kind == kind))
    if row is None or row.expires_at < utcnow() or row.device_id is not None:
        raise NotFound(_("No device is waiting with code %(code)s, or the code has expired.", code=code[:6]))
    device, token = create_device(RESOURCES[kind], data, actor, commit=False)
    row.device_id = device.id
    row.token = token
    row.expires_at = utcnow() + LIFETIME
    db.session.commit()
    return device


def collect(kind: str, code: str, secret: str) -> dict | None:
    """``{"id", "token"}`` once the code is paired (then forgotten); None while it waits.

    NotFound when the code is unknown, expired or the secret does not match.
    """
    row = db.session.scalar(select(PairingCode).where(PairingCode.code == (code or "").upper(),
                                                      PairingCode.device_kind == kind))
    if row is None or row.expires_at < utcnow() or not secrets.compare_digest(row.secret_hash, hash_secret(secret or "")):
        raise NotFound(_("This pairing code has expired."))
    if row.device_id is None:
        return None
    result = {"id": row.device_id, "token": row.token}
    db.session.delete(row)
    db.session.commit()
    return result
