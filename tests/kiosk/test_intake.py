"""POST /api/v1/ratings exactly as the contract says: idempotency, validation of every field, tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating
from tests.kiosk.conftest import rating


def stored(app, rating_id):
    with app.app_context():
        return db.session.get(Rating, rating_id)


def test_a_kiosk_rating_is_stored_and_answered_201(app, client, hall):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=4)
    response = client.post("/api/v1/ratings", json=body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["id"] == body["id"] and out["score"] == 4 and out["staff_id"] == hall.m1
    assert out["window_id"] == hall.w1 and out["channel"] == "kiosk" and out["flagged"] is None
    assert out["prompted"] is False and out["kiosk_id"] == hall.kiosk
    row = stored(app, body["id"])
    assert row.score == 4 and row.kiosk_id == hall.kiosk


def test_the_same_id_again_returns_200_and_stores_nothing_new(app, client, hall):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=2, reasons=["slow"])
    first = client.post("/api/v1/ratings", json=body)
    assert first.status_code == 201
    again = client.post("/api/v1/ratings", json=dict(body, score=5))
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    with app.app_context():
        assert db.session.query(Rating).count() == 1


def test_uppercase_uuid_is_the_same_key(client, hall):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1)
    assert client.post("/api/v1/ratings", json=body).status_code == 201
    assert client.post("/api/v1/ratings", json=dict(body, id=body["id"].upper())).status_code == 200


BAD_FIELDS = [
    ("id", "not-a-uuid"), ("id", 12), ("id", ""), ("id", None),
    ("score", 0), ("score", 6), ("score", "5"), ("score", 4.5), ("score", True), ("score", None),
    ("staff_id", 0), ("staff_id", -1), ("staff_id", "x"), ("staff_id", 2**40),
    ("window_id", 0), ("window_id", "A01"),
    ("channel", "sms"), ("channel", ""), ("channel", None),
    ("reasons", ["rude"]), ("reasons", "slow"), ("reasons", [1]), ("reasons", ["slow"] * 7),
    ("comment", "长" * 501), ("comment", 5),
    ("contact", "12345"), ("contact", "1381234567a"), ("contact", "0" * 40), ("contact", 13812345678),
    ("rated_at", "yesterday"), ("rated_at", 17),
    ("kiosk_token", 5), ("kiosk_token", "x" * 4097),
    ("extra", "field"),
]


def test_every_field_is_validated_with_a_422_in_the_error_shape(app, client, hall):
    for field, value in BAD_FIELDS:
        body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1)
        body[field] = value
        response = client.post("/api/v1/ratings", json=body)
        assert response.status_code == 422, (field, value, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and error["message"]
        assert error["details"][0]["field"] == field, (field, error)
    for field in ("id", "score", "channel"):
        body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1)
        del body[field]
        assert client.post("/api/v1/ratings", json=body).status_code == 422
    with app.app_context():
        assert db.session.query(Rating).count() == 0


def test_malformed_bodies_are_4xx(client):
    assert client.post("/api/v1/ratings", data="{", content_type="application/json").status_code == 400
    assert client.post("/api/v1/ratings", data="x", content_type="text/plain").status_code == 400
    assert client.post("/api/v1/ratings", json=[1, 2]).status_code == 422
    assert client.post("/api/v1/ratings", json="x").status_code == 422


def test_future_and_ancient_times_are_refused(client, hall):
    now = datetime.now(timezone.utc)
    for when in (now + timedelta(hours=1), now - timedelta(days=31)):
        body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, rated_at=when.isoformat())
        response = client.post("/api/v1/ratings", json=body)
        assert response.status_code == 422 and response.get_json()["error"]["details"][0]["field"] == "rated_at"


def test_an_offline_kiosk_keeps_the_time_the_citizen_pressed(app, client, hall):
    pressed = datetime.now(timezone.utc) - timedelta(hours=5)
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, rated_at=pressed.isoformat())
    assert client.post("/api/v1/ratings", json=body).status_code == 201
    row = stored(app, body["id"])
    assert abs((row.rated_at - pressed).total_seconds()) < 0.01
    assert row.received_at - row.rated_at > timedelta(hours=4)


def test_contact_is_normalised_stored_and_masked(app, client, hall, admin_headers):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=1, reasons=["attitude"],
                  contact="+86 138-1234-5678", comment="等了很久<script>")
    out = client.post("/api/v1/ratings", json=body).get_json()
    assert "contact" not in out and out["contact_masked"] == "138****5678"
    assert stored(app, body["id"]).contact == "13812345678"
    read = client.get(f"/api/v1/ratings/{body['id']}", headers=admin_headers).get_json()
    assert read["contact_masked"] == "138****5678" and "13812345678" not in str(read)


def test_tokens_are_required_and_checked(client, hall, badge_token):
    assert client.post("/api/v1/ratings", json=rating(staff_id=hall.m1)).status_code == 401
    bad = client.post("/api/v1/ratings", json=rating(kiosk_token="nope", staff_id=hall.m1))
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_kiosk_token"
    token = badge_token(hall.m1)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=forged))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_a_badge_token_rates_its_member_and_rotation_revokes_it(client, hall, badge_token, admin_headers):
    token = badge_token(hall.m1)
    ok = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token))
    assert ok.status_code == 201 and ok.get_json()["staff_id"] == hall.m1
    mismatch = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, staff_id=hall.m2))
    assert mismatch.status_code == 422
    assert client.post(f"/api/v1/staff/{hall.m1}/badge/rotate", headers=admin_headers).status_code == 200
    revoked = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token))
    assert revoked.status_code == 410 and revoked.get_json()["error"]["code"] == "token_revoked"


def test_channel_must_match_the_token(client, hall, badge_token):
    assert client.post("/api/v1/ratings", json=rating(channel="qr", kiosk_token=hall.kiosk_token,
                                                      staff_id=hall.m1)).status_code == 422
    assert client.post("/api/v1/ratings", json=rating(channel="kiosk", qr_token=badge_token(hall.m1))).status_code == 422
    assert client.post("/api/v1/ratings", json=rating(channel="device", kiosk_token=hall.kiosk_token,
                                                      staff_id=hall.m1)).status_code == 201


def test_who_is_rated_must_exist_and_fit_the_kiosk(client, hall):
    base = dict(kiosk_token=hall.kiosk_token)
    assert client.post("/api/v1/ratings", json=rating(staff_id=9999, **base)).status_code == 422
    assert client.post("/api/v1/ratings", json=rating(window_id=hall.w2, **base)).status_code == 422
    window_only = client.post("/api/v1/ratings", json=rating(**base))
    assert window_only.status_code == 201 and window_only.get_json()["window_id"] == hall.w1
    floor = dict(kiosk_token=hall.floor_token)
    assert client.post("/api/v1/ratings", json=rating(**floor)).status_code == 422
    picked = client.post("/api/v1/ratings", json=rating(window_id=hall.w2, staff_id=hall.m2, **floor))
    assert picked.status_code == 201 and picked.get_json()["kiosk_id"] == hall.floor


def test_a_prompted_rating_is_marked_and_others_are_not(client, hall, prompt_for):
    prompt_id, token = prompt_for(hall.m1, "B-0042")
    out = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, qr_token=token)).get_json()
    assert out["prompted"] is True and out["prompt_id"] == prompt_id and out["staff_id"] == hall.m1
    plain = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1,
                                                       rated_at=(datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()))
    assert plain.get_json()["prompted"] is False


def test_list_and_read_need_a_manager_and_filter(client, hall, make_token, admin_headers):
    now = datetime.now(timezone.utc)
    for i, score in enumerate([5, 4, 1]):
        body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=score,
                      reasons=["slow"] if score == 1 else [], rated_at=(now - timedelta(minutes=i)).isoformat())
        assert client.post("/api/v1/ratings", json=body).status_code == 201
    assert client.get("/api/v1/ratings").status_code == 401
    assert client.get("/api/v1/ratings", headers=make_token("staff")).status_code == 403
    leader = make_token("leader")
    page = client.get("/api/v1/ratings", headers=leader).get_json()
    assert page["total"] == 3 and [r["score"] for r in page["items"]] == [5, 4, 1]
    assert client.get("/api/v1/ratings?score=1", headers=leader).get_json()["total"] == 1
    assert client.get(f"/api/v1/ratings?staff_id={hall.m2}", headers=leader).get_json()["total"] == 0
    today = now.astimezone().strftime("%Y-%m-%d")
    assert client.get("/api/v1/ratings?from=2000-01-01&to=2000-01-02", headers=leader).get_json()["total"] == 0
    assert client.get("/api/v1/ratings?from=2000-01-01", headers=leader).get_json()["total"] == 3
    assert client.get("/api/v1/ratings?flagged=true", headers=leader).get_json()["total"] == 0
    assert client.get("/api/v1/ratings?channel=qr", headers=leader).get_json()["total"] == 0
    assert client.get("/api/v1/ratings?score=9", headers=leader).status_code == 422
    assert client.get("/api/v1/ratings?from=26-1-1", headers=leader).status_code == 422
    assert client.get("/api/v1/ratings/nope", headers=leader).status_code == 404
    assert client.get("/api/v1/ratings/" + "x" * 300, headers=leader).status_code == 404
    assert today


def test_the_rating_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/ratings"] and "get" in doc["paths"]["/api/v1/ratings"]
    assert "/api/v1/staff/{staff_id}/badge.png" in doc["paths"] and "/api/v1/badges.pdf" in doc["paths"]


def test_a_member_moved_to_another_window_is_refused_at_the_old_one_at_once(app, client, hall, admin_headers):
    """The intake remembers where each member serves (no query per rating), and forgets it the
    moment a member's window is written, before any other rating comes in."""
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1)).status_code == 201
    moved = client.patch(f"/api/v1/staff/{hall.m1}", json={"window_id": hall.w2}, headers=admin_headers)
    assert moved.status_code == 200
    refused = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1))
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "staff_id"
    # a member who joins the window by a write the intake did not make is taken at once too
    with app.app_context():
        from sqlalchemy import update

        from liangbiping.admin.models import Staff

        db.session.execute(update(Staff).where(Staff.id == hall.m2).values(window_id=hall.w1))
        db.session.commit()
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m2)).status_code == 201
