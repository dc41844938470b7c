"""The screen's pairing endpoints and pages, through the Flask test client."""

from __future__ import annotations

import json
import re

import pytest

from liangbiping.admin.public import collect_limiter, open_limiter


@pytest.fixture(autouse=True)
def _fresh_limits():
    open_limiter.reset()
    collect_limiter.reset()
    yield
    open_limiter.reset()
    collect_limiter.reset()


def _open(client):
    response = client.post("/pair/screen")
    assert response.status_code == 201, response.data
    return response.get_json()


def test_a_code_is_waiting_until_an_admin_pairs_it_then_the_token_is_collected_once(client, admin_headers):
    code = _open(client)
    assert len(code["code"]) == 6 and code["secret"] and 600 < code["expires_in"] <= 900
    assert code["expires_at"].endswith("+00:00")

    waiting = client.post("/pair/screen/collect", json={"code": code["code"], "secret": code["secret"]})
    assert waiting.status_code == 202
    assert waiting.headers["Cache-Control"] == "no-store"

    paired = client.post("/api/v1/screens/pair", json={"code": code["code"], "name": "大厅主屏", "kind": "hall"},
                         headers=admin_headers)
    assert paired.status_code == 201, paired.data
    screen_id = paired.get_json()["id"]
    assert "token" not in paired.get_json()

    got = client.post("/pair/screen/collect", json={"code": code["code"].lower(), "secret": code["secret"]})
    assert got.status_code == 200
    body = got.get_json()
    assert body["id"] == screen_id and len(body["token"]) > 20

    # The token works on the API's device lookup and is never handed out again.
    again = client.post("/pair/screen/collect", json={"code": code["code"], "secret": code["secret"]})
    assert again.status_code == 404
    assert again.get_json()["error"]["code"] == "not_found"


def test_a_wrong_secret_or_code_is_404_in_the_error_shape(client):
    code = _open(client)
    wrong = client.post("/pair/screen/collect", json={"code": code["code"], "secret": "nope"})
    assert wrong.status_code == 404
    assert set(wrong.get_json()["error"]) == {"code", "message"}
    unknown = client.post("/pair/screen/collect", json={"code": "ZZZZZZ", "secret": code["secret"]})
    assert unknown.status_code == 404


@pytest.mark.parametrize("body", [None, "text", {"code": 1, "secret": "x"}, {"code": "ABCDEF"}, ["a"]])
def test_bad_input_is_a_400_never_a_5xx(client, body):
    if body is None:
        response = client.post("/pair/screen/collect", data="{not json", content_type="application/json")
    elif body == "text":
        response = client.post("/pair/screen/collect", data="hello", content_type="text/plain")
    else:
        response = client.post("/pair/screen/collect", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_pairing_needs_no_csrf_token_and_no_login(app):
    # The app runs with CSRF on, as production does: a fresh screen has no session to carry one.
    assert app.config.get("WTF_CSRF_ENABLED", True)
    client = app.test_client()
    assert client.post("/pair/screen").status_code == 201


def test_asking_for_codes_is_rate_limited_per_address(client):
    statuses = [client.post("/pair/screen").status_code for _ in range(35)]
    assert statuses[:30] == [201] * 30
    limited = client.post("/pair/screen")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["error"]["code"] == "too_many_requests"
    other = client.post("/pair/screen", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 201


def test_collecting_is_rate_limited_but_a_2s_poll_is_far_below_the_limit(client):
    code = _open(client)
    payload = {"code": code["code"], "secret": code["secret"]}
    statuses = [client.post("/pair/screen/collect", json=payload).status_code for _ in range(80)]
    assert statuses[0] == 202 and 429 in statuses


def test_pages_render_with_their_config_and_labels(client):
    pairing = client.get("/display/")
    assert pairing.status_code == 200
    text = pairing.get_data(as_text=True)
    assert 'id="lbp-config"' in text and "/pair/screen" in text and "屏幕配对" in text
    screen = client.get("/display/7?slide=honor_board")
    text = screen.get_data(as_text=True)
    assert screen.status_code == 200
    assert '"screenId": 7' in text and '"pinnedSlide": "honor_board"' in text
    assert "/assets/vendor/socket.io/socket.io.min.js?v=" in text
    assert "/assets/display/screen.js?v=" in text
    config = json.loads(re.search(r'id="lbp-config">(.*?)</script>', text, re.S).group(1))
    assert config["labels"]["rate_us"] == "扫码评价"  # Chinese by default


def test_the_service_worker_is_served_with_a_scope_over_the_screen_pages(client):
    response = client.get("/display/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/display/"
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert b"addEventListener(\"fetch\"" in response.data
    assert client.get("/assets/display/screen.css").status_code == 200


def test_labels_follow_the_locale(client):
    english = client.get("/display/?lang=en").get_data(as_text=True)
    assert "Pair this screen" in english
