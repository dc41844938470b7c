"""Each abuse rule of docs/RATINGS.md, one test each; suspicious ratings are stored flagged, never dropped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating, RatingPrompt
from tests.kiosk.conftest import rating


def at(seconds_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).isoformat()


def test_one_rating_per_prompt(app, client, hall, prompt_for):
    _prompt_id, token = prompt_for(hall.m1, "B-7")
    first = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=5))
    assert first.status_code == 201 and first.get_json()["prompted"] is True
    second = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=1))
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "prompt_used"
    kiosk = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, qr_token=token))
    assert kiosk.status_code == 409
    # A retry of the first (same id) is still fine: the client may not have seen the answer.
    assert client.post("/api/v1/ratings", json=rating(id=first.get_json()["id"], channel="qr", qr_token=token)).status_code == 200
    with app.app_context():
        assert db.session.query(Rating).count() == 1


def test_an_expired_or_replaced_prompt_is_refused(app, client, hall, prompt_for):
    old_id, old_token = prompt_for(hall.m1)
    _new_id, new_token = prompt_for(hall.m1)  # a new prompt ends the member's earlier one
    replaced = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=old_token))
    assert replaced.status_code == 410 and replaced.get_json()["error"]["code"] == "token_expired"
    with app.app_context():
        prompt = db.session.get(RatingPrompt, _new_id)
        prompt.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    assert client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=new_token)).status_code == 410


def test_repeated_presses_at_one_kiosk_within_3_s_count_once(app, client, hall):
    bodies = [rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=s, rated_at=at(ago))
              for s, ago in ((5, 10.0), (1, 9.0), (1, 8.5), (4, 5.0))]
    flags = [client.post("/api/v1/ratings", json=b).get_json()["flagged"] for b in bodies]
    assert flags == [None, "repeat_press", "repeat_press", None]
    other_kiosk = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.floor_token, window_id=hall.w1,
                                                             rated_at=at(9.5)))
    assert other_kiosk.get_json()["flagged"] is None
    with app.app_context():
        assert db.session.query(Rating).count() == 5  # stored, never dropped


def test_one_phone_rates_one_member_once_per_24_hours_by_badge(app, badge_token, hall):
    token = badge_token(hall.m1)
    phone = app.test_client()
    assert phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token)).status_code == 201
    again = phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=1))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    # The same phone may rate another member.
    assert phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=badge_token(hall.m2))).status_code == 201
    # Same address, no cookie (cleared, or another phone on the hall's Wi-Fi): stored, flagged for review.
    other = app.test_client()
    flagged = other.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token))
    assert flagged.status_code == 201 and flagged.get_json()["flagged"] == "repeat_address"
    # Another address and another phone: counted.
    far = app.test_client()
    fresh = far.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token),
                     environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert fresh.status_code == 201 and fresh.get_json()["flagged"] is None
    # After 24 hours the phone may rate the member again.
    with app.app_context():
        for row in db.session.query(Rating).all():
            row.received_at -= timedelta(hours=25)
        db.session.commit()
    assert phone.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token)).status_code == 201


def test_the_phone_cookie_is_private_and_only_a_keyed_hash_is_stored(app, client, badge_token, hall):
    response = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=badge_token(hall.m1)))
    cookie = response.headers["Set-Cookie"]
    assert "lbp_rater=" in cookie and "HttpOnly" in cookie
    value = cookie.split("lbp_rater=")[1].split(";")[0]
    with app.app_context():
        row = db.session.query(Rating).one()
        assert row.rater_hash and value not in row.rater_hash and "127.0.0.1" not in (row.address_hash or "")


def test_bursts_from_one_kiosk_get_429_with_retry_after(app, client, hall):
    app.config["RATING_BURST_KIOSK"] = "3/0.01"
    answers = [client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1,
                                                           rated_at=at(100 - i * 5))) for i in range(5)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    refused = answers[3]
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    # Another kiosk is its own source.
    assert client.post("/api/v1/ratings", json=rating(kiosk_token=hall.floor_token, window_id=hall.w2)).status_code == 201
    # A replay of a stored id is answered even while the source is throttled.
    body = answers[0].get_json()
    assert client.post("/api/v1/ratings", json=rating(id=body["id"], kiosk_token=hall.kiosk_token)).status_code == 200


def test_bursts_from_one_address_get_429(app, badge_token, hall):
    app.config["RATING_BURST_ADDRESS"] = "2/0.01"
    token = badge_token(hall.m1)
    codes = [app.test_client().post("/api/v1/ratings", json=rating(channel="qr", qr_token=token)).status_code
             for _ in range(4)]
    assert codes == [201, 201, 429, 429]


def test_flagged_ratings_are_listed_for_review(client, hall, admin_headers):
    for ago in (20, 19):
        client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, rated_at=at(ago)))
    flagged = client.get("/api/v1/ratings?flagged=true", headers=admin_headers).get_json()
    clean = client.get("/api/v1/ratings?flagged=false", headers=admin_headers).get_json()
    assert flagged["total"] == 1 and flagged["items"][0]["flagged"] == "repeat_press"
    assert clean["total"] == 1


def test_a_kiosk_replaying_after_its_prompt_ran_out_keeps_the_rating_unprompted(app, client, hall, prompt_for):
    prompt_id, token = prompt_for(hall.m1, "Z-1")
    with app.app_context():
        prompt = db.session.get(RatingPrompt, prompt_id)
        prompt.expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session.commit()
    kept = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, qr_token=token, rated_at=at(600)))
    assert kept.status_code == 201
    assert kept.get_json()["prompted"] is False and kept.get_json()["staff_id"] == hall.m1
