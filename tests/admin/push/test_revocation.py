"""Revoked means cut off, at once: a deleted or disabled kiosk or screen, a session signed out,
a deactivated user. On the demo hall, with Flask-SocketIO's test clients in this process (the
cross-process case is in test_scale_out.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import ConsoleSession, Rating, User
from tests.factories import csrf_token

@pytest.fixture(autouse=True)
def _fresh_intake():
    from tests.conftest import reset_intake

    reset_intake()
    yield
    reset_intake()


@pytest.fixture
def admin_api(demo):
    from liangbiping.admin.services.accounts import create_token

    with demo.app.app_context():
        _token, secret = create_token("revocation", "admin", actor="test")
    client = demo.app.test_client()

    def call(method, path, **kwargs):
        return client.open("/api/v1" + path, method=method, headers={"Authorization": f"Bearer {secret}"}, **kwargs)

    return call


def _rating(token, **fields):
    return {"id": str(uuid.uuid4()), "score": 5, "channel": "kiosk", "kiosk_token": token, **fields}


def _events(client, namespace):
    """Event names received on ``namespace``, also after the server closed the socket (the test
    client refuses ``get_received`` then, but keeps what arrived)."""
    if client.is_connected(namespace):
        return [e["name"] for e in client.get_received(namespace)]
    names = [e["name"] for e in client.queue if e["namespace"] == namespace]
    client.queue = [e for e in client.queue if e["namespace"] != namespace]
    return names


@pytest.mark.parametrize("how", ["delete", "disable"])
def test_a_revoked_kiosk_is_closed_and_its_token_refused_at_once(socketio_client, demo, admin_api, how):
    token, kiosk_id = demo.kiosk_token("B01"), demo.kiosk("B01")
    http = demo.app.test_client()
    assert http.post("/api/v1/ratings", json=_rating(token)).status_code == 201  # the token is now cached
    kiosk = socketio_client(demo.app, "/kiosk", token=token)
    assert kiosk.is_connected("/kiosk")
    kiosk.get_received("/kiosk")
    if how == "delete":
        assert admin_api("DELETE", f"/kiosks/{kiosk_id}").status_code == 204
    else:
        answer = admin_api("PATCH", f"/kiosks/{kiosk_id}", json={"enabled": False})
        assert answer.status_code == 200 and answer.get_json()["status"] == "disabled"
    assert "revoked" in _events(kiosk, "/kiosk")
    assert not kiosk.is_connected("/kiosk")
    late = _rating(token)
    refused = http.post("/api/v1/ratings", json=late)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_kiosk_token"
    with demo.app.app_context():
        assert db.session.get(Rating, late["id"]) is None
    again = socketio_client(demo.app, "/kiosk", token=token)
    assert not again.is_connected("/kiosk")  # refused on reconnect too
    if how == "disable":  # enabled again (it had not heard): its token works again
        admin_api("PATCH", f"/kiosks/{kiosk_id}", json={"enabled": True})
        assert http.post("/api/v1/ratings", json=_rating(token)).status_code == 201


def test_a_deleted_screen_gets_no_more_content(socketio_client, demo, admin_api):
    from liangbiping.admin.push.hub import hub_for

    token, screen_id = demo.screen_token("C01"), demo.screen("C01")
    screen = socketio_client(demo.app, "/display", token=token)
    other = socketio_client(demo.app, "/display", token=demo.screen_token("D02"))
    assert screen.is_connected("/display") and other.is_connected("/display")
    screen.get_received("/display")
    other.get_received("/display")
    assert admin_api("DELETE", f"/screens/{screen_id}").status_code == 204
    assert "revoked" in _events(screen, "/display") and not screen.is_connected("/display")
    # Content changes still reach the other screens, never the deleted one.
    notice = admin_api("POST", "/notices", json={"title": "临时通知", "text": "今天下午系统维护", "priority": "urgent"})
    assert notice.status_code == 201
    with demo.app.app_context():
        hub_for(demo.app).round()
    assert "patch" in _events(other, "/display")
    assert not screen.is_connected("/display")
    again = socketio_client(demo.app, "/display", token=token)
    assert not again.is_connected("/display")


def test_a_cookie_copied_before_signing_out_stops_working(demo):
    client = demo.sign_in("leader")
    cookie = client.get_cookie("session").value
    assert client.get("/admin/").status_code == 200
    thief = demo.app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": csrf_token(client)})
    replay = thief.get("/admin/")
    assert replay.status_code == 302 and "/admin/login" in replay.headers["Location"]
    with demo.app.app_context():
        leader = db.session.scalar(select(User).where(User.username == "leader"))
        assert db.session.scalars(select(ConsoleSession).where(ConsoleSession.user_id == leader.id)).all() == []


def test_a_deactivated_leader_loses_the_live_ratings_and_the_console_at_once(socketio_client, demo, admin_api):
    client = demo.sign_in("leader")
    live = socketio_client(demo.app, "/ratings", client=client)
    assert live.is_connected("/ratings")
    http = demo.app.test_client()
    assert http.post("/api/v1/ratings", json=_rating(demo.kiosk_token("B01"), comment="很好")).status_code == 201
    assert "rating" in _events(live, "/ratings")
    with demo.app.app_context():
        leader_id = db.session.scalar(select(User.id).where(User.username == "leader"))
    assert admin_api("PATCH", f"/users/{leader_id}", json={"active": False}).status_code == 200
    assert not live.is_connected("/ratings")
    assert http.post("/api/v1/ratings", json=_rating(demo.kiosk_token("B01"), score=1, reasons=["slow"],
                                                      comment="等了很久")).status_code == 201
    assert "rating" not in _events(live, "/ratings")
    assert client.get("/admin/").status_code == 302
    with demo.app.app_context():
        assert db.session.scalars(select(ConsoleSession).where(ConsoleSession.user_id == leader_id)).all() == []


def test_signing_out_closes_that_sessions_live_ratings(socketio_client, demo):
    client = demo.sign_in("admin")
    other = demo.sign_in("admin")  # the same user in another browser stays
    live = socketio_client(demo.app, "/ratings", client=client)
    stays = socketio_client(demo.app, "/ratings", client=other)
    assert live.is_connected("/ratings") and stays.is_connected("/ratings")
    client.post("/admin/logout", data={"csrf_token": csrf_token(client)})
    assert not live.is_connected("/ratings")
    assert stays.is_connected("/ratings")
    stays.disconnect("/ratings")
