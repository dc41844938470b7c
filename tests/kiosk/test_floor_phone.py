"""A kiosk on the floor shows its "rate on your phone" code: the phone page lets the citizen pick
the window and the member on duty there, and the rating keeps the phone rules (channel qr, 24 h)."""

from __future__ import annotations

import json
import re

from liangbiping.admin.extensions import db, socketio
from liangbiping.admin.models import Rating, Staff

from .conftest import rating


def floor_state(app, hall) -> dict:
    """The state the floor kiosk receives when it connects (the Socket.IO test client, in process)."""
    kiosk = socketio.test_client(app, namespace="/kiosk", auth={"token": hall.floor_token})
    try:
        assert kiosk.is_connected("/kiosk")
        states = [e["args"][0] for e in kiosk.get_received("/kiosk") if e["name"] == "state"]
    finally:
        kiosk.disconnect(namespace="/kiosk")
    assert states, "the floor kiosk got no state"
    return states[-1]


def phone_path(app, hall) -> str:
    url = floor_state(app, hall)["phone"]["url"]
    return "/q/" + url.split("/q/", 1)[1]


def page_data(html: str) -> dict:
    match = re.search(r'<script id="phone-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the phone page carries no data"
    return json.loads(match.group(1))


def test_the_floor_kiosk_state_carries_a_phone_code(app, hall):
    state = floor_state(app, hall)
    assert state["mode"] == "floor" and state["window"] is None
    assert re.match(r"^http://[^/]+/q/[\w.\-]+$", state["phone"]["url"])
    assert "<svg" in state["phone"]["qr_svg"]


def test_the_phone_page_of_a_floor_kiosk_lists_windows_and_members_on_duty(app, client, hall):
    with app.app_context():
        db.session.add_all([
            Staff(name="王芳", title="受理员", employee_no="S003", window_id=hall.w1, on_duty=True, sort_order=5),
            Staff(name="赵磊", title="受理员", employee_no="S004", window_id=hall.w1, on_duty=False),
            Staff(name="<script>alert(1)</script>", title="<b>岗</b>", employee_no="S005", window_id=hall.w2,
                  on_duty=True),
        ])
        db.session.commit()
    response = client.get(phone_path(app, hall))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert "lbp_rater=" in response.headers.get("Set-Cookie", "")
    html = response.get_data(as_text=True)
    assert 'id="pick"' in html and 'id="rate" hidden' in html
    # The name is data, never markup: nowhere in the page as a tag, only escaped inside the JSON.
    assert "<script>alert(1)" not in html and "<b>岗" not in html
    assert "\\u003cscript\\u003e" in html
    data = page_data(html)
    assert data["staff_id"] is None and data["window_id"] is None
    windows = {w["number"]: w for w in data["windows"]}
    assert list(windows) == ["01", "02", "03", "04"]
    assert windows["01"]["id"] == hall.w1 and windows["01"]["name"] == "社保综合窗口"
    # Only the members on duty, in the kiosk's order, each with photo, name and post.
    assert [m["name"] for m in windows["01"]["members"]] == ["张三", "王芳"]
    first = windows["01"]["members"][0]
    assert first["id"] == hall.m1 and first["title"] == "窗口负责人" and "photo_url" in first
    assert [m["name"] for m in windows["02"]["members"]] == ["李四", "<script>alert(1)</script>"]
    assert windows["02"]["members"][1]["title"] == "<b>岗</b>"
    # The script's words come in the hall's language (Chinese by default), English when asked.
    assert data["strings"]["pick_window"] == "请选择为您办理业务的窗口"
    assert data["strings"]["no_windows"] == "本大厅暂无可评价的窗口。"
    english = page_data(client.get(phone_path(app, hall) + "?lang=en").get_data(as_text=True))
    assert english["strings"]["no_windows"] == "This hall has no windows to rate yet."


def test_the_phone_page_of_a_bound_kiosk_or_a_badge_is_unchanged(app, client, hall, badge_token):
    from liangbiping.admin.models import Kiosk
    from liangbiping.kiosk.qrtokens import kiosk_token, phone_url

    with app.test_request_context():
        bound = phone_url(kiosk_token(db.session.get(Kiosk, hall.kiosk)))
    html = client.get("/q/" + bound.split("/q/", 1)[1]).get_data(as_text=True)
    data = page_data(html)
    assert data["windows"] is None and data["staff_id"] == hall.m1 and data["window_id"] == hall.w1
    assert 'id="pick"' not in html and "张三" in html
    html = client.get("/q/" + badge_token(hall.m2)).get_data(as_text=True)
    assert page_data(html)["windows"] is None and 'id="pick"' not in html and "李四" in html


def test_a_rating_from_the_floor_phone_page_is_stored_for_the_picked_member(app, hall):
    phone = app.test_client()
    path = phone_path(app, hall)
    assert phone.get(path).status_code == 200  # the page gives the phone its cookie
    token = path.split("/q/", 1)[1]
    first = phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, window_id=hall.w2,
                                                      staff_id=hall.m2, score=4, reasons=[], comment="很耐心"))
    assert first.status_code == 201, first.get_json()
    stored = first.get_json()
    assert stored["staff_id"] == hall.m2 and stored["window_id"] == hall.w2 and stored["channel"] == "qr"
    assert stored["kiosk_id"] is None and stored["flagged"] is None and not stored["prompted"]
    with app.app_context():
        row = db.session.get(Rating, stored["id"])
        assert (row.staff_id, row.window_id, row.channel, row.score) == (hall.m2, hall.w2, "qr", 4)
        assert row.rater_hash and row.address_hash
    # The same phone, the same member, within 24 h: refused, nothing stored.
    again = phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, window_id=hall.w2,
                                                      staff_id=hall.m2, score=1, reasons=["slow"]))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    # Another member, or a window with nobody picked, is still welcome from this phone.
    other = phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, window_id=hall.w1,
                                                      staff_id=hall.m1))
    assert other.status_code == 201
    window_only = phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, window_id=hall.w1))
    assert window_only.status_code == 201 and window_only.get_json()["staff_id"] is None
    # A kiosk code goes with the qr channel, and the citizen must say what is rated.
    assert phone.post("/api/v1/ratings", json=rating(channel="kiosk", qr_token=token, window_id=hall.w1)).status_code == 422
    assert phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token)).status_code == 422
    with app.app_context():
        assert db.session.query(Rating).filter_by(staff_id=hall.m2).count() == 1
        assert db.session.query(Rating).count() == 3

