"""Wishes and errands (心愿 / 代办): a citizen asks by phone or at a kiosk and gets a receipt code; a
member of the window's department takes it on and closes it with what was done; the citizen confirms
(不满意 opens it again); bad input is refused in the error shape with nothing stored."""

from __future__ import annotations

import re

import pytest

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Wish
from tests.factories import csrf_token, make_user, sign_in

API = "/api/v1"


@pytest.fixture
def people(app, hall):
    with app.app_context():
        make_user("staff", staff_id=hall.m1, username="zhang")   # 社会保障科, window 01
        make_user("staff", staff_id=hall.m3, username="wang")    # the other department
    return hall


def _receipt(html: str) -> str:
    return re.search(r'id="wish-receipt">([A-Z0-9]+)<', html).group(1)


def test_a_wish_from_a_phone_until_the_citizen_is_satisfied(app, people):
    hall = people
    phone = app.test_client()
    form = phone.get(f"/w/?window={hall.w1}").get_data(as_text=True)
    assert 'id="wish-form"' in form and "01" in form
    sent = phone.post(f"/w/?window={hall.w1}", data={"kind": "errand", "text": "帮我把材料转交给医保科 13800001111",
                                                       "contact": "13912345678"})
    assert sent.status_code == 200
    receipt = _receipt(sent.get_data(as_text=True))
    assert "<svg" in sent.get_data(as_text=True)
    waiting = phone.get(f"/w/{receipt}")
    assert waiting.status_code == 200 and 'id="wish-state"' in waiting.get_data(as_text=True)

    zhang, wang = sign_in(app, "zhang"), sign_in(app, "wang")
    with app.app_context():
        wish_id = db.session.query(Wish).filter_by(receipt=receipt).one().id
    assert f'id="wish-{wish_id}"' in zhang.get("/admin/wishes/").get_data(as_text=True)
    assert f'id="wish-{wish_id}"' not in wang.get("/admin/wishes/").get_data(as_text=True)
    assert "139****5678" in zhang.get("/admin/wishes/").get_data(as_text=True)
    assert wang.post(f"/admin/wishes/{wish_id}/claim", data={"csrf_token": csrf_token(wang)}).status_code == 404
    assert zhang.post(f"/admin/wishes/{wish_id}/claim", data={"csrf_token": csrf_token(zhang)}).status_code == 303
    assert zhang.post(f"/admin/wishes/{wish_id}/done", data={"csrf_token": csrf_token(zhang), "note": ""}).status_code \
        == 303  # refused with a message: nothing changes
    with app.app_context():
        assert db.session.get(Wish, wish_id).state == "claimed"
    zhang.post(f"/admin/wishes/{wish_id}/done", data={"csrf_token": csrf_token(zhang), "note": "已转交医保科李科长"})

    page = phone.get(f"/w/{receipt}").get_data(as_text=True)
    assert "已转交医保科李科长" in page and 'id="wish-dissatisfied"' in page
    # not satisfied: open again, for anyone of the department to take on
    assert phone.post(f"/w/{receipt}", data={"verdict": "dissatisfied"}).status_code == 200
    with app.app_context():
        wish = db.session.get(Wish, wish_id)
        assert (wish.state, wish.staff_id, wish.reopened) == ("open", None, 1)
    zhang.post(f"/admin/wishes/{wish_id}/claim", data={"csrf_token": csrf_token(zhang)})
    zhang.post(f"/admin/wishes/{wish_id}/done", data={"csrf_token": csrf_token(zhang), "note": "已陪同办结"})
    assert 'id="wish-verdict"' in phone.post(f"/w/{receipt}", data={"verdict": "satisfied"}).get_data(as_text=True)
    assert phone.post(f"/w/{receipt}", data={"verdict": "dissatisfied"}).status_code == 409  # once
    with app.app_context():
        wish = db.session.get(Wish, wish_id)
        assert (wish.state, wish.verdict, wish.staff_id) == ("done", "satisfied", hall.m1)
        actors = [a.actor for a in db.session.query(AuditEntry).filter_by(entity="wish", entity_id=str(wish_id))]
        assert len(actors) == 6 and "citizen" in actors
        from liangbiping.admin.wishes import service

        shown = service.for_screens(wish.created_at.replace(day=1, hour=0), wish.done_at.replace(year=2200))
        assert shown["month_count"] == 1 and "13800001111" not in shown["latest"][0]["text"]
        assert "****" in shown["latest"][0]["text"]
    # fulfilled, it counts in 比业绩 for 张三 (a case handled on time) and shows on his record
    with app.test_request_context("/"):
        from liangbiping.admin.campaign import boards

        assert boards.performance_values(boards.current_period("month"))[hall.m1]["wishes"] == 1
        db.session.remove()
    assert "已完成心愿与代办：1 件" in zhang.get(f"/admin/members/{hall.m1}").get_data(as_text=True)


def test_the_api_and_bad_input(app, client, people, make_token):
    hall = people
    made = client.post(f"{API}/wishes", json={"text": "想预约周六办理", "channel": "kiosk", "kiosk_token": hall.kiosk_token})
    assert made.status_code == 201, made.get_json()
    wish = made.get_json()
    assert re.fullmatch(r"[A-Z0-9]{8}", wish["receipt"]) and wish["state"] == "open"
    for body, status in (({"text": ""}, 422), ({"text": "\x00"}, 422), ({"text": "字" * 1001}, 422),
                         ({"text": 5}, 422), ({"text": "帮忙", "contact": "12345"}, 422),
                         ({"text": "帮忙", "channel": "kiosk", "kiosk_token": "forged"}, 401),
                         ({"text": "帮忙", "window_id": 99999}, 422), ({"text": "帮忙", "extra": 1}, 422)):
        answer = client.post(f"{API}/wishes", json=body)
        assert answer.status_code == status, (body, answer.get_json())
        assert set(answer.get_json()) == {"error"}
    with app.app_context():
        assert db.session.query(Wish).count() == 1
        stored = db.session.query(Wish).one()
        assert stored.window_id == hall.w1 and stored.department_id == hall.d1  # the kiosk's window
    confirm = client.post(f"{API}/wishes/confirm", json={"receipt": wish["receipt"], "verdict": "satisfied"})
    assert confirm.status_code == 409 and confirm.get_json()["error"]["code"] == "wish_not_done"
    assert client.post(f"{API}/wishes/confirm", json={"receipt": "NOSUCH22", "verdict": "satisfied"}).status_code == 404
    admin = make_token("admin")
    listing = client.get(f"{API}/wishes", headers=admin).get_json()
    assert [w["receipt"] for w in listing["items"]] == [wish["receipt"]]
    # an admin with no member of their own cannot take it on; the API answers in the error shape
    taken = client.post(f"{API}/wishes/{wish['id']}/transition", headers=admin, json={"action": "claim"})
    assert taken.status_code == 403 and taken.get_json()["error"]["code"] == "not_a_member"
    assert client.get(f"{API}/wishes").status_code == 401
