"""Console pages: ratings list and detail, the audited call-back number, the suggestion inbox,
asking for a rating, printing badges with progress, pairing a kiosk or a screen by its code."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Kiosk, Screen
from tests.factories import csrf_token
from tests.kiosk.conftest import rating


def test_ratings_list_filters_and_detail_with_the_audited_contact(app, client, hall, login):
    for score, ago in ((5, 30), (1, 20)):
        body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=score, reasons=["slow"] if score == 1 else [],
                      comment="<script>alert(1)</script>" if score == 1 else "", contact="13812345678" if score == 1 else None,
                      rated_at=(datetime.now(timezone.utc) - timedelta(seconds=ago)).isoformat())
        assert client.post("/api/v1/ratings", json=body).status_code == 201
    bad_id = body["id"]
    login("leader")
    page = client.get("/admin/ratings/").get_data(as_text=True)
    assert "张三" in page and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "13812345678" not in page
    assert client.get("/admin/ratings/?score=1").get_data(as_text=True).count("fb-ratings") == 1
    filtered = client.get(f"/admin/ratings/?score=5&staff_id={hall.m1}&channel=kiosk&flagged=false&from=2000-01-01")
    assert filtered.status_code == 200
    assert client.get("/admin/ratings/?score=nine").status_code == 200  # a bad filter is ignored, never a 500
    detail = client.get(f"/admin/ratings/{bad_id}").get_data(as_text=True)
    assert "138****5678" in detail and "13812345678" not in detail
    shown = client.post(f"/admin/ratings/{bad_id}/contact", data={"csrf_token": csrf_token(client, f"/admin/ratings/{bad_id}")})
    assert "13812345678" in shown.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="view_contact", entity="rating", entity_id=bad_id).count() == 1
    counters = client.get("/admin/ratings/counters").get_json()
    assert counters["count"] == 2 and counters["bad"] == 1 and counters["by_score"]["5"] == 1
    assert client.get("/admin/ratings/nope").status_code == 404


def test_staff_may_not_read_ratings(client, hall, login):
    login("staff")
    assert client.get("/admin/ratings/").status_code == 403
    assert client.get("/admin/suggestions/").status_code == 403


def test_suggestion_inbox_reply_and_handled(app, client, hall, login):
    sent = client.post("/api/v1/suggestions", json={"kind": "suggestion", "text": "希望增加<b>自助</b>复印机",
                                                    "kiosk_token": hall.kiosk_token, "channel": "kiosk"}).get_json()
    login("admin")
    inbox = client.get("/admin/suggestions/").get_data(as_text=True)
    assert sent["receipt"] in inbox and "&lt;b&gt;自助" in inbox
    path = f"/admin/suggestions/{sent['id']}"
    token = csrf_token(client, path)
    client.post(path, data={"csrf_token": token, "action": "reply", "reply": "已在二楼增设自助复印机。"})
    client.post(path, data={"csrf_token": token, "action": "handled"})
    citizen = client.get(f"/s/{sent['receipt']}").get_data(as_text=True)
    assert "已在二楼增设自助复印机" in citizen
    with app.app_context():
        from liangbiping.admin.models import Suggestion

        assert db.session.get(Suggestion, sent["id"]).status == "handled"


def test_a_member_asks_for_a_rating_from_the_console(app, client, hall, login):
    login("staff")  # a new member without a window: the request still works by phone
    token = csrf_token(client, "/admin/prompt")
    response = client.post("/admin/prompt", data={"csrf_token": token, "case_no": "Q-001"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in page and "Q-001" in page


def test_print_badges_with_progress_then_download(app, client, hall, login):
    login("leader")
    assert "张三" in client.get("/admin/badges/").get_data(as_text=True)
    started = client.post("/admin/badges/jobs", data={"csrf_token": csrf_token(client, "/admin/badges/"),
                                                       "department_id": str(hall.d1)})
    assert started.status_code == 202
    job = started.get_json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(job["progress"]).get_json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state == {"done": 2, "total": 2, "page": 1, "pages": 1, "state": "done", "error": None}
    pdf = client.get(job["download"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/admin/badges/{hall.m1}.png").mimetype == "image/png"


def test_pair_a_kiosk_and_a_screen_by_code(app, client, hall, login):
    kiosk_code = client.post("/pair/kiosk").get_json()
    screen_code = client.post("/pair/screen").get_json()
    waiting = client.post("/pair/kiosk/collect", json={"code": kiosk_code["code"], "secret": kiosk_code["secret"]})
    assert waiting.status_code == 202
    login("admin")
    token = csrf_token(client, "/admin/pair")
    wrong = client.post("/admin/pair", data={"csrf_token": token, "kind": "kiosk", "code": "ZZZZZZ", "name": "x"})
    assert wrong.status_code == 200 and "ZZZZZZ" in wrong.get_data(as_text=True)
    done = client.post("/admin/pair", data={"csrf_token": token, "kind": "kiosk", "code": kiosk_code["code"].lower(),
                                            "name": "A02 评价器", "window_id": str(hall.w2)})
    assert done.status_code == 302
    client.post("/admin/pair", data={"csrf_token": token, "kind": "screen", "code": screen_code["code"], "name": "A02 窗口屏",
                                     "window_id": str(hall.w2), "screen_kind": "window"})
    with app.app_context():
        kiosk = db.session.query(Kiosk).filter_by(name="A02 评价器").one()
        assert kiosk.window_id == hall.w2
        screen = db.session.query(Screen).filter_by(name="A02 窗口屏").one()
        assert screen.kind == "window" and screen.window_id == hall.w2
    collected = client.post("/pair/kiosk/collect", json={"code": kiosk_code["code"], "secret": kiosk_code["secret"]}).get_json()
    assert collected["status"] == "paired" and collected["id"] == kiosk.id and collected["token"]
    ok = client.post("/api/v1/ratings", json=rating(kiosk_token=collected["token"], staff_id=hall.m2))
    assert ok.status_code == 201 and ok.get_json()["window_id"] == hall.w2
