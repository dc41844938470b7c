"""Who may call what: 401 without a good bearer token, 403 for a role that may not, and success for one that may.

Driven by the registered operations (admin.api.framework.OPERATIONS), so a new endpoint is covered
without writing a test; the catalog's roles are checked against the intended policy as well.
"""

import base64
import itertools

from liangbiping.admin.catalog import RESOURCES

from .support import API, CHANGES, ROLES, assert_error, image_bytes, registered_operations, sample
from .support import fill_rule as _url

READ_ALL, MANAGERS, ADMIN = {"admin", "leader", "staff"}, {"admin", "leader"}, {"admin"}
# (who reads, who writes), per collection: the hall's public data is readable by everyone signed in;
# leaders keep pledges, honors and notices; devices and accounts are the administrator's.
POLICY = {
    "departments": (READ_ALL, ADMIN), "windows": (READ_ALL, ADMIN), "staff": (READ_ALL, ADMIN),
    "standards": (READ_ALL, ADMIN), "pledges": (READ_ALL, MANAGERS), "honors": (READ_ALL, MANAGERS),
    "notices": (READ_ALL, MANAGERS), "screens": (MANAGERS, ADMIN), "kiosks": (MANAGERS, ADMIN),
    "users": (ADMIN, ADMIN), "tokens": (ADMIN, ADMIN), "audit": (ADMIN, ADMIN),
}
SUCCESS = {"GET": 200, "POST": 201, "PATCH": 200, "PUT": 200, "DELETE": 204}
_fresh = itertools.count(100)


def test_catalog_roles_follow_the_policy():
    for name, (read, write) in POLICY.items():
        if name in RESOURCES:
            assert set(RESOURCES[name].read_roles) == read, name
            assert set(RESOURCES[name].write_roles) == write, name


def test_operations_follow_the_policy():
    """Every operation on a collection of the policy carries its read or write roles."""
    checked = 0
    for op in registered_operations():
        parts = op.rule.strip("/").split("/")
        if op.roles is None or parts[0] not in POLICY:
            continue
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].startswith("<")):
            continue  # sub-resources (a photo, a badge, pairing) have their own rules, checked below
        read, write = POLICY[parts[0]]
        assert set(op.roles) == (read if op.method == "GET" else write), (op.method, op.rule, op.roles)
        checked += 1
    assert checked >= 40
    photo = [op for op in registered_operations() if op.rule == "/staff/<int:record_id>/photo"]
    assert len(photo) == 1 and set(photo[0].roles) == ADMIN


def _bad_credentials(revoked_secret: str) -> dict:
    basic = base64.b64encode(b"admin:correct-horse-1").decode()
    return {
        "no header": {},
        "empty header": {"Authorization": ""},
        "wrong scheme": {"Authorization": f"Basic {basic}"},
        "scheme only": {"Authorization": "Bearer"},
        "blank token": {"Authorization": "Bearer    "},
        "bad token": {"Authorization": "Bearer lbp_not-a-real-token"},
        "overlong token": {"Authorization": "Bearer " + "x" * 5000},
        "token as a query parameter": {},
        "revoked token": {"Authorization": f"Bearer {revoked_secret}"},
    }


def test_every_protected_operation_refuses_bad_credentials(client, admin_headers):
    secret = client.post(f"{API}/tokens", json={"name": "soon gone", "role": "admin"},
                         headers=admin_headers).get_json()
    assert client.delete(f"{API}/tokens/{secret['id']}", headers=admin_headers).status_code == 204
    problems = []
    protected = [op for op in registered_operations() if op.roles is not None]
    assert protected
    for op in protected:
        url = _url(op.rule, {})
        for label, headers in _bad_credentials(secret["token"]).items():
            query = {"access_token": admin_headers["Authorization"][7:]} if label.startswith("token as") else None
            response = client.open(url, method=op.method, headers=headers, json={}, query_string=query)
            try:
                assert_error(response, 401, "unauthorized")
                assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")
            except AssertionError as exc:
                problems.append(f"{op.method} {op.rule} with {label}: {exc}")
    assert not problems, "\n".join(problems)


