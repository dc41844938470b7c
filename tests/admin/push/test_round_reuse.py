"""What a round reuses from the last one (screens' keys, satisfaction figures) and when it stops."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, func, select

from liangbiping.admin.catalog import PLAYLISTS, SCREENS, STAFF
from liangbiping.admin.extensions import db
from liangbiping.admin.models import PushGroup, Rating, Screen
from liangbiping.admin.push.hub import hub_for
from liangbiping.admin.services import records
from liangbiping.admin.services.devices import create_device


@pytest.fixture
def statements(app):
    """The SQL statements run while the test runs, as a list of strings."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

        def note(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        yield seen
        event.remove(engine, "before_cursor_execute", note)


def reads_screens(seen: list[str]) -> bool:
    return any(s.lstrip().upper().startswith("SELECT") and "FROM screens" in s for s in seen)


def test_a_round_reads_the_screens_again_only_when_they_change(app, statements):
    with app.app_context():
        hub = hub_for(app)
        member = records.create(STAFF, {"name": "王芳", "employee_no": "A1", "title": "受理员", "on_duty": True}, "t")
        screen, _ = create_device(SCREENS, {"name": "大厅"}, "t")
        hub.round()

        statements.clear()
        records.update(STAFF, member, {"title": "综合受理员"}, "t")
        assert set(hub.round()) == {"hall:0:0"}
        assert not reads_screens(statements), "a member's change made the round read every screen"

        playlist = records.create(PLAYLISTS, {"name": "午间", "slides": [{"kind": "banner", "duration": 10}]}, "t")
        statements.clear()
        records.update(SCREENS, screen, {"playlist_id": playlist.id}, "t")
        pushed = hub.round()
        assert reads_screens(statements)
        key = f"hall:0:{playlist.id}"
        assert key in pushed and db.session.get(Screen, screen.id).content_key == key
        assert db.session.get(PushGroup, key).version == pushed[key]

        # the moved key was remembered: the next round does not move the screen again
        records.update(STAFF, member, {"title": "受理员"}, "t")
        statements.clear()
        assert set(hub.round()) == {key}
        assert not any(s.lstrip().upper().startswith("UPDATE screens") for s in statements)


def test_a_fresh_round_reads_everything_again(app, statements):
    with app.app_context():
        hub = hub_for(app)
        create_device(SCREENS, {"name": "大厅"}, "t")
        hub.round()
        statements.clear()
        hub.round(fresh=True)
        assert reads_screens(statements)


def test_the_satisfaction_board_follows_new_ratings(app):
    with app.app_context():
        hub = hub_for(app)
        member = records.create(STAFF, {"name": "王芳", "employee_no": "A1", "title": "受理员", "on_duty": True}, "t")
        create_device(SCREENS, {"name": "大厅"}, "t")
        hub.round()
        assert hub._cache["hall:0:0"][1]["satisfaction"]["count"] == 0
        records.update(STAFF, member, {"title": "综合受理员"}, "t")
        hub.round()  # reuses the figures: nothing was rated
        db.session.add(Rating(id=str(uuid.uuid4()), score=5, staff_id=member.id, channel="kiosk", reasons=[],
                              comment="", rated_at=datetime.now(timezone.utc)))
        db.session.commit()
        pushed = hub.round()
        assert "hall:0:0" in pushed
        assert hub._cache["hall:0:0"][1]["satisfaction"]["count"] == 1


def test_the_push_counter_row_is_created_once_whoever_gets_there_first(app):
    """Two processes' first rounds may both find no counter row and both insert it: the second
    insert waits for the first transaction, then does nothing, instead of failing."""
    import threading

    from liangbiping.admin.models import PushCounter
    from liangbiping.admin.push.hub import _create_counter

    with app.app_context():
        engine = db.engine
        errors = []

        def other_process():
            try:
                with engine.begin() as conn:
                    _create_counter(conn)  # blocks on the first one's uncommitted row, then yields to it
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        with engine.connect() as first:
            with first.begin():
                _create_counter(first)
                other = threading.Thread(target=other_process)
                other.start()
                other.join(timeout=0.3)  # it is waiting for us now
            other.join(timeout=10)
        assert not other.is_alive() and errors == []
        assert db.session.scalar(select(func.count()).select_from(PushCounter)) == 1
        create_device(SCREENS, {"name": "大厅"}, "t")
        assert set(hub_for(app).round()) == {"hall:0:0"}


def test_a_new_screen_is_not_told_to_rejoin(socketio_client, app):
    """A screen's first key is set when it connects; it is in no content room to leave yet."""
    with app.app_context():
        _screen, token = create_device(SCREENS, {"name": "大厅"}, "t")
    client = socketio_client(app, "/display", token=token)
    names = [event["name"] for event in client.get_received("/display")]
    assert "state" in names and "rejoin" not in names
