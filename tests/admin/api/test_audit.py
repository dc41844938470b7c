"""The audit log records who created, changed and removed what, and what changed."""

from .support import API, assert_error, audit_entries, listing


def _actor(client, admin_headers) -> str:
    token = listing(client, admin_headers, "tokens")["items"][0]
    return f"token:{token['id']} {token['name']}"


def test_create_update_delete_are_recorded(client, admin_headers):
    actor = _actor(client, admin_headers)
    dept = client.post(f"{API}/departments", json={"name": "社保", "sort_order": 3}, headers=admin_headers).get_json()
    client.patch(f"{API}/departments/{dept['id']}", json={"name": "社会保障", "sort_order": 3}, headers=admin_headers)
    client.patch(f"{API}/departments/{dept['id']}", json={"sort_order": 3}, headers=admin_headers)  # no change
    client.delete(f"{API}/departments/{dept['id']}", headers=admin_headers)

    entries = audit_entries(client, admin_headers, entity="department", entity_id=str(dept["id"]))
    assert [e["action"] for e in entries] == ["delete", "update", "create"]  # newest first, no entry for no change
    deleted, updated, created = entries
    assert {e["actor"] for e in entries} == {actor}
    assert created["changes"]["name"] == [None, "社保"] and created["changes"]["sort_order"][1] == 3
    assert created["summary"] == "社保"
    assert updated["changes"] == {"name": ["社保", "社会保障"]}
    assert deleted["summary"] == "社会保障"
    assert created["at"] <= updated["at"] <= deleted["at"]


def test_links_dates_and_photos_are_recorded(client, admin_headers, hall):
    from .support import image_bytes

    client.patch(f"{API}/windows/{hall.w2}", json={"service_item_ids": [hall.s1]}, headers=admin_headers)
    entry = audit_entries(client, admin_headers, entity="window", action="update")[0]
    assert entry["entity_id"] == str(hall.w2) and entry["changes"] == {"service_item_ids": [[], [hall.s1]]}

    pledge = client.post(f"{API}/pledges", json={"text": "一次办好", "period_start": "2026-01-01"},
                         headers=admin_headers).get_json()
    entry = audit_entries(client, admin_headers, entity="pledge", entity_id=str(pledge["id"]))[0]
    assert entry["changes"]["period_start"] == [None, "2026-01-01"]

    client.put(f"{API}/staff/{hall.m1}/photo", data=image_bytes("PNG"), content_type="image/png",
               headers=admin_headers)
    entry = audit_entries(client, admin_headers, entity="staff", entity_id=str(hall.m1))[0]
    assert entry["action"] == "update" and entry["changes"]["photo"][0] is None
    assert entry["changes"]["photo"][1].endswith(".jpg")


def test_filters_and_pages(client, admin_headers):
    for i in range(3):
        client.post(f"{API}/departments", json={"name": f"d{i}"}, headers=admin_headers)
    page = listing(client, admin_headers, "audit", entity="department", per_page=2)
    assert page["total"] == 3 and len(page["items"]) == 2
    assert all(e["entity"] == "department" and e["action"] == "create" for e in page["items"])
    assert listing(client, admin_headers, "audit", entity="department", action="delete")["total"] == 0
    creates = listing(client, admin_headers, "audit", action="create", per_page=200)["items"]
    assert [e["id"] for e in creates] == sorted((e["id"] for e in creates), reverse=True)


def test_the_log_cannot_be_changed_through_the_api(client, admin_headers):
    client.post(f"{API}/departments", json={"name": "d"}, headers=admin_headers)
    entry = audit_entries(client, admin_headers)[0]
    assert_error(client.post(f"{API}/audit", json={}, headers=admin_headers), 405)
    assert_error(client.delete(f"{API}/audit", headers=admin_headers), 405)
    assert_error(client.patch(f"{API}/audit/{entry['id']}", json={}, headers=admin_headers), 404)
    assert_error(client.delete(f"{API}/audit/{entry['id']}", headers=admin_headers), 404)
    assert audit_entries(client, admin_headers)[0] == entry
