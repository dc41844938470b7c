"""Screens and kiosks: creating them with a device token, finding them by token."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..catalog import Resource
from ..extensions import db
from . import records
from .accounts import hash_secret


def create_device(res: Resource, data: dict, actor: str, commit: bool = True) -> tuple[object, str]:
    """A new screen or kiosk and its token; the token is returned this once and stored hashed."""
    secret = secrets.token_urlsafe(32)
    device = records.create(res, data, actor, extra={"token_hash": hash_secret(secret)}, commit=commit)
    return device, secret


def device_for_token(model: type, secret: str, *columns):
    """The enabled device of that token, or None; with ``columns``, only those (a row: a screen's
    connect, thousands at once in a reconnect storm, needs no loaded object)."""
    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return None
    found = select(*columns) if columns else select(model)
    found = found.where(model.token_hash == hash_secret(secret), model.enabled.is_(True))
    return db.session.execute(found).first() if columns else db.session.scalar(found)
