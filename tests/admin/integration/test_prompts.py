"""Prompts from another system: a queue-calling system starts one for a finished case, the kiosk at
the window shows it, one rating ends it, and the caller reads how it was rated."""

from __future__ import annotations

from datetime import timedelta

from liangbiping.admin.extensions import db
from liangbiping.admin.models import RatingPrompt
from liangbiping.admin.models.types import utcnow
from tests.kiosk.conftest import rating


def test_a_prompt_from_outside_reaches_the_kiosk_and_comes_back_rated(app, client, hall, integration_headers,
                                                                      socketio_client):
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    kiosk.get_received("/kiosk")
    answer = client.post("/api/v1/prompts", headers=integration_headers, json={
        "case_no": "BJ-2026-000123", "service_item": "养老保险参保登记", "service_code": "SB-001",
        "employee_no": "E001", "window_id": hall.w1, "phone": "13812345678"})
    assert answer.status_code == 201, answer.get_json()
    prompt = answer.get_json()
    assert prompt["state"] == "open" and prompt["staff_id"] == hall.m1 and prompt["window_id"] == hall.w1
    assert prompt["rating_url"].split("/q/")[1] and "BJ-2026-000123" in prompt["sms"]["text"]
    assert prompt["sms"]["phone"] == "13812345678"

    shown = [e["args"][0]["prompt"] for e in kiosk.get_received("/kiosk") if e["name"] == "state"]
    assert shown and shown[-1]["case_no"] == "BJ-2026-000123" and shown[-1]["service_item"] == "养老保险参保登记"
    assert shown[-1]["member"]["name"] == "张三"
    token = shown[-1]["token"]

    first = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, qr_token=token, score=4))
    assert first.status_code == 201
    second = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, qr_token=token, score=1))
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "prompt_used"

    read = client.get(f"/api/v1/prompts/{prompt['id']}", headers=integration_headers).get_json()
    assert read["state"] == "rated" and read["rating_id"] == first.get_json()["id"] and read["score"] == 4
    assert "rating_url" not in read or read["rating_url"] is None
    stored = client.get(f"/api/v1/ratings/{read['rating_id']}", headers=integration_headers).get_json()
    assert stored["case_no"] == "BJ-2026-000123" and stored["service_item"] == "养老保险参保登记"
    # Rated: it cannot be cancelled any more.
    assert client.post(f"/api/v1/prompts/{prompt['id']}/cancel", headers=integration_headers).status_code == 409
    kiosk.disconnect("/kiosk")


def test_a_window_alone_means_the_member_on_duty_there(client, hall, integration_headers):
    answer = client.post("/api/v1/prompts", headers=integration_headers,
                         json={"case_no": "Q-1", "window_id": hall.w2})
    assert answer.status_code == 201 and answer.get_json()["staff_id"] == hall.m2
    nobody = client.post("/api/v1/prompts", headers=integration_headers, json={"case_no": "Q-2", "window_id": hall.w4})
    assert nobody.status_code == 409 and nobody.get_json()["error"]["code"] == "no_member_at_window"
    neither = client.post("/api/v1/prompts", headers=integration_headers, json={"case_no": "Q-3"})
    assert neither.status_code == 422
    unknown = client.post("/api/v1/prompts", headers=integration_headers, json={"case_no": "Q-4", "employee_no": "X9"})
    assert unknown.status_code == 422 and "employee_no" in str(unknown.get_json()["error"])


