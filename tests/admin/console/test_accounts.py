"""Users, API tokens, the audit log and the settings page (administrators only)."""

from __future__ import annotations

import re

from liangbiping.admin import models as m
from liangbiping.admin.extensions import db


def _user_id(console, username: str) -> int:
    page = console.text(f"/admin/users/?q={username}")
    return int(re.search(rf'/admin/users/(\d+)">{username}<', page).group(1))


def test_users_create_edit_delete(admin, app, client, make):
    member = make("staff", name="赵敏", employee_no="Z01")
    created = admin.post("/admin/users/new", {"username": "zhaomin", "display_name": "赵敏", "role": "staff",
                                              "staff_id": str(member), "active": "1", "password": "long-enough-1"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    user_id = _user_id(admin, "zhaomin")
    listing = admin.text("/admin/users/")
    assert "赵敏" in listing and "long-enough-1" not in listing

    edit_page = admin.text(f"/admin/users/{user_id}")
    assert 'type="password"' in edit_page and "long-enough-1" not in edit_page
    # No new password: the old one stays.
    kept = admin.post(f"/admin/users/{user_id}", {"username": "zhaomin", "display_name": "赵敏敏", "role": "leader",
                                                  "staff_id": "", "active": "1", "password": ""})
    assert kept.status_code == 302
    with app.app_context():
        user = db.session.get(m.User, user_id)
        assert (user.role, user.display_name) == ("leader", "赵敏敏")
        old_hash = user.password_hash
    admin.post(f"/admin/users/{user_id}", {"username": "zhaomin", "role": "leader", "active": "1",
                                           "password": "another-pass-2"})
    with app.app_context():
        assert db.session.get(m.User, user_id).password_hash != old_hash

    assert admin.post(f"/admin/users/{user_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(m.User, user_id) is None


def test_user_field_errors(admin, count):
    before = count(m.User)
    refused = admin.post("/admin/users/new", {"username": "bad name!", "role": "staff", "staff_id": "",
                                              "active": "1", "password": "short"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="f-username-error"' in page and 'id="f-password-error"' in page
    assert 'value="bad name!"' in page
    assert count(m.User) == before

    no_member = admin.post("/admin/users/new", {"username": "lonely", "role": "staff", "active": "1",
                                                "password": "long-enough-1"})
    assert no_member.status_code == 422 and 'id="f-staff_id-error"' in no_member.get_data(as_text=True)
    assert count(m.User) == before


def test_admins_cannot_lock_themselves_out(admin, app):
    with app.app_context():
        me = db.session.query(m.User).filter_by(username="admin1").one().id
    listing = admin.text("/admin/users/")
    assert f"/admin/users/{me}/delete" not in listing
    refused = admin.post(f"/admin/users/{me}", {"username": "admin1", "role": "leader", "active": "1"})
    assert refused.status_code == 422
    assert admin.post(f"/admin/users/{me}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(m.User, me).role == "admin"
    # Changing one's own password keeps one signed in.
    assert admin.post(f"/admin/users/{me}", {"username": "admin1", "role": "admin", "active": "1",
                                             "password": "brand-new-pass"}).status_code == 302
    assert admin.get("/admin/users/").status_code == 200


def test_tokens_create_and_revoke(admin, client, make_user):
    admin.english()  # recognises the page by its English message
    # A leader's token acts for a leader user: without one it is refused.
    assert admin.post("/admin/tokens/new", {"name": "同步任务", "role": "leader"}).status_code == 422
    leader_id = make_user("leader", "sync-leader")
    created = admin.post("/admin/tokens/new", {"name": "同步任务", "role": "leader", "user_id": str(leader_id)})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    page = created.get_data(as_text=True)
    assert "will not be shown again" in page
    secret = re.search(r'id="secret" class="secret" type="text" value="([^"]+)"', page).group(1)
    api = client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200

    listing = admin.text("/admin/tokens/")
    assert "同步任务" in listing and secret not in listing and secret[:10] in listing
    token_id = int(re.search(r"/admin/tokens/(\d+)/revoke", listing).group(1))
    assert admin.post(f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert f"/admin/tokens/{token_id}/revoke" not in admin.text("/admin/tokens/")


def test_token_needs_name_and_role(admin, count):
    before = count(m.ApiToken)
    refused = admin.post("/admin/tokens/new", {"name": "", "role": ""})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="f-name-error"' in page and 'id="f-role-error"' in page
    assert count(m.ApiToken) == before


def test_audit_log_pages_and_filters(admin, make):
    make("departments", name="审计科")
    make("windows", number="Q1", name="审计窗口")
    everything = admin.text("/admin/audit/")
    assert "审计科" in everything and "审计窗口" in everything
    departments = admin.text("/admin/audit/?entity=department")
    assert "审计科" in departments and "审计窗口" not in departments
    assert "审计窗口" in admin.text("/admin/audit/?q=审计窗")


def test_settings(admin, app):
    page = admin.text("/admin/settings")
    assert 'name="hall_name"' in page and '<option value="Asia/Shanghai" selected' in page
    saved = admin.post("/admin/settings", {"hall_name": "  市民之家  ", "timezone": "Asia/Urumqi"})
    assert saved.status_code == 302
    from liangbiping.admin.services.settings import get_setting
    with app.app_context():
        assert get_setting("hall_name") == "市民之家" and get_setting("timezone") == "Asia/Urumqi"

    refused = admin.post("/admin/settings", {"hall_name": "", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    errors = refused.get_data(as_text=True)
    assert 'id="f-hall_name-error"' in errors and 'id="f-timezone-error"' in errors
    with app.app_context():
        assert get_setting("timezone") == "Asia/Urumqi"
