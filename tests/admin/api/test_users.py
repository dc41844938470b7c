"""Console users through the API: create, read, change, remove; passwords never leave; an admin always remains."""

from .support import API, assert_error, audit_entries, listing

PASSWORD = "long-enough-1"


def _signs_in(app, username, password) -> bool:
    from liangbiping.admin.services.accounts import authenticate

    with app.app_context():
        return authenticate(username, password, "203.0.113.9") is not None


def _no_secret(response, *secrets):
    text = response.get_data(as_text=True)
    assert "password" not in response.get_json()
    assert "password_hash" not in text and "pbkdf2" not in text and "scrypt" not in text
    for secret in secrets:
        assert secret not in text


def test_create_read_change_remove(app, client, admin_headers, hall):
    created = client.post(f"{API}/users", json={"username": "wang.fang", "display_name": "王芳", "role": "staff",
                                                "staff_id": hall.m1, "password": PASSWORD}, headers=admin_headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    user = created.get_json()
    _no_secret(created, PASSWORD)
    assert user == {"id": user["id"], "username": "wang.fang", "display_name": "王芳", "role": "staff",
                    "staff_id": hall.m1, "active": True, "last_login_at": None}
    assert _signs_in(app, "wang.fang", PASSWORD)

    url = f"{API}/users/{user['id']}"
    read = client.get(url, headers=admin_headers)
    user["last_login_at"] = read.get_json()["last_login_at"]
    assert user["last_login_at"] and read.get_json() == user
    _no_secret(read, PASSWORD)
    page = listing(client, admin_headers, "users")
    assert user in page["items"] and page["total"] == len(page["items"])

    changed = client.patch(url, json={"display_name": "王芳芳", "role": "leader"}, headers=admin_headers)
    assert changed.status_code == 200
    assert changed.get_json() == dict(user, display_name="王芳芳", role="leader")
    assert client.get(url, headers=admin_headers).get_json() == changed.get_json()
    assert _signs_in(app, "wang.fang", PASSWORD), "a change without a password keeps the password"

    new_password = "another-secret-2"
    changed = client.patch(url, json={"password": new_password}, headers=admin_headers)
    assert changed.status_code == 200
    _no_secret(changed, new_password)
    assert _signs_in(app, "wang.fang", new_password)
    assert not _signs_in(app, "wang.fang", PASSWORD)

    for entry in audit_entries(client, admin_headers, entity="user", entity_id=str(user["id"])):
        assert PASSWORD not in str(entry) and new_password not in str(entry)
        if "password" in entry["changes"]:
            assert entry["changes"]["password"] == ["***", "***"]

    assert client.delete(url, headers=admin_headers).status_code == 204
    assert_error(client.get(url, headers=admin_headers), 404, "not_found")
    assert_error(client.delete(url, headers=admin_headers), 404, "not_found")


def test_defaults(client, admin_headers):
    created = client.post(f"{API}/users", json={"username": "zhao", "role": "leader", "password": PASSWORD},
                          headers=admin_headers)
    assert created.status_code == 201
    assert created.get_json()["display_name"] == "zhao" and created.get_json()["active"] is True


def test_user_rules(client, admin_headers, hall):
    def post(**body):
        return client.post(f"{API}/users", json={"username": "li", "password": PASSWORD, **body}, headers=admin_headers)

    assert_error(post(role="staff"), 422, "validation_error")  # a staff user is linked to a member
    assert_error(post(role="leader", password="short"), 422, "validation_error")
    assert_error(post(role="leader", password=None), 422, "validation_error")
    assert_error(post(role="boss"), 422, "validation_error")
    assert_error(post(role="leader", username="has space"), 422, "validation_error")
    assert post(role="leader").status_code == 201
    assert_error(post(role="leader"), 409, "conflict")
    assert_error(post(role="leader", username=" li "), 409, "conflict")
    assert listing(client, admin_headers, "users")["total"] == 1


def test_the_last_administrator_stays(client, admin_headers, make_user):
    boss = make_user("admin", "boss")
    url = f"{API}/users/{boss}"
    assert_error(client.delete(url, headers=admin_headers), 409, "conflict")
    assert_error(client.patch(url, json={"role": "leader"}, headers=admin_headers), 409, "conflict")
    assert_error(client.patch(url, json={"active": False}, headers=admin_headers), 409, "conflict")
    still = client.get(url, headers=admin_headers).get_json()
    assert still["role"] == "admin" and still["active"] is True
    assert client.patch(url, json={"display_name": "The boss"}, headers=admin_headers).status_code == 200

    second = make_user("admin", "deputy")
    assert client.patch(f"{API}/users/{second}", json={"active": False}, headers=admin_headers).status_code == 200
    assert_error(client.delete(url, headers=admin_headers), 409, "conflict")  # the deputy is inactive
    assert client.delete(f"{API}/users/{second}", headers=admin_headers).status_code == 204  # inactive: may go

    third = make_user("admin", "third")
    assert client.patch(url, json={"role": "leader"}, headers=admin_headers).status_code == 200
    assert_error(client.delete(f"{API}/users/{third}", headers=admin_headers), 409, "conflict")
    assert client.delete(url, headers=admin_headers).status_code == 204


def test_users_list_pages(client, admin_headers, make_user):
    ids = [make_user("leader", f"lead{i}") for i in range(5)]
    first = listing(client, admin_headers, "users", per_page=2)
    last = listing(client, admin_headers, "users", per_page=2, page=3)
    assert first["total"] == last["total"] == 5
    assert [u["id"] for u in first["items"]] == ids[:2] and [u["id"] for u in last["items"]] == ids[4:]
    assert listing(client, admin_headers, "users", per_page=2, page=4)["items"] == []
