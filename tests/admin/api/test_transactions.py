"""Every write is one transaction: a write refused or failing halfway leaves no trace, not even in the audit log."""

import pytest

from .support import API, assert_error, audit_entries, create, sample


def _audit_count(client, headers):
    return len(audit_entries(client, headers))


def test_a_patch_refused_halfway_writes_nothing(client, admin_headers, hall):
    """The name is assigned before the links are found missing; none of it may stay."""
    before, entries = client.get(f"{API}/windows/{hall.w1}", headers=admin_headers).get_json(), \
        _audit_count(client, admin_headers)
    response = client.patch(f"{API}/windows/{hall.w1}", json={"name": "改名", "description": "new",
                                                               "service_item_ids": [hall.s1, 999999]},
                            headers=admin_headers)
    assert_error(response, 422, "validation_error")
    assert client.get(f"{API}/windows/{hall.w1}", headers=admin_headers).get_json() == before
    assert _audit_count(client, admin_headers) == entries
    # the next write starts clean
    assert client.patch(f"{API}/windows/{hall.w1}", json={"description": "ok"}, headers=admin_headers).status_code == 200
    assert client.get(f"{API}/windows/{hall.w1}", headers=admin_headers).get_json()["name"] == before["name"]


def test_a_create_refused_halfway_writes_nothing(client, admin_headers, hall):
    entries = _audit_count(client, admin_headers)
    total = client.get(f"{API}/standards", headers=admin_headers).get_json()["total"]
    response = client.post(f"{API}/standards", json=sample("standards", hall, 1, window_ids=[hall.w1, 999999]),
                           headers=admin_headers)
    assert_error(response, 422)
    assert client.get(f"{API}/standards", headers=admin_headers).get_json()["total"] == total
    assert client.get(f"{API}/windows/{hall.w1}", headers=admin_headers).get_json()["service_item_ids"] == [hall.s1]
    assert _audit_count(client, admin_headers) == entries


def test_a_refused_delete_leaves_no_audit_entry(client, admin_headers, hall):
    entries = _audit_count(client, admin_headers)
    assert_error(client.delete(f"{API}/departments/{hall.d1}", headers=admin_headers), 409, "conflict")
    assert client.get(f"{API}/departments/{hall.d1}", headers=admin_headers).status_code == 200
    assert _audit_count(client, admin_headers) == entries
    assert not audit_entries(client, admin_headers, action="delete")


def test_a_conflict_found_only_by_the_database_writes_nothing(client, admin_headers, hall, monkeypatch):
    """Two requests racing for one window number: the unique index decides, the loser leaves no trace."""
    from liangbiping.admin.services import records

    monkeypatch.setattr(records, "_check_unique", lambda *args, **kwargs: None)
    entries = _audit_count(client, admin_headers)
    windows = client.get(f"{API}/windows", headers=admin_headers).get_json()["total"]
    before = client.get(f"{API}/windows/{hall.w2}", headers=admin_headers).get_json()
    response = client.patch(f"{API}/windows/{hall.w2}", json={"name": "抢号", "number": "01"}, headers=admin_headers)
    assert_error(response, 409, "conflict")
    response = client.post(f"{API}/windows", json=sample("windows", hall, 1, number="01"), headers=admin_headers)
    assert_error(response, 409, "conflict")
    assert client.get(f"{API}/windows/{hall.w2}", headers=admin_headers).get_json() == before
    assert client.get(f"{API}/windows", headers=admin_headers).get_json()["total"] == windows == 4
    assert _audit_count(client, admin_headers) == entries


@pytest.mark.parametrize("method", ["create", "update", "delete"])
def test_a_failure_after_the_change_is_rolled_back(client, admin_headers, hall, monkeypatch, method):
    """Should anything fail after the record changed (here: the audit entry), the change goes too."""
    from liangbiping.admin.services import records

    existing = create(client, admin_headers, "departments", {"name": "existing"})
    entries = _audit_count(client, admin_headers)

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(records, "record", broken)
    url = f"{API}/departments"
    if method == "create":
        response = client.post(url, json={"name": "never stored"}, headers=admin_headers)
    elif method == "update":
        response = client.patch(f"{url}/{existing['id']}", json={"name": "never changed"}, headers=admin_headers)
    else:
        response = client.delete(f"{url}/{existing['id']}", headers=admin_headers)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    monkeypatch.undo()
    names = [d["name"] for d in client.get(url, headers=admin_headers).get_json()["items"]]
    assert "existing" in names and "never stored" not in names and "never changed" not in names
    assert _audit_count(client, admin_headers) == entries


def test_a_refused_user_change_writes_nothing(client, admin_headers, make_user):
    user_id = make_user("leader", "lead1")
    before = client.get(f"{API}/users/{user_id}", headers=admin_headers).get_json()
    entries = _audit_count(client, admin_headers)
    for patch in ({"display_name": "X", "staff_id": 999999}, {"display_name": "X", "role": "staff"},
                  {"display_name": "X", "password": "short"}):
        assert_error(client.patch(f"{API}/users/{user_id}", json=patch, headers=admin_headers), 422)
    assert client.get(f"{API}/users/{user_id}", headers=admin_headers).get_json() == before
    assert _audit_count(client, admin_headers) == entries


def test_a_username_taken_by_a_racing_request_is_a_conflict(app, client, admin_headers, monkeypatch):
    """Another request stores the same username between this one's check and its write: 409, nothing stored."""
    from sqlalchemy import insert

    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import User
    from liangbiping.admin.services import accounts

    original = accounts.check_role

    def check_role_then_race(role):
        original(role)
        with db.engine.begin() as other:  # a second connection: the racing request
            other.execute(insert(User).values(username="racer", display_name="", password_hash="x", role="leader",
                                              active=True, session_version=1))

    monkeypatch.setattr(accounts, "check_role", check_role_then_race)
    entries = _audit_count(client, admin_headers)
    response = client.post(f"{API}/users", json={"username": "racer", "role": "leader", "password": "long-enough-1"},
                           headers=admin_headers)
    assert_error(response, 409, "conflict")
    monkeypatch.undo()
    users = client.get(f"{API}/users", headers=admin_headers).get_json()["items"]
    assert [u["username"] for u in users] == ["racer"] and users[0]["display_name"] == ""
    assert _audit_count(client, admin_headers) == entries
