"""Create, read, change and remove a record of every collection in the catalog."""

import pytest

from liangbiping.admin.catalog import RESOURCES

from .support import API, CHANGES, assert_error, create, listing, sample

DEVICES = ("screens", "kiosks")
# A device's live state (heartbeat, content version) moves on its own; the record is the rest.
LIVE = {"status", "last_seen_at", "current_version", "applied_version"}


def _record(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in LIVE}


def _same(sent, got):
    """What was sent comes back (times are compared in test_notices, where the zones are the point)."""
    for key, value in sent.items():
        if key not in ("starts_at", "ends_at"):
            assert got[key] == value, (key, value, got[key])


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_create_read_update_delete(client, admin_headers, hall, name):
    assert set(CHANGES) == set(RESOURCES), "every collection needs a sample change"
    body = sample(name, hall, 7)
    created = create(client, admin_headers, name, body)
    assert isinstance(created["id"], int) and created["id"] > 0
    _same(body, created)
    declared = set(RESOURCES[name].schema_out.model_fields)
    assert set(created) == declared | ({"token"} if name in DEVICES else set())
    if name in DEVICES:
        assert isinstance(created.pop("token"), str)

    url = f"{API}/{name}/{created['id']}"
    read = client.get(url, headers=admin_headers)
    assert read.status_code == 200
    assert _record(read.get_json()) == _record(created)
    assert created["id"] in [item["id"] for item in listing(client, admin_headers, name, per_page=200)["items"]]

    unchanged = client.patch(url, json={}, headers=admin_headers)
    assert unchanged.status_code == 200 and _record(unchanged.get_json()) == _record(created)

    changed = client.patch(url, json=CHANGES[name], headers=admin_headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    after = _record(changed.get_json())
    assert after == _record(dict(created, **CHANGES[name]))
    assert _record(client.get(url, headers=admin_headers).get_json()) == after

    removed = client.delete(url, headers=admin_headers)
    assert removed.status_code == 204 and removed.get_data() == b""
    assert_error(client.get(url, headers=admin_headers), 404, "not_found")
    assert_error(client.patch(url, json=CHANGES[name], headers=admin_headers), 404, "not_found")
    assert_error(client.delete(url, headers=admin_headers), 404, "not_found")
    assert created["id"] not in [item["id"] for item in listing(client, admin_headers, name, per_page=200)["items"]]
