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
        assert push_kiosks() == 2
        assert push_kiosks(window_id=hall.w2) == 1  # the floor kiosk
        assert push_kiosks(window_id=hall.w1) == 2
    urls = pushed_phone_urls()
    assert len(urls) == 2 and all(u.startswith("http://192.168.1.20:8000/q/") for u in urls), urls

    with app.test_request_context("/"):
        set_setting("public_url", "https://hall.example.cn", "test")
    with app.app_context():
        push_kiosks(window_id=hall.w1)
    (url,) = pushed_phone_urls()
    assert url.startswith("https://hall.example.cn/q/"), url
    kiosk.disconnect("/kiosk")
