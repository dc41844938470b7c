"""Console users, passwords, sign-in throttling (``login_wait``) and API tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, Invalid, NotFound, TooManyRequests
from ..extensions import db
from ..models import ApiToken, LoginAttempt, Staff, User
from ..models.auth import ROLES, TOKEN_ROLES
from ..models.types import utcnow
from .audit import record

MIN_PASSWORD = 8
TOKEN_PREFIX = "lbp_"


def hash_secret(secret: str) -> str:
    """Tokens are random 256-bit secrets, so one SHA-256 round is enough (no salt or stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(_("Role must be one of: %(roles)s", roles=", ".join(ROLES)), field="role")


def check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(_("The password needs at least %(n)d characters.", n=MIN_PASSWORD), field="password")


def create_or_reset_admin(username: str, password: str, actor: str = "cli") -> User:
    check_password(password)
    username = username.strip()
    if not username:
        raise Invalid(_("A username is required."), field="username")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=username, role="admin")
        db.session.add(user)
        action = "create"
    else:
        user.role = "admin"
        user.active = True
        user.session_version = (user.session_version or 1) + 1
        from .sessions import end_all

        end_all(user.id)
        action = "reset"
    user.password_hash = generate_password_hash(password)
    db.session.flush()
    record(actor, action, "user", user.id, summary=username)
    db.session.commit()
    return user


def _failure_times(*where, limit: int) -> list:
    """The newest failed sign-ins matching ``where``, newest first, at most ``limit``."""
    return list(db.session.scalars(select(LoginAttempt.at).where(*where)
                                   .order_by(LoginAttempt.at.desc()).limit(limit)))


def _as_utc(moment):
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def login_wait(username: str, address: str, now=None) -> float:
    """Seconds before ``username`` may try a password from ``address`` (0: now).

    * This address, this account: ``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCK_MINUTES``
      make this address wait until the oldest of them is that old.
    * This address, any account: the same with ``LOGIN_ADDRESS_MAX_FAILURES`` (spraying names).
    * This account, any address: after ``LOGIN_MAX_FAILURES`` failures since its last sign-in
      (within a day), each further attempt waits 1, 2, 4 ... seconds after the last failure, at
      most ``LOGIN_MAX_DELAY_SECONDS``. Slow guessing from many addresses, never a lock: the
      right password from another address works after that short wait.
    """
    cfg = current_app.config
    now = now or utcnow()
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    per_account = max(1, int(cfg["LOGIN_MAX_FAILURES"]))
    per_address = max(1, int(cfg.get("LOGIN_ADDRESS_MAX_FAILURES", per_account * 4)))
    wait = 0.0
    for where, limit in (((LoginAttempt.username == username, LoginAttempt.address == address), per_account),
                         ((LoginAttempt.address == address,), per_address)):
        times = _failure_times(*where, LoginAttempt.at > now - window, limit=limit)
        if len(times) >= limit:
            wait = max(wait, (_as_utc(times[-1]) + window - now).total_seconds())
    since = now - timedelta(days=1)
    last_login = db.session.scalar(select(User.last_login_at).where(User.username == username))
    if last_login is not None and _as_utc(last_login) > since:
        since = _as_utc(last_login)
    count = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username, LoginAttempt.at > since)) or 0
    if count >= per_account:
        latest = _failure_times(LoginAttempt.username == username, limit=1)[0]
        delay = min(float(cfg.get("LOGIN_MAX_DELAY_SECONDS", 60)), 2.0 ** min(count - per_account, 30))
        wait = max(wait, (_as_utc(latest) + timedelta(seconds=delay) - now).total_seconds())
    return max(0.0, wait)


def authenticate(username: str, password: str, address: str) -> User | None:
    """The user when the password is right; None when wrong; TooManyRequests (with Retry-After)
    when this attempt must wait (``login_wait``: an address is throttled, an account only slowed).

    The attempt is written as a failure before the password is checked, so attempts racing each
    other see one another; the right password takes it back.
    """
    username = (username or "").strip()[:64]
    address = (address or "unknown")[:64]
    now = utcnow()
    wait = login_wait(username, address, now)
    if wait > 0:
        db.session.rollback()
        if wait < 60:
            message = _("Too many failed sign-ins. Try again in %(n)d seconds.", n=max(1, math.ceil(wait)))
        else:
            message = _("Too many failed sign-ins. Try again in %(n)d minutes.", n=math.ceil(wait / 60))
        raise TooManyRequests(message, retry_after=wait)
    attempt = LoginAttempt(username=username, address=address, at=now)
    db.session.add(attempt)
    db.session.commit()
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
        record(f"anonymous@{address}", "login_failed", "user", user.id if user else None, summary=username)
        db.session.commit()
        return None
    # Signed in: this address's failures for this account are forgiven, and the account's delay
    # counts from now; other addresses' failures still throttle those addresses.
    db.session.execute(LoginAttempt.__table__.delete().where(LoginAttempt.username == username,
                                                             LoginAttempt.address == address))
    user.last_login_at = utcnow()
    record(actor_of(user), "login", "user", user.id, summary=username)
    db.session.commit()
    return user


