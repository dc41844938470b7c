"""Console sessions the server knows of, so that signing out means signed out.

The session cookie is signed, not stored; by itself a copy made before signing out would keep
working until it expired. So each sign-in also makes a row in ``console_sessions`` and puts its
secret in the cookie; the user loader accepts a cookie only while its row exists. Signing out
deletes the row, deactivating a user or setting a new password deletes all of theirs, and the
commit hooks close their open sockets in every process (admin.push.revocation).

A session also ends by itself: unused for ``SESSION_IDLE_MINUTES`` (LIANGBIPING_SESSION_IDLE_MINUTES,
two hours by default), or ``PERMANENT_SESSION_LIFETIME`` (LIANGBIPING_SESSION_HOURS, twelve) after
signing in, however busy; the reasons for the defaults are in admin/config.py.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import or_, select, update

from ..client_address import client_address
from ..config import Config
from ..extensions import db
from ..models import ConsoleSession, User
from ..models.types import utcnow
from .accounts import hash_secret

COOKIE_KEY = "sid"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


def limits() -> tuple[timedelta, timedelta]:
    """How long a session may go unused, and how long it may last at all."""
    idle = current_app.config.get("SESSION_IDLE_MINUTES", Config.SESSION_IDLE_MINUTES)
    return timedelta(minutes=idle), current_app.permanent_session_lifetime


def begin(user: User) -> None:
    """Sign ``user`` in for this browser: a new server-side session, then Flask-Login's cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(ConsoleSession(id=hash_secret(secret), user_id=user.id, created_at=utcnow(), last_seen_at=utcnow(),
                                  address=client_address()[:64],
                                  user_agent=(request.headers.get("User-Agent") or "")[:200]))
    db.session.commit()
    session[COOKIE_KEY] = secret
    login_user(user)


def current_id() -> str | None:
    """The server-side id of this request's session, when its cookie carries one."""
    secret = session.get(COOKIE_KEY)
    return hash_secret(secret) if isinstance(secret, str) and secret else None


def _expired(row: ConsoleSession, now) -> bool:
    idle, lifetime = limits()
    return now - row.last_seen_at >= idle or now - row.created_at >= lifetime


def valid_for(user: User) -> bool:
    """Whether this request's cookie belongs to a live session of ``user``; a session unused too
    long, or too old, ends here (and with it its sockets)."""
    sid = current_id()
    row = db.session.get(ConsoleSession, sid) if sid else None
    if row is None or row.user_id != user.id:
        return False
    now = utcnow()
    if _expired(row, now):
        db.session.delete(row)  # through the ORM: the revocation hook closes this session's sockets
        db.session.commit()
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(ConsoleSession).where(ConsoleSession.id == sid).values(last_seen_at=now))
        db.session.commit()
    return True


def end() -> None:
    """Sign this browser out: its session row goes, and with it every copy of the cookie."""
    sid = current_id()
    row = db.session.get(ConsoleSession, sid) if sid else None
    if row is not None:
        db.session.delete(row)  # through the ORM: the revocation hook closes this session's sockets
        db.session.commit()
    session.pop(COOKIE_KEY, None)
    logout_user()


def end_all(user_id: int) -> None:
    """End every session of a user (deactivated, new password); the caller commits. The change to
    the user itself is what closes their sockets (admin.push.revocation)."""
    for row in db.session.scalars(select(ConsoleSession).where(ConsoleSession.user_id == user_id)):
        db.session.delete(row)


def purge_idle() -> int:
    """End the sessions unused too long or too old (a scheduler job): nobody could use them any
    more, and the sockets they opened close (deleted through the ORM, for the revocation hook)."""
    idle, lifetime = limits()
    now = utcnow()
    rows = db.session.scalars(select(ConsoleSession).where(
        or_(ConsoleSession.last_seen_at < now - idle, ConsoleSession.created_at < now - lifetime))).all()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)
