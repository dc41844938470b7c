"""kiosk_state: what a kiosk shows, for a kiosk at a window and one on the floor; pushed from anywhere."""

from __future__ import annotations

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, Staff


def test_window_and_floor_kiosk_states(app, hall, prompt_for):
    from liangbiping.kiosk.state import kiosk_state

    with app.test_request_context(base_url="http://192.168.1.20:8000/"):
        state = kiosk_state(db.session.get(Kiosk, hall.kiosk))
        assert state["mode"] == "window" and state["member"]["name"] == "张三" and state["member"]["is_party_member"]
        assert state["phone"]["url"].startswith("http://192.168.1.20:8000/q/")
        floor = kiosk_state(db.session.get(Kiosk, hall.floor))
        assert floor["mode"] == "floor" and floor["member"] is None
        assert [w["number"] for w in floor["windows"]] == ["01", "02", "03", "04"]
        assert floor["windows"][1]["members"][0]["name"] == "李四"
        later = kiosk_state(db.session.get(Kiosk, hall.kiosk))
        assert later["version"] > state["version"]
        db.session.get(Staff, hall.m1).on_duty = False
        db.session.commit()
        assert kiosk_state(db.session.get(Kiosk, hall.kiosk))["member"] is None
    prompt_for(hall.m2, "P-9", kiosk_id=hall.floor)
    with app.test_request_context():
        floor = kiosk_state(db.session.get(Kiosk, hall.floor))
        assert floor["prompt"]["member"]["name"] == "李四" and floor["prompt"]["case_no"] == "P-9"


def test_push_kiosks_works_outside_a_request(socketio_client, app, hall):
    """The push hub's worker has an app context only: the QR links still get a base address, the
    one the kiosk connected to (a hall's LAN address), or the hall's public address once it is set."""
    from liangbiping.admin.services.settings import set_setting
    from liangbiping.kiosk.events import push_kiosks

    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token,
                                 headers={"Host": "192.168.1.20:8000"})
    assert kiosk.is_connected("/kiosk")
    kiosk.get_received("/kiosk")

    def pushed_phone_urls():
        return [e["args"][0]["phone"]["url"] for e in kiosk.get_received("/kiosk") if e["name"] == "state"]

    with app.app_context():
        # The kiosks connected to this process: the floor kiosk is not (no socket, no state drawn).
        assert push_kiosks() == 1
        assert push_kiosks(window_id=hall.w2) == 0
        assert push_kiosks(window_id=hall.w1) == 1
    urls = pushed_phone_urls()
    assert len(urls) == 2 and all(u.startswith("http://192.168.1.20:8000/q/") for u in urls), urls
    floor = socketio_client(app, "/kiosk", token=hall.floor_token)
    with app.app_context():
        assert push_kiosks(window_id=hall.w2) == 1  # the floor kiosk, now connected
    assert [e["name"] for e in floor.get_received("/kiosk")] == ["state", "state"]
    assert pushed_phone_urls() == []  # not the window kiosk
    floor.disconnect("/kiosk")

    with app.test_request_context("/"):
        set_setting("public_url", "https://hall.example.cn", "test")
    with app.app_context():
        push_kiosks(window_id=hall.w1)
    (url,) = pushed_phone_urls()
    assert url.startswith("https://hall.example.cn/q/"), url
    kiosk.disconnect("/kiosk")


def test_a_push_to_every_kiosk_reads_the_hall_once(socketio_client, app, hall, prompt_for):
    """A change pushed to a hall's kiosks reads the hall once, not once per kiosk, and each kiosk
    still gets its own state: its window's members, its own prompt, its own phone code."""
    from sqlalchemy import event

    from liangbiping.admin.catalog import RESOURCES
    from liangbiping.admin.services.devices import create_device
    from liangbiping.kiosk.events import push_kiosks
    from liangbiping.kiosk.state import kiosk_state

    def selects_while(action) -> int:
        seen = []

        def note(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(seen)

    sockets = [socketio_client(app, "/kiosk", token=token) for token in (hall.kiosk_token, hall.floor_token)]
    with app.app_context():
        assert push_kiosks() == 2  # what is read once a process (settings, the compiled queries) is read
        two = selects_while(push_kiosks)
        for n in range(6):
            _kiosk, token = create_device(RESOURCES["kiosks"], {"name": f"{n + 2:02d} 评价器", "window_id": hall.w2},
                                          "test")
            sockets.append(socketio_client(app, "/kiosk", token=token))
        assert push_kiosks() == 8
        eight = selects_while(push_kiosks)
        assert eight - two <= 6, (two, eight)  # at most the kiosk rows' own reads, none per member or window
    assert all(s.is_connected("/kiosk") for s in sockets)
    prompt_for(hall.m2, "P-7", kiosk_id=hall.floor)
    with app.test_request_context():
        from liangbiping.kiosk.state import HallView

        view = HallView()
        for kiosk in db.session.scalars(db.select(Kiosk)):
            alone, shared = kiosk_state(kiosk), view.state(kiosk)
            for state in (alone, shared):
                state.pop("version"), state.pop("server_time")
            assert alone == shared, kiosk.name
        floor = view.state(db.session.get(Kiosk, hall.floor))
        assert floor["prompt"]["case_no"] == "P-7"
        assert view.state(db.session.get(Kiosk, hall.kiosk))["prompt"] is None
