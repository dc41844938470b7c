"""LIANGBIPING_TIMING: where a request's and a push round's time goes, off unless asked for."""

from __future__ import annotations

import logging

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.extensions import db


def test_server_timing_only_when_asked(app, client, make_token, tmp_path):
    headers = make_token("admin")
    assert "Server-Timing" not in client.get("/api/v1/departments", headers=headers).headers

    timed = create_app(TestingConfig.from_env(tmp_path / "timed", TIMING=True))
    with timed.app_context():
        from liangbiping.admin.services.accounts import create_token

        _row, token = create_token("bench", "admin", "test")
        db.session.commit()
    timed_client = timed.test_client()
    response = timed_client.post("/api/v1/departments", json={"name": "社保服务科"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    parts = dict(part.strip().split(";", 1) for part in response.headers["Server-Timing"].split(","))
    app_ms, commit_ms = (float(parts[name].split("=")[1]) for name in ("app", "commit"))
    assert 0 < commit_ms <= app_ms  # the department was committed within the request
    got = timed_client.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"})
    parts = dict(part.strip().split(";", 1) for part in got.headers["Server-Timing"].split(","))
    assert parts["commit"] == "dur=0.00"  # a read commits nothing
    with timed.app_context():
        db.engine.dispose()


def test_a_round_notes_its_parts(app, hall, caplog):
    from liangbiping.admin import timing
    from liangbiping.admin.push.hub import hub_for

    with app.app_context():
        hub = hub_for(app)
        hub.round()
        assert set(hub.parts) == {"read", "build", "commit", "emit"} and all(v >= 0 for v in hub.parts.values())
    with caplog.at_level(logging.INFO, logger="liangbiping.timing"):
        timing.log_round({"asked": 1.5, "began": 2.25, **hub.parts})
    assert caplog.records[-1].getMessage().startswith("round asked=1.500 began=2.250 read=")
