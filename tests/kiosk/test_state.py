"""kiosk_state: what a kiosk shows, for a kiosk at a window and one on the floor; pushed from anywhere."""

from __future__ import annotations

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, Staff


def test_window_and_floor_kiosk_states(app, hall, prompt_for):
    from liangbiping.kiosk.state import kiosk_state

    with app.test_request_context(base_url="http://192.168.1.20:8000/"):
        state = kiosk_state(db.session.get(Kiosk, hall.kiosk))
        assert state["mode"] == "window" and state["member"]["name"] == "张丽" and state["member"]["is_party_member"]
        assert state["phone"]["url"].startswith("http://192.168.1.20:8000/q/")
        floor = kiosk_state(db.session.get(Kiosk, hall.floor))
        assert floor["mode"] == "floor" and floor["member"] is None
        assert [w["number"] for w in floor["windows"]] == ["A01", "A02"]
        assert floor["windows"][1]["members"][0]["name"] == "李强"
        later = kiosk_state(db.session.get(Kiosk, hall.kiosk))
        assert later["version"] > state["version"]
        db.session.get(Staff, hall.zhang).on_duty = False
        db.session.commit()
        assert kiosk_state(db.session.get(Kiosk, hall.kiosk))["member"] is None
    prompt_for(hall.li, "P-9", kiosk_id=hall.floor)
    with app.test_request_context():
        floor = kiosk_state(db.session.get(Kiosk, hall.floor))
        assert floor["prompt"]["member"]["name"] == "李强" and floor["prompt"]["case_no"] == "P-9"


def test_push_kiosks_works_outside_a_request(app, hall):
    """The push hub's worker has an app context only: the QR links still get a base address."""
    from liangbiping.kiosk.events import push_kiosks

    with app.app_context():
        assert push_kiosks() == 2
        assert push_kiosks(window_id=hall.w2) == 1  # the floor kiosk
