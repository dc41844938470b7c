"""Bad input, for every collection: always a 4xx in the error shape, never a 5xx, and nothing stored changes.

The bad values are derived from each input schema (every string's length limit, every integer,
date and reference), so a new field is tested without writing a test.
"""

import json

import pytest

from liangbiping.admin.catalog import RESOURCES
from liangbiping.admin.schemas import TokenIn, UserIn

from .support import API, assert_error, create, fields_of, listing, sample

LIVE = {"status", "last_seen_at", "current_version", "applied_version"}
HUGE = (2**31, 2**63, 10**30, -(10**30))


def _kinds(prop: dict) -> list[dict]:
    return prop.get("anyOf", [prop])


def bad_values(schema: type) -> list[tuple[str, object]]:
    """(field, value) pairs the schema must refuse, found from its JSON schema."""
    out = []
    for field, prop in schema.model_json_schema()["properties"].items():
        out.append((field, {"nested": {"object": True}}))
        for kind in _kinds(prop):
            if kind.get("type") == "string":
                if "maxLength" in kind:
                    out.append((field, "界" * (kind["maxLength"] + 1)))
                if kind.get("format") in ("date", "date-time"):
                    out += [(field, "2026-02-30"), (field, "yesterday"), (field, "2026-13-01T25:61:00")]
                if "enum" in kind or "const" in kind:
                    out.append((field, "not-one-of-them"))
            if kind.get("type") == "integer":
                out += [(field, v) for v in HUGE] + [(field, 1.5), (field, "twelve"), (field, [1])]
            if kind.get("type") == "boolean":
                out += [(field, "maybe"), (field, 7)]
            if kind.get("type") == "array":
                items = kind.get("items", {})
                if "maxItems" in kind:
                    out.append((field, [f"v{i}" if items.get("type") == "string" else 1 for i in
                                        range(kind["maxItems"] + 1)]))
                if items.get("type") == "string":
                    out.append((field, [5, {"x": 1}]))
                    if "maxLength" in items:
                        out.append((field, ["x" * (items["maxLength"] + 1)]))
                if items.get("type") == "integer":
                    out += [(field, [v]) for v in HUGE] + [(field, ["one"])]
                out.append((field, "not a list"))
    return out


def required_fields(schema: type) -> list[str]:
    return schema.model_json_schema().get("required", [])


