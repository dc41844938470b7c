"""The manager's room index (admin/push/rooms.py): the same rooms as python-socketio's own
bookkeeping after any sequence of enters, leaves, closes and disconnects, and a socket's rooms
found without walking the namespace's."""

from __future__ import annotations

import random

import socketio

from liangbiping.admin.push.rooms import IndexedManager

NS = "/display"


def _connect(manager, sid: str) -> None:
    manager.basic_enter_room(sid, NS, None, eio_sid="e" + sid)
    manager.basic_enter_room(sid, NS, sid, eio_sid="e" + sid)


def _snapshot(manager) -> dict:
    return {ns: {room: dict(members) for room, members in rooms.items()} for ns, rooms in manager.rooms.items()}


def test_the_index_agrees_with_python_socketio_after_random_traffic():
    plain, indexed = socketio.Manager(), IndexedManager()
    rng = random.Random(20261207)
    live: list[str] = []
    named = [f"screen:{n}" for n in range(12)] + [f"content:hall:{n}" for n in range(4)]
    for step in range(4000):
        op = rng.random()
        if op < 0.2 or not live:
            sid = f"s{step}"
            live.append(sid)
            for manager in (plain, indexed):
                _connect(manager, sid)
        elif op < 0.55:
            sid, room = rng.choice(live), rng.choice(named)
            for manager in (plain, indexed):
                manager.basic_enter_room(sid, NS, room)
        elif op < 0.8:
            sid, room = rng.choice(live), rng.choice(named)
            for manager in (plain, indexed):
                manager.basic_leave_room(sid, NS, room)
        elif op < 0.85:
            room = rng.choice(named)
            for manager in (plain, indexed):
                manager.basic_close_room(room, NS)
        else:
            sid = live.pop(rng.randrange(len(live)))
            for manager in (plain, indexed):
                manager.basic_disconnect(sid, NS)
        if step % 97 == 0:
            assert _snapshot(indexed) == _snapshot(plain)
            for sid in live:
                assert sorted(indexed.get_rooms(sid, NS)) == sorted(plain.get_rooms(sid, NS))
    assert _snapshot(indexed) == _snapshot(plain)
    for sid in list(live):
        for manager in (plain, indexed):
            manager.basic_disconnect(sid, NS)
    assert plain.rooms == indexed.rooms == {}
    assert indexed._rooms_of == {}


class _NoWalking(dict):
    """A namespace's rooms that fail any walk over them."""

    def items(self):
        raise AssertionError("walked every room of the namespace")

    def copy(self):
        raise AssertionError("copied every room of the namespace")


def test_a_sockets_rooms_and_its_disconnect_do_not_walk_the_namespace():
    manager = IndexedManager()
    for n in range(3000):  # a province's screens, each with its socket's room and its own
        _connect(manager, f"s{n}")
        manager.basic_enter_room(f"s{n}", NS, f"screen:{n}")
        manager.basic_enter_room(f"s{n}", NS, "content:hall:0")
    manager.rooms[NS] = _NoWalking(manager.rooms[NS])
    assert sorted(manager.get_rooms("s7", NS)) == ["content:hall:0", "s7", "screen:7"]
    manager.basic_disconnect("s7", NS)
    assert manager.get_rooms("s7", NS) == []
    assert "screen:7" not in manager.rooms[NS] and "s7" not in manager.rooms[NS][None]
    assert len(manager.rooms[NS]["content:hall:0"]) == 2999


def test_a_patch_no_newer_than_a_screens_state_is_not_sent_to_it(socketio_client, app):
    """The state goes straight to a connecting socket, patches round through the queue: one
    that arrives after a newer state is not sent (the page would drop it anyway)."""
    from liangbiping.admin.catalog import SCREENS
    from liangbiping.admin.extensions import socketio as server
    from liangbiping.admin.push.hub import NAMESPACE, hub_for, room_for_key
    from liangbiping.admin.services.devices import create_device

    with app.app_context():
        _screen, token = create_device(SCREENS, {"name": "大厅"}, "t")
        hub_for(app).round()
    client = socketio_client(app, "/display", token=token)
    state = next(e["args"][0] for e in client.get_received("/display") if e["name"] == "state")
    version = state["version"]
    room = room_for_key("hall:0:0")
    # As a third process may get two others' emits: in another order than they were committed.
    for name, v in (("patch", version - 1), ("patch", version), ("patch", version + 1), ("state", version),
                    ("patch", version + 3), ("patch", version + 2), ("state", version + 2), ("state", version + 4)):
        server.emit(name, {"version": v, "base": v - 1, "sections": {}, "removed": []}, to=room, namespace=NAMESPACE)
    got = [(e["name"], e["args"][0]["version"]) for e in client.get_received("/display") if e["name"] in ("state", "patch")]
    assert got == [("patch", version + 1), ("patch", version + 3), ("state", version + 4)]


