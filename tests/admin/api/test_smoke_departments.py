"""Departments through the API: the template every collection follows."""


def test_create_read_update_delete(client, admin_headers):
    created = client.post("/api/v1/departments", json={"name": "社保"}, headers=admin_headers)
    assert created.status_code == 201
    dept = created.get_json()
    assert dept["name"] == "社保" and isinstance(dept["id"], int)

    read = client.get(f"/api/v1/departments/{dept['id']}", headers=admin_headers)
    assert read.get_json() == dept

    changed = client.patch(f"/api/v1/departments/{dept['id']}", json={"name": "社会保障"}, headers=admin_headers)
    assert changed.status_code == 200 and changed.get_json()["name"] == "社会保障"

    assert client.delete(f"/api/v1/departments/{dept['id']}", headers=admin_headers).status_code == 204
    gone = client.get(f"/api/v1/departments/{dept['id']}", headers=admin_headers)
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"


def test_console_forms_need_the_csrf_token(client, make_user):
    from tests.factories import csrf_token

    make_user("admin", "boss")
    refused = client.post("/admin/login", data={"username": "boss", "password": "correct-horse-1"})
    assert refused.status_code == 400
    accepted = client.post("/admin/login", data={"username": "boss", "password": "correct-horse-1",
                                                 "csrf_token": csrf_token(client, "/admin/login")})
    assert accepted.status_code == 302