def _state(client, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return {k: v for k, v in response.get_json().items() if k not in LIVE}


def _count(client, headers, collection_url):
    response = client.get(collection_url, query_string={"per_page": 1}, headers=headers)
    assert response.status_code == 200
    return response.get_json()["total"]


def check_body_refusals(client, headers, collection_url, item_url, schema, good: dict, references=(), links=(),
                        variant=None):
    """POST and PATCH with every kind of bad body: 4xx in the error shape, and nothing stored changes.

    ``variant(**fields)`` is ``good`` with ``fields`` changed (and whatever else they imply).
    """
    variant = variant or (lambda **over: dict(good, **over))
    before_count = _count(client, headers, collection_url)
    before = _state(client, headers, item_url)

    def refused(method, url, status=None, code=None, field=None, **kwargs):
        response = client.open(url, method=method, headers=headers, **kwargs)
        error = assert_error(response, status, code)
        if field is not None:
            assert field in fields_of(error), (method, url, kwargs, error)
        return error

    for method, url in (("POST", collection_url), ("PATCH", item_url)):
        refused(method, url, 400, "bad_request", data="{not json", content_type="application/json")
        refused(method, url, 400, "bad_request", data=b"\xff\xfe{", content_type="application/json")
        refused(method, url, 400, "bad_request", data=json.dumps(good), content_type="text/plain")
        refused(method, url, 400, "bad_request", data="", content_type="application/json")
        refused(method, url, 400, "bad_request", data="null", content_type="application/json")
        refused(method, url, 400, "bad_request", data="[" * 50000 + "]" * 50000, content_type="application/json")
        for not_an_object in ([good], [], "text", 5, True):
            refused(method, url, 422, "validation_error", json=not_an_object)
        refused(method, url, 422, "validation_error", field="surprise", json=dict(good, surprise=1))
        refused(method, url, 422, "validation_error", json=dict(good, id=12345))
        for field, value in bad_values(schema):
            refused(method, url, 422, "validation_error", field=field, json=dict(good, **{field: value}))
        for field in schema.model_fields:
            if isinstance(good.get(field), str):
                refused(method, url, 422, "validation_error", field=field, json=dict(good, **{field: "a\x00b"}))
                refused(method, url, 422, "validation_error", field=field,
                        data=json.dumps(dict(good, **{field: "x"})).replace('"x"', '"\\ud800"'),
                        content_type="application/json")
        for field in references:
            refused(method, url, 422, "validation_error", field=field, json=variant(**{field: 2**31 - 1}))
        for field in links:
            refused(method, url, 422, "validation_error", field=field, json=variant(**{field: [2**31 - 1]}))
    for field in required_fields(schema):
        refused("POST", collection_url, 422, "validation_error", field=field,
                json={k: v for k, v in good.items() if k != field})
        refused("POST", collection_url, 422, "validation_error", field=field, json=dict(good, **{field: None}))
        refused("PATCH", item_url, 422, "validation_error", field=field, json={field: None})

    assert _state(client, headers, item_url) == before, "a refused PATCH changed the record"
    assert _count(client, headers, collection_url) == before_count, "a refused POST stored something"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_bad_bodies_are_refused_and_change_nothing(client, admin_headers, hall, name):
    res = RESOURCES[name]
    existing = create(client, admin_headers, name, sample(name, hall, 1))
    good = sample(name, hall, 2)
    check_body_refusals(client, admin_headers, f"{API}/{name}", f"{API}/{name}/{existing['id']}", res.schema_in,
                        good, references=tuple(res.references), links=tuple(res.links),
                        variant=lambda **over: sample(name, hall, 2, **over))


def test_bad_user_bodies_are_refused_and_change_nothing(client, admin_headers, make_user):
    user_id = make_user("leader", "lead1")
    good = {"username": "newbie", "display_name": "New", "role": "leader", "password": "long-enough-1"}
    check_body_refusals(client, admin_headers, f"{API}/users", f"{API}/users/{user_id}", UserIn, good,
                        references=("staff_id",))


def test_bad_token_bodies_are_refused(client, admin_headers):
    before = listing(client, admin_headers, "tokens")["total"]
    for field, value in bad_values(TokenIn):
        error = assert_error(client.post(f"{API}/tokens", json={"name": "sync", "role": "leader", field: value},
                                         headers=admin_headers), 422, "validation_error")
        assert field in fields_of(error)
    for field in required_fields(TokenIn):
        body = {k: v for k, v in {"name": "sync", "role": "leader"}.items() if k != field}
        assert_error(client.post(f"{API}/tokens", json=body, headers=admin_headers), 422)
    assert_error(client.post(f"{API}/tokens", data="{", content_type="application/json", headers=admin_headers), 400)
    assert listing(client, admin_headers, "tokens")["total"] == before


BAD_IDS = ("abc", "1.5", "-1", "0", "99999999999999999999", "1e3", "%20", "1;DROP")


def test_bad_ids_in_urls_are_not_found(client, admin_headers):
    for name, bad in ((name, bad) for name in sorted(RESOURCES) + ["users", "tokens"] for bad in BAD_IDS):
        for method in ("GET", "PATCH", "DELETE"):
            if name == "tokens" and method != "DELETE":
                continue
            response = client.open(f"{API}/{name}/{bad}", method=method, json={}, headers=admin_headers)
            assert_error(response, 404)


def test_bad_query_parameters(client, admin_headers):
    for name in sorted(RESOURCES):
        _check_bad_query(client, admin_headers, name)


def _check_bad_query(client, admin_headers, name):
    res = RESOURCES[name]
    bad = [{"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": "100001"}, {"page": "1.5"},
           {"per_page": "0"}, {"per_page": "201"}, {"per_page": "lots"}, {"sort": "bogus"}, {"sort": "--id"},
           {"sort": "id; drop table staff"}, {"q": "x" * 101}, {"q": "a\x00b"}]
    for key, (kind, _column) in res.filters.items():
        if kind is int:
            bad += [{key: "x"}, {key: "99999999999999999999"}, {key: str(2**31)}, {key: "1.5"}]
        if kind is bool:
            bad += [{key: "maybe"}]
        if kind is str:
            bad += [{key: "a\x00b"}]
    for params in bad:
        response = client.get(f"{API}/{name}", query_string=params, headers=admin_headers)
        error = assert_error(response, 422, "validation_error")
        assert fields_of(error) <= set(params) | {None}, (params, error)
    for params in ({"per_page": "200"}, {"page": "100000"}, {"q": "x" * 100}, {"sort": f"-{res.default_sort.lstrip('-')}"}):
        assert client.get(f"{API}/{name}", query_string=params, headers=admin_headers).status_code == 200


def test_bad_query_parameters_of_accounts(client, admin_headers):
    for path in ("users", "tokens", "audit"):
        for params in ({"page": "0"}, {"per_page": "500"}, {"page": "x"}):
            assert_error(client.get(f"{API}/{path}", query_string=params, headers=admin_headers), 422)
    for params in ({"entity": "x" * 33}, {"entity_id": "a\x00"}, {"action": "y" * 40}):
        assert_error(client.get(f"{API}/audit", query_string=params, headers=admin_headers), 422)


def test_unknown_paths_and_methods(client, admin_headers):
    assert_error(client.get(f"{API}/nothing-here", headers=admin_headers), 404, "not_found")
    assert_error(client.get(f"{API}/departments/1/nothing", headers=admin_headers), 404, "not_found")
    assert_error(client.put(f"{API}/departments/1", json={}, headers=admin_headers), 405, "method_not_allowed")
    assert_error(client.delete(f"{API}/departments", headers=admin_headers), 405, "method_not_allowed")
    assert_error(client.post(f"{API}/departments/1", json={}, headers=admin_headers), 405, "method_not_allowed")


def test_dates_and_times_out_of_range(client, admin_headers, hall):
    """Extreme but well-formed times: a 4xx, never a failure while storing them."""
    times = ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00"]
    for value in times:
        for field in ("starts_at", "ends_at"):
            response = client.post(f"{API}/notices", json={"title": "t", field: value}, headers=admin_headers)
            assert response.status_code in (201, 422), (value, response.get_data(as_text=True))
            if response.status_code == 422:
                assert field in fields_of(assert_error(response))
    for value in ("0001-01-01", "9999-12-31"):
        response = client.post(f"{API}/honors", json={"title": "t", "staff_id": hall.m1, "awarded_on": value},
                               headers=admin_headers)
        assert response.status_code in (201, 422)
        if response.status_code == 201:
            assert response.get_json()["awarded_on"] == value
