"""Every rating lands on the member who served: window A01 of the demo hall has two members on
duty (刘晓燕 and 王磊), and each of them gets their own ratings, complaints and ledger entries,
whether the citizen taps the window's kiosk, scans the window screen, the kiosk's phone code or
a badge."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, Rating, Rectification, Screen, Staff, Suggestion
from tests.kiosk.conftest import rating


def _state(demo, number):
    from liangbiping.kiosk.state import kiosk_state

    with demo.app.test_request_context("/"):
        return kiosk_state(db.session.get(Kiosk, demo.kiosk(number)))


def stored_rating(demo, rating_id):
    with demo.app.app_context():
        row = db.session.get(Rating, rating_id)
        return None if row is None else (row.staff_id, row.window_id)


def _entries(demo, rating_id):
    with demo.app.app_context():
        return [(e.staff_id, e.department_id) for e in
                db.session.scalars(select(Rectification).where(Rectification.rating_id == rating_id))]


def test_the_kiosk_at_a_two_member_window_offers_both_members(demo):
    state = _state(demo, "A01")
    assert state["mode"] == "window"
    assert [m["name"] for m in state["members"]] == ["刘晓燕", "王磊"]
    assert all(m["photo_url"] for m in state["members"])
    assert state["member"] is None  # nobody is assumed: the citizen picks
    one = _state(demo, "B01")  # 孙浩 alone at B01
    assert one["member"]["name"] == "孙浩" and [m["name"] for m in one["members"]] == ["孙浩"]


def test_a_kiosk_rating_for_the_second_member_lands_on_him_with_its_ledger_entry(demo):
    client = demo.app.test_client()
    wang, liu, a01 = demo.member("王磊"), demo.member("刘晓燕"), demo.window("A01")
    body = rating(kiosk_token=demo.kiosk_token("A01"), staff_id=wang, score=1, reasons=["attitude"],
                  comment="态度冷淡")
    answer = client.post("/api/v1/ratings", json=body)
    assert answer.status_code == 201, answer.get_json()
    assert stored_rating(demo, body["id"]) == (wang, a01)
    with demo.app.app_context():
        dept = db.session.get(Staff, wang).department_id
    assert _entries(demo, body["id"]) == [(wang, dept)]
    good = rating(kiosk_token=demo.kiosk_token("A01"), staff_id=liu, score=5)
    assert client.post("/api/v1/ratings", json=good).status_code == 201
    assert stored_rating(demo, good["id"]) == (liu, a01)


def test_a_kiosk_refuses_a_member_who_does_not_serve_at_its_window(demo):
    client = demo.app.test_client()
    sun = demo.member("孙浩")  # B01
    body = rating(kiosk_token=demo.kiosk_token("A01"), staff_id=sun, score=1, reasons=["slow"])
    answer = client.post("/api/v1/ratings", json=body)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"][0]["field"] == "staff_id"
    assert stored_rating(demo, body["id"]) is None and _entries(demo, body["id"]) == []


def test_a_badge_rates_its_own_member_at_their_own_window_only(demo):
    from liangbiping.kiosk.qrtokens import badge_token

    client = demo.app.test_client()
    wang, a01, b01 = demo.member("王磊"), demo.window("A01"), demo.window("B01")
    with demo.app.test_request_context():
        token = badge_token(db.session.get(Staff, wang))
    elsewhere = rating(qr_token=token, channel="qr", window_id=b01, score=1, reasons=["attitude"])
    refused = client.post("/api/v1/ratings", json=elsewhere)
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "window_id"
    assert stored_rating(demo, elsewhere["id"]) is None and _entries(demo, elsewhere["id"]) == []
    with demo.app.app_context():
        assert db.session.scalar(select(Rectification.id).where(Rectification.window_id == b01,
                                                                Rectification.staff_id == wang)) is None
    someone_else = rating(qr_token=token, channel="qr", staff_id=demo.member("刘晓燕"), score=1)
    assert client.post("/api/v1/ratings", json=someone_else).status_code == 422
    own = rating(qr_token=token, channel="qr", score=4)
    assert client.post("/api/v1/ratings", json=own).status_code == 201
    assert stored_rating(demo, own["id"]) == (wang, a01)
    named = rating(qr_token=token, channel="qr", window_id=a01, score=5)  # its own window, said aloud
    client.delete_cookie("lbp_rater")
    assert client.post("/api/v1/ratings", json=named).status_code == 201
    assert stored_rating(demo, named["id"]) == (wang, a01)


def test_a_badge_suggestion_cannot_name_another_member(demo):
    from liangbiping.kiosk.qrtokens import badge_token

    client = demo.app.test_client()
    wang = demo.member("王磊")
    with demo.app.test_request_context():
        token = badge_token(db.session.get(Staff, wang))
    wrong = client.post("/api/v1/suggestions", json={"kind": "complaint", "text": "服务差", "channel": "qr",
                                                     "qr_token": token, "staff_id": demo.member("刘晓燕")})
    assert wrong.status_code == 422
    right = client.post("/api/v1/suggestions", json={"kind": "complaint", "text": "服务差", "channel": "qr",
                                                     "qr_token": token})
    assert right.status_code == 201, right.get_json()
    with demo.app.app_context():
        item = db.session.scalar(select(Suggestion).where(Suggestion.receipt == right.get_json()["receipt"]))
        assert (item.staff_id, item.window_id) == (wang, demo.window("A01"))


def test_the_window_screen_offers_a_code_for_each_member_on_duty(demo):
    from liangbiping.admin.push.hub import hub_for

    client = demo.app.test_client()
    with demo.app.test_request_context("/"):
        screen = db.session.get(Screen, demo.screen("A01"))
        _key, state = hub_for(demo.app).state_for(screen)
    codes = state["sections"]["rating_codes"]
    assert [c["name"] for c in codes] == ["刘晓燕", "王磊"]
    for code in codes:
        page = client.get(code["url"])
        assert page.status_code == 200
        data = json.loads(re.search(r'<script id="phone-data" type="application/json">(.*?)</script>',
                                    page.get_data(as_text=True)).group(1))
        assert data["staff_id"] == code["staff_id"]
        body = rating(qr_token=data["token"], channel="qr", staff_id=code["staff_id"], score=2, reasons=["slow"])
        client.delete_cookie("lbp_rater")
        assert client.post("/api/v1/ratings", json=body).status_code == 201
        assert stored_rating(demo, body["id"]) == (code["staff_id"], demo.window("A01"))


def test_the_window_kiosks_phone_code_asks_which_member_served(demo):
    client = demo.app.test_client()
    state = _state(demo, "A01")
    page = client.get(state["phone"]["url"].replace("http://localhost", ""))
    assert page.status_code == 200
    data = json.loads(re.search(r'<script id="phone-data" type="application/json">(.*?)</script>',
                                page.get_data(as_text=True)).group(1))
    assert data["staff_id"] is None
    assert [[m["name"] for m in w["members"]] for w in data["windows"]] == [["刘晓燕", "王磊"]]
    wang = demo.member("王磊")
    body = rating(qr_token=data["token"], channel="qr", staff_id=wang, window_id=demo.window("A01"), score=3)
    assert client.post("/api/v1/ratings", json=body).status_code == 201
    assert stored_rating(demo, body["id"]) == (wang, demo.window("A01"))


def test_the_kiosk_button_starts_a_prompt_for_the_member_who_asks(socketio_client, demo):
    kiosk = socketio_client(demo.app, "/kiosk", token=demo.kiosk_token("A01"))
    assert kiosk.is_connected(namespace="/kiosk")
    unnamed = kiosk.emit("start_prompt", {"case_no": "SB-1"}, namespace="/kiosk", callback=True)
    assert unnamed == {"ok": False, "error": "no_member"}  # two on duty: whose prompt would it be?
    stranger = kiosk.emit("start_prompt", {"staff_id": demo.member("孙浩")}, namespace="/kiosk", callback=True)
    assert stranger["ok"] is False
    wang = demo.member("王磊")
    ack = kiosk.emit("start_prompt", {"staff_id": wang, "case_no": "SB-2"}, namespace="/kiosk", callback=True)
    assert ack["ok"] is True
    state = _state(demo, "A01")
    assert state["prompt"]["member"]["id"] == wang and state["prompt"]["case_no"] == "SB-2"
    kiosk.disconnect(namespace="/kiosk")


def test_members_mark_themselves_on_duty_or_away_and_the_kiosk_follows(demo):
    from tests.factories import csrf_token

    client = demo.sign_in("liuxiaoyan")
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'id="my-duty"' in dashboard
    away = client.post("/admin/my-duty", data={"on_duty": "0", "csrf_token": csrf_token(client)})
    assert away.status_code == 302
    state = _state(demo, "A01")
    assert [m["name"] for m in state["members"]] == ["王磊"] and state["member"]["name"] == "王磊"
    client.post("/admin/my-duty", data={"on_duty": "1", "csrf_token": csrf_token(client)})
    assert [m["name"] for m in _state(demo, "A01")["members"]] == ["刘晓燕", "王磊"]
    with demo.app.app_context():
        from liangbiping.admin.models import AuditEntry

        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "staff",
                                                             AuditEntry.actor.like("%liuxiaoyan%")))
