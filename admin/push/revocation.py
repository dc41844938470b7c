"""Cut off at once: a deleted or disabled screen or kiosk, a signed-out session, a deactivated user.

Every socket says what it acts for when it connects (its principals: ``("kiosk", id)``,
``("screen", id)``, ``("user", id)``, ``("session", id)``). A commit that revokes a principal
(noted by the session hooks in ``admin.push.hub``: a device deleted or disabled, a user deactivated,
deleted or given a new password, a console session deleted) closes every socket of it held by this
process, after telling it ``revoked`` so that a device page goes back to pairing, and the change bus
tells the other processes to do the same with theirs. Hooks registered with ``on_revoke`` forget what
they cached about a principal (the rating intake's kiosk tokens).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import inspect

log = logging.getLogger(__name__)

Principal = tuple  # (kind, id)

_sockets: dict[tuple[str, str], frozenset] = {}  # (namespace, sid) -> principals
_lock = threading.Lock()
_hooks: list = []


def register(namespace: str, sid: str, *principals: Principal) -> None:
    """A socket of this process acts for ``principals`` until it disconnects."""
    with _lock:
        _sockets[(namespace, sid)] = frozenset(principals)


def forget(namespace: str, sid: str) -> None:
    with _lock:
        _sockets.pop((namespace, sid), None)


def on_revoke(hook) -> None:
    """``hook(principals)`` runs in every process after a revocation (it must not need an app context)."""
    if hook not in _hooks:
        _hooks.append(hook)


def revoke(principals: set) -> int:
    """Close this process's sockets of ``principals``; returns how many were closed."""
    from ..extensions import socketio

    if not principals:
        return 0
    for hook in _hooks:
        try:
            hook(principals)
        except Exception:  # noqa: BLE001 - one hook's failure must not keep a socket open
            log.exception("revocation hook %s failed", getattr(hook, "__name__", hook))
    with _lock:
        doomed = [key for key, held in _sockets.items() if held & principals]
        for key in doomed:
            _sockets.pop(key, None)
    for namespace, sid in doomed:
        try:
            socketio.emit("revoked", {}, to=sid, namespace=namespace)
            socketio.server.disconnect(sid, namespace=namespace)
        except Exception:  # noqa: BLE001 - a socket already gone is closed enough
            log.debug("closing %s on %s failed", sid, namespace, exc_info=True)
    if doomed:
        log.info("closed %d socket(s) of revoked %s", len(doomed), sorted(principals))
    return len(doomed)


def _changed_to(obj, attr: str, value) -> bool:
    history = inspect(obj).attrs[attr].history
    return bool(history.added) and history.added[0] == value and value not in (history.deleted or ())


def _version_changed(obj) -> bool:
    history = inspect(obj).attrs.session_version.history
    return bool(history.added) and bool(history.deleted) and history.added[0] != history.deleted[0]


def noticed(session) -> None:
    """After a flush: note which principals the flushed objects revoke."""
    from ..models import ConsoleSession, Kiosk, Screen, User

    found = set()
    for obj in session.deleted:
        if isinstance(obj, Screen):
            found.add(("screen", obj.id))
        elif isinstance(obj, Kiosk):
            found.add(("kiosk", obj.id))
        elif isinstance(obj, User):
            found.add(("user", obj.id))
        elif isinstance(obj, ConsoleSession):
            found.add(("session", obj.id))
    for obj in session.dirty:
        if isinstance(obj, (Screen, Kiosk)) and _changed_to(obj, "enabled", False):
            found.add(("screen" if isinstance(obj, Screen) else "kiosk", obj.id))
        elif isinstance(obj, User) and (_changed_to(obj, "active", False) or _version_changed(obj)
                                        or inspect(obj).attrs.role.history.deleted):
            found.add(("user", obj.id))  # deactivated, a new password, or another role
    if found:
        session.info.setdefault("revoked", set()).update(found)


def held() -> dict:
    """{(namespace, sid): principals} of this process (tests, monitoring)."""
    with _lock:
        return dict(_sockets)
