"""The /display namespace: screens authenticate with their token, get ``state``, send acks.

A screen can never change content: the only things it sends are acks, heartbeats and
requests for a full state, each checked and rate-limited; anything else is ignored.
"""

from __future__ import annotations

import logging

from flask import request
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room, rooms

from liangbiping.admin.client_address import client_address
from liangbiping.admin.extensions import db, socketio
from liangbiping.admin.limits import TokenBuckets
from liangbiping.admin.models import Screen
from liangbiping.admin.push import revocation
from liangbiping.admin.push.hub import NAMESPACE, hub_for, room_for_key, room_for_screen
from liangbiping.admin.push import rooms as versioned
from liangbiping.admin.services.devices import device_for_token

log = logging.getLogger(__name__)

_screens: dict[str, int] = {}          # sid -> screen id, for the sockets this process holds
_sent: dict[str, int] = {}             # sid -> version of the state this process sent it
# Events a screen may send: 20 at once, then 5 a second on average (acks, heartbeats, resyncs).
_limiter = TokenBuckets(20, 5)


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


# What a connect reads of the screen (a row, not a loaded Screen): _join_content and _screen_info.
_SCREEN_COLUMNS = (Screen.id, Screen.name, Screen.kind, Screen.window_id, Screen.content_key)


def _screen_info(screen) -> dict:
    return {"id": screen.id, "name": screen.name, "kind": screen.kind, "window_id": screen.window_id}


def _join_content(screen) -> None:
    """``screen``: a Screen, or a row of _SCREEN_COLUMNS."""
    hub = hub_for()
    for room in rooms(namespace=NAMESPACE):
        if room.startswith("content:"):
            leave_room(room)
    # Into the room first, then read the state: every patch of that key pushed after the read
    # reaches this socket, and every one before is in the state. The room's patches skip the
    # socket while it is read (rooms.hold), so none reaches it before its state; one that did
    # means a newer commit, read again. The state this process holds serves when nothing newer can
    # have been committed unseen (hub.held_state); a read must see what was committed after the
    # join: end the transaction that found the screen first (SQLite keeps a read's snapshot).
    # A screen moved to another key after it was read here is told to rejoin (its own room).
    key, info = screen.content_key, _screen_info(screen)
    if not key:
        # New to the rounds: a round gives it its key now.
        key, _ = hub.state_for(db.session.get(Screen, screen.id))
    room, manager = room_for_key(key), socketio.server.manager
    join_room(room)
    versioned.hold(manager, request.sid, NAMESPACE, room)
    try:
        for attempt in range(5):
            state = hub.held_state(key) if attempt == 0 else None
            if state is None:
                db.session.rollback()
                state = hub.state_of(key)
            if versioned.release(manager, request.sid, NAMESPACE, room, state["version"], force=attempt == 4):
                break
    except BaseException:
        versioned.release(manager, request.sid, NAMESPACE, room, 0, force=True)
        raise
    _sent[request.sid] = state["version"]
    # To this socket alone, which this process holds: straight to it, not through the message queue
    # (a publish to Redis and every process reading it back: most of a connect's cost at 4,000).
    emit("hello", {"screen": info}, ignore_queue=True)
    emit("state", state, ignore_queue=True)


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    token = auth.get("token") if isinstance(auth, dict) else None
    screen = device_for_token(Screen, token, *_SCREEN_COLUMNS)
    if screen is None:
        log.info("refused a screen connection with a bad token from %s", client_address())
        raise ConnectionRefusedError("unauthorized")
    screen_id = screen.id
    _screens[request.sid] = screen_id
    revocation.register(NAMESPACE, request.sid, ("screen", screen_id))
    join_room(room_for_screen(screen_id))
    _join_content(screen)
    resolution = _text(auth.get("resolution"), 16)
    hub_for().report(Screen, screen_id, connected=True, user_agent=_text(request.headers.get("User-Agent"), 200),
                     **({"resolution": resolution} if resolution else {}))
    db.session.remove()


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_args):
    screen_id = _screens.pop(request.sid, None)
    revocation.forget(NAMESPACE, request.sid)
    _limiter.forget(request.sid)
    _sent.pop(request.sid, None)
    if screen_id is not None:
        hub_for().report(Screen, screen_id, connected=False)


def _current_screen(sid: str):
    screen_id = _screens.get(sid)
    if screen_id is None or not _limiter.allows(sid):
        return None
    return screen_id


def ack(sid: str, data, hub, manager) -> None:
    """The page applied ``version`` and shows ``slide``."""
    screen_id = _current_screen(sid)
    if screen_id is None or not isinstance(data, dict) or not isinstance(data.get("version"), int):
        log.info("ignored a malformed ack from %s", sid)
        return
    # Patches reach the room without passing here, so the bound is the newest version of any round:
    # this process's, or another's that was delivered here (rooms.highest).
    newest = max(_sent.get(sid, 0), hub.newest_version, versioned.highest(manager))
    if not 0 < data["version"] <= newest:
        log.info("ignored an ack for version %s from screen %s", data["version"], screen_id)
        return
    fields = {"applied_version": data["version"]}
    if isinstance(data.get("slide"), str):
        fields["current_slide"] = data["slide"][:32]
    if isinstance(data.get("resolution"), str):
        fields["resolution"] = data["resolution"][:16]
    hub.report(Screen, screen_id, **fields)


def heartbeat(sid: str, data, hub, _manager) -> None:
    screen_id = _current_screen(sid)
    if screen_id is None:
        return
    fields = {"connected": True}
    if isinstance(data, dict) and isinstance(data.get("slide"), str):
        fields["current_slide"] = data["slide"][:32]
    hub.report(Screen, screen_id, **fields)


def bind_plain_events(server, app) -> None:
    """Acks and heartbeats straight on python-socketio's ``server``, with no Flask context: every
    screen acks every state and patch and every slide it turns to (thousands at once after each
    push to a province's screens), and Flask-SocketIO's request context for each (a URL match,
    the cookie session) cost more than the ack. They read nothing of a request and only note a
    report (PushHub.report). The app factory calls this after each ``socketio.init_app``."""
    for name, handler in (("ack", ack), ("heartbeat", heartbeat)):
        def run(sid, data=None, *_rest, handler=handler):
            try:
                handler(sid, data, app.extensions["push_hub"], server.manager)
            except Exception as exc:  # noqa: BLE001 - as on_error: logged, the socket lives on
                with app.app_context():
                    on_error(exc)
        server.on(name, run, namespace=NAMESPACE)


@socketio.on("resync", namespace=NAMESPACE)
def resync(*_args):
    """The page missed a patch (its version was not the patch's base): send the whole state."""
    screen_id = _current_screen(request.sid)
    if screen_id is None:
        return
    screen = db.session.get(Screen, screen_id)
    if screen is not None:
        _join_content(screen)
    db.session.remove()


@socketio.on("hello", namespace=NAMESPACE)
def hello(*_args):
    """After ``rejoin``: the screen's content key changed; move it to its new room."""
    resync()


@socketio.on_error(NAMESPACE)
def on_error(exc):
    log.warning("screen event failed: %s", exc)
    db.session.rollback()