def test_public_operations_need_no_token(client):
    for op in registered_operations():
        if op.roles is None and op.method == "GET" and "<" not in op.rule:
            response = client.get(API + op.rule)
            assert response.status_code == 200, (op.rule, response.status_code)


class Caller:
    """Builds a valid request for each operation it knows, for the success half of the matrix."""

    def __init__(self, client, admin_headers, hall, make_user):
        self.client, self.admin, self.hall, self.make_user = client, admin_headers, hall, make_user

    def fresh(self, collection: str) -> int:
        """A new record to change or remove, made by the administrator."""
        n = next(_fresh)
        if collection == "users":
            return self.make_user("leader", f"spare{n}")
        if collection == "tokens":
            body = {"name": f"spare {n}", "role": "admin"}
        else:
            body = sample(collection, self.hall, n)
        response = self.client.post(f"{API}/{collection}", json=body, headers=self.admin)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()["id"]

    def request(self, op):
        """(url, keyword arguments, expected status) or None for an operation this test does not know."""
        collection = op.rule.strip("/").split("/")[0]
        name = op.name
        n = next(_fresh)
        if name == "staff_photo":
            url = _url(op.rule, {"record_id": self.hall.m1})
            return url, {"data": image_bytes("JPEG"), "content_type": "image/jpeg"}, 200
        if name == "openapi_json":
            return _url(op.rule, {}), {}, 200
        if collection in RESOURCES and name.startswith(collection):
            action = name[len(collection) + 1:]
            if action == "list":
                return _url(op.rule, {}), {}, 200
            if action == "create":
                return _url(op.rule, {}), {"json": sample(collection, self.hall, n)}, 201
            if action == "read":
                return _url(op.rule, {"record_id": self.fresh(collection)}), {}, 200
            if action == "update":
                return _url(op.rule, {"record_id": self.fresh(collection)}), {"json": CHANGES[collection]}, 200
            if action == "delete":
                return _url(op.rule, {"record_id": self.fresh(collection)}), {}, 204
        known = {
            "users_list": ({}, {}, 200), "tokens_list": ({}, {}, 200), "audit_list": ({}, {}, 200),
            "users_create": ({}, {"json": {"username": f"new{n}", "role": "leader", "password": "long-enough-1"}},
                             201),
            "tokens_create": ({}, {"json": {"name": f"new {n}", "role": "admin"}}, 201),
            "users_read": ({"user_id": "users"}, {}, 200),
            "users_update": ({"user_id": "users"}, {"json": {"display_name": "Changed"}}, 200),
            "users_delete": ({"user_id": "users"}, {}, 204),
            "tokens_revoke": ({"token_id": "tokens"}, {}, 204),
        }
        if name in known:
            ids, kwargs, status = known[name]
            return _url(op.rule, {k: self.fresh(v) for k, v in ids.items()}), kwargs, status
        return None


def test_each_role_may_do_exactly_what_it_is_allowed(client, admin_headers, role_headers, hall, make_user):
    caller = Caller(client, admin_headers, hall, make_user)
    problems, known = [], 0
    for op in registered_operations():
        if op.roles is None:
            continue
        for role in ROLES:
            headers = role_headers[role]
            if role not in op.roles:
                response = client.open(_url(op.rule, {}), method=op.method, headers=headers, json={})
                try:
                    assert_error(response, 403, "forbidden")
                except AssertionError as exc:
                    problems.append(f"{role} {op.method} {op.rule}: {exc}")
                continue
            planned = caller.request(op)
            if planned is None:  # an operation this test cannot build a good request for: no 401/403/5xx
                response = client.open(_url(op.rule, {}), method=op.method, headers=headers, json={})
                if response.status_code in (401, 403) or response.status_code >= 500:
                    problems.append(f"{role} {op.method} {op.rule}: {response.status_code}")
                continue
            known += 1
            url, kwargs, status = planned
            response = client.open(url, method=op.method, headers=headers, **kwargs)
            if response.status_code != status:
                problems.append(f"{role} {op.method} {url}: {response.status_code} "
                                f"{response.get_data(as_text=True)[:200]}")
    assert not problems, "\n".join(problems)
    assert known >= 60
