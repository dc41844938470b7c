"""Issue 12, "QR code on screens, kiosks and printed sheets": through a real server, a hall screen
and kiosks (python-socketio clients over a websocket) get a survey round's entry when it opens and
lose it when it closes, by the normal push path (the service commits, the round pushes). A kiosk
gets only the rounds that concern it."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import socketio

from tests.admin.push.conftest import settle

QUESTIONS = [{"kind": "rating", "text": "总体评价", "dimension": "overall", "required": True}]


class KioskClient:
    """A kiosk on /kiosk with its token, recording each ``state`` it is sent."""

    def __init__(self, url: str, token: str):
        self.states: list[dict] = []
        self.arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("state", self._state, namespace="/kiosk")
        self.sio.connect(url, namespaces=["/kiosk"], auth={"token": token}, transports=["websocket"], wait_timeout=10)

    def _state(self, data):
        with self.arrived:
            self.states.append(data)
            self.arrived.notify_all()

    def wait_until(self, test, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not (self.states and test(self.states[-1])):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no state as wanted; last: {self.states[-1] if self.states else None}")
                self.arrived.wait(left)
            return self.states[-1]

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def kiosks(server):
    opened = []

    def connect(token: str) -> KioskClient:
        opened.append(KioskClient(server.url, token))
        return opened[-1]

    yield connect
    for client in opened:
        client.close()


@pytest.fixture(scope="module")
def place(server):
    api = server.api
    tag = uuid.uuid4().hex[:6]
    social = api("POST", "/departments", json={"name": f"社保-{tag}"})
    medical = api("POST", "/departments", json={"name": f"医保-{tag}"})
    w1 = api("POST", "/windows", json={"number": f"S{tag}1", "name": "社保窗口", "department_id": social["id"]})
    w2 = api("POST", "/windows", json={"number": f"S{tag}2", "name": "医保窗口", "department_id": medical["id"]})
    return {
        "social": social, "medical": medical, "w1": w1, "w2": w2,
        "hall": api("POST", "/screens", json={"name": f"大厅-{tag}"}),
        "k1": api("POST", "/kiosks", json={"name": f"{tag} 社保评价器", "window_id": w1["id"]}),
        "k2": api("POST", "/kiosks", json={"name": f"{tag} 医保评价器", "window_id": w2["id"]}),
        "floor": api("POST", "/kiosks", json={"name": f"{tag} 大厅评价器"}),
    }


def _codes(state: dict) -> list[str]:
    return [s["code"] for s in state["surveys"]]


def _take_part(sections: dict) -> list[str]:
    return [s["code"] for s in (sections.get("take_part") or {}).get("surveys", [])]


def test_a_round_reaches_the_screens_and_its_kiosks_when_it_opens_and_leaves_when_it_closes(
        server, screens, kiosks, place):
    api = server.api
    survey = api("POST", "/surveys", json={"title": "社保科群众评议", "questions": QUESTIONS,
                                           "target_kind": "department", "target_ids": [place["social"]["id"]]})
    code = survey["code"]
    screen = screens(place["hall"]["token"])
    k1, k2, floor = kiosks(place["k1"]["token"]), kiosks(place["k2"]["token"]), kiosks(place["floor"]["token"])
    first = screen.wait_for("state")[0]["sections"]
    assert code not in _take_part(first) and first["take_part"]["wish_url"].endswith("/w/")
    for kiosk, kid in ((k1, "k1"), (k2, "k2"), (floor, "floor")):
        state = kiosk.wait_until(lambda s: True)
        assert code not in _codes(state)
        assert state["wish_url"] == f"/kiosk/{place[kid]['id']}/wish"  # the kiosk's own wish page

    api("POST", f"/surveys/{survey['id']}/transition", json={"action": "open"})
    patch = screen.wait_for("patch")[-1]["sections"]
    shown = next(s for s in patch["take_part"]["surveys"] if s["code"] == code)
    assert shown["title"] == "社保科群众评议" and shown["url"].endswith(f"/v/{code}")
    opened = k1.wait_until(lambda s: code in _codes(s))
    entry = next(s for s in opened["surveys"] if s["code"] == code)
    assert entry == {"code": code, "title": "社保科群众评议", "url": f"/kiosk/{place['k1']['id']}/survey/{code}"}
    floor.wait_until(lambda s: code in _codes(s))  # a floor kiosk serves the whole hall
    settle()
    assert all(code not in _codes(s) for s in k2.states), "another department's kiosk must not get the round"

    api("POST", f"/surveys/{survey['id']}/transition", json={"action": "close"})
    screen.wait_for("patch", count=2)
    assert code not in _take_part(screen.of("patch")[-1]["sections"])
    k1.wait_until(lambda s: code not in _codes(s))
    floor.wait_until(lambda s: code not in _codes(s))


def test_a_round_for_invited_respondents_only_is_not_offered_to_citizens(server, screens, kiosks, place):
    api = server.api
    survey = api("POST", "/surveys", json={"title": "行风监督员测评", "questions": QUESTIONS,
                                           "open_public": False, "open_invited": True})
    floor = kiosks(place["floor"]["token"])
    floor.wait_until(lambda s: True)
    api("POST", f"/surveys/{survey['id']}/transition", json={"action": "open"})
    settle()
    assert all(survey["code"] not in _codes(s) for s in floor.states)
    screen = screens(place["hall"]["token"])
    assert survey["code"] not in _take_part(screen.wait_for("state")[0]["sections"])
    api("POST", f"/surveys/{survey['id']}/transition", json={"action": "close"})
