"""Listing every collection: pagination, every declared filter, ?q= search and every sort key.

Driven by the catalog: a new filter, search column or sort key is tested without writing a test.
"""

import pytest

from liangbiping.admin.catalog import RESOURCES

from .support import API, assert_error, create, listing, sample


def _filter_values(client, headers, hall, name, key):
    """Two values of filter ``key`` of collection ``name`` that records can carry."""
    kinds = {"standards": ("service_item", "hall_rule"), "screens": ("hall", "window")}
    made_by = {
        "department_id": lambda: (hall.d1, hall.d2), "window_id": lambda: (hall.w1, hall.w2),
        "staff_id": lambda: (hall.m1, hall.m2), "group_id": lambda: (hall.g1, hall.g2),
        "playlist_id": lambda: (hall.p1, hall.p2),
        "screen_id": lambda: tuple(create(client, headers, "screens", sample("screens", hall, 90 + i))["id"]
                                   for i in (0, 1)),
        "is_party_member": lambda: (True, False), "on_duty": lambda: (True, False),
        "published": lambda: (True, False), "priority": lambda: ("normal", "urgent"), "kind": lambda: kinds.get(name),
    }
    assert key in made_by, f"tests/admin/api: no sample values for filter {name}.{key}"
    values = made_by[key]()
    assert values and len(set(values)) == 2, (name, key, values)
    return values


def _as_query(value):
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _expected_order(items, field, descending):
    """Sorted by ``field`` (empty values last either way), ties by id."""
    present = sorted((x for x in items if x[field] is not None), key=lambda x: x["id"])
    present.sort(key=lambda x: x[field], reverse=descending)  # stable: ties keep id order
    return present + sorted((x for x in items if x[field] is None), key=lambda x: x["id"])


def _check_pagination(client, headers, name):
    everything = listing(client, headers, name, per_page=200)
    total = everything["total"]
    assert total == len(everything["items"]) and total >= 5, name
    assert everything["page"] == 1 and everything["per_page"] == 200
    seen = []
    for page in range(1, total // 2 + 3):
        got = listing(client, headers, name, page=page, per_page=2)
        assert (got["page"], got["per_page"], got["total"]) == (page, 2, total)
        assert len(got["items"]) == min(2, max(0, total - (page - 1) * 2))
        seen += [item["id"] for item in got["items"]]
    assert seen == [item["id"] for item in everything["items"]], "pages overlap, skip or reorder records"
    default = listing(client, headers, name)
    assert default["per_page"] == 50 and default["page"] == 1


def _check_sorting(client, headers, name, mine):
    res = RESOURCES[name]
    ids = {x["id"] for x in mine}

    def order(**params):
        return [x["id"] for x in listing(client, headers, name, per_page=200, **params)["items"] if x["id"] in ids]

    for key in res.sort:
        assert all(key in x for x in mine), f"sort key {name}.{key} is not in the output"
        for descending in (False, True):
            wanted = [x["id"] for x in _expected_order(mine, key, descending)]
            assert order(sort=("-" if descending else "") + key) == wanted, (name, key, descending)
    default = res.default_sort
    assert order() == [x["id"] for x in _expected_order(mine, default.lstrip("-"), default.startswith("-"))]


def _check_search(client, headers, hall, name):
    res = RESOURCES[name]
    assert res.search, f"{name} declares no search columns"
    for j, column in enumerate(res.search):
        marker = f"Qzk{j}x"
        made = create(client, headers, name, sample(name, hall, 60 + j, **{column.key: f"aa{marker}bb"}))
        for q in (marker.lower(), marker.upper(), f"  {marker}  "):
            found = listing(client, headers, name, q=q, per_page=200)
            assert [x["id"] for x in found["items"]] == [made["id"]], (name, column.key, q)
            assert found["total"] == 1
    assert listing(client, headers, name, q="no-such-text-anywhere")["items"] == []


def _check_filters(client, headers, hall, name):
    res = RESOURCES[name]
    for j, key in enumerate(res.filters):
        a, b = _filter_values(client, headers, hall, name, key)
        rec_a = create(client, headers, name, sample(name, hall, 70 + 2 * j, **{key: a}))
        rec_b = create(client, headers, name, sample(name, hall, 71 + 2 * j, **{key: b}))
        for value, inside, outside in ((a, rec_a, rec_b), (b, rec_b, rec_a)):
            got = listing(client, headers, name, per_page=200, **{key: _as_query(value)})
            assert got["items"] and all(x[key] == value for x in got["items"]), (name, key, value)
            ids = [x["id"] for x in got["items"]]
            assert inside["id"] in ids and outside["id"] not in ids, (name, key, value)
            assert got["total"] == len(ids)
        if res.filters[key][0] in (int, bool):
            bad = client.get(f"{API}/{name}", query_string={key: "[]"}, headers=headers)
            assert_error(bad, 422, "validation_error")


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_listing(client, admin_headers, hall, name):
    mine = [create(client, admin_headers, name, sample(name, hall, i)) for i in (5, 3, 4, 1, 6)]
    if name == "pledges":
        mine.append(create(client, admin_headers, name, sample(name, hall, 2, period_start=None)))
    if name == "notices":
        mine.append(create(client, admin_headers, name, sample(name, hall, 2, starts_at=None)))
    _check_pagination(client, admin_headers, name)
    _check_sorting(client, admin_headers, name, mine)
    _check_search(client, admin_headers, hall, name)
    _check_filters(client, admin_headers, hall, name)


def test_search_treats_wildcards_as_text(client, admin_headers):
    names = ["50%off", "50xoff", "a_b", "axb", "back\\slash"]
    ids = {n: create(client, admin_headers, "departments", {"name": n})["id"] for n in names}
    for q, wanted in (("%", ["50%off"]), ("_", ["a_b"]), ("\\", ["back\\slash"]), ("0%o", ["50%off"])):
        got = listing(client, admin_headers, "departments", q=q)
        assert [x["id"] for x in got["items"]] == [ids[w] for w in wanted], q


def test_search_finds_chinese_text(client, admin_headers, hall):
    got = listing(client, admin_headers, "windows", q="社保")
    assert [x["id"] for x in got["items"]] == [hall.w1]
    got = listing(client, admin_headers, "staff", q="副科长")
    assert [x["id"] for x in got["items"]] == [hall.m2]


def test_filters_combine(client, admin_headers, hall):
    got = listing(client, admin_headers, "staff", department_id=hall.d1, on_duty="true", is_party_member="true")
    assert [x["id"] for x in got["items"]] == [hall.m1, hall.m2]
    got = listing(client, admin_headers, "staff", department_id=hall.d1, on_duty="true", window_id=hall.w2)
    assert [x["id"] for x in got["items"]] == [hall.m2]
    assert listing(client, admin_headers, "staff", department_id=hall.d2, is_party_member="true",
                   on_duty="true")["items"] == []   # 王五 and 赵六 are away
    assert listing(client, admin_headers, "staff", department_id=hall.d1, window_id=hall.w3)["items"] == []


def test_unknown_query_parameters_are_ignored(client, admin_headers, hall):
    got = listing(client, admin_headers, "departments", _="1700000000", lang_hint="zh")
    assert {x["id"] for x in got["items"]} == {hall.d1, hall.d2}
