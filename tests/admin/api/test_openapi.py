"""GET /api/v1/openapi.json: a valid OpenAPI 3 document covering every /api/v1 route, true to the answers."""

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from liangbiping.admin.catalog import RESOURCES

from .support import API, create, registered_operations, sample

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def doc(client):
    response = client.get(f"{API}/openapi.json")  # public: no token
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(doc):
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    validate(doc)  # raises on any structural error, including unresolvable $refs
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_every_api_route_is_documented_and_nothing_else(app, doc):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == API or rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods if method.lower() in METHODS}
    documented = {(path, method) for path, item in doc["paths"].items() for method in item if method in METHODS}
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "documented operations that do not exist"
    assert len(routes) >= 50


def test_every_operation_is_described(doc):
    ids = []
    for path, item in doc["paths"].items():
        params_in_path = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op.get("summary") and op.get("tags"), (method, path)
            assert any(code.startswith("2") for code in op["responses"]), (method, path)
            for code, response in op["responses"].items():
                assert response.get("description"), (method, path, code)
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == params_in_path, (method, path)
            if op.get("security") == []:  # public: only the intakes check (device and QR) tokens
                assert ("401" in op["responses"]) == (op["operationId"] in (
                    "ratings_create", "suggestions_create", "surveys_answer", "wishes_create"))
            else:
                assert {"401", "403"} <= set(op["responses"]) and op["x-roles"], (method, path)
            if method in ("post", "patch", "put") and "requestBody" in op:
                assert op["requestBody"]["content"], (method, path)
    assert len(ids) == len(set(ids)), "operationIds repeat"


def test_roles_and_bodies_match_the_registered_operations(doc):
    for op in registered_operations():
        path = API + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        entry = doc["paths"][path][op.method.lower()]
        assert entry["operationId"] == op.name
        if op.roles is None:
            assert entry["security"] == []
        else:
            assert entry["x-roles"] == list(op.roles)
        if op.body is not None or op.method in ("PATCH", "PUT"):
            assert "requestBody" in entry, (op.method, op.rule)
        assert str(op.status) in entry["responses"]


def test_list_operations_document_their_query(doc):
    for name, res in RESOURCES.items():
        entry = doc["paths"][f"{API}/{name}"]["get"]
        params = {p["name"]: p for p in entry["parameters"] if p["in"] == "query"}
        assert {"page", "per_page", "q", "sort"} | set(res.filters) <= set(params), name
        sort_values = str(params["sort"]["schema"])
        for key in res.sort:
            assert f"'{key}'" in sort_values and f"'-{key}'" in sort_values, (name, key)


def _validator(doc, schema):
    return Draft202012Validator(dict(schema, components=doc["components"]))


def test_answers_match_the_documented_schemas(client, admin_headers, hall, doc):
    for name in RESOURCES:
        made = client.post(f"{API}/{name}", json=sample(name, hall, 1), headers=admin_headers)
        paths = doc["paths"]
        checks = [
            (paths[f"{API}/{name}"]["post"]["responses"]["201"], made),
            (paths[f"{API}/{name}"]["get"]["responses"]["200"], client.get(f"{API}/{name}", headers=admin_headers)),
            (paths[f"{API}/{name}/{{record_id}}"]["get"]["responses"]["200"],
             client.get(f"{API}/{name}/{made.get_json()['id']}", headers=admin_headers)),
        ]
        for declared, response in checks:
            assert response.status_code in (200, 201)
            schema = declared["content"]["application/json"]["schema"]
            errors = list(_validator(doc, schema).iter_errors(response.get_json()))
            assert not errors, (name, [e.message for e in errors])
    refused = client.post(f"{API}/departments", json={"nope": 1}, headers=admin_headers)
    error_schema = doc["paths"][f"{API}/departments"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert not list(_validator(doc, error_schema).iter_errors(refused.get_json()))
    users = client.get(f"{API}/users", headers=admin_headers)
    schema = doc["paths"][f"{API}/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert not list(_validator(doc, schema).iter_errors(users.get_json()))
    token = client.post(f"{API}/tokens", json={"name": "n", "role": "admin"}, headers=admin_headers)
    schema = doc["paths"][f"{API}/tokens"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert not list(_validator(doc, schema).iter_errors(token.get_json()))
    create(client, admin_headers, "departments", {"name": "for the audit"})
    audit = client.get(f"{API}/audit", headers=admin_headers)
    schema = doc["paths"][f"{API}/audit"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert not list(_validator(doc, schema).iter_errors(audit.get_json()))
