"""Random JSON at every POST, PUT and PATCH endpoint: never a 5xx, and every 4xx in the error shape.

The endpoints come from the registered operations, so a new one is fuzzed without writing a test.
Bodies are either any JSON at all, an object of known and unknown field names with odd values, or a
valid body with a few fields replaced by odd values (the way most real mistakes look).
"""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liangbiping.admin.catalog import RESOURCES

from .support import API, assert_error, fill_rule, image_bytes, op_id, registered_operations, sample

# A modest number keeps the suite fast; LIANGBIPING_FUZZ_EXAMPLES=500 searches harder.
EXAMPLES = int(os.environ.get("LIANGBIPING_FUZZ_EXAMPLES", "10"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

ODD_STRINGS = ["", " ", "\x00", "a\x00b", "\ud800", "null", "true", "1", "-1", "0", "1.5", "2026-02-30", "2026-13-01",
               "0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "9999-12-31", "24:00", "08:00",
               "x" * 600, "界" * 129, "hall", "window", "urgent", "admin", "leader", "staff", "service_item",
               "kiosk", "qr", "<script>alert(1)</script>", "'; DROP TABLE staff; --", "%", "_", "\\"]
ODD_NUMBERS = [0, -1, 1, 2, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, 1.5, 1e308,
               float("inf"), float("-inf"), float("nan")]

leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(ODD_NUMBERS),
                   st.floats(), st.text(max_size=20), st.sampled_from(ODD_STRINGS))
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)


def _schema_of(op):
    collection = op.rule.strip("/").split("/")[0]
    if op.body is not None:
        return op.body
    if op.method == "PATCH" and collection in RESOURCES:
        return RESOURCES[collection].schema_in
    if op.name == "users_update":
        from liangbiping.admin.schemas import UserIn

        return UserIn
    return None


def _bodies(op, valid: dict | None):
    schema = _schema_of(op)
    fields = sorted(schema.model_fields) if schema is not None else ["id", "name"]
    keys = st.one_of(st.sampled_from(fields), st.text(max_size=12))
    choices = [json_values, st.dictionaries(keys, json_values, max_size=6)]
    if valid:
        def mutate(changes):
            return dict(valid, **changes)

        choices.append(st.dictionaries(st.sampled_from(fields), json_values, min_size=1, max_size=3).map(mutate))
    return st.one_of(*choices)


def _json_ops():
    return [op for op in registered_operations()
            if op.method in ("POST", "PATCH", "PUT") and (op.body is not None or op.method == "PATCH")]


def _target(op, client, headers, hall, make_user):
    """The URL to send to (a record that exists, where the rule names one) and a valid body, if known."""
    collection = op.rule.strip("/").split("/")[0]
    ids = {}
    if "<" in op.rule:
        if collection in RESOURCES:
            made = client.post(f"{API}/{collection}", json=sample(collection, hall, 500), headers=headers)
            assert made.status_code == 201, made.get_data(as_text=True)
            ids = {name: made.get_json()["id"] for name in ("record_id", f"{collection[:-1]}_id")}
        elif collection == "users":
            ids = {"user_id": make_user("leader", f"fuzzed{len(op.rule)}{op.method}")}
    valid = None
    if collection in RESOURCES and op.name in (f"{collection}_create", f"{collection}_update"):
        valid = sample(collection, hall, 501)
    elif op.name == "users_create":
        valid = {"username": "someone", "role": "leader", "password": "long-enough-1"}
    elif op.name == "users_update":
        valid = {"display_name": "Someone", "role": "leader"}
    elif op.name == "tokens_create":
        valid = {"name": "fuzz", "role": "staff"}
    return fill_rule(op.rule, ids), valid


def _check(response):
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    if response.status_code >= 400:
        assert_error(response)
    elif response.status_code != 204:
        assert isinstance(response.get_json(), dict)


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_random_json_never_breaks_the_api(client, admin_headers, hall, make_user, method):
    """One app for all the endpoints of a method (an app per endpoint would cost more than the examples)."""
    ops = [op for op in _json_ops() if op.method == method]
    assert ops or method == "PUT"
    for op in ops:
        url, valid = _target(op, client, admin_headers, hall, make_user)
        headers = admin_headers if op.roles is not None else {}

        @SETTINGS
        @given(body=_bodies(op, valid))
        def send(body):
            _check(client.open(url, method=op.method, json=body, headers=headers))

        try:
            send()
        except Exception as exc:
            raise AssertionError(f"{op_id(op)}: {exc}") from exc


def test_json_op_list_is_complete():
    names = {op.name for op in _json_ops()}
    for name in RESOURCES:
        assert f"{name}_update" in names and f"{name}_create" in names
    assert {"users_create", "users_update", "tokens_create"} <= names


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_random_bytes_as_a_json_body(client, admin_headers, raw):
    _check(client.post(f"{API}/departments", data=raw, content_type="application/json", headers=admin_headers))


@settings(max_examples=2 * EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_photo_bytes(client, admin_headers, hall, data):
    """Random bytes, and real images cut short or with bytes flipped: a photo, or a 422; never a 5xx."""
    source = data.draw(st.sampled_from(["random", "JPEG", "PNG", "WEBP"]))
    if source == "random":
        body = data.draw(st.binary(max_size=2000))
    else:
        original = bytearray(image_bytes(source, size=(60, 80)))
        cut = data.draw(st.integers(min_value=0, max_value=len(original)))
        body = original[:cut]
        for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
            if body:
                body[data.draw(st.integers(min_value=0, max_value=len(body) - 1))] = data.draw(st.integers(0, 255))
        body = bytes(body)
    response = client.put(f"{API}/staff/{hall.m1}/photo", data=io.BytesIO(body), content_type="image/jpeg",
                          headers=admin_headers)
    assert response.status_code in (200, 422), (response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code == 422:
        assert_error(response, 422, "validation_error")
