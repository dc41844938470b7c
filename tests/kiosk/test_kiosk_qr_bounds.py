"""A phone that scanned a kiosk's code rates what that code offers: a bound kiosk's window (and
whoever serves there), or, for a floor kiosk, a window and a member who serves at it."""

from __future__ import annotations

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating
from tests.kiosk.conftest import rating


def kiosk_qr(app, kiosk_id: int) -> str:
    from liangbiping.admin.models import Kiosk
    from liangbiping.kiosk.qrtokens import kiosk_token

    with app.test_request_context():
        return kiosk_token(db.session.get(Kiosk, kiosk_id))


def post(client, token: str, **fields):
    return client.post("/api/v1/ratings", json=rating(qr_token=token, channel="qr", **fields))


def test_a_bound_kiosks_code_rates_its_own_window_only(app, client, hall):
    token = kiosk_qr(app, hall.kiosk)  # bound to window A01, where 张三 serves
    other = post(client, token, window_id=hall.w2, staff_id=hall.m2, score=1)
    assert other.status_code == 422 and other.get_json()["error"]["details"][0]["field"] == "window_id"
    stranger = post(client, token, staff_id=hall.m2, score=1)  # 李四 serves at A02, not A01
    assert stranger.status_code == 422 and stranger.get_json()["error"]["details"][0]["field"] == "staff_id"
    ok = post(client, token, staff_id=hall.m1, score=5)
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["window_id"] == hall.w1 and ok.get_json()["staff_id"] == hall.m1
    with app.app_context():
        assert db.session.scalars(select(Rating.staff_id)).all() == [hall.m1]


def test_a_floor_kiosks_code_rates_a_member_at_the_window_picked(app, client, hall):
    token = kiosk_qr(app, hall.floor)
    mismatched = post(client, token, window_id=hall.w1, staff_id=hall.m2, score=4)
    assert mismatched.status_code == 422
    no_window = post(client, token, staff_id=hall.m2, score=4)  # a member, but at no window picked
    assert no_window.status_code == 422 and no_window.get_json()["error"]["details"][0]["field"] == "window_id"
    ok = post(client, token, window_id=hall.w2, staff_id=hall.m2, score=4)
    assert ok.status_code == 201, ok.get_json()
    assert (ok.get_json()["window_id"], ok.get_json()["staff_id"]) == (hall.w2, hall.m2)