def test_a_socket_being_sent_its_state_gets_none_of_the_rooms_patches_before_it():
    import liangbiping.admin.push.hub  # noqa: F401 - declares the content rooms versioned
    from liangbiping.admin.push.rooms import DROP

    manager = IndexedManager()
    room = "content:hall:0:0"
    for sid in ("a", "b"):
        _connect(manager, sid)
        manager.basic_enter_room(sid, NS, room)
    patch = lambda v: manager.deliverable(NS, room, "patch", {"version": v}, None)  # noqa: E731
    assert patch(5) is None
    _connect(manager, "c")
    manager.basic_enter_room("c", NS, room)
    manager.hold("c", NS, room)
    assert patch(6) == ["c"]                                  # held while its state is read
    assert not manager.release("c", NS, room, 5)              # read before 6 was committed: read again
    assert manager.release("c", NS, room, 7)                  # newer than the room was given
    assert patch(6) is DROP and patch(7) == ["c"]             # 7 is in its state; a and b get it
    assert patch(8) is None                                   # from here the room covers it
    assert manager.deliverable(NS, "screen:1", "patch", {"version": 1}, None) is None  # not versioned
    assert manager.deliverable(NS, room, "ack", {"version": 1}, "x") == "x"
    _connect(manager, "d")
    manager.basic_enter_room("d", NS, room)
    manager.hold("d", NS, room)
    manager.basic_disconnect("d", NS)                         # gone while held: forgotten
    assert patch(9) is None and not manager._ahead and not manager._missed


def test_a_connecting_screen_is_sent_the_state_held_here_while_nothing_newer_can_have_been_missed(socketio_client, app):
    """A reconnect storm reads the screens' rows, not the version of their content each time: the
    state this process holds serves while no newer version reached the room and the queue has
    listened throughout; otherwise the database is asked."""
    from sqlalchemy import event

    from liangbiping.admin.catalog import SCREENS
    from liangbiping.admin.extensions import db, socketio as server
    from liangbiping.admin.push.hub import NAMESPACE, hub_for, room_for_key
    from liangbiping.admin.services.devices import create_device

    with app.app_context():
        _screen, token = create_device(SCREENS, {"name": "大厅"}, "t")
        hub_for(app).round()
        engine = db.engine
    asked = []

    def note(conn, cursor, statement, *args):
        if "push_groups" in statement:
            asked.append(statement)

    def connect_and_state():
        asked.clear()
        client = socketio_client(app, "/display", token=token)
        state = next(e["args"][0] for e in client.get_received("/display") if e["name"] == "state")
        client.disconnect(namespace="/display")
        return state, len(asked)

    event.listen(engine, "before_cursor_execute", note)
    try:
        first, reads = connect_and_state()
        again, reads_again = connect_and_state()
        assert (again["version"], reads_again) == (first["version"], 0)  # held, not read
        # A newer version reached the room here (another process's round): ask the database.
        server.emit("patch", {"version": first["version"] + 1, "base": first["version"], "sections": {},
                              "removed": []}, to=room_for_key("hall:0:0"), namespace=NAMESPACE)
        _state, reads = connect_and_state()
        assert reads >= 1
        # The queue stopped listening for a while (a break): what was read before is doubtful.
        connect_and_state()
        server.server.manager.breaks += 1
        _state, reads = connect_and_state()
        assert reads >= 1
        server.server.manager.listening = False
        assert [connect_and_state()[1] >= 1 for _ in range(2)] == [True, True]  # not listening: always read
    finally:
        server.server.manager.listening = True
        event.remove(engine, "before_cursor_execute", note)


def test_a_screen_acks_a_version_another_process_made_and_it_is_recorded(socketio_client, app):
    """A patch from another process's round reaches a screen through the queue, never through
    this process's hub: the screen's ack of it is still within what this process has delivered."""
    from liangbiping.admin.catalog import SCREENS
    from liangbiping.admin.extensions import db, socketio as server
    from liangbiping.admin.models import Screen
    from liangbiping.admin.push.hub import NAMESPACE, hub_for, room_for_key
    from liangbiping.admin.services.devices import create_device

    with app.app_context():
        screen, token = create_device(SCREENS, {"name": "大厅"}, "t")
        screen_id = screen.id
        hub_for(app).round()
    client = socketio_client(app, "/display", token=token)
    version = next(e["args"][0] for e in client.get_received("/display") if e["name"] == "state")["version"]
    server.emit("patch", {"version": version + 5, "base": version, "sections": {}, "removed": []},
                to=room_for_key("hall:0:0"), namespace=NAMESPACE)  # as the queue delivers another's
    assert [e["args"][0]["version"] for e in client.get_received("/display") if e["name"] == "patch"] == [version + 5]
    client.emit("ack", {"version": version + 5, "slide": "pledges"}, namespace="/display")
    client.emit("ack", {"version": version + 6, "slide": "notices"}, namespace="/display")  # never sent: ignored
    with app.app_context():
        stored = db.session.get(Screen, screen_id)
        assert (stored.applied_version, stored.current_slide) == (version + 5, "pledges")
