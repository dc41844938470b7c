"""API tokens: the secret is shown once and stored hashed; a revoked token is refused."""

from liangbiping.admin.extensions import db

from .support import API, assert_error, listing, sample


def test_secret_shown_once_and_stored_hashed(app, client, admin_headers):
    created = client.post(f"{API}/tokens", json={"name": "  sync job ", "role": "admin"}, headers=admin_headers)
    assert created.status_code == 201
    token = created.get_json()
    secret = token["token"]
    assert secret.startswith("lbp_") and len(secret) >= 40
    assert token["name"] == "sync job" and token["role"] == "admin"
    assert token["prefix"] == secret[:10] and token["revoked_at"] is None and token["last_used_at"] is None

    page = client.get(f"{API}/tokens", headers=admin_headers)
    assert secret not in page.get_data(as_text=True)
    listed = [t for t in page.get_json()["items"] if t["id"] == token["id"]]
    assert len(listed) == 1 and "token" not in listed[0]
    assert listed[0] == {k: v for k, v in token.items() if k != "token"}

    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import ApiToken

    with app.app_context():
        stored = db.session.get(ApiToken, token["id"])
        assert secret not in (stored.token_hash, stored.prefix, stored.name)
        assert len(stored.token_hash) == 64


def test_a_new_token_works_with_its_role(client, admin_headers, hall):
    leader = client.post(f"{API}/users", json={"username": "leader-app", "password": "long-enough-1",
                                               "role": "leader"}, headers=admin_headers).get_json()
    assert_error(client.post(f"{API}/tokens", json={"name": "leader app", "role": "leader"}, headers=admin_headers),
                 422)  # a leader's token acts for a leader
    from liangbiping.admin.models import User
    from liangbiping.admin.services.scope import set_leader_departments

    with client.application.app_context():
        set_leader_departments(db.session.get(User, leader["id"]), [hall.d1], "test")  # where member 1 works
    secret = client.post(f"{API}/tokens", json={"name": "leader app", "role": "leader", "user_id": leader["id"]},
                         headers=admin_headers).get_json()
    headers = {"Authorization": f"Bearer {secret['token']}"}
    assert client.post(f"{API}/pledges", json=sample("pledges", hall, 1), headers=headers).status_code == 201
    assert_error(client.post(f"{API}/departments", json={"name": "x"}, headers=headers), 403, "forbidden")
    used = [t for t in listing(client, admin_headers, "tokens")["items"] if t["id"] == secret["id"]][0]
    assert used["last_used_at"] is not None


def test_a_revoked_token_is_refused(client, admin_headers):
    made = client.post(f"{API}/tokens", json={"name": "temp", "role": "admin"}, headers=admin_headers).get_json()
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert client.get(f"{API}/departments", headers=headers).status_code == 200

    assert client.delete(f"{API}/tokens/{made['id']}", headers=admin_headers).status_code == 204
    for path in ("/departments", "/tokens", "/audit"):
        assert_error(client.get(API + path, headers=headers), 401, "unauthorized")
    revoked = [t for t in listing(client, admin_headers, "tokens")["items"] if t["id"] == made["id"]][0]
    assert revoked["revoked_at"] is not None
    assert client.delete(f"{API}/tokens/{made['id']}", headers=admin_headers).status_code == 204  # already gone
    assert_error(client.delete(f"{API}/tokens/999999", headers=admin_headers), 404, "not_found")


def test_a_token_may_revoke_itself_and_is_refused_afterwards(client, make_token):
    headers = make_token("admin")
    own = [t for t in listing(client, headers, "tokens")["items"]][-1]
    assert client.delete(f"{API}/tokens/{own['id']}", headers=headers).status_code == 204
    assert_error(client.get(f"{API}/tokens", headers=headers), 401)


def test_tokens_list_pages(client, admin_headers):
    for i in range(4):
        client.post(f"{API}/tokens", json={"name": f"t{i}", "role": "admin"}, headers=admin_headers)
    first = listing(client, admin_headers, "tokens", per_page=2)
    third = listing(client, admin_headers, "tokens", per_page=2, page=3)
    assert first["total"] == third["total"] == 5  # and the admin's own
    assert len(first["items"]) == 2 and len(third["items"]) == 1
