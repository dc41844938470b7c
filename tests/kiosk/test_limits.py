"""Limits that protect without locking out (docs/SECURITY.md, "Limits"): every /kiosk socket event
is limited per kiosk token (reconnecting starts nothing afresh), /ratings connections per console
user, receipt lookups per address; a replayed rating's id shows the rating only to the source that
stored it; tokens that prove nothing get 401, whatever else the request holds.

Limits are made small through the app's settings, so nothing here waits for a bucket to refill."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from liangbiping.admin.extensions import db, socketio
from liangbiping.admin.models import AuditEntry, RatingPrompt, Suggestion
from tests.kiosk.conftest import new_id, rating

TOO_MANY = {"ok": False, "error": "too_many_requests"}


def emit(sock, event, data=None):
    return sock.emit(event, data if data is not None else {}, namespace="/kiosk", callback=True)


def refused(answer) -> bool:
    return (isinstance(answer, dict) and {k: answer.get(k) for k in TOO_MANY} == TOO_MANY
            and answer["message"] and answer["retry_after"] >= 1)


def prompts_and_audits(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(RatingPrompt)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.entity == "rating_prompt")))


def states(sock) -> int:
    return sum(1 for item in sock.get_received("/kiosk") if item["name"] == "state")


# --- /kiosk ----------------------------------------------------------------------------------

def test_prompts_are_limited_per_kiosk_token_and_nothing_is_stored_over_the_limit(app, hall, socketio_client):
    app.config["KIOSK_PROMPT_LIMIT"] = "3/0.001"
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    answers = [emit(kiosk, "start_prompt", {"case_no": f"C-{i}"}) for i in range(6)]
    assert [a["ok"] for a in answers] == [True, True, True, False, False, False]
    assert all(refused(a) for a in answers[3:]), answers[3]
    assert prompts_and_audits(app) == (3, 3)
    # Cancelling counts too (each is audited), and a new socket of the same kiosk is not a new kiosk.
    kiosk.disconnect(namespace="/kiosk")
    again = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    assert again.is_connected("/kiosk")
    assert refused(emit(again, "cancel_prompt")) and refused(emit(again, "start_prompt"))
    assert prompts_and_audits(app) == (3, 3)
    # Another kiosk has its own budget.
    floor = socketio_client(app, "/kiosk", token=hall.floor_token)
    assert emit(floor, "start_prompt", {"staff_id": hall.m2})["ok"] is True
    assert prompts_and_audits(app) == (4, 4)


def test_the_default_prompt_limit_lets_a_busy_window_work_and_stops_a_flood(app, hall, socketio_client):
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    answers = [emit(kiosk, "start_prompt") for _ in range(200)]
    allowed = sum(1 for a in answers if a["ok"])
    assert 10 <= allowed <= 13, allowed  # a dozen at once covers a member's mistakes; 200 do not pass
    assert prompts_and_audits(app) == (allowed, allowed)


def test_refreshes_and_heartbeats_are_limited_per_kiosk_token(app, hall, socketio_client):
    app.config.update(KIOSK_REFRESH_LIMIT="2/0.001", KIOSK_HEARTBEAT_LIMIT="3/0.001")
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    assert states(kiosk) == 1  # on connect
    answers = [emit(kiosk, "refresh") for _ in range(5)]
    assert [a["ok"] for a in answers] == [True, True, False, False, False] and refused(answers[-1])
    assert states(kiosk) == 2, "only the allowed refreshes build a state"
    beats = [emit(kiosk, "heartbeat", {"queue_length": 1}) for _ in range(5)]
    assert [b["ok"] for b in beats] == [True, True, True, False, False] and refused(beats[-1])
    assert "server_time" not in beats[-1]
    # Reconnecting gets the state the contract promises, and no fresh budget.
    kiosk.disconnect(namespace="/kiosk")
    again = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    assert states(again) == 1
    assert refused(emit(again, "refresh")) and refused(emit(again, "heartbeat"))


def test_reconnecting_too_often_is_refused_for_a_while_not_for_good(app, hall, socketio_client, monkeypatch):
    from socketio import packet

    from liangbiping.admin import limits

    app.config["KIOSK_CONNECT_LIMIT"] = "2/0.1"
    kiosk = socketio_client(app, "/kiosk", token=hall.kiosk_token)
    errors = []
    send = socketio.server._send_packet

    def spy(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            errors.append(pkt.data)
        return send(eio_sid, pkt)

    monkeypatch.setattr(socketio.server, "_send_packet", spy)
    kiosk.disconnect(namespace="/kiosk")
    kiosk.connect(namespace="/kiosk", auth={"token": hall.kiosk_token})
    assert kiosk.is_connected("/kiosk") and not errors
    kiosk.disconnect(namespace="/kiosk")
    kiosk.connect(namespace="/kiosk", auth={"token": hall.kiosk_token})
    assert not kiosk.is_connected("/kiosk")
    # Not "invalid kiosk token" (the page would forget its token and go back to pairing): the
    # page tries again after retry_after seconds (assets/kiosk/kiosk.js).
    assert errors == [{"message": "too_many_requests", "data": {"retry_after": 10}}]
    # Ten seconds later (the clock moved, nobody slept) it connects again.
    now = limits._clock()
    monkeypatch.setattr(limits, "_clock", lambda: now + 10.5)
    kiosk.connect(namespace="/kiosk", auth={"token": hall.kiosk_token})
    assert kiosk.is_connected("/kiosk")


def test_a_bad_kiosk_token_is_refused_as_invalid(app, hall, socketio_client):
    for auth in ("garbage", "x" * 5000, 17, None, ["a"], {"nested": 1}):
        sock = socketio.test_client(app, namespace="/kiosk", auth={"token": auth})
        assert not sock.is_connected("/kiosk"), auth
    assert not socketio.test_client(app, namespace="/kiosk", auth="not-a-dict").is_connected("/kiosk")


# --- /ratings --------------------------------------------------------------------------------

def test_live_ratings_connections_are_limited_per_user(app, client, login, socketio_client):
    app.config["RATINGS_CONNECT_LIMIT"] = "3/0.001"
    login("admin")
    socks = [socketio_client(app, "/ratings", client=client) for _ in range(5)]
    assert [s.is_connected("/ratings") for s in socks] == [True, True, True, False, False]


# --- the receipt page ------------------------------------------------------------------------

def test_receipt_lookups_are_limited_per_address(app, client, hall):
    app.config["RECEIPT_LOOKUP_LIMIT"] = "3/0.001"
    made = client.post("/api/v1/suggestions", json={"text": "窗口空调太冷", "kiosk_token": hall.kiosk_token})
    receipt = made.get_json()["receipt"]
    guesses = [client.get(f"/s/NOPE{i:04d}") for i in range(3)]
    assert [g.status_code for g in guesses] == [404, 404, 404]
    page = client.get(f"/s/{receipt}")
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "<html" in page.get_data(as_text=True)  # a citizen's page, not a stack of JSON
    scripted = client.get(f"/s/{receipt}", headers={"Accept": "application/json"})
    assert scripted.status_code == 429 and scripted.get_json()["error"]["code"] == "too_many_requests"
    # Another address (another citizen) reads their receipt.
    other = client.get(f"/s/{receipt}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert other.status_code == 200 and "窗口空调太冷" in other.get_data(as_text=True)


def test_behind_a_trusted_proxy_each_citizen_has_their_own_receipt_budget(app, client, hall):
    app.config.update(RECEIPT_LOOKUP_LIMIT="2/0.001", TRUSTED_PROXIES=("10.0.0.1",))
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = [client.get("/s/NOPE0001", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.5"})
             for _ in range(3)]
    assert [r.status_code for r in first] == [404, 404, 429]
    second = client.get("/s/NOPE0001", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.6"})
    assert second.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0


# --- replays and garbage tokens --------------------------------------------------------------

def test_a_replayed_id_returns_the_rating_only_to_the_kiosk_that_stored_it(app, client, hall):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=1, reasons=["attitude"],
                  comment="态度很差", contact="13812345678")
    first = client.post("/api/v1/ratings", json=body)
    assert first.status_code == 201
    assert client.post("/api/v1/ratings", json=body).get_json() == first.get_json()
    other = client.post("/api/v1/ratings", json=dict(body, kiosk_token=hall.floor_token, window_id=hall.w1))
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "duplicate_id"
    assert "态度很差" not in other.get_data(as_text=True) and "5678" not in other.get_data(as_text=True)


@pytest.mark.parametrize("tokens", [
    {"kiosk_token": "garbage"}, {"qr_token": "garbage"}, {"qr_token": "eyJiIjoxLCJ2IjoxfQ.forged"},
    {}, {"kiosk_token": "garbage", "qr_token": "garbage"}, {"kiosk_token": ""}, {"kiosk_token": "x" * 300},
    {"qr_token": "界" * 1000},
])
def test_garbage_tokens_get_401_even_with_a_stored_id(app, client, hall, tokens):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, comment="私密")
    assert client.post("/api/v1/ratings", json=body).status_code == 201
    replay = {key: value for key, value in body.items() if key not in ("kiosk_token",)}
    channel = "kiosk" if "kiosk_token" in tokens else "qr"
    response = client.post("/api/v1/ratings", json=dict(replay, channel=channel, **tokens))
    assert response.status_code == 401, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] in ("invalid_kiosk_token", "invalid_token", "token_required") and error["message"]
    assert "私密" not in response.get_data(as_text=True)


def test_a_badge_replay_returns_the_rating_to_the_phone_that_sent_it_only(app, hall, badge_token):
    token = badge_token(hall.m1)
    phone = app.test_client()
    body = rating(channel="qr", qr_token=token, score=2, comment="等太久")
    first = phone.post("/api/v1/ratings", json=body)
    assert first.status_code == 201
    # The same phone: its rating, even though rating this member again today would be refused.
    assert phone.post("/api/v1/ratings", json=body).get_json() == first.get_json()
    # The same phone whose first answer (and new cookie) was lost, from the same address: its rating.
    assert app.test_client().post("/api/v1/ratings", json=body).status_code == 200
    # Another phone elsewhere with the same badge, or the same phone with another member's badge: not theirs.
    elsewhere = app.test_client().post("/api/v1/ratings", json=body, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert elsewhere.status_code == 409 and "等太久" not in elsewhere.get_data(as_text=True)
    other_badge = phone.post("/api/v1/ratings", json=dict(body, qr_token=badge_token(hall.m2)))
    assert other_badge.status_code in (409, 422) and "等太久" not in other_badge.get_data(as_text=True)
    # A kiosk replaying a phone's id does not get it either.
    kiosk = phone.post("/api/v1/ratings", json=dict(body, channel="kiosk", qr_token=None, kiosk_token=hall.kiosk_token))
    assert kiosk.status_code == 409 and "等太久" not in kiosk.get_data(as_text=True)


def test_a_prompt_replay_is_answered_to_its_prompt_only(app, client, hall, prompt_for, badge_token):
    _prompt_id, token = prompt_for(hall.m1, "P-1")
    body = rating(channel="qr", qr_token=token, score=4)
    first = client.post("/api/v1/ratings", json=body)
    assert first.status_code == 201
    # The prompt is used now, yet its own replay is answered with the rating.
    assert client.post("/api/v1/ratings", json=body).status_code == 200
    _other, other_token = prompt_for(hall.m2, "P-2")
    stranger = client.post("/api/v1/ratings", json=dict(body, qr_token=other_token))
    assert stranger.status_code == 409 and stranger.get_json()["error"]["code"] == "duplicate_id"


def test_a_throttled_stranger_gets_its_429_not_the_stored_rating(app, client, hall):
    body = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1)
    assert client.post("/api/v1/ratings", json=body).status_code == 201
    app.config["RATING_BURST_KIOSK"] = "1/0.001"
    floor = dict(body, kiosk_token=hall.floor_token, window_id=hall.w1)
    client.post("/api/v1/ratings", json=rating(kiosk_token=hall.floor_token, window_id=hall.w2))
    answer = client.post("/api/v1/ratings", json=floor)
    assert answer.status_code == 429 and "staff_id" not in answer.get_json()


def test_a_garbage_phone_code_is_a_401_page(client):
    for token in ("nonsense", "eyJiIjoxLCJ2IjoxfQ.forged-signature", "x" * 300):
        page = client.get(f"/q/{token}")
        assert page.status_code == 401 and "<html" in page.get_data(as_text=True)
        scripted = client.get(f"/q/{token}", headers={"Accept": "application/json"})
        assert scripted.status_code == 401 and scripted.get_json()["error"]["code"] == "invalid_token"


def test_suggestions_with_garbage_tokens_get_401(client, hall):
    for tokens in ({"kiosk_token": "garbage"}, {"qr_token": "garbage"}, {}):
        answer = client.post("/api/v1/suggestions", json={"text": "你好", **tokens})
        assert answer.status_code == 401 and answer.get_json()["error"]["message"]


def test_a_new_id_from_a_new_source_is_simply_stored(client, hall):
    assert client.post("/api/v1/ratings", json=rating(id=new_id(), kiosk_token=hall.floor_token,
                                                      window_id=hall.w2)).status_code == 201
