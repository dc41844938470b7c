"""Which playlist is in force, and rounds at a fixed clock in the hall's time zone."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from liangbiping.admin.catalog import NOTICES, PLAYLISTS, SCHEDULES, SCREEN_GROUPS, SCREENS
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Screen
from liangbiping.admin.push.hub import hub_for
from liangbiping.admin.push.playlists import effective_playlist, load_playlists, next_boundary
from liangbiping.admin.services import records
from liangbiping.admin.services.devices import create_device

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h, mi=0):
    """A hall-local wall-clock time as UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(timezone.utc)


@pytest.fixture
def setup(app):
    with app.app_context():
        group = records.create(SCREEN_GROUPS, {"name": "一楼"}, "test")
        day = records.create(PLAYLISTS, {"name": "日间", "slides": [{"kind": "identity_wall", "duration": 20}]}, "test")
        lunch = records.create(PLAYLISTS, {"name": "午间", "slides": [{"kind": "banner", "duration": 10}]}, "test")
        night = records.create(PLAYLISTS, {"name": "夜间", "slides": [{"kind": "notices", "duration": 30}]}, "test")
        screen, _token = create_device(SCREENS, {"name": "大厅", "group_id": group.id, "playlist_id": day.id}, "test")
        ids = {"group": group.id, "day": day.id, "lunch": lunch.id, "night": night.id, "screen": screen.id}
    yield ids


def playlist_at(app, screen_id, when):
    with app.app_context():
        return effective_playlist(db.session.get(Screen, screen_id), load_playlists(), when)


def test_schedules_by_time_weekday_dates_and_priority(app, setup):
    with app.app_context():
        records.create(SCHEDULES, {"name": "午休", "playlist_id": setup["lunch"], "group_id": setup["group"],
                                   "weekdays": [0, 1, 2, 3, 4], "start_time": "12:00", "end_time": "14:00"}, "test")
        records.create(SCHEDULES, {"name": "夜间", "playlist_id": setup["night"], "screen_id": setup["screen"],
                                   "start_time": "20:00", "end_time": "07:00", "priority": 5}, "test")
        records.create(SCHEDULES, {"name": "国庆", "playlist_id": setup["night"], "group_id": setup["group"],
                                   "start_date": "2026-10-01", "end_date": "2026-10-07", "priority": 9}, "test")
    # 2026-11-26 is a Thursday, 2026-11-28 a Saturday.
    assert playlist_at(app, setup["screen"], at(2026, 11, 26, 9)) == setup["day"]
    assert playlist_at(app, setup["screen"], at(2026, 11, 26, 12, 30)) == setup["lunch"]
    assert playlist_at(app, setup["screen"], at(2026, 11, 26, 14, 0)) == setup["day"]  # end is exclusive
    assert playlist_at(app, setup["screen"], at(2026, 11, 28, 12, 30)) == setup["day"]  # not on Saturday
    assert playlist_at(app, setup["screen"], at(2026, 11, 26, 23)) == setup["night"]
    assert playlist_at(app, setup["screen"], at(2026, 11, 27, 6, 59)) == setup["night"]  # overnight
    assert playlist_at(app, setup["screen"], at(2026, 10, 3, 12, 30)) == setup["night"]  # dates, top priority
    assert playlist_at(app, setup["screen"], at(2026, 10, 8, 9)) == setup["day"]


def test_next_boundary_is_the_next_start_or_end_in_the_hall_zone(app, setup):
    with app.app_context():
        records.create(SCHEDULES, {"playlist_id": setup["lunch"], "group_id": setup["group"],
                                   "start_time": "12:00", "end_time": "14:00"}, "test")
        assert next_boundary(at(2026, 11, 26, 9)) == at(2026, 11, 26, 12)
        assert next_boundary(at(2026, 11, 26, 12, 30)) == at(2026, 11, 26, 14)
        records.create(NOTICES, {"title": "停电通知", "starts_at": "2026-11-26T13:15:00+08:00"}, "test")
        assert next_boundary(at(2026, 11, 26, 12, 30)) == at(2026, 11, 26, 13, 15)
        assert next_boundary(at(2026, 11, 26, 21)) == at(2026, 11, 27, 0)  # midnight: dated content rolls over


def test_a_round_at_a_boundary_switches_the_playlist_and_only_then(app, setup):
    with app.app_context():
        records.create(SCHEDULES, {"playlist_id": setup["lunch"], "screen_id": setup["screen"],
                                   "start_time": "12:00", "end_time": "14:00"}, "test")
        hub = hub_for(app)
        first = hub.round(now=at(2026, 11, 26, 11, 59))
        assert first  # a new content key: pushed
        assert hub.round(now=at(2026, 11, 26, 11, 59)) == {}  # nothing changed: nothing sent
        switched = hub.round(now=at(2026, 11, 26, 12, 0))
        key = db.session.get(Screen, setup["screen"]).content_key
        assert key.endswith(f":{setup['lunch']}") and switched[key] > max(first.values())


def test_notice_window_pushes_at_start_and_end(app, setup):
    with app.app_context():
        records.create(NOTICES, {"title": "窗口调整", "starts_at": "2026-11-26T10:00:00+08:00",
                                 "ends_at": "2026-11-26T11:00:00+08:00"}, "test")
        hub = hub_for(app)
        hub.round(now=at(2026, 11, 26, 9))
        key = db.session.get(Screen, setup["screen"]).content_key
        assert hub._cache[key][1]["notices"] == []
        assert key in hub.round(now=at(2026, 11, 26, 10, 0))
        assert [n["title"] for n in hub._cache[key][1]["notices"]] == ["窗口调整"]
        assert hub.round(now=at(2026, 11, 26, 10, 30)) == {}
        assert key in hub.round(now=at(2026, 11, 26, 11, 0))
        assert hub._cache[key][1]["notices"] == []


def test_dates_in_schedules_use_the_hall_zone(app, setup):
    with app.app_context():
        records.create(SCHEDULES, {"playlist_id": setup["night"], "screen_id": setup["screen"],
                                   "start_date": "2026-12-01", "end_date": "2026-12-01"}, "test")
    # 2026-11-30 16:30 UTC is already 2026-12-01 00:30 in Shanghai.
    assert playlist_at(app, setup["screen"], datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)) == setup["night"]
    assert playlist_at(app, setup["screen"], datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)) == setup["day"]
