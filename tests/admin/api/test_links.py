"""Windows and service standards link both ways: window.service_item_ids <-> standard.window_ids."""

from .support import API, assert_error, create, sample


def _window(client, headers, wid):
    return client.get(f"{API}/windows/{wid}", headers=headers).get_json()


def _standard(client, headers, sid):
    return client.get(f"{API}/standards/{sid}", headers=headers).get_json()


def test_links_show_from_both_sides(client, admin_headers, hall):
    s2 = create(client, admin_headers, "standards", sample("standards", hall, 2))["id"]
    s3 = create(client, admin_headers, "standards", sample("standards", hall, 3, window_ids=[hall.w2, hall.w1]))["id"]
    assert _standard(client, admin_headers, s3)["window_ids"] == [hall.w1, hall.w2]  # ordered by window number
    assert _window(client, admin_headers, hall.w1)["service_item_ids"] == [hall.s1, s3]
    assert _window(client, admin_headers, hall.w2)["service_item_ids"] == [s3]

    w3 = create(client, admin_headers, "windows", sample("windows", hall, 3, service_item_ids=[s2, s2, hall.s1]))
    assert w3["service_item_ids"] == [hall.s1, s2]  # duplicates once, ordered by id
    assert w3["id"] in _standard(client, admin_headers, s2)["window_ids"]

    changed = client.patch(f"{API}/windows/{hall.w1}", json={"service_item_ids": [s2]}, headers=admin_headers)
    assert changed.status_code == 200 and changed.get_json()["service_item_ids"] == [s2]
    assert hall.w1 not in _standard(client, admin_headers, hall.s1)["window_ids"]
    assert hall.w1 not in _standard(client, admin_headers, s3)["window_ids"]
    assert _standard(client, admin_headers, s2)["window_ids"] == [hall.w1, w3["id"]]

    changed = client.patch(f"{API}/standards/{s2}", json={"window_ids": []}, headers=admin_headers)
    assert changed.get_json()["window_ids"] == []
    assert _window(client, admin_headers, hall.w1)["service_item_ids"] == []


def test_removing_one_side_unlinks_the_other(client, admin_headers, hall):
    s2 = create(client, admin_headers, "standards", sample("standards", hall, 2, window_ids=[hall.w1, hall.w2]))["id"]
    assert client.delete(f"{API}/standards/{hall.s1}", headers=admin_headers).status_code == 204
    assert _window(client, admin_headers, hall.w1)["service_item_ids"] == [s2]
    assert client.delete(f"{API}/windows/{hall.w2}", headers=admin_headers).status_code == 204
    assert _standard(client, admin_headers, s2)["window_ids"] == [hall.w1]


def test_links_to_missing_records_are_refused(client, admin_headers, hall):
    before = _window(client, admin_headers, hall.w1)
    for ids in ([999999], [hall.s1, 999999], [0], ["x"], "1", None):
        response = client.patch(f"{API}/windows/{hall.w1}", json={"name": "renamed", "service_item_ids": ids},
                                headers=admin_headers)
        assert_error(response, 422, "validation_error")
    assert _window(client, admin_headers, hall.w1) == before
    assert_error(client.post(f"{API}/standards", json=sample("standards", hall, 5, window_ids=[hall.w1, 424242]),
                             headers=admin_headers), 422, "validation_error")
    assert _window(client, admin_headers, hall.w1) == before
