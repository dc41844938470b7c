"""The rules of each record type, as the API shows them."""

from datetime import datetime, timedelta, timezone

import pytest

from .support import API, assert_error, create, fields_of, sample


@pytest.mark.parametrize("name,field,value", [
    ("departments", "name", "社会保障科"), ("windows", "number", "01"), ("staff", "employee_no", "E001"),
])
def test_unique_values_conflict(client, admin_headers, hall, name, field, value):
    error = assert_error(client.post(f"{API}/{name}", json=sample(name, hall, 9, **{field: value}),
                                     headers=admin_headers), 409, "conflict")
    assert fields_of(error) == {field}
    other = create(client, admin_headers, name, sample(name, hall, 8))
    url = f"{API}/{name}/{other['id']}"
    assert_error(client.patch(url, json={field: f"  {value} "}, headers=admin_headers), 409, "conflict")
    assert client.get(url, headers=admin_headers).get_json()[field] == other[field]
    assert client.patch(url, json={field: other[field]}, headers=admin_headers).status_code == 200  # its own value


def test_records_in_use_cannot_be_removed(client, admin_headers, hall):
    for path in (f"/departments/{hall.d1}", f"/departments/{hall.d2}"):
        assert_error(client.delete(API + path, headers=admin_headers), 409, "conflict")
        assert client.get(API + path, headers=admin_headers).status_code == 200


def test_removing_a_window_or_member_detaches_what_hangs_on_it(client, admin_headers, hall):
    honor = create(client, admin_headers, "honors", sample("honors", hall, 1, window_id=hall.w2))
    pledge = create(client, admin_headers, "pledges", sample("pledges", hall, 1, staff_id=hall.m2))
    assert client.delete(f"{API}/windows/{hall.w2}", headers=admin_headers).status_code == 204
    assert client.get(f"{API}/staff/{hall.m2}", headers=admin_headers).get_json()["window_id"] is None
    assert client.get(f"{API}/honors/{honor['id']}", headers=admin_headers).status_code == 404
    assert client.delete(f"{API}/staff/{hall.m2}", headers=admin_headers).status_code == 204
    assert client.get(f"{API}/pledges/{pledge['id']}", headers=admin_headers).status_code == 404


def test_text_is_trimmed_and_lists_cleaned(client, admin_headers, hall):
    member = create(client, admin_headers, "staff", sample("staff", hall, 1, name="  王五 ",
                                                           designations=[" 党员先锋岗 ", "党员先锋岗", "岗位能手"]))
    assert member["name"] == "王五" and member["designations"] == ["党员先锋岗", "岗位能手"]
    standard = create(client, admin_headers, "standards", sample("standards", hall, 1, steps=["a", " a ", "  ", "b"]))
    assert standard["steps"] == ["a", "b"]
    for blank in ("", "   "):
        assert_error(client.post(f"{API}/departments", json={"name": blank}, headers=admin_headers), 422)
    assert_error(client.post(f"{API}/staff", json=sample("staff", hall, 2, employee_no="E 001"),
                             headers=admin_headers), 422)
    for designations in (["x" * 33], ["  "], ["a"] * 11):
        assert_error(client.post(f"{API}/staff", json=sample("staff", hall, 2, designations=designations),
                                 headers=admin_headers), 422)


def test_pledge_periods(client, admin_headers, hall):
    bad = client.post(f"{API}/pledges", json=sample("pledges", hall, 1, period_start="2026-06-01",
                                                     period_end="2026-05-31"), headers=admin_headers)
    assert_error(bad, 422, "validation_error")
    party = create(client, admin_headers, "pledges", {"text": "党支部承诺：一次办好"})
    assert party["staff_id"] is None and party["published"] is True and party["period_start"] is None
    url = f"{API}/pledges/{party['id']}"
    assert client.patch(url, json={"period_start": "2026-06-01"}, headers=admin_headers).status_code == 200
    assert_error(client.patch(url, json={"period_end": "2026-01-01"}, headers=admin_headers), 422)
    assert client.get(url, headers=admin_headers).get_json()["period_end"] is None


def test_an_honor_goes_to_one_member_or_one_window(client, admin_headers, hall):
    body = {"title": "服务标兵", "awarded_on": "2026-01-15"}
    assert_error(client.post(f"{API}/honors", json=body, headers=admin_headers), 422)
    assert_error(client.post(f"{API}/honors", json=dict(body, staff_id=hall.m1, window_id=hall.w1),
                             headers=admin_headers), 422)
    honor = create(client, admin_headers, "honors", dict(body, window_id=hall.w1))
    url = f"{API}/honors/{honor['id']}"
    assert_error(client.patch(url, json={"staff_id": hall.m1}, headers=admin_headers), 422)
    moved = client.patch(url, json={"staff_id": hall.m1, "window_id": None}, headers=admin_headers)
    assert moved.status_code == 200 and moved.get_json()["staff_id"] == hall.m1


def test_notice_times_are_the_halls_and_stored_in_utc(client, admin_headers):
    local = create(client, admin_headers, "notices", {"title": "停电通知", "starts_at": "2026-03-01T09:00:00",
                                                      "ends_at": "2026-03-01T17:30"})
    assert local["starts_at"] == "2026-03-01T01:00:00Z" and local["ends_at"] == "2026-03-01T09:30:00Z"
    offset = create(client, admin_headers, "notices", {"title": "x", "starts_at": "2026-03-01T09:00:00+02:00"})
    assert offset["starts_at"] == "2026-03-01T07:00:00Z"
    assert_error(client.post(f"{API}/notices", json={"title": "x", "starts_at": "2026-03-01T09:00",
                                                     "ends_at": "2026-03-01T09:00"}, headers=admin_headers), 422)
    # 09:00 in the hall is 01:00 UTC: an end at 08:00 UTC is after it, an end at 00:30 UTC before it
    assert_error(client.post(f"{API}/notices", json={"title": "x", "starts_at": "2026-03-01T09:00",
                                                     "ends_at": "2026-03-01T00:30:00Z"}, headers=admin_headers), 422)
    mixed = client.post(f"{API}/notices", json={"title": "x", "starts_at": "2026-03-01T09:00",
                                                "ends_at": "2026-03-01T08:00:00Z"}, headers=admin_headers)
    assert mixed.status_code == 201
    url = f"{API}/notices/{local['id']}"
    assert_error(client.patch(url, json={"ends_at": "2026-03-01T08:59"}, headers=admin_headers), 422)
    assert client.get(url, headers=admin_headers).get_json()["ends_at"] == "2026-03-01T09:30:00Z"


def test_notice_active_follows_its_times(client, admin_headers):
    now = datetime.now(timezone.utc)
    iso = lambda t: t.isoformat()  # noqa: E731
    running = create(client, admin_headers, "notices", {"title": "a", "starts_at": iso(now - timedelta(hours=1)),
                                                        "ends_at": iso(now + timedelta(hours=1))})
    future = create(client, admin_headers, "notices", {"title": "b", "starts_at": iso(now + timedelta(days=1))})
    past = create(client, admin_headers, "notices", {"title": "c", "ends_at": iso(now - timedelta(minutes=1))})
    always = create(client, admin_headers, "notices", {"title": "d"})
    assert [running["active"], future["active"], past["active"], always["active"]] == [True, False, False, True]