def purge_login_attempts() -> int:
    """Scheduler job: forget failures older than a day."""
    cutoff = utcnow() - timedelta(days=1)
    result = db.session.execute(LoginAttempt.__table__.delete().where(LoginAttempt.at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def actor_of(user: User) -> str:
    return f"user:{user.id} {user.username}"


def save_user(data: dict, actor: str, user: User | None = None) -> User:
    """Create or change a console user. ``password`` may be left out on change."""
    creating = user is None
    username = (data.get("username") or (user.username if user else "")).strip()
    if not username:
        raise Invalid(_("A username is required."), field="username")
    clash = db.session.scalar(select(User).where(User.username == username))
    if clash is not None and clash is not user:
        raise Conflict(_("The username %(name)s is taken.", name=username), field="username")
    role = data.get("role", user.role if user else "staff")
    check_role(role)
    staff_id = data.get("staff_id", user.staff_id if user else None)
    if staff_id is not None and db.session.get(Staff, staff_id) is None:
        raise Invalid(_("No such staff member."), field="staff_id")
    if role == "staff" and staff_id is None:
        raise Invalid(_("A staff user must be linked to a staff member."), field="staff_id")
    if not creating and _is_last_admin(user) and (role != "admin" or not data.get("active", True)):
        raise Conflict(_("The last administrator must stay an active administrator."))
    if creating:
        user = User(username=username)
        db.session.add(user)
    changes = {}
    for key, value in (("username", username), ("role", role), ("staff_id", staff_id),
                       ("display_name", data.get("display_name", user.display_name or username)),
                       ("active", data.get("active", user.active if user.active is not None else True))):
        if getattr(user, key) != value:
            changes[key] = [getattr(user, key), value]
            setattr(user, key, value)
    if data.get("password") or creating:
        check_password(data.get("password"))
        user.password_hash = generate_password_hash(data["password"])
        user.session_version = (user.session_version or 0) + 1
        changes["password"] = ["***", "***"]
    if not creating and ("password" in changes or not user.active):
        from .sessions import end_all

        end_all(user.id)  # signed out everywhere, at once
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent request took the username after the check above
        db.session.rollback()
        raise Conflict(_("The username %(name)s is taken.", name=username), field="username") from None
    record(actor, "create" if creating else "update", "user", user.id, summary=username, changes=changes)
    db.session.commit()
    return user


def _is_last_admin(user: User) -> bool:
    """True when ``user`` is the only active administrator: without one, nobody can manage the hall."""
    return user.role == "admin" and bool(user.active) and db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))) <= 1


def delete_user(user: User, actor: str) -> None:
    if _is_last_admin(user):
        raise Conflict(_("The last administrator cannot be removed."))
    record(actor, "delete", "user", user.id, summary=user.username)
    db.session.delete(user)
    db.session.commit()


def create_token(name: str, role: str, actor: str, created_by: User | None = None,
                 user: User | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned this once and never stored.

    A leader or staff token acts for ``user`` (in that user's role), with their scope: without a
    user it could only see everything or nothing, and a leader's program must see their departments.
    """
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Invalid(_("A token needs a name of at most 64 characters."), field="name")
    if role not in TOKEN_ROLES:
        raise Invalid(_("Role must be one of: %(roles)s", roles=", ".join(TOKEN_ROLES)), field="role")
    if role == "integration" and user is not None:
        raise Invalid(_("An integration token is a system's: it acts for nobody."), field="user_id")
    if role not in ("admin", "integration") and user is None:
        raise Invalid(_("A leader or staff token acts for a user: say which."), field="user_id")
    if user is not None and (user.role != role or not user.active):
        raise Invalid(_("The token's role must be the role of the active user it acts for (%(role)s).",
                        role=user.role), field="role")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=hash_secret(secret), prefix=secret[:10],
                     created_by_id=created_by.id if created_by else None, user_id=user.id if user else None)
    db.session.add(token)
    db.session.flush()
    record(actor, "create", "api_token", token.id,
           summary=f"{name} ({role}{', ' + user.username if user is not None else ''})")
    db.session.commit()
    return token, secret


def revoke_token(token_id: int, actor: str) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "revoke", "api_token", token.id, summary=token.name)
        db.session.commit()
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    if token.user_id is not None:
        # A token acting for a user who was deactivated stops working with them.
        active = db.session.scalar(select(User.active).where(User.id == token.user_id))
        if not active:
            return None
    now = utcnow()
    # Once a minute is plenty for "last used" and avoids a write on every API call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token
