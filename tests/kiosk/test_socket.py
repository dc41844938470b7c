"""The /kiosk namespace with real python-socketio clients against a real ``liangbiping serve``."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.livesrv import LiveServer, admin_token


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("kiosk-live") / "data")
    token = admin_token(srv)
    srv.start()
    h = {"Authorization": f"Bearer {token}"}

    def post(path, body):
        r = requests.post(srv.url + "/api/v1" + path, json=body, headers=h, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    post("/users", {"username": "boss", "password": "socket-test-1", "role": "admin"})
    w = post("/windows", {"number": "B01", "name": "不动产登记"})
    member = post("/staff", {"name": "周敏", "employee_no": "B001", "window_id": w["id"], "on_duty": True})
    kiosk = post("/kiosks", {"name": "B01 评价器", "window_id": w["id"]})
    srv.hall = {"window": w["id"], "member": member["id"], "kiosk": kiosk["id"], "token": kiosk["token"], "headers": h}
    yield srv
    srv.stop()


class Kiosk:
    """A python-socketio client on /kiosk that keeps every ``state`` it receives."""

    def __init__(self, url, token):
        self.sio = socketio.Client(reconnection=False)
        self.states: list[dict] = []
        self.got = threading.Event()

        @self.sio.on("state", namespace="/kiosk")
        def on_state(data):
            self.states.append(data)
            self.got.set()

        self.sio.connect(url, namespaces=["/kiosk"], auth={"token": token}, transports=["websocket"], wait_timeout=10)

    def next_state(self, timeout=10) -> dict:
        assert self.got.wait(timeout), "no state arrived"
        self.got.clear()
        return self.states[-1]

    def state_where(self, test, timeout=10) -> dict:
        """The first state from now on for which ``test`` holds: a push the hub began before the
        change (the hall being set up a moment ago) may still arrive first, with what was then."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.next_state(max(0.1, deadline - time.monotonic()))
            if test(state):
                return state


def test_a_good_token_gets_state_a_bad_one_is_refused(server):
    kiosk = Kiosk(server.url, server.hall["token"])
    try:
        state = kiosk.next_state()
        assert isinstance(state["version"], int)
        assert state["mode"] == "window" and state["window"]["number"] == "B01"
        assert state["member"]["name"] == "周敏" and state["prompt"] is None
        assert state["phone"]["url"].split("/q/")[1] and "<svg" in state["phone"]["qr_svg"]
    finally:
        kiosk.sio.disconnect()
    bad = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        bad.connect(server.url, namespaces=["/kiosk"], auth={"token": "wrong"}, transports=["websocket"], wait_timeout=5)
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(server.url, namespaces=["/kiosk"], transports=["websocket"], wait_timeout=5)


def test_heartbeat_reports_the_queue_length(server):
    kiosk = Kiosk(server.url, server.hall["token"])
    try:
        kiosk.next_state()
        ack = kiosk.sio.call("heartbeat", {"queue_length": 7}, namespace="/kiosk", timeout=10)
        assert ack["ok"] is True

        def stored():
            with sqlite3.connect(server.data_dir / "liangbiping.db") as db:
                return db.execute("SELECT queue_length, connected, last_seen_at FROM kiosks WHERE id=?",
                                  (server.hall["kiosk"],)).fetchone()

        # Heartbeats are written in batches with the screens' acks, within a couple of seconds.
        from tests.conftest import wait_for

        row = wait_for(lambda: (lambda r: r if r[0] == 7 else None)(stored()), timeout=10)
        assert row and row[0] == 7 and row[1] == 1 and row[2]
        assert kiosk.sio.call("heartbeat", {"queue_length": "lots"}, namespace="/kiosk", timeout=10)["ok"] is True
    finally:
        kiosk.sio.disconnect()


def test_a_prompt_from_the_kiosk_button_is_shown_then_used_once(server):
    kiosk = Kiosk(server.url, server.hall["token"])
    try:
        kiosk.next_state()
        ack = kiosk.sio.call("start_prompt", {"case_no": "BDC-2026-0815"}, namespace="/kiosk", timeout=10)
        assert ack["ok"] is True
        state = kiosk.state_where(lambda s: s["prompt"] is not None)
        prompt = state["prompt"]
        assert prompt["case_no"] == "BDC-2026-0815" and prompt["member"]["name"] == "周敏"
        body = {"id": str(uuid.uuid4()), "score": 5, "channel": "kiosk", "kiosk_token": server.hall["token"],
                "qr_token": prompt["token"]}
        first = requests.post(server.url + "/api/v1/ratings", json=body, timeout=10)
        assert first.status_code == 201 and first.json()["prompted"] is True
        assert kiosk.state_where(lambda s: s["prompt"] is None)["prompt"] is None  # used: back to unprompted
        phone = requests.get(prompt["url"].replace("http://localhost", server.url), timeout=10)
        assert phone.status_code == 409
        again = requests.post(server.url + "/api/v1/ratings", json=dict(body, id=str(uuid.uuid4())), timeout=10)
        assert again.status_code == 409
    finally:
        kiosk.sio.disconnect()


def test_the_console_sees_new_ratings_live(server):
    session = requests.Session()
    page = session.get(server.url + "/admin/login", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    session.post(server.url + "/admin/login", data={"username": "boss", "password": "socket-test-1", "csrf_token": csrf},
                 timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    console = socketio.Client(reconnection=False)
    seen, got = [], threading.Event()

    @console.on("rating", namespace="/ratings")
    def on_rating(data):
        seen.append(data)
        got.set()

    console.connect(server.url, namespaces=["/ratings"], headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    try:
        body = {"id": str(uuid.uuid4()), "score": 1, "channel": "kiosk", "kiosk_token": server.hall["token"],
                "reasons": ["attitude"], "comment": "<i>x</i>", "staff_id": server.hall["member"]}
        assert requests.post(server.url + "/api/v1/ratings", json=body, timeout=10).status_code == 201
        assert got.wait(10)
        assert seen[-1]["id"] == body["id"] and seen[-1]["staff_name"] == "周敏" and seen[-1]["comment"] == "<i>x</i>"
    finally:
        console.disconnect()
    anonymous = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(server.url, namespaces=["/ratings"], transports=["websocket"], wait_timeout=5)
