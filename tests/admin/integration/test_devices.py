"""Third-party evaluator devices (评价器): a device token made in the console or the API may only post
ratings, channel ``device``, for its own window."""

from __future__ import annotations

from tests.factories import csrf_token
from tests.kiosk.conftest import rating


def _device(client, admin_headers, **fields) -> dict:
    answer = client.post("/api/v1/kiosks", headers=admin_headers, json={"name": "第三方评价器", "kind": "device", **fields})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_device_posts_ratings_for_its_window_only(app, client, hall, admin_headers, badge_token):
    device = _device(client, admin_headers, window_id=hall.w1)
    assert device["kind"] == "device" and device["token"]
    ok = client.post("/api/v1/ratings", json=rating(kiosk_token=device["token"], channel="device", score=5))
    assert ok.status_code == 201 and ok.get_json()["window_id"] == hall.w1 and ok.get_json()["channel"] == "device"
    member = client.post("/api/v1/ratings", json=rating(kiosk_token=device["token"], channel="device", staff_id=hall.m1,
                                                        rated_at="2026-12-06T09:00:00+08:00"))
    assert member.status_code in (201, 422)  # a member of its window may be named (422 only for the time rule)
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=device["token"], channel="kiosk")).status_code == 422
    other = client.post("/api/v1/ratings", json=rating(kiosk_token=device["token"], channel="device",
                                                       window_id=hall.w2))
    assert other.status_code == 422
    stranger = client.post("/api/v1/ratings", json=rating(kiosk_token=device["token"], channel="device",
                                                          staff_id=hall.m3))
    assert stranger.status_code == 422
    suggestion = client.post("/api/v1/suggestions", json={"kind": "suggestion", "text": "x", "channel": "device",
                                                          "kiosk_token": device["token"]})
    assert suggestion.status_code == 422 and suggestion.get_json()["error"]["code"] == "device_ratings_only"


def test_a_device_needs_a_window_and_shows_no_kiosk_page(app, client, hall, admin_headers, socketio_client):
    alone = client.post("/api/v1/kiosks", headers=admin_headers, json={"name": "x", "kind": "device"})
    assert alone.status_code == 422
    device = _device(client, admin_headers, window_id=hall.w1)
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    assert kiosk.is_connected("/kiosk")  # the same way, a kiosk's token is let in
    try:
        page = socketio_client(app, "/kiosk", token=device["token"])
        connected = page.is_connected("/kiosk")
    except Exception:  # noqa: BLE001 - the test client raises when the server refuses
        connected = False
    assert not connected


def test_a_device_token_is_made_in_the_console(app, client, hall, login):
    login("admin")
    token = csrf_token(client, "/admin/kiosks/new")
    page = client.post("/admin/kiosks/new", data={"csrf_token": token, "name": "好差评评价器 01", "kind": "device",
                                                  "window_id": str(hall.w1), "enabled": "on"})
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    import re

    secret = re.search(r'id="secret" class="secret" type="text" value="([^"]+)"', text)
    assert secret, text[:2000]
    ok = client.post("/api/v1/ratings", json=rating(kiosk_token=secret.group(1), channel="device", score=4))
    assert ok.status_code == 201


def test_a_device_token_asks_no_wish(app, client, hall, admin_headers):
    """A third-party evaluator's token posts ratings and nothing else: not a wish either."""
    device = _device(client, admin_headers, window_id=hall.w1)
    wish = client.post("/api/v1/wishes", json={"text": "帮忙复印材料", "channel": "kiosk", "kiosk_token": device["token"]})
    assert wish.status_code == 422 and wish.get_json()["error"]["code"] == "device_ratings_only"
