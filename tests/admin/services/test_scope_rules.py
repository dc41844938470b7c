"""The scope rule where a status code does not show it (tests/test_route_scope.py has the table):
what a page or a socket carries, who a leader grades, what a token made for a person sees."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Department, Staff, User
from tests.factories import DEMO_PASSWORD

def _leader_of(app, username, department_name):
    from liangbiping.admin.services.accounts import save_user
    from liangbiping.admin.services.scope import set_leader_departments

    with app.app_context():
        user = save_user({"username": username, "password": DEMO_PASSWORD, "role": "leader"}, actor="test")
        dept = db.session.scalar(select(Department.id).where(Department.name == department_name))
        set_leader_departments(user, [dept], "test")
        return user.id


def test_a_leader_does_not_grade_himself_in_a_leader_review(demo):
    from liangbiping.admin.reviews import rounds
    from liangbiping.admin.services.scope import viewer_for_user

    with demo.app.test_request_context("/"):
        leader = db.session.scalar(select(User).where(User.username == "leader"))  # 陈建国, a party member
        assert leader.staff_id is not None
        rnd = rounds.open_round("leader", date.today() - timedelta(days=180), date.today(),
                                date.today() + timedelta(days=14), "test")
        subjects = {t["subject"].id for t in rounds.tasks(rnd, viewer_for_user(leader))}
        assert subjects, "the demo leader has members to grade"
        assert leader.staff_id not in subjects
        assert db.session.get(Staff, demo.member("刘晓燕")).id in subjects


def test_a_member_s_dashboard_shows_no_one_else_s_audit_entries(demo):
    from liangbiping.admin.catalog import NOTICES
    from liangbiping.admin.services import records

    with demo.app.test_request_context("/"):
        records.create(NOTICES, {"title": "内部测试公告", "text": "只给管理员看的审计摘要", "starts_at": "2099-01-01T00:00"},
                       "user:1 admin")  # not running yet: only the audit log names it
    admin = demo.sign_in("admin").get("/admin/").get_data(as_text=True)
    assert "最近变更" in admin and "内部测试公告" in admin
    for username in ("liuxiaoyan", "leader"):
        page = demo.sign_in(username).get("/admin/").get_data(as_text=True)
        assert "内部测试公告" not in page


def test_live_ratings_reach_only_the_leaders_of_the_rating_s_department(socketio_client, demo):
    _leader_of(demo.app, "leader_here", "综合受理科")
    _leader_of(demo.app, "leader_other", "社保中心")
    here = socketio_client(demo.app, "/ratings", client=demo.sign_in("leader_here"))
    other = socketio_client(demo.app, "/ratings", client=demo.sign_in("leader_other"))
    assert here.is_connected("/ratings") and other.is_connected("/ratings")
    from tests.conftest import reset_intake

    reset_intake()
    body = {"id": str(uuid.uuid4()), "score": 2, "channel": "kiosk", "kiosk_token": demo.kiosk_token("A01"),
            "staff_id": demo.member("王磊"), "reasons": ["slow"], "comment": "只属于综合受理科的评论"}
    assert demo.app.test_client().post("/api/v1/ratings", json=body).status_code == 201
    heard = [e["args"][0]["comment"] for e in here.get_received("/ratings") if e["name"] == "rating"]
    assert heard == ["只属于综合受理科的评论"]
    assert [e for e in other.get_received("/ratings") if e["name"] == "rating"] == []


def test_a_token_made_for_a_leader_sees_what_the_leader_sees(demo):
    from liangbiping.admin.services.accounts import create_token

    leader_id = _leader_of(demo.app, "leader_sb", "社保中心")
    with demo.app.app_context():
        user = db.session.get(User, leader_id)
        _t, secret = create_token("sb-sync", "leader", "test", user=user)
        sb_windows = set(db.session.scalars(select(Department.id).where(Department.name == "社保中心")))
    client = demo.app.test_client()
    items = client.get("/api/v1/ratings?per_page=200", headers={"Authorization": f"Bearer {secret}"}).get_json()["items"]
    assert items
    from liangbiping.admin.services.scope import subject_department

    with demo.app.app_context():
        assert {subject_department(r["window_id"], r["staff_id"]) for r in items} <= sb_windows
    # Deactivating the leader stops their token too.
    admin = demo.sign_in("admin")
    from liangbiping.admin.services.accounts import save_user

    with demo.app.app_context():
        save_user({"active": False}, "test", db.session.get(User, leader_id))
    assert client.get("/api/v1/ratings", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert admin.get("/admin/").status_code == 200


def test_a_leader_or_staff_token_needs_a_user_of_that_role(demo):
    from liangbiping.admin.errors import Invalid
    from liangbiping.admin.services.accounts import create_token

    with demo.app.app_context():
        member = db.session.scalar(select(User).where(User.username == "liuxiaoyan"))
        for role, user in (("leader", None), ("staff", None), ("leader", member)):
            try:
                create_token("x", role, "test", user=user)
            except Invalid:
                continue
            raise AssertionError(f"a {role} token for {user} was made")
        token, _secret = create_token("mine", "staff", "test", user=member)
        assert token.user_id == member.id
