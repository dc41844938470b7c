"""The suggestion box: a citizen writes in, gets a receipt, and later reads the hall's reply at /s/<receipt>."""

from __future__ import annotations

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry


def test_submit_reply_and_follow_by_receipt(app, client, hall, badge_token, admin_headers, make_token):
    sent = client.post("/api/v1/suggestions", json={"kind": "complaint", "text": "排队叫号<b>太慢</b>",
                                                    "qr_token": badge_token(hall.m1), "channel": "qr",
                                                    "contact": "13900001111"})
    assert sent.status_code == 201, sent.get_json()
    receipt = sent.get_json()["receipt"]
    assert len(receipt) == 8 and sent.get_json()["status"] == "new"
    page = client.get(f"/s/{receipt}").get_data(as_text=True)
    assert "&lt;b&gt;太慢&lt;/b&gt;" in page and "<b>太慢" not in page and "13900001111" not in page

    listing = client.get("/api/v1/suggestions?status=new", headers=make_token("leader")).get_json()
    assert listing["total"] == 1 and listing["items"][0]["staff_id"] == hall.m1
    assert listing["items"][0]["contact_masked"] == "139****1111"
    item_id = listing["items"][0]["id"]
    replied = client.patch(f"/api/v1/suggestions/{item_id}", json={"reply": "已增加叫号窗口，感谢监督。"}, headers=admin_headers)
    assert replied.status_code == 200 and replied.get_json()["status"] == "replied"
    assert "已增加叫号窗口" in client.get(f"/s/{receipt.lower()}").get_data(as_text=True)
    closed = client.patch(f"/api/v1/suggestions/{item_id}", json={"status": "handled"}, headers=admin_headers)
    assert closed.get_json()["status"] == "handled" and closed.get_json()["handled_at"]
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(entity="suggestion").count() == 2


def test_suggestions_validate_and_need_a_token(client, hall):
    base = {"text": "建议", "kiosk_token": hall.kiosk_token, "channel": "kiosk"}
    assert client.post("/api/v1/suggestions", json={"text": "建议"}).status_code == 401
    for field, value in (("text", ""), ("text", "字" * 1001), ("kind", "rant"), ("contact", "123"),
                         ("staff_id", 0), ("window_id", "x"), ("extra", 1)):
        response = client.post("/api/v1/suggestions", json=dict(base, **{field: value}))
        assert response.status_code == 422, (field, value)
    assert client.post("/api/v1/suggestions", json=dict(base, staff_id=999)).status_code == 422
    ok = client.post("/api/v1/suggestions", json=base)
    assert ok.status_code == 201


def test_unknown_receipt_is_a_friendly_404(client):
    assert client.get("/s/NOPE1234").status_code == 404
    assert client.get("/s/" + "A" * 40).status_code == 404


def test_reading_suggestions_needs_a_manager(client, make_token):
    assert client.get("/api/v1/suggestions").status_code == 401
    assert client.get("/api/v1/suggestions", headers=make_token("staff")).status_code == 403
    assert client.get("/api/v1/suggestions/5", headers=make_token("leader")).status_code == 404


def test_a_complaint_shows_its_rectification_progress_on_the_receipt_page(app, client, hall, badge_token):
    from liangbiping.admin.models import Rectification

    sent = client.post("/api/v1/suggestions", json={"kind": "complaint", "text": "材料要求没有一次说清楚",
                                                    "qr_token": badge_token(hall.m1), "channel": "qr"})
    assert sent.status_code == 201
    suggestion_id = sent.get_json()["id"]
    with app.app_context():
        entry = db.session.query(Rectification).filter_by(suggestion_id=suggestion_id).one()
        assert entry.state == "open"
    page = client.get(f"/s/{sent.get_json()['receipt']}").get_data(as_text=True)
    assert "整改进展" in page or "Rectification progress" in page
    assert 'class="step-open"' in page
    praise = client.post("/api/v1/suggestions", json={"kind": "praise", "text": "服务很好",
                                                      "qr_token": badge_token(hall.m1), "channel": "qr"})
    assert 'class="steps"' not in client.get(f"/s/{praise.get_json()['receipt']}").get_data(as_text=True)
