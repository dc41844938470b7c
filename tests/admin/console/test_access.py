"""Who may see and change what in the console; CSRF; escaping."""

from __future__ import annotations

import pytest

from liangbiping.admin import models as m
from liangbiping.admin.extensions import db

HALL_LISTS = ["departments", "windows", "staff", "standards", "pledges", "honors", "notices"]
ADMIN_ONLY_PAGES = ["/admin/users/", "/admin/users/new", "/admin/tokens/", "/admin/tokens/new", "/admin/audit/",
                    "/admin/settings", "/admin/screens/new", "/admin/kiosks/new"]


@pytest.fixture
def records(make):
    dept = make("departments", name="政务科")
    li = make("staff", name="李四", employee_no="L4", department_id=dept)
    return {
        "departments": dept,
        "windows": make("windows", number="A01", name="综合"),
        "staff": make("staff", name="张三", employee_no="Z3"),
        "standards": make("standards", item_name="户籍迁入"),
        "pledges": make("pledges", text="承诺一", staff_id=li),
        "org_pledge": make("pledges", text="党支部承诺"),
        "honors": make("honors", title="岗位能手", awarded_on="2026-01-01", window_id=None, staff_id=li),
        "notices": make("notices", title="通知一"),
    }


def test_staff_members_read_the_hall_lists_without_changing_them(console, records, fetch):
    staff = console("staff")
    for name in HALL_LISTS:
        page = staff.text(f"/admin/{name}/")
        assert f"/admin/{name}/new" not in page and "/delete" not in page, name
        assert ">View<" in page or "查看" in page, name
        view = staff.text(f"/admin/{name}/{records[name]}")
        assert 'type="submit">' not in view.split('class="record"')[1], name
        assert staff.get(f"/admin/{name}/new").status_code == 403
        assert staff.post(f"/admin/{name}/new", {"name": "x"}).status_code == 403
        assert staff.post(f"/admin/{name}/{records[name]}", {"name": "x"}).status_code == 403
        assert staff.post(f"/admin/{name}/{records[name]}/delete").status_code == 403
        assert fetch(name, records[name]) is not None
    for path in ADMIN_ONLY_PAGES + ["/admin/screens/", "/admin/kiosks/"]:
        assert staff.get(path).status_code == 403, path


def test_leaders_edit_pledges_honors_notices_only(console, records, fetch, app):
    leader = console("leader")
    from liangbiping.admin.models import User
    from liangbiping.admin.services.scope import set_leader_departments

    with app.app_context():  # the leader looks after 政务科, where 李四 works
        set_leader_departments(db.session.scalar(db.select(User).where(User.role == "leader")), [records["departments"]],
                               "test")
    for name in ("pledges", "honors", "notices"):
        assert leader.get(f"/admin/{name}/new").status_code == 200
        assert f"/admin/{name}/{records[name]}/delete" in leader.text(f"/admin/{name}/")
    changed = leader.post(f"/admin/notices/{records['notices']}", {"title": "通知二", "priority": "normal"})
    assert changed.status_code == 302 and fetch("notices", records["notices"])["title"] == "通知二"
    assert leader.post(f"/admin/pledges/{records['pledges']}/delete").status_code == 302
    # The party organisation's own pledge is the administrators' to change.
    assert leader.post(f"/admin/pledges/{records['org_pledge']}/delete").status_code == 403
    assert fetch("pledges", records["org_pledge"]) is not None

    for name in ("departments", "windows", "staff", "standards"):
        assert "/delete" not in leader.text(f"/admin/{name}/")
        assert leader.post(f"/admin/{name}/new", {"name": "x"}).status_code == 403
        assert leader.post(f"/admin/{name}/{records[name]}/delete").status_code == 403
        assert fetch(name, records[name]) is not None
    # Leaders see the devices, but only administrators change them.
    assert leader.get("/admin/screens/").status_code == 200
    assert leader.get("/admin/kiosks/").status_code == 200
    for path in ADMIN_ONLY_PAGES:
        assert leader.get(path).status_code == 403, path


def test_signed_out_visitors_go_to_the_login(client):
    response = client.get("/admin/departments/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_posts_without_the_csrf_token_are_refused(admin, records, count, fetch):
    client = admin.client
    assert client.post("/admin/departments/new", data={"name": "无令牌"}).status_code == 400
    assert count(m.Department) == 1
    assert client.post(f"/admin/departments/{records['departments']}/delete").status_code == 400
    assert client.post(f"/admin/notices/{records['notices']}", data={"title": "改"}).status_code == 400
    assert fetch("notices", records["notices"])["title"] == "通知一"
    bad = client.post("/admin/departments/new", data={"name": "伪造", "csrf_token": "forged"})
    assert bad.status_code == 400 and count(m.Department) == 1


def test_names_are_escaped(admin, make):
    evil = '<script>alert("x")</script>'
    make("staff", name=evil[:32], employee_no="X1", designations=["<b>bold</b>"])
    make("departments", name=evil)
    for path in ("/admin/staff/", "/admin/departments/", "/admin/audit/"):
        page = admin.text(path)
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page, path
        assert "<b>bold</b>" not in page
