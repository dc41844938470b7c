"""What a round reuses from the last one (screens' keys, satisfaction figures) and when it stops."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

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


def _reads(seen: list[str], table: str) -> bool:
    return any(s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s for s in seen)


def test_a_members_edit_reads_the_members_again_and_nothing_else(app, hall, statements):
    """An edit of one member re-reads what names members (staff, pledges, honors), not the
    standards, the notices or the 三比 boards, and the screens get it."""
    from liangbiping.admin.catalog import RESOURCES
    from liangbiping.admin.models import PerformanceEntry
    from liangbiping.admin.services.settings import set_setting

    with app.test_request_context("/"):
        hub = hub_for(app)
        records.create(RESOURCES["notices"], {"title": "端午节安排", "text": "正常办公"}, "t")
        records.create(RESOURCES["honors"], {"title": "服务之星", "staff_id": hall.m1, "awarded_on": "2026-01-05"}, "t")
        records.create(RESOURCES["pledges"], {"staff_id": hall.m1, "text": "一次讲清"}, "t")
        db.session.add(PerformanceEntry(staff_id=hall.m1, month=datetime.now(timezone.utc).date().replace(day=1),
                                        handled=30, on_time=29))
        db.session.commit()
        set_setting("boards_published", ["performance"], "t")
        create_device(SCREENS, {"name": "大厅"}, "t")
        hub.round()
        member = db.session.get(STAFF.model, hall.m1)

        records.update(STAFF, member, {"title": "综合受理员"}, "t")
        statements.clear()
        pushed = hub.round()
        assert set(pushed) == {"hall:0:0"}
        assert any("staff.title" in s for s in statements)  # the members, read again
        for table in ("standards", "notices", "honors", "pledges", "performance_entries", "settings", "playlists",
                      "schedules"):
            assert not _reads(statements, table), f"a member's post made the round read {table}"
        sections = hub._cache["hall:0:0"][1]
        assert next(m for m in sections["all_members"] if m["id"] == hall.m1)["title"] == "综合受理员"
        assert sections["boards"][0]["rows"][0]["name"] == "张三"

        # a new name is on the boards too: they are built again for the new roster
        records.update(STAFF, member, {"name": "张三丰"}, "t")
        statements.clear()
        hub.round()
        assert _reads(statements, "performance_entries")
        sections = hub._cache["hall:0:0"][1]
        assert sections["boards"][0]["rows"][0]["name"] == "张三丰"
        assert sections["honors"][0]["name"] == "张三丰" and sections["pledges"][0]["by"] == "张三丰"

        # a member who leaves takes their honors and pledges off the screens (the database deletes them)
        records.delete(STAFF, member, "t")
        hub.round()
        sections = hub._cache["hall:0:0"][1]
        assert sections["honors"] == [] and [p["by"] for p in sections["pledges"]] == []

        # a notice's edit reads the notices again, and nothing of the members
        notice = db.session.scalars(select(RESOURCES["notices"].model)).one()
        records.update(RESOURCES["notices"], notice, {"title": "端午节办公安排"}, "t")
        statements.clear()
        hub.round()
        assert _reads(statements, "notices") and not any("staff.title" in s for s in statements)
        assert hub._cache["hall:0:0"][1]["notices"][0]["title"] == "端午节办公安排"


def test_kept_parts_follow_the_clock(app, statements):
    """Notices and schedules kept from an earlier round still start and end on time: what is
    kept is filtered by each round's clock, and the schedules outlive the session that read them."""
    from datetime import timedelta

    from liangbiping.admin.catalog import RESOURCES

    with app.test_request_context("/"):
        hub = hub_for(app)
        soon = datetime.now(timezone.utc) + timedelta(minutes=5)
        records.create(RESOURCES["notices"], {"title": "系统维护", "text": "暂停办理", "ends_at": soon.isoformat()}, "t")
        playlist = records.create(PLAYLISTS, {"name": "夜间", "slides": [{"kind": "banner", "duration": 10}]}, "t")
        screen, _ = create_device(SCREENS, {"name": "大厅"}, "t")
        screen_id = screen.id
        records.create(RESOURCES["schedules"], {"name": "全天", "playlist_id": playlist.id, "screen_id": screen_id,
                                                "weekdays": list(range(7)), "start_time": "00:00"}, "t")
        hub.round()
        key = f"hall:0:{playlist.id}"
        assert [n["title"] for n in hub._cache[key][1]["notices"]] == ["系统维护"]
        db.session.remove()  # the rows read are gone with their session; the kept parts are plain copies
        records.update(SCREENS, db.session.get(Screen, screen_id), {"name": "大厅主屏"}, "t")
        statements.clear()
        hub.round()  # the screens read again, their keys from the kept schedules
        assert reads_screens(statements) and not _reads(statements, "schedules")
        assert db.session.get(Screen, screen_id).content_key == key
        hub.round(now=soon + timedelta(seconds=1))
        assert hub._cache[key][1]["notices"] == []


