"""A prompt (一次一评) on its window's screen, through a real server and real Socket.IO clients: the
QR code that rates exactly that case arrives with the case number and the member, only at that
window's screen, and leaves when the prompt is rated, cancelled or runs out."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.admin.push.conftest import settle


@pytest.fixture(scope="module")
def hall(server):
    api = server.api
    tag = uuid.uuid4().hex[:6]
    dept = api("POST", "/departments", json={"name": f"医保-{tag}"})
    w1 = api("POST", "/windows", json={"number": f"P{tag}1", "name": "医保报销", "department_id": dept["id"]})
    w2 = api("POST", "/windows", json={"number": f"P{tag}2", "name": "医保登记", "department_id": dept["id"]})
    m1 = api("POST", "/staff", json={"name": "陈静", "employee_no": f"P{tag}1", "window_id": w1["id"], "on_duty": True})
    m2 = api("POST", "/staff", json={"name": "周明", "employee_no": f"P{tag}2", "window_id": w2["id"], "on_duty": True})
    hall_screen = api("POST", "/screens", json={"name": f"大厅-{tag}"})
    s1 = api("POST", "/screens", json={"name": f"医保1-{tag}", "kind": "window", "window_id": w1["id"]})
    s2 = api("POST", "/screens", json={"name": f"医保2-{tag}", "kind": "window", "window_id": w2["id"]})
    return {"w1": w1, "w2": w2, "m1": m1, "m2": m2, "hall": hall_screen, "s1": s1, "s2": s2}


def _prompts_seen(client) -> list:
    """Every value of the ``prompt`` section the client was sent, in order."""
    return [data["sections"]["prompt"] for data in client.of("state", "patch") if "prompt" in data["sections"]]


def _wait_prompt(client, predicate, timeout=8.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = _prompts_seen(client)
        if seen and predicate(seen[-1]):
            return seen[-1]
        with client.arrived:
            client.arrived.wait(0.2)
    raise AssertionError(f"the prompt section never matched; got {_prompts_seen(client)}")


def _token(prompt_section) -> str:
    return prompt_section["url"].rsplit("/q/", 1)[1]


def _rate(server, token, score):
    return requests.post(server.url + "/api/v1/ratings", timeout=10, json={
        "id": str(uuid.uuid4()), "score": score, "channel": "qr", "qr_token": token,
        "rated_at": datetime.now(timezone.utc).isoformat()})


def test_the_window_screen_shows_the_prompt_until_it_is_rated(server, screens, hall):
    s1, s2, wall = (screens(hall[k]["token"]) for k in ("s1", "s2", "hall"))
    for client in (s1, s2, wall):
        client.wait_for("state")
    assert s1.of("state")[0]["sections"]["prompt"] is None

    made = server.api("POST", "/prompts", json={"case_no": "YB-2026-0042", "service_item": "门诊费用报销",
                                               "window_id": hall["w1"]["id"]})
    shown = _wait_prompt(s1, lambda p: p is not None)
    assert shown["id"] == made["id"] and shown["case_no"] == "YB-2026-0042"
    assert shown["service_item"] == "门诊费用报销"
    assert shown["member"] == {"id": hall["m1"]["id"], "name": "陈静"}
    # The same link the caller was given: it rates exactly this prompt on the phone.
    assert made["rating_url"].endswith(shown["url"]) and shown["url"].startswith("/q/")
    phone = requests.get(server.url + shown["url"], timeout=10)
    assert phone.status_code == 200 and "陈静" in phone.text and "YB-2026-0042" in phone.text

    first = _rate(server, _token(shown), 5)
    assert first.status_code == 201, first.text
    assert _wait_prompt(s1, lambda p: p is None) is None
    assert first.json()["prompt_id"] == made["id"]
    second = _rate(server, _token(shown), 1)
    assert second.status_code == 409 and second.json()["error"]["code"] == "prompt_used"
    assert server.api("GET", f"/prompts/{made['id']}")["state"] == "rated"

    settle()
    # Another window's screen and the hall's screen were never sent it.
    for other in (s2, wall):
        assert all(p is None for p in _prompts_seen(other))
        assert not any("prompt" in d["sections"] and d["sections"]["prompt"] for d in other.of("state", "patch"))
    assert "prompt" not in wall.of("state")[0]["sections"]


def test_a_cancelled_prompt_leaves_the_screen_and_a_newer_one_replaces_it(server, screens, hall):
    s2 = screens(hall["s2"]["token"])
    s2.wait_for("state")
    first = server.api("POST", "/prompts", json={"case_no": "YB-1", "staff_id": hall["m2"]["id"]})
    assert _wait_prompt(s2, lambda p: p is not None and p["id"] == first["id"])["case_no"] == "YB-1"
    newer = server.api("POST", "/prompts", json={"case_no": "YB-2", "employee_no": hall["m2"]["employee_no"]})
    shown = _wait_prompt(s2, lambda p: p is not None and p["id"] == newer["id"])
    assert shown["case_no"] == "YB-2"
    assert server.api("GET", f"/prompts/{first['id']}")["state"] == "cancelled"  # one open prompt a member
    server.api("POST", f"/prompts/{newer['id']}/cancel")
    assert _wait_prompt(s2, lambda p: p is None) is None
    # Its code no longer rates.
    assert _rate(server, _token(shown), 4).status_code in (409, 410)


def test_an_expired_prompt_leaves_the_screen(server, screens, hall):
    s1 = screens(hall["s1"]["token"])
    s1.wait_for("state")
    made = server.api("POST", "/prompts", json={"case_no": "YB-OLD", "window_id": hall["w1"]["id"], "expires_in": 600})
    _wait_prompt(s1, lambda p: p is not None and p["id"] == made["id"])
    # What the clock would do in ten minutes: the prompt's time is up; the scheduler's expiry round
    # (every 15 s) marks it expired, and that commit takes it off the screen.
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).replace(tzinfo=None).isoformat(" ")
    with sqlite3.connect(server.data_dir / "liangbiping.db", timeout=10) as conn:
        conn.execute("UPDATE rating_prompts SET expires_at = ? WHERE id = ?", (past, made["id"]))
    assert _wait_prompt(s1, lambda p: p is None, timeout=25) is None
    assert server.api("GET", f"/prompts/{made['id']}")["state"] == "expired"
