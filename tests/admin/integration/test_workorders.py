"""Work orders in: a repeat of the same external id updates the entry instead of adding one; the
entry follows the 四明确 rules and goes back out through the events."""

from __future__ import annotations

from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rectification
from tests.admin.integration.conftest import deliver


def test_the_same_work_order_twice_updates_instead_of_duplicating(app, client, hall, admin_headers, receiver,
                                                                  subscribe):
    subscribe(receiver, ["rectification.changed"])
    order = {"problem": "市民来电反映窗口办理慢", "window_id": hall.w1, "external_source": "hotline_12345",
             "external_id": "12345-20261206-0042"}
    first = client.post("/api/v1/rectifications", headers=admin_headers, json=order)
    assert first.status_code == 201, first.get_json()
    entry = first.get_json()
    assert entry["source"] == "external" and entry["external_id"] == "12345-20261206-0042"
    assert entry["deadline"] and entry["state"] == "open"  # the default deadline, as for any entry
    again = client.post("/api/v1/rectifications", headers=admin_headers,
                        json={**order, "problem": "市民来电反映窗口办理慢（补充：排队一小时）", "measure": "增开窗口"})
    assert again.status_code == 200 and again.get_json()["id"] == entry["id"]
    assert again.get_json()["measure"] == "增开窗口"
    same = client.post("/api/v1/rectifications", headers=admin_headers,
                       json={**order, "problem": "市民来电反映窗口办理慢（补充：排队一小时）", "measure": "增开窗口"})
    assert same.status_code == 200 and len(same.get_json()["events"]) == 2  # nothing new: no new step
    other = client.post("/api/v1/rectifications", headers=admin_headers,
                        json={**order, "external_source": "platform"})
    assert other.status_code == 201 and other.get_json()["id"] != entry["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rectification)) == 2
    deliver(app)
    steps: dict = {}
    for b in receiver.accepted():  # in order per entry (not across entries)
        steps.setdefault(b["data"]["external_source"], []).append(b["data"]["step"]["action"])
    assert steps == {"hotline_12345": ["open", "update"], "platform": ["open"]}


def test_a_work_order_needs_both_its_source_and_id(client, hall, admin_headers, integration_headers):
    half = client.post("/api/v1/rectifications", headers=admin_headers,
                       json={"problem": "x", "external_id": "A-1"})
    assert half.status_code == 422
    wrong = client.post("/api/v1/rectifications", headers=admin_headers,
                        json={"problem": "x", "external_id": "A-1", "external_source": "fax"})
    assert wrong.status_code == 422
    refused = client.post("/api/v1/rectifications", headers=integration_headers,
                          json={"problem": "x", "external_id": "A-1", "external_source": "platform"})
    assert refused.status_code == 403  # the integration role reads the ledger only
