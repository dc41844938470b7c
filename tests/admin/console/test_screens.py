"""Screens in the console: monitoring columns, remote commands, playlists, schedules, urgent acknowledgements."""

from __future__ import annotations

from liangbiping.admin.catalog import NOTICES, PLAYLISTS, SCREENS
from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Playlist, Schedule, Screen
from liangbiping.admin.models.types import utcnow
from liangbiping.admin.push.hub import hub_for
from liangbiping.admin.services import records
from liangbiping.admin.services.devices import create_device
from tests.factories import csrf_token


def make_screen(app, name="大厅屏", **fields):
    with app.app_context():
        screen, token = create_device(SCREENS, {"name": name}, "test")
        for key, value in fields.items():
            setattr(screen, key, value)
        db.session.commit()
        return screen.id, token


def test_the_list_shows_status_versions_slide_resolution_and_browser(app, login):
    client = login("admin")
    screen_id, _token = make_screen(app)
    with app.app_context():
        hub_for(app).round()
        current = db.session.get(Screen, screen_id).current_version
    make_screen(app, "二楼屏")
    with app.app_context():
        screen = db.session.get(Screen, screen_id)
        screen.applied_version, screen.current_slide, screen.resolution = current, "pledges", "1920x1080"
        screen.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0.0.0 Safari/537.36"
        screen.connected, screen.last_seen_at = True, utcnow()
        db.session.commit()
    page = client.get("/admin/screens/").get_data(as_text=True)
    assert f"{current} / {current}" in page
    assert "Chrome 156" in page and "1920x1080" in page
    assert "status-online" in page and "status-never_seen" in page


def test_commands_reach_the_screen_and_are_audited(socketio_client, app, login):
    client = login("admin")
    screen_id, token = make_screen(app)
    screen_socket = socketio_client(app, "/display", token=token)
    assert screen_socket.is_connected("/display")
    screen_socket.get_received("/display")
    for name in ("identify", "next", "reload"):
        response = client.post(f"/admin/screens/{screen_id}/command/{name}",
                               data={"csrf_token": csrf_token(client, f"/admin/screens/{screen_id}")})
        assert response.status_code == 302
    received = [(e["name"], e["args"][0]) for e in screen_socket.get_received("/display")]
    assert received == [("command", {"name": "identify"}), ("command", {"name": "next"}),
                        ("command", {"name": "reload"})]
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="command", entity_id=str(screen_id)).count() == 3
    unknown = client.post(f"/admin/screens/{screen_id}/command/format-disk",
                          data={"csrf_token": csrf_token(client, f"/admin/screens/{screen_id}")})
    assert unknown.status_code == 302 and screen_socket.get_received("/display") == []
    screen_socket.disconnect("/display")


def test_staff_may_not_send_commands(app, login):
    screen_id, _token = make_screen(app)
    client = login("staff")
    response = client.post(f"/admin/screens/{screen_id}/command/reload",
                           data={"csrf_token": csrf_token(client, "/admin/")})
    assert response.status_code == 403


def test_a_playlist_is_chosen_slide_by_slide_and_checked(app, login):
    """Slides are picked by name in rows (kind and seconds), never typed as keys; empty rows drop."""
    client = login("admin")
    form = client.get("/admin/playlists/new").get_data(as_text=True)
    assert 'name="slides__kind"' in form and "身份墙" in form and ">identity_wall<" not in form
    token = csrf_token(client, "/admin/playlists/new")
    bad = client.post("/admin/playlists/new", data={"csrf_token": token, "name": "午间",
                                                    "slides__kind": ["identity_wall", "fireworks"],
                                                    "slides__seconds": ["20", "5"]})
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.query(Playlist).count() == 0
    good = client.post("/admin/playlists/new", data={"csrf_token": token, "name": "午间",
                                                     "slides__kind": ["banner", "", "pledges", "satisfaction"],
                                                     "slides__seconds": ["10", "30", "25", ""]})
    assert good.status_code == 302
    with app.app_context():
        playlist = db.session.query(Playlist).one()
        assert [(s["kind"], s["duration"]) for s in playlist.slides] == [("banner", 10), ("pledges", 25),
                                                                         ("satisfaction", 15)]
        playlist.slides = [dict(playlist.slides[0]), dict(playlist.slides[1], options={"department_id": 1,
                                                                                      "window_id": None})]
        db.session.commit()
        playlist_id = playlist.id
    edit = client.get(f"/admin/playlists/{playlist_id}").get_data(as_text=True)
    assert '<option value="pledges" selected>' in edit and 'value="25"' in edit
    # A change from the form keeps what the form does not show (a slide's department filter).
    client.post(f"/admin/playlists/{playlist_id}", data={"csrf_token": token, "name": "午间二",
                                                         "slides__kind": ["banner", "pledges"],
                                                         "slides__seconds": ["12", "25"],
                                                         "slides__options": ["{}", '{"department_id": 1}']})
    with app.app_context():
        slides = db.session.get(Playlist, playlist_id).slides
        assert [(s["kind"], s["duration"]) for s in slides] == [("banner", 12), ("pledges", 25)]
        assert slides[1]["options"]["department_id"] == 1


def test_a_schedule_from_the_console(app, login):
    client = login("admin")
    screen_id, _token = make_screen(app)
    with app.app_context():
        playlist = records.create(PLAYLISTS, {"name": "夜间", "slides": [{"kind": "notices"}]}, "test")
        playlist_id = playlist.id
    token = csrf_token(client, "/admin/schedules/new")
    response = client.post("/admin/schedules/new", data={
        "csrf_token": token, "name": "夜间轮播", "playlist_id": str(playlist_id), "screen_id": str(screen_id),
        "weekdays": ["0", "2", "4"], "start_time": "20:00", "end_time": "07:00", "priority": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        schedule = db.session.query(Schedule).one()
        assert (schedule.weekdays, schedule.start_time, schedule.end_time) == ([0, 2, 4], "20:00", "07:00")
    both = client.post("/admin/schedules/new", data={
        "csrf_token": token, "playlist_id": str(playlist_id), "weekdays": ["0"]})
    assert both.status_code == 422


def test_an_urgent_notice_lists_which_screens_showed_it(app, login):
    client = login("admin")
    seen_id, _ = make_screen(app, "一楼大厅")
    unseen_id, _ = make_screen(app, "二楼大厅")
    with app.app_context():
        notice = records.create(NOTICES, {"title": "系统升级", "priority": "urgent"}, "test")
        hub_for(app).round()
        db.session.refresh(notice)
        assert notice.pushed_version is not None
        db.session.get(Screen, seen_id).applied_version = notice.pushed_version
        db.session.commit()
        notice_id = notice.id
    page = client.get(f"/admin/notices/{notice_id}").get_data(as_text=True)
    assert "一楼大厅" in page and "二楼大厅" in page
    assert page.count("tag tag-ok") == 1
