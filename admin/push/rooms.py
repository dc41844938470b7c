"""Which rooms each socket is in, kept as sockets enter and leave them.

python-socketio finds a socket's rooms by testing every room of the namespace: ``rooms()`` on
connect and the bookkeeping on every disconnect walk them all. Each screen has a room of its own
(commands and rejoins reach it by id, from any process) besides its socket's own room, so with
4,000 screens every connect and disconnect walked some 8,000 rooms, and a reconnect storm grew
with the square of the screens. This index makes both a look-up of the socket's few rooms.
"""

from __future__ import annotations

import socketio


_skip_filters: list = []


def skip_when(fn):
    """Register ``fn(namespace, room, event, data) -> sids``: sockets of this process that must
    not get that emit (a patch a screen's state already holds, say). Called for every emit this
    process delivers, from itself or from the message queue."""
    _skip_filters.append(fn)
    return fn


def with_skipped(namespace, room, event, data, skip_sid):
    extra = set()
    for fn in _skip_filters:
        extra.update(fn(namespace, room, event, data))
    if not extra:
        return skip_sid
    given = [] if skip_sid is None else [skip_sid] if isinstance(skip_sid, str) else list(skip_sid)
    return given + sorted(extra)


class RoomIndex:
    """A mixin for a python-socketio manager (before it in the bases)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid, namespace):
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid, namespace, **kwargs):
        # BaseManager.basic_disconnect, with the socket's rooms from the index.
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self._rooms_of.pop((namespace, sid), None)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]


class IndexedManager(RoomIndex, socketio.Manager):
    """One process's sockets (no message queue)."""

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        return super().emit(event, data, namespace, room=room, callback=callback,
                            skip_sid=with_skipped(namespace, room, event, data, skip_sid), **kwargs)
