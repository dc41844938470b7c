"""The rectification ledger through the API: opened by the real intake, the 四明确, the state
machine with its refusals in the contract's error shape, appeals, audit, the citizen's view."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry

API = "/api/v1"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture(autouse=True)
def _fresh_limits():
    from tests.conftest import reset_intake

    reset_intake()


_spacing = iter(range(10, 100000, 10))


def rate(client, hall, score, **extra):
    """A kiosk rating; each 10 s before the last, so the 3 s repeat-press rule leaves them alone."""
    at = datetime.now(timezone.utc) - timedelta(seconds=next(_spacing))
    body = {"id": str(uuid.uuid4()), "score": score, "channel": "kiosk", "kiosk_token": hall.kiosk_token,
            "staff_id": hall.m1, "rated_at": at.isoformat(), **extra}
    response = client.post(f"{API}/ratings", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def leader(app, hall, make_token):
    """A leader account for the department (the responsible leader) and a leader token."""
    from tests.factories import make_user

    from liangbiping.admin.services.accounts import create_token

    with app.test_request_context("/"):
        user = make_user("leader", departments=[hall.d1], username="leader-dept")
        _token, secret = create_token("leader-dept", "leader", "test", user=user)  # acts for this leader
        return {"id": user.id, "headers": {"Authorization": f"Bearer {secret}"}}


def test_a_bad_rating_through_the_intake_opens_an_entry_found_by_rating_id(client, admin_headers, hall, app):
    good = rate(client, hall, 5)
    bad = rate(client, hall, 1, reasons=["attitude"], comment="态度差")
    again = datetime.fromisoformat(bad["rated_at"]) + timedelta(seconds=1)
    flagged = rate(client, hall, 2, rated_at=again.isoformat())  # pressed again within 3 s: flagged, no entry
    assert flagged["flagged"] == "repeat_press"
    listing = client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]}, headers=admin_headers).get_json()
    assert listing["total"] == 1
    entry = listing["items"][0]
    assert entry["source"] == "rating" and entry["state"] == "open" and entry["problem"] == "态度差"
    assert entry["staff_id"] == hall.m1 and entry["department_id"] == hall.d1
    assert entry["responsible_id"] == hall.m1 and not entry["four_clear"]
    assert entry["events"][0]["action"] == "open"
    for other in (good, flagged):
        found = client.get(f"{API}/rectifications", query_string={"rating_id": other["id"]}, headers=admin_headers)
        assert found.get_json()["total"] == 0
    with app.app_context():
        from liangbiping.admin.ledger.workdays import add_working_days
        from liangbiping.admin.timefmt import hall_zone

        today = datetime.now(timezone.utc).astimezone(hall_zone()).date()
        assert entry["deadline"] == add_working_days(today, 5).isoformat()
        assert db.session.query(AuditEntry).filter_by(entity="rectification", entity_id=str(entry["id"])).count() == 1


def test_a_complaint_opens_an_entry_and_the_citizen_follows_it(client, admin_headers, hall, app, leader):
    response = client.post(f"{API}/suggestions", json={"kind": "complaint", "text": "窗口人员态度生硬",
                                                      "channel": "kiosk", "kiosk_token": hall.kiosk_token})
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()["receipt"]
    with app.app_context():
        from liangbiping.admin.models import Suggestion

        suggestion_id = db.session.query(Suggestion).filter_by(receipt=receipt).one().id
    praise = client.post(f"{API}/suggestions", json={"kind": "praise", "text": "很好", "channel": "kiosk",
                                                    "kiosk_token": hall.kiosk_token})
    assert praise.status_code == 201
    listing = client.get(f"{API}/rectifications", query_string={"suggestion_id": suggestion_id},
                         headers=admin_headers).get_json()
    assert listing["total"] == 1 and client.get(f"{API}/rectifications", headers=admin_headers).get_json()["total"] == 1
    entry_id = listing["items"][0]["id"]
    assert listing["items"][0]["leader_id"] == leader["id"]  # the department's only leader, filled in
    patch = client.patch(f"{API}/rectifications/{entry_id}", json={"measure": "开展服务礼仪培训", "deadline": "2026-12-31",
                                                                 "responsible_id": hall.m1},
                         headers=admin_headers)
    assert patch.status_code == 200 and patch.get_json()["four_clear"]
    assert client.post(f"{API}/rectifications/{entry_id}/transition", json={"action": "verify"},
                       headers=admin_headers).status_code == 200
    with app.test_request_context("/"):
        from liangbiping.admin.ledger.service import ledger_progress_for_suggestion

        steps = ledger_progress_for_suggestion(suggestion_id)
    assert [s["state"] for s in steps] == ["open", "verified"]
    assert "开展服务礼仪培训" in steps[1]["note"] and "2026-12-31" in steps[1]["note"]
    assert all(set(s) == {"state", "label", "at", "note"} for s in steps)
    assert "张三" not in str(steps) and "leader-dept" not in str(steps)


def test_the_state_machine_refuses_illegal_steps_in_the_error_shape(client, admin_headers, hall, leader):
    bad = rate(client, hall, 2)
    entry_id = client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]},
                          headers=admin_headers).get_json()["items"][0]["id"]
    url = f"{API}/rectifications/{entry_id}/transition"

    # Not accepted before the 四明确 are set; nothing else is possible from open.
    error = assert_error(client.post(url, json={"action": "verify"}, headers=admin_headers), 422, "four_clear_missing")
    assert {d["field"] for d in error["details"]} == {"measure"}  # the rest was filled in by default
    for action in ("start", "complete", "revisit"):
        assert_error(client.post(url, json={"action": action}, headers=admin_headers), 409, "illegal_transition")
    assert_error(client.post(url, json={"action": "fly"}, headers=admin_headers), 422)
    assert_error(client.patch(f"{API}/rectifications/{entry_id}", json={"leader_id": hall.m1 + 1000},
                              headers=admin_headers), 422)
    assert client.patch(f"{API}/rectifications/{entry_id}", json={"measure": "加强业务培训", "leader_id": leader["id"]},
                        headers=admin_headers).status_code == 200
    cleared = client.patch(f"{API}/rectifications/{entry_id}", json={"leader_id": None}, headers=admin_headers)
    assert cleared.status_code == 200 and not cleared.get_json()["four_clear"]
    error = assert_error(client.post(url, json={"action": "verify"}, headers=admin_headers), 422, "four_clear_missing")
    assert {d["field"] for d in error["details"]} == {"leader_id"}
    client.patch(f"{API}/rectifications/{entry_id}", json={"leader_id": leader["id"]}, headers=admin_headers)
    assert client.post(url, json={"action": "verify"}, headers=admin_headers).get_json()["state"] == "verified"
    assert_error(client.post(url, json={"action": "verify"}, headers=admin_headers), 409, "illegal_transition")
    # Dismissing is a leader's decision only, with a reason.
    assert_error(client.post(url, json={"action": "dismiss", "reason": "x"}, headers=admin_headers), 403, "forbidden")
    assert_error(client.post(url, json={"action": "dismiss"}, headers=leader["headers"]), 422)
    assert client.post(url, json={"action": "start"}, headers=admin_headers).get_json()["state"] == "rectifying"
    assert_error(client.post(url, json={"action": "dismiss", "reason": "x"}, headers=leader["headers"]), 409)
    assert_error(client.post(url, json={"action": "complete"}, headers=admin_headers), 422, "evidence_missing")
    done = client.post(url, json={"action": "complete", "evidence": "已组织培训两次"}, headers=admin_headers).get_json()
    assert done["state"] == "done" and done["done_at"]
    assert_error(client.post(url, json={"action": "revisit"}, headers=admin_headers), 422)
    # 不满意 reopens it, with a new deadline; 满意 closes it.
    reopened = client.post(url, json={"action": "revisit", "verdict": "dissatisfied", "note": "群众仍不满意"},
                           headers=admin_headers).get_json()
    assert reopened["state"] == "rectifying" and reopened["reopened"] == 1 and reopened["done_at"] is None
    client.post(url, json={"action": "complete", "evidence": "调整岗位"}, headers=admin_headers)
    closed = client.post(url, json={"action": "revisit", "verdict": "satisfied"}, headers=admin_headers).get_json()
    assert closed["state"] == "revisited" and closed["verdict"] == "satisfied" and closed["closed_at"]
    assert_error(client.patch(f"{API}/rectifications/{entry_id}", json={"measure": "x"}, headers=admin_headers),
                 409, "entry_closed")
    actions = [e["action"] for e in closed["events"]]
    assert actions == ["open", "update", "update", "update", "verify", "start", "complete", "reopen", "complete",
                       "revisit"]
    audit = client.get(f"{API}/audit", query_string={"entity": "rectification", "per_page": 100},
                       headers=admin_headers).get_json()["items"]
    logged = sorted(a["action"] for a in audit if a["entity_id"] == str(entry_id))
    assert logged == sorted(["create", "update", "update", "update", "verify", "start", "complete", "revisit",
                             "complete", "revisit"])


def test_a_leader_dismisses_with_a_reason(client, admin_headers, hall, leader):
    bad = rate(client, hall, 1)
    entry_id = client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]},
                          headers=admin_headers).get_json()["items"][0]["id"]
    url = f"{API}/rectifications/{entry_id}/transition"
    out = client.post(url, json={"action": "dismiss", "reason": "经核实系误操作"}, headers=leader["headers"]).get_json()
    assert out["state"] == "dismissed" and out["dismissed_reason"] == "经核实系误操作"
    assert_error(client.post(url, json={"action": "verify"}, headers=admin_headers), 409, "illegal_transition")


def test_bad_input_is_a_4xx_never_a_5xx(client, admin_headers):
    for url in (f"{API}/rectifications/999999", f"{API}/rectifications/0"):
        assert_error(client.get(url, headers=admin_headers), 404)
    assert_error(client.post(f"{API}/rectifications", json={"problem": ""}, headers=admin_headers), 422)
    assert_error(client.post(f"{API}/rectifications", json={"problem": "x", "nope": 1}, headers=admin_headers), 422)
    assert_error(client.post(f"{API}/rectifications", data="[", content_type="application/json",
                             headers=admin_headers), 400)
    assert_error(client.post(f"{API}/rectifications", json={"problem": "x", "deadline": "3000-01-01"},
                             headers=admin_headers), 422)
    assert_error(client.get(f"{API}/rectifications", query_string={"state": "lost"}, headers=admin_headers), 422)
    made = client.post(f"{API}/rectifications", json={"problem": "大厅空调太冷"}, headers=admin_headers)
    assert made.status_code == 201 and made.get_json()["source"] == "manual"
    entry_id = made.get_json()["id"]
    assert_error(client.patch(f"{API}/rectifications/{entry_id}", json={"deadline": "soon"}, headers=admin_headers), 422)
    assert_error(client.patch(f"{API}/rectifications/{entry_id}", json=[1], headers=admin_headers), 422)
    assert client.delete(f"{API}/rectifications/{entry_id}", headers=admin_headers).status_code == 204


def test_an_upheld_appeal_leaves_the_statistics_and_dismisses_the_entry(client, admin_headers, hall, leader):
    rate(client, hall, 5)
    bad = rate(client, hall, 1)
    stats = client.get(f"{API}/stats/satisfaction", headers=admin_headers).get_json()
    assert stats["count"] == 2 and stats["distribution"]["1"] == 1
    filed = client.post(f"{API}/appeals", json={"rating_id": bad["id"], "kind": "malicious", "reason": "当事人承认误按"},
                        headers=admin_headers)
    assert filed.status_code == 201
    appeal_id = filed.get_json()["id"]
    assert_error(client.post(f"{API}/appeals", json={"rating_id": bad["id"], "kind": "mistaken", "reason": "again"},
                             headers=admin_headers), 409, "already_appealed")
    assert_error(client.post(f"{API}/appeals/{appeal_id}/decision", json={"upheld": True}, headers=admin_headers),
                 403)
    decided = client.post(f"{API}/appeals/{appeal_id}/decision", json={"upheld": True, "note": "属实"},
                          headers=leader["headers"])
    assert decided.status_code == 200 and decided.get_json()["status"] == "upheld"
    assert_error(client.post(f"{API}/appeals/{appeal_id}/decision", json={"upheld": False},
                             headers=leader["headers"]), 409, "appeal_decided")
    stats = client.get(f"{API}/stats/satisfaction", headers=admin_headers).get_json()
    assert stats["count"] == 1 and stats["distribution"]["1"] == 0 and stats["rate"] == 1.0
    entry = client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]},
                       headers=admin_headers).get_json()["items"][0]
    assert entry["state"] == "dismissed" and "属实" in entry["dismissed_reason"]
    # The rating itself stays on record.
    assert client.get(f"{API}/ratings/{bad['id']}", headers=admin_headers).status_code == 200


def test_a_leader_sees_the_departments_listed_for_them_only(app):
    """admin.services.scope: a leader (in the console, or through a token made for them) reads the
    departments they look after; a leader for whom none is listed reads none."""
    from liangbiping.admin.services.scope import Viewer

    person = Viewer(role="leader", user_id=3, departments=frozenset({2}))
    assert not person.sees_department(1) and person.sees_department(2) and person.department_filter() == {2}
    nobody = Viewer(role="leader", user_id=4, departments=frozenset())
    assert not nobody.sees_department(2) and nobody.department_filter() == set()


def test_a_leader_of_another_department_cannot_decide_or_move_its_entries(client, admin_headers, hall, leader,
                                                                           make_token):
    """An entry and an appeal of 社会保障科 (张三's window): the leader of 医疗保障科 neither reads
    nor dismisses nor moves the entry, nor decides the appeal, and nothing of them changes."""
    other = make_token("leader", departments=[hall.d2])
    bad = rate(client, hall, 1, reasons=["attitude"])
    entry = client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]},
                       headers=admin_headers).get_json()["items"][0]
    url = f"{API}/rectifications/{entry['id']}"
    assert client.get(f"{API}/rectifications", query_string={"rating_id": bad["id"]},
                      headers=other).get_json()["items"] == []
    assert_error(client.get(url, headers=other), 404)
    assert_error(client.patch(url, json={"measure": "不必整改"}, headers=other), 404)
    assert_error(client.post(f"{url}/transition", json={"action": "dismiss", "reason": "不属实"}, headers=other), 404)
    appeal = client.post(f"{API}/appeals", json={"rating_id": bad["id"], "kind": "malicious", "reason": "误按"},
                         headers=admin_headers).get_json()
    assert_error(client.post(f"{API}/appeals/{appeal['id']}/decision", json={"upheld": True, "note": "x"},
                             headers=other), 404)

    after = client.get(url, headers=admin_headers).get_json()
    assert after["state"] == "open" and after["measure"] == entry["measure"]
    assert client.get(f"{API}/appeals/{appeal['id']}", headers=admin_headers).get_json()["status"] == "pending"
    # The department's own leader can.
    assert client.post(f"{API}/appeals/{appeal['id']}/decision", json={"upheld": False, "note": "评价属实"},
                       headers=leader["headers"]).get_json()["status"] == "rejected"
