"""A kill -9 of the real server in the middle of deliveries loses no event: after the restart every
rating's event arrives, each under one event id (at least once: an answer the dead process never
recorded is sent again, with the same id)."""

from __future__ import annotations

import json
import time
import uuid

import requests

from tests.admin.integration.conftest import Receiver
from tests.livesrv import LiveServer, admin_token

RATINGS = 300


def _rating_ids(receiver: Receiver) -> dict:
    """{event id: rating id} of the events accepted so far."""
    out = {}
    for body in receiver.accepted():
        out.setdefault(body["id"], set()).add(body["data"]["id"])
    return out


def test_kill_9_in_the_middle_of_deliveries_loses_no_event(tmp_path):
    receiver = Receiver()
    receiver.delay = 0.02  # slow enough that the kill lands mid-backlog
    server = LiveServer(tmp_path / "data", env={"LIANGBIPING_RATING_BURST_KIOSK": "0/0"})
    token = admin_token(server)
    server.start()
    sent: list[str] = []
    try:
        h = {"Authorization": f"Bearer {token}"}
        hook = requests.post(server.url + "/api/v1/webhooks", headers=h, timeout=10, json={
            "url": receiver.url, "secret": receiver.secret, "events": ["rating.created"]})
        assert hook.status_code == 201, hook.text
        w = requests.post(server.url + "/api/v1/windows", json={"number": "K1", "name": "窗口"}, headers=h,
                          timeout=10).json()
        kiosk = requests.post(server.url + "/api/v1/kiosks", json={"name": "k", "window_id": w["id"]}, headers=h,
                              timeout=10).json()
        session = requests.Session()
        for _ in range(RATINGS):
            body = {"id": str(uuid.uuid4()), "score": 5, "channel": "kiosk", "kiosk_token": kiosk["token"]}
            assert session.post(server.url + "/api/v1/ratings", json=body, timeout=10).status_code == 201
            sent.append(body["id"])
        deadline = time.monotonic() + 60
        while len(receiver.received) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 40 <= len(receiver.received) < RATINGS, len(receiver.received)
        server.proc.kill()  # SIGKILL while deliveries are in flight
        server.proc.wait()
        before = len(receiver.received)
    finally:
        server.stop()
    assert before < RATINGS
    server.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            got = _rating_ids(receiver)
            if {r for ids in got.values() for r in ids} >= set(sent):
                break
            time.sleep(0.2)
    finally:
        server.stop()
        receiver.stop()
    got = _rating_ids(receiver)
    delivered = {r for ids in got.values() for r in ids}
    assert delivered == set(sent), f"{len(set(sent) - delivered)} events lost"
    assert all(len(ids) == 1 for ids in got.values()) and len(got) == RATINGS  # one id per event
    for item in receiver.received:
        assert json.loads(item["raw"])["id"] == item["headers"]["X-Liangbiping-Delivery"]