def test_cancel_and_expiry(app, client, hall, integration_headers):
    from liangbiping.admin.integration.prompts import expire_due

    made = client.post("/api/v1/prompts", headers=integration_headers,
                       json={"case_no": "C-1", "staff_id": hall.m3}).get_json()
    cancelled = client.post(f"/api/v1/prompts/{made['id']}/cancel", headers=integration_headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"

    late = client.post("/api/v1/prompts", headers=integration_headers,
                       json={"case_no": "C-2", "staff_id": hall.m3, "expires_in": 60}).get_json()
    with app.test_request_context("/"):
        assert expire_due(utcnow() + timedelta(seconds=30)) == 0
        assert expire_due(utcnow() + timedelta(seconds=61)) == 1
        assert db.session.get(RatingPrompt, late["id"]).expired_at is not None
    with app.app_context():
        prompt = db.session.get(RatingPrompt, late["id"])
        prompt.expires_at = utcnow() - timedelta(seconds=1)  # what the clock would have done
        db.session.commit()
    read = client.get(f"/api/v1/prompts/{late['id']}", headers=integration_headers).get_json()
    assert read["state"] == "expired" and read["rating_id"] is None and read["expired_at"]


def test_the_integration_role_does_prompts_and_reads_only(client, hall, integration_headers):
    assert client.get("/api/v1/ratings", headers=integration_headers).status_code == 200
    assert client.get("/api/v1/rectifications", headers=integration_headers).status_code == 200
    assert client.get("/api/v1/departments", headers=integration_headers).status_code == 403
    assert client.post("/api/v1/departments", headers=integration_headers, json={"name": "x"}).status_code == 403
    assert client.post("/api/v1/rectifications", headers=integration_headers, json={"problem": "x"}).status_code == 403
    assert client.get("/api/v1/webhooks", headers=integration_headers).status_code == 403
    assert client.post("/api/v1/prompts", json={"case_no": "A", "staff_id": hall.m1}).status_code == 401


def test_an_integration_token_from_the_command_line_names_no_user(app):
    from liangbiping.admin.errors import Invalid
    from liangbiping.admin.models import User
    from liangbiping.admin.services.accounts import create_token
    import pytest

    with app.app_context():
        token, _secret = create_token("叫号", "integration", actor="test")
        assert token.role == "integration" and token.user_id is None
        user = User(username="x", password_hash="x", role="admin")
        db.session.add(user)
        db.session.commit()
        with pytest.raises(Invalid):
            create_token("叫号", "integration", actor="test", user=user)


def test_the_statistics_filter_by_service_item(app, client, hall, integration_headers, admin_headers):
    from liangbiping.kiosk.qrtokens import prompt_token

    def rate(item, score, member):
        made = client.post("/api/v1/prompts", headers=integration_headers,
                           json={"case_no": f"C-{item}-{score}", "service_item": item, "staff_id": member}).get_json()
        with app.app_context():
            token = prompt_token(db.session.get(RatingPrompt, made["id"]))
        answer = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=score))
        assert answer.status_code == 201, answer.get_json()

    rate("养老保险参保登记", 5, hall.m1)
    rate("养老保险参保登记", 2, hall.m2)
    rate("医保报销", 4, hall.m3)
    figures = client.get("/api/v1/stats/satisfaction?service_item=养老保险参保登记", headers=admin_headers).get_json()
    assert figures["count"] == 2 and figures["distribution"]["5"] == 1 and figures["distribution"]["2"] == 1
    assert figures["service_item"] == "养老保险参保登记" and figures["rate"] == 0.5
    window = client.get(f"/api/v1/stats/satisfaction?scope=window&id={hall.w1}&service_item=养老保险参保登记",
                        headers=admin_headers).get_json()
    assert window["count"] == 1
    assert client.get("/api/v1/stats/satisfaction?service_item=无此事项", headers=admin_headers).get_json()["count"] == 0
    assert client.get("/api/v1/stats/satisfaction", headers=admin_headers).get_json()["count"] == 3


def test_the_ratings_list_filters_by_service_item_within_the_viewers_scope(app, client, hall, integration_headers,
                                                                          admin_headers, make_token, login):
    from liangbiping.kiosk.qrtokens import prompt_token

    def rate(item, score, member):
        made = client.post("/api/v1/prompts", headers=integration_headers,
                           json={"case_no": f"L-{item}-{score}", "service_item": item, "staff_id": member}).get_json()
        with app.app_context():
            token = prompt_token(db.session.get(RatingPrompt, made["id"]))
        answer = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=score))
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    pension_w1 = rate("养老保险参保登记", 5, hall.m1)
    pension_w3 = rate("养老保险参保登记", 2, hall.m3)   # 王五 works in the other department (d2)
    other = rate("医保报销", 4, hall.m1)
    unprompted = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, score=3))
    assert unprompted.status_code == 201

    def ids(headers, **params):
        answer = client.get("/api/v1/ratings", headers=headers, query_string=params)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        assert body["total"] == len(body["items"])
        return {r["id"] for r in body["items"]}

    assert ids(admin_headers, service_item="养老保险参保登记") == {pension_w1, pension_w3}
    assert ids(integration_headers, service_item=" 养老保险参保登记 ") == {pension_w1, pension_w3}  # cleaned as a Line
    assert ids(admin_headers, service_item="医保报销") == {other}
    assert ids(admin_headers, service_item="医保报销", staff_id=hall.m3) == set()
    assert ids(admin_headers, service_item="无此事项") == set()
    assert len(ids(admin_headers)) == 4
    # A leader of the first department sees that department's ratings of the item only.
    leader = make_token("leader", departments=[hall.d1])
    assert ids(leader, service_item="养老保险参保登记") == {pension_w1}
    for bad in ("", "x" * 129, "a\x00b"):
        answer = client.get("/api/v1/ratings", headers=admin_headers, query_string={"service_item": bad})
        assert answer.status_code == 422 and answer.get_json()["error"], bad

    login("admin")
    page = client.get("/admin/ratings/?service_item=医保报销")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/admin/ratings/{other}" in html and f"/admin/ratings/{pension_w1}" not in html
    assert '<option value="养老保险参保登记">' in html and 'value="医保报销"' in html