def test_reports_of_a_screen_deleted_meanwhile_are_dropped_not_the_batch(app):
    """Heartbeats wait to be written in a batch; a screen deleted before it is written (by
    another process, say) must not make the others' reports fail with it."""
    from sqlalchemy import delete

    with app.app_context():
        hub = hub_for(app)
        kept, _ = create_device(SCREENS, {"name": "大厅"}, "t")
        gone, _ = create_device(SCREENS, {"name": "走廊"}, "t")
        kept_id, gone_id = kept.id, gone.id
        hub._reports[(Screen, kept_id)] = {"resolution": "1920x1080"}
        hub._reports[(Screen, gone_id)] = {"resolution": "1280x720"}
        db.session.execute(delete(Screen).where(Screen.id == gone_id))
        db.session.commit()
        before = datetime.now(timezone.utc)
        assert hub.flush_reports() == 2
        db.session.expire_all()
        kept = db.session.get(Screen, kept_id)
        assert kept.resolution == "1920x1080" and kept.last_seen_at >= before - timedelta(seconds=1)


def test_a_provinces_acks_of_one_push_are_written_by_a_few_statements(app):
    """After a push every screen acks the same version: one UPDATE for all that say the same
    (in chunks of a thousand), each screen's own report where it differs, each row written."""
    from sqlalchemy import insert

    with app.app_context():
        hub = hub_for(app)
        db.session.execute(insert(Screen), [{"name": f"屏{n}", "token_hash": f"h{n}", "kind": "hall"} for n in range(2500)])
        db.session.commit()
        ids = db.session.scalars(select(Screen.id).order_by(Screen.id)).all()
        for screen_id in ids:
            hub._reports[(Screen, screen_id)] = {"applied_version": 7, "current_slide": "pledges"}
        odd = ids[10]
        hub._reports[(Screen, odd)] = {"applied_version": 6, "current_slide": "notices", "resolution": "1080x1920"}
        updates = []
        engine = db.engine

        def note(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("UPDATE SCREENS"):
                updates.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            assert hub.flush_reports() == 2500
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert len(updates) == 4  # 2,499 alike in three chunks, the odd one alone
        db.session.expire_all()
        rows = {row.id: row for row in db.session.execute(select(Screen.id, Screen.applied_version, Screen.current_slide,
                                                                 Screen.resolution, Screen.last_seen_at))}
        assert all(row.applied_version == 7 and row.current_slide == "pledges" and row.last_seen_at is not None
                   for screen_id, row in rows.items() if screen_id != odd)
        assert (rows[odd].applied_version, rows[odd].current_slide, rows[odd].resolution) == (6, "notices", "1080x1920")


def test_a_screen_connecting_while_a_round_pushes_ends_with_the_newest_state(socketio_client, app, monkeypatch):
    """The connect handler joins its key's room, then reads the state: a round pushing in between
    skips the socket (held until its state is read) and is in the state; a round just before the
    join is in the state. Either way the screen holds the newest state, with nothing before it,
    and the room's next patch reaches it."""
    with app.app_context():
        hub = hub_for(app)
        member = records.create(STAFF, {"name": "王芳", "employee_no": "A1", "title": "受理员", "on_duty": True}, "t")
        member_id = member.id
        _screen, token = create_device(SCREENS, {"name": "大厅"}, "t")
        hub.round()
        before = hub.version_of("hall:0:0")
    real = type(hub).state_of
    calls = []

    def a_round_then_state_of(self, key):
        calls.append(key)
        if len(calls) == 1:  # another greenlet's edit and round, once this screen is in the room
            records.update(STAFF, db.session.get(STAFF.model, member_id), {"title": "综合受理员"}, "t")
            self.round()
        return real(self, key)

    monkeypatch.setattr(type(hub), "state_of", a_round_then_state_of)
    client = socketio_client(app, "/display", token=token)
    received = [(e["name"], e["args"][0]) for e in client.get_received("/display") if e["name"] in ("state", "patch")]
    states = [payload for name, payload in received if name == "state"]
    with app.app_context():
        newest = hub.version_of("hall:0:0")
    assert newest > before and [(name, payload["version"]) for name, payload in received] == [("state", newest)]
    titles = [m["title"] for m in states[-1]["sections"]["all_members"]]
    assert titles == ["综合受理员"]
    with app.app_context():  # it is in the room
        records.update(STAFF, db.session.get(STAFF.model, member_id), {"title": "首席受理员"}, "t")
        hub.round()
    patches = [e["args"][0] for e in client.get_received("/display") if e["name"] == "patch"]
    assert [p["base"] for p in patches] == [newest] and patches[0]["version"] > newest
