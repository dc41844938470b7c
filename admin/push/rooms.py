"""Which rooms each socket is in, kept as sockets enter and leave them.

python-socketio finds a socket's rooms by testing every room of the namespace: ``rooms()`` on
connect and the bookkeeping on every disconnect walk them all. Each screen has a room of its own
(commands and rejoins reach it by id, from any process) besides its socket's own room, so with
4,000 screens every connect and disconnect walked some 8,000 rooms, and a reconnect storm grew
with the square of the screens. This index makes both a look-up of the socket's few rooms.
"""

from __future__ import annotations

import threading

import socketio

# Events whose payload carries a ``version`` that only grows, per room: (namespace, room prefix, events).
# The push hub declares its content rooms (admin/push/hub.py); see RoomIndex.deliverable.
VERSIONED: set[tuple[str, str, frozenset]] = set()
DROP = object()  # deliverable()'s answer when no socket of this process must get the emit


def hold(manager, sid: str, namespace: str, room: str) -> None:
    """``sid`` just entered ``room`` and will be sent its whole state alone: versioned emits to
    the room skip it until release() (it could get a newer one before an older state)."""
    if isinstance(manager, RoomIndex):
        manager.hold(sid, namespace, room)


def release(manager, sid: str, namespace: str, room: str, version: int, force: bool = False) -> bool:
    """``sid`` is about to be sent the state of ``version``. False: a newer emit to the room went
    past it while it was held; read the state again (it has been committed) and release again.
    ``force``: release it whatever it missed (the page asks for a resync at the next patch)."""
    if isinstance(manager, RoomIndex):
        return manager.release(sid, namespace, room, version, force)
    return True


def newest(manager, namespace: str, room: str) -> int:
    """The newest version delivered to ``room`` in this process (0: none, or no index)."""
    return manager.newest(namespace, room) if isinstance(manager, RoomIndex) else 0


def highest(manager) -> int:
    """The newest version delivered to any versioned room in this process (one counter numbers
    them all: admin/push/hub.py)."""
    return manager.highest if isinstance(manager, RoomIndex) else 0


def breaks(manager) -> int | None:
    """A count that grows each time this process may have missed other processes' emits (its
    message queue stopped listening); None while it is not listening."""
    return manager.breaks_now() if isinstance(manager, RoomIndex) else None


class RoomIndex:
    """A mixin for a python-socketio manager (before it in the bases).

    It also keeps versioned rooms (VERSIONED) in order. A screen gets its state straight from the
    process that holds it, and patches through the message queue from whichever process made them,
    and two processes' emits may reach a third in another order than they were committed: an
    emit no newer than what the room was last given here, or than the state a socket was sent
    alone, must not reach it (an older state would take a screen back)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set] = {}
        self._versions = threading.Lock()
        self._newest: dict[tuple[str, str], int] = {}  # (namespace, room) -> newest version delivered here
        # (namespace, room) -> {sid: version of the state it was sent alone (None: held)}, for the
        # sockets whose state is newer than what the room was last given
        self._ahead: dict[tuple[str, str], dict[str, int | None]] = {}
        self._missed: dict[str, int] = {}  # held sid -> newest version that skipped it
        # Each process's emits reach this one only while its queue listens (RedisQueue): a break
        # may have lost some, so what was known current before one is not since (push.hub.held_state).
        self.breaks = 0
        self.listening = True
        self.highest = 0  # the newest version delivered here, whatever the room

    def breaks_now(self) -> int | None:
        return self.breaks if self.listening else None

    def newest(self, namespace, room) -> int:
        with self._versions:
            return self._newest.get((namespace, room), 0)

    @staticmethod
    def _versioned(namespace, room, event, data) -> int | None:
        if not isinstance(room, str) or not isinstance(data, dict):
            return None
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        for space, prefix, events in VERSIONED:
            if namespace == space and room.startswith(prefix) and event in events:
                return version
        return None

    def deliverable(self, namespace, room, event, data, skip_sid):
        """``skip_sid`` with the sockets that must not get this emit, or DROP."""
        version = self._versioned(namespace, room, event, data)
        if version is None:
            return skip_sid
        where = (namespace, room)
        with self._versions:
            if version <= self._newest.get(where, 0):
                return DROP
            self._newest[where] = version
            self.highest = max(self.highest, version)
            ahead = self._ahead.get(where)
            if not ahead:
                return skip_sid
            skipped = []
            for sid, sent in list(ahead.items()):
                if sent is None:
                    self._missed[sid] = max(self._missed.get(sid, 0), version)
                    skipped.append(sid)
                elif sent >= version:
                    skipped.append(sid)
                if sent is not None and sent <= version:
                    del ahead[sid]  # from here what the room is given covers it
            if not ahead:
                del self._ahead[where]
        if not skipped:
            return skip_sid
        given = [] if skip_sid is None else [skip_sid] if isinstance(skip_sid, str) else list(skip_sid)
        return given + skipped

    def hold(self, sid, namespace, room):
        with self._versions:
            self._ahead.setdefault((namespace, room), {})[sid] = None
            self._missed.pop(sid, None)

    def release(self, sid, namespace, room, version, force=False) -> bool:
        where = (namespace, room)
        with self._versions:
            if self._missed.get(sid, 0) > version and not force:
                return False
            self._missed.pop(sid, None)
            ahead = self._ahead.setdefault(where, {})
            if version > self._newest.get(where, 0) and not force:
                ahead[sid] = version
            else:
                ahead.pop(sid, None)
            if not ahead:
                del self._ahead[where]
            return True

    def _forget_ahead(self, sid, namespace, room):
        with self._versions:
            ahead = self._ahead.get((namespace, room))
            if ahead is not None and ahead.pop(sid, False) is not False and not ahead:
                del self._ahead[(namespace, room)]
            self._missed.pop(sid, None)

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        self._forget_ahead(sid, namespace, room)
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
        skip_sid = self.deliverable(namespace, room, event, data, skip_sid)
        if skip_sid is DROP:
            return None
        return super().emit(event, data, namespace, room=room, callback=callback, skip_sid=skip_sid, **kwargs)
