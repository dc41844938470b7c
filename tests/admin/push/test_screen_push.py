"""The push fan-out through a real server: tokens, state on connect, targeted patches, versions, acks."""

from __future__ import annotations

import uuid

import pytest
import socketio

from tests.admin.push.conftest import settle


@pytest.fixture(scope="module")
def hall(server):
    """Two windows with a member each, a hall screen and a window screen for each window."""
    api = server.api
    tag = uuid.uuid4().hex[:6]
    dept = api("POST", "/departments", json={"name": f"社保-{tag}"})
    w1 = api("POST", "/windows", json={"number": f"A{tag}1", "name": "社保卡", "department_id": dept["id"]})
    w2 = api("POST", "/windows", json={"number": f"A{tag}2", "name": "养老保险", "department_id": dept["id"]})
    m1 = api("POST", "/staff", json={"name": "王芳", "employee_no": f"E{tag}1", "window_id": w1["id"],
                                     "title": "窗口受理员", "on_duty": True})
    m2 = api("POST", "/staff", json={"name": "李强", "employee_no": f"E{tag}2", "window_id": w2["id"],
                                     "title": "窗口受理员", "on_duty": True})
    hall_screen = api("POST", "/screens", json={"name": f"大厅-{tag}"})
    s1 = api("POST", "/screens", json={"name": f"窗口1-{tag}", "kind": "window", "window_id": w1["id"]})
    s2 = api("POST", "/screens", json={"name": f"窗口2-{tag}", "kind": "window", "window_id": w2["id"]})
    return {"w1": w1, "w2": w2, "m1": m1, "m2": m2, "hall": hall_screen, "s1": s1, "s2": s2}


def test_bad_token_is_refused(server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/display"], auth={"token": "not-a-token"},
                       transports=["websocket"], wait_timeout=5)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)


def test_state_on_connect(screens, hall):
    screen = screens(hall["s1"]["token"])
    hello = screen.wait_for("hello")[0]
    assert hello["screen"]["id"] == hall["s1"]["id"] and hello["screen"]["kind"] == "window"
    state = screen.wait_for("state")[0]
    assert isinstance(state["version"], int) and state["version"] > 0
    sections = state["sections"]
    assert sections["window"]["id"] == hall["w1"]["id"]
    assert [m["name"] for m in sections["members"]] == ["王芳"]


def test_a_change_reaches_exactly_the_screens_it_concerns(server, screens, hall):
    hall_screen, s1, s2 = (screens(hall[k]["token"]) for k in ("hall", "s1", "s2"))
    for client in (hall_screen, s1, s2):
        client.wait_for("state")
    server.api("PATCH", f"/staff/{hall['m1']['id']}", json={"title": "综合窗口负责人"})

    patch1 = s1.wait_for("patch")[0]
    assert [m["title"] for m in patch1["sections"]["members"]] == ["综合窗口负责人"]
    patch_hall = hall_screen.wait_for("patch")[0]
    assert "综合窗口负责人" in [m["title"] for m in patch_hall["sections"]["members"]]
    settle()
    assert s2.of("patch") == [], "the other window's screen must not hear of this member"


def test_versions_strictly_increase_and_patches_chain(server, screens, hall):
    screen = screens(hall["s2"]["token"])
    screen.wait_for("state")
    for n, title in enumerate(("科员", "副科长", "科长"), start=1):
        server.api("PATCH", f"/staff/{hall['m2']['id']}", json={"title": title})
        screen.wait_for("patch", count=n)
    versions = screen.versions()
    assert versions == sorted(set(versions)) and len(versions) == 4
    patches = screen.of("patch")
    assert patches[0]["base"] == screen.of("state")[0]["version"]
    for before, after in zip(patches, patches[1:]):
        assert after["base"] == before["version"]
    assert patches[-1]["sections"]["members"][0]["title"] == "科长"


def test_acknowledgements_are_recorded(server, screens, hall):
    screen = screens(hall["hall"]["token"])
    version = screen.wait_for("state")[0]["version"]
    screen.sio.emit("ack", {"version": version, "slide": "pledges", "resolution": "1080x1920"}, namespace="/display")
    deadline = __import__("time").monotonic() + 5
    while True:
        stored = server.api("GET", f"/screens/{hall['hall']['id']}")
        if stored["applied_version"] == version or __import__("time").monotonic() > deadline:
            break
        settle(0.2)
    assert stored["applied_version"] == version
    assert stored["current_slide"] == "pledges" and stored["resolution"] == "1080x1920"
    assert stored["status"] == "online"
    assert stored["current_version"] >= version


def test_malformed_events_are_ignored_and_harm_nobody(server, screens, hall):
    noisy = screens(hall["s1"]["token"])
    quiet = screens(hall["s1"]["token"])
    for client in (noisy, quiet):
        client.wait_for("state")
    for junk in (None, "x", 42, [], {"version": "seven"}, {"version": 10**20}, {"slide": ["a"]}):
        noisy.sio.emit("ack", junk, namespace="/display")
    noisy.sio.emit("no-such-event", {"a": 1}, namespace="/display")
    noisy.sio.emit("state", {"version": 10**9, "sections": {"members": []}}, namespace="/display")
    for _ in range(200):  # a flood is dropped past the rate limit
        noisy.sio.emit("heartbeat", {"slide": "x" * 1000}, namespace="/display")
    settle(0.5)
    assert quiet.of("state", "patch")[1:] == [], "one screen's noise must not reach another"
    server.api("PATCH", f"/staff/{hall['m1']['id']}", json={"title": "窗口受理员"})
    assert quiet.wait_for("patch")[0]["sections"]["members"][0]["title"] == "窗口受理员"
    assert server.api("GET", f"/screens/{hall['s1']['id']}")["applied_version"] < 10**9


def test_a_deleted_screen_is_revoked_at_once(server, screens, hall):
    extra = server.api("POST", "/screens", json={"name": "临时屏"})
    screen = screens(extra["token"])
    screen.wait_for("state")
    server.api("DELETE", f"/screens/{extra['id']}")
    screen.wait_for("revoked")
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/display"], auth={"token": extra["token"]},
                       transports=["websocket"], wait_timeout=5)


def test_an_urgent_notice_reaches_every_screen(server, screens, hall):
    clients = [screens(hall[k]["token"]) for k in ("hall", "s1", "s2")]
    for client in clients:
        client.wait_for("state")
    notice = server.api("POST", "/notices", json={"title": "系统升级暂停办理", "priority": "urgent"})
    for client in clients:
        urgent = client.wait_for("patch")[0]["sections"]["urgent"]
        assert [n["title"] for n in urgent] == ["系统升级暂停办理"]
    server.api("DELETE", f"/notices/{notice['id']}")
    for client in clients:
        assert client.wait_for("patch", count=2)[1]["sections"]["urgent"] == []


def test_a_window_screen_carries_the_rating_address_of_the_member_on_duty(server, screens, hall):
    import requests

    screen = screens(hall["s2"]["token"])
    sections = screen.wait_for("state")[0]["sections"]
    path = sections["rating_url"]
    assert path.startswith("/q/")
    page = requests.get(server.url + path, timeout=10)
    assert page.status_code == 200 and "李强" in page.text
    server.api("PATCH", f"/staff/{hall['m2']['id']}", json={"on_duty": False})
    assert screen.wait_for("patch")[-1]["sections"]["rating_url"] is None
    server.api("PATCH", f"/staff/{hall['m2']['id']}", json={"on_duty": True})
    assert screen.wait_for("patch", count=2)[-1]["sections"]["rating_url"] == path
