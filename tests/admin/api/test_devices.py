"""Screens and kiosks: POST answers with the device token this once; it is stored hashed and never shown again."""

import pytest

from .support import API, assert_error, listing, sample

MODELS = {"screens": "Screen", "kiosks": "Kiosk"}


@pytest.mark.parametrize("name", ["screens", "kiosks"])
def test_token_is_shown_once(app, client, admin_headers, hall, name):
    first = client.post(f"{API}/{name}", json=sample(name, hall, 1), headers=admin_headers)
    second = client.post(f"{API}/{name}", json=sample(name, hall, 2), headers=admin_headers)
    assert first.status_code == second.status_code == 201
    device, other = first.get_json(), second.get_json()
    secret = device["token"]
    assert isinstance(secret, str) and len(secret) >= 32 and secret != other["token"]
    assert device["status"] == "never_seen" and device["last_seen_at"] is None

    for response in (client.get(f"{API}/{name}/{device['id']}", headers=admin_headers),
                     client.get(f"{API}/{name}", headers=admin_headers),
                     client.patch(f"{API}/{name}/{device['id']}", json={"name": "renamed"}, headers=admin_headers)):
        assert response.status_code == 200
        assert secret not in response.get_data(as_text=True)
        body = response.get_json()
        for item in body.get("items", [body]):
            assert "token" not in item and "token_hash" not in item

    from liangbiping.admin import models
    from liangbiping.admin.extensions import db
    from liangbiping.admin.services.devices import device_for_token

    model = getattr(models, MODELS[name])
    with app.app_context():
        stored = db.session.get(model, device["id"])
        assert stored.token_hash != secret and secret not in stored.token_hash
        assert device_for_token(model, secret).id == device["id"]
        assert device_for_token(model, secret + "x") is None


@pytest.mark.parametrize("name", ["screens", "kiosks"])
def test_the_token_cannot_be_set_or_changed(client, admin_headers, hall, name):
    created = client.post(f"{API}/{name}", json=sample(name, hall, 1), headers=admin_headers).get_json()
    assert_error(client.post(f"{API}/{name}", json=dict(sample(name, hall, 2), token="mine"), headers=admin_headers),
                 422, "validation_error")
    for field in ("token", "token_hash", "status", "last_seen_at"):
        response = client.patch(f"{API}/{name}/{created['id']}", json={field: "x"}, headers=admin_headers)
        assert_error(response, 422, "validation_error")


def test_screen_kinds(client, admin_headers, hall):
    hall_screen = client.post(f"{API}/screens", json={"name": "大厅主屏"}, headers=admin_headers).get_json()
    assert hall_screen["kind"] == "hall" and hall_screen["window_id"] is None
    assert_error(client.post(f"{API}/screens", json={"name": "窗口屏", "kind": "window"}, headers=admin_headers),
                 422, "validation_error")
    assert_error(client.post(f"{API}/screens", json={"name": "x", "kind": "ceiling"}, headers=admin_headers), 422)
    window_screen = client.post(f"{API}/screens", json={"name": "01窗口屏", "kind": "window", "window_id": hall.w1},
                                headers=admin_headers)
    assert window_screen.status_code == 201 and window_screen.get_json()["window_id"] == hall.w1
    url = f"{API}/screens/{window_screen.get_json()['id']}"
    assert_error(client.patch(url, json={"window_id": None}, headers=admin_headers), 422, "validation_error")
    assert client.get(url, headers=admin_headers).get_json()["window_id"] == hall.w1
    assert listing(client, admin_headers, "screens", kind="window")["total"] == 1


def test_a_floor_kiosk_has_no_window(client, admin_headers):
    kiosk = client.post(f"{API}/kiosks", json={"name": "大厅评价器"}, headers=admin_headers)
    assert kiosk.status_code == 201 and kiosk.get_json()["window_id"] is None
