"""Screens and pages tell the truth (the parts a server can show without a browser): a window screen
refuses what it would ignore, a kiosk knows the hall's time, and the console's figures for today are
the statistics' figures."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk
from tests.factories import csrf_token


def _admin_api(demo):
    from liangbiping.admin.services.accounts import create_token

    with demo.app.app_context():
        _t, secret = create_token("truth", "admin", "test")
    client = demo.app.test_client()
    return client, {"Authorization": f"Bearer {secret}"}


def test_a_window_screen_refuses_schedules_and_playlists_it_would_ignore(demo):
    client, headers = _admin_api(demo)
    playlist = client.post("/api/v1/playlists", json={"name": "午间", "slides": [{"kind": "banner"}]},
                           headers=headers).get_json()
    window_screen, hall_screen = demo.screen("A01"), demo.screen(None)
    refused = client.post("/api/v1/schedules", json={"playlist_id": playlist["id"], "screen_id": window_screen},
                          headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"][0]["field"] == "screen_id"
    assert client.post("/api/v1/schedules", json={"playlist_id": playlist["id"], "screen_id": hall_screen},
                       headers=headers).status_code == 201
    no_playlist = client.patch(f"/api/v1/screens/{window_screen}", json={"playlist_id": playlist["id"]}, headers=headers)
    assert no_playlist.status_code == 422 and no_playlist.get_json()["error"]["details"][0]["field"] == "playlist_id"


def test_the_kiosk_gets_the_hall_s_time_zone_and_clock(demo):
    from datetime import datetime, timezone

    from liangbiping.kiosk.state import kiosk_state

    with demo.app.test_request_context("/"):
        state = kiosk_state(db.session.scalars(select(Kiosk)).first())
    assert state["timezone"] == "Asia/Shanghai"
    sent = datetime.fromisoformat(state["server_time"])
    assert abs((datetime.now(timezone.utc) - sent).total_seconds()) < 5


def test_today_s_figures_in_the_console_follow_the_hall_s_satisfied_levels_and_appeals(demo):
    from liangbiping.admin.services.settings import set_setting
    from tests.conftest import reset_intake

    reset_intake()
    http = demo.app.test_client()
    ids = []
    from datetime import datetime, timedelta, timezone

    for n, score in enumerate((3, 3, 5, 1)):
        # Seconds apart: presses within 3 s at one kiosk would count once (the repeat-press rule).
        at = datetime.now(timezone.utc) - timedelta(seconds=10 * (4 - n))
        body = {"id": str(uuid.uuid4()), "score": score, "channel": "kiosk", "kiosk_token": demo.kiosk_token("B01"),
                "staff_id": demo.member("孙浩"), "reasons": ["slow"] if score == 1 else [], "rated_at": at.isoformat()}
        assert http.post("/api/v1/ratings", json=body).status_code == 201
        ids.append(body["id"])
    client = demo.sign_in("admin")
    api, headers = _admin_api(demo)

    def both():
        counters = client.get("/admin/ratings/counters").get_json()
        day = counters_day()
        stats = api.get("/api/v1/stats/satisfaction", query_string={"from": day, "to": day}, headers=headers).get_json()
        return counters, stats

    def counters_day():
        from datetime import datetime
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()

    counters, stats = both()
    assert counters["count"] == stats["count"] and counters["satisfied"] == stats["satisfied"]
    with demo.app.test_request_context("/"):
        set_setting("satisfied_levels", [4, 5], "test")  # 基本满意 no longer counts as satisfied
    counters, stats = both()
    assert counters["satisfied"] == stats["satisfied"] and counters["rate"] == stats["rate"]
    assert counters["by_score"]["3"] >= 2 and counters["satisfied"] == counters["by_score"]["4"] + counters["by_score"]["5"]
    # An upheld appeal takes the 1 out of today's figures, as it does out of the statistics.
    appeal = api.post("/api/v1/appeals", json={"rating_id": ids[-1], "kind": "mistaken", "reason": "误按"},
                      headers=headers)
    assert appeal.status_code == 201, appeal.get_json()
    leader_client = demo.sign_in("leader")
    ones = counters["by_score"]["1"]
    decided = leader_client.post(f"/admin/appeals/{appeal.get_json()['id']}/decide",
                                 data={"decision": "uphold", "note": "核实为误按",
                                       "csrf_token": csrf_token(leader_client, "/admin/appeals/")})
    assert decided.status_code == 303
    counters, stats = both()
    assert counters["by_score"]["1"] == ones - 1 and counters["count"] == stats["count"]
