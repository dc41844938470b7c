"""Events for other systems: written in the transaction of their change (the outbox), delivered
signed to a real local HTTP receiver, retried with backoff, in order per rectification."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.integration import delivery
from liangbiping.admin.models import OutboxEvent, Rating, WebhookDelivery
from liangbiping.admin.models.types import utcnow
from tests.admin.integration.conftest import Receiver, deliver, verify
from tests.kiosk.conftest import rating

CORE = {"id", "score", "staff_id", "window_id", "channel", "reasons", "comment", "flagged", "rated_at", "received_at"}


def events_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxEvent))


def test_a_rating_is_delivered_signed_with_the_contract_headers(app, client, hall, receiver, subscribe):
    subscribe(receiver, ["rating.created"])
    sent = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=4,
                                                      contact="13900001111"))
    assert sent.status_code == 201
    assert deliver(app) == 1
    (item,) = receiver.received
    head, body = item["headers"], json.loads(item["raw"])
    assert head["X-Liangbiping-Event"] == "rating.created" and head["X-Liangbiping-Delivery"] == body["id"]
    assert verify(receiver.secret, item["raw"], head["X-Liangbiping-Signature"])
    assert not verify("another-secret-entirely", item["raw"], head["X-Liangbiping-Signature"])
    t = int(dict(p.split("=", 1) for p in head["X-Liangbiping-Signature"].split(","))["t"])
    assert abs(t - utcnow().timestamp()) < 300
    assert set(body) == {"id", "type", "created_at", "data"} and body["type"] == "rating.created"
    assert CORE <= set(body["data"]) and body["data"]["id"] == sent.get_json()["id"] and body["data"]["score"] == 4
    assert "contact" not in body["data"]  # a citizen's phone stays in the hall in the standard format
    # Delivered once: another round sends nothing.
    assert deliver(app) == 0 and len(receiver.received) == 1


def test_no_subscriber_no_event_and_a_rolled_back_change_leaves_none(app, client, hall, receiver, subscribe):
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token)).status_code == 201
    assert events_stored(app) == 0  # nobody subscribes: the intake writes nothing more
    subscribe(receiver, ["rating.created"])
    with app.app_context():
        db.session.add(Rating(id="00000000-0000-4000-8000-000000000001", score=5, channel="kiosk", reasons=[],
                              comment="", window_id=hall.w1, rated_at=utcnow(), received_at=utcnow()))
        db.session.flush()
        db.session.rollback()
    assert events_stored(app) == 0
    assert deliver(app) == 0 and receiver.received == []
    with app.app_context():  # the same change committed: its event is there, in the same commit
        db.session.add(Rating(id="00000000-0000-4000-8000-000000000002", score=5, channel="kiosk", reasons=[],
                              comment="", window_id=hall.w1, rated_at=utcnow(), received_at=utcnow()))
        db.session.commit()
    assert events_stored(app) == 1


def test_every_event_type(app, client, hall, receiver, subscribe, admin_headers, badge_token, integration_headers):
    from liangbiping.admin.integration.prompts import expire_due

    subscribe(receiver, ["rating.created", "rectification.changed", "suggestion.created", "prompt.expired"])
    bad = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=1,
                                                     reasons=["slow"], comment="等了很久"))
    assert bad.status_code == 201
    sent = client.post("/api/v1/suggestions", json={"kind": "suggestion", "text": "多设座椅", "channel": "qr",
                                                    "qr_token": badge_token(hall.m1)})
    assert sent.status_code == 201
    made = client.post("/api/v1/prompts", headers=integration_headers,
                       json={"case_no": "C-9", "staff_id": hall.m3, "expires_in": 60}).get_json()
    with app.test_request_context("/"):
        assert expire_due(utcnow() + timedelta(minutes=2)) == 1
    deliver(app)
    got = {b["type"]: b for b in receiver.accepted()}
    assert set(got) == {"rating.created", "rectification.changed", "suggestion.created", "prompt.expired"}
    assert got["rating.created"]["data"]["id"] == bad.get_json()["id"]
    step = got["rectification.changed"]["data"]
    assert step["rating_id"] == bad.get_json()["id"] and step["state"] == "open" and step["step"]["action"] == "open"
    assert got["suggestion.created"]["data"]["receipt"] == sent.get_json()["receipt"]
    assert got["prompt.expired"]["data"]["id"] == made["id"] and got["prompt.expired"]["data"]["case_no"] == "C-9"


def test_a_rectifications_steps_arrive_in_order_even_when_one_is_refused(app, client, hall, receiver, subscribe,
                                                                         admin_headers, make_user):
    subscribe(receiver, ["rectification.changed"])
    leader = make_user("leader")
    entry = client.post("/api/v1/rectifications", headers=admin_headers,
                        json={"problem": "窗口离岗未挂牌", "staff_id": hall.m1, "measure": "培训",
                              "deadline": "2030-01-10", "responsible_id": hall.m1}).get_json()
    patched = client.patch(f"/api/v1/rectifications/{entry['id']}", headers=admin_headers, json={"leader_id": leader, "measure": "岗前培训并挂牌"})
    assert patched.status_code == 200, patched.get_json()
    for action in ("verify", "start"):
        assert client.post(f"/api/v1/rectifications/{entry['id']}/transition", headers=admin_headers,
                           json={"action": action}).status_code == 200
    receiver.status = 500  # the first step is refused: none after it may overtake it
    now = utcnow()
    with app.test_request_context("/"):
        counts = delivery.run_once(now)
        assert counts["tried"] == 1 and counts["delivered"] == 0
        assert delivery.run_once(now + timedelta(seconds=5))["tried"] == 0  # backing off
        receiver.status = 200
        delivery.run_until_idle(now + timedelta(seconds=11))
        db.session.remove()
    actions = [b["data"]["step"]["action"] for b in receiver.accepted()]
    assert actions == ["open", "update", "verify", "start"]


def test_a_receiver_answering_500_forever_is_retried_with_backoff_and_blocks_nothing(app, client, hall, subscribe):
    broken, healthy = Receiver(), Receiver()
    try:
        broken.status = 500
        subscribe(broken, ["rating.created"])
        subscribe(healthy, ["rating.created"])
        for _ in range(3):
            assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token)).status_code == 201
        backoff = delivery.Backoff(first=10, factor=2, cap=80, attempts=6)
        t = utcnow()
        tries = []
        with app.test_request_context("/"):
            for step in range(0, 400, 5):
                before = len(broken.received)
                delivery.run_once(t + timedelta(seconds=step), backoff)
                if len(broken.received) > before:
                    tries.append(step)
            failed = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.state == "failed")).all()
            db.session.remove()
        # Tries at 0, 10, 30, 70, 150, 230 (10, 20, 40, 80, 80 apart): six, then failed for good.
        assert tries == [0, 10, 30, 70, 150, 230]
        assert len(failed) == 3 and all(d.attempts == 6 and d.last_status == 500 for d in failed)
        assert len(healthy.accepted()) == 3  # the other endpoint got everything at once
        ids = {json.loads(i["raw"])["id"] for i in broken.received}
        assert len(ids) == 3 and len(broken.received) == 18  # the same three ids, six times each
        # The intake never waited for it.
        assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token,
                                                          rated_at=(utcnow() - timedelta(seconds=5)).isoformat())
                           ).status_code == 201
    finally:
        broken.stop()
        healthy.stop()


def test_a_receiver_down_for_ten_minutes_gets_every_event_once_it_returns(app, client, hall, receiver, subscribe):
    subscribe(receiver, ["rating.created"])
    receiver.stop()  # down: nothing listens on its port
    t = utcnow()
    sent = []
    with app.test_request_context("/"):
        for minute in range(10):
            for _ in range(3):
                answer = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, rated_at=(
                    utcnow() - timedelta(seconds=len(sent) * 4)).isoformat()))
                assert answer.status_code == 201
                sent.append(answer.get_json()["id"])
            for second in range(0, 60, 10):
                delivery.run_once(t + timedelta(minutes=minute, seconds=second))
        pending = db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                    .where(WebhookDelivery.state == "pending"))
        assert pending == 30  # none lost, none given up
        receiver.start()  # back, on the same port
        back = t + timedelta(minutes=10)
        for step in range(0, 3600, 30):  # the longest backoff reached within ten minutes has passed
            delivery.run_until_idle(back + timedelta(seconds=step))
            if not db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                     .where(WebhookDelivery.state == "pending")):
                break
        db.session.remove()
    bodies = receiver.accepted()
    assert sorted({b["data"]["id"] for b in bodies}) == sorted(sent)
    by_event: dict = {}
    for b in bodies:
        by_event.setdefault(b["id"], set()).add(b["data"]["id"])
    assert all(len(v) == 1 for v in by_event.values()) and len(by_event) == 30  # one id per event, kept


def test_endpoints_through_the_api_and_a_replay(app, client, hall, receiver, subscribe, admin_headers):
    bad = client.post("/api/v1/webhooks", headers=admin_headers,
                      json={"url": "ftp://x", "secret": "0123456789abcdef", "events": ["rating.created"]})
    assert bad.status_code == 422
    bad = client.post("/api/v1/webhooks", headers=admin_headers,
                      json={"url": "http://10.1.1.1/x", "secret": "0123456789abcdef", "events": ["nope"]})
    assert bad.status_code == 422
    endpoint_id = subscribe(receiver, ["rating.created"], name="省好差评平台")
    read = client.get(f"/api/v1/webhooks/{endpoint_id}", headers=admin_headers).get_json()
    assert read["url"] == receiver.url and "secret" not in read and read["backlog"] == 0
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token)).status_code == 201
    deliver(app)
    listed = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=admin_headers).get_json()
    (one,) = listed["items"]
    assert one["state"] == "delivered" and one["attempts"] == 1 and one["last_status"] == 200
    again = client.post(f"/api/v1/webhooks/{endpoint_id}/deliveries/{one['id']}/replay", headers=admin_headers)
    assert again.status_code == 200 and again.get_json()["state"] == "pending"
    deliver(app)
    ids = [b["id"] for b in receiver.accepted()]
    assert len(ids) == 2 and ids[0] == ids[1] == one["event_id"]
    assert client.patch(f"/api/v1/webhooks/{endpoint_id}", headers=admin_headers,
                        json={"enabled": False}).get_json()["enabled"] is False
    assert client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{endpoint_id}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://192.168.1.20/hook", "https://zwfw.example.cn/h"])
def test_hall_network_addresses_are_allowed(client, admin_headers, url):
    answer = client.post("/api/v1/webhooks", headers=admin_headers,
                         json={"url": url, "secret": "0123456789abcdef", "events": ["rating.created"]})
    assert answer.status_code == 201


def test_the_console_shows_backlog_failures_and_replays(app, client, hall, receiver, subscribe, login):
    endpoint_id = subscribe(receiver, ["rating.created"], name="省好差评平台")
    receiver.status = 503
    for _ in range(2):
        assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, rated_at=(
            utcnow() - timedelta(seconds=10 * _)).isoformat())).status_code == 201
    with app.test_request_context("/"):
        delivery.run_once(utcnow(), delivery.Backoff(attempts=1))  # one try each, then failed
        db.session.remove()
    login("admin")
    page = client.get("/admin/webhooks/").get_data(as_text=True)
    assert "省好差评平台" in page and receiver.url in page
    detail = client.get(f"/admin/webhooks/{endpoint_id}?state=failed").get_data(as_text=True)
    assert "HTTP 503" in detail and detail.count("/replay") == 2
    with app.app_context():
        one = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.state == "failed")).first()
    from tests.factories import csrf_token

    token = csrf_token(client, f"/admin/webhooks/{endpoint_id}")
    answer = client.post(f"/admin/webhooks/{endpoint_id}/deliveries/{one.id}/replay", data={"csrf_token": token})
    assert answer.status_code == 302
    receiver.status = 200
    deliver(app)
    assert len(receiver.accepted()) == 1  # the one replayed; the other stays failed until someone says so
