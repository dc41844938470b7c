"""The generic record pages: departments, windows, standards, pledges, honors and notices."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from liangbiping.admin import models as m


@pytest.fixture
def hall(make):
    """A department, a window, a service item and a member to point at."""
    dept = make("departments", name="不动产登记科")
    window = make("windows", number="B02", name="不动产窗口", department_id=dept)
    item = make("standards", item_name="二手房转移登记", department_id=dept)
    member = make("staff", name="王芳", employee_no="E100", department_id=dept)
    return {"dept": dept, "window": window, "item": item, "member": member}


def cases(hall):
    """Per collection: a valid form, a change to it, a search word, a bad form and the field it names."""
    return {
        "departments": dict(
            form={"name": "社会保障科", "sort_order": "3", "description": "养老、医疗"},
            change={"name": "社会保障服务科"}, expect={"name": "社会保障服务科", "sort_order": 3},
            search="保障", bad={"name": "   ", "sort_order": "abc"}, bad_fields=("name", "sort_order"), model=m.Department),
        "windows": dict(
            form={"number": "A01", "name": "综合受理", "department_id": str(hall["dept"]),
                  "service_item_ids": [str(hall["item"])]},
            change={"name": "综合受理一"},
            expect={"name": "综合受理一", "number": "A01", "department_id": hall["dept"], "service_item_ids": [hall["item"]]},
            search="综合", bad={"number": "", "name": "x"}, bad_fields=("number",), model=m.Window),
        "standards": dict(
            form={"item_name": "社保卡补办", "kind": "service_item", "department_id": str(hall["dept"]),
                  "steps": "取号\r\n\r\n提交材料\n 领卡 ", "materials": "身份证", "time_limit": "即办",
                  "window_ids": [str(hall["window"])], "sort_order": ""},
            change={"time_limit": "1个工作日"},
            expect={"steps": ["取号", "提交材料", "领卡"], "materials": ["身份证"], "time_limit": "1个工作日",
                    "window_ids": [hall["window"]], "sort_order": 0},
            search="补办", bad={"item_name": "x", "kind": "nonsense"}, bad_fields=("kind",), model=m.Standard),
        "pledges": dict(
            form={"text": "微笑服务，一次告知", "staff_id": str(hall["member"]), "period_start": "2026-01-01",
                  "period_end": "2026-12-31", "published": "1"},
            change={"published": None},
            expect={"published": False, "staff_id": hall["member"], "period_start": "2026-01-01"},
            search="微笑", bad={"text": "", "period_start": "2026-13-01"}, bad_fields=("text", "period_start"),
            model=m.Pledge),
        "honors": dict(
            form={"title": "服务标兵", "awarded_on": "2026-02-01", "window_id": str(hall["window"]), "issuer": "中心"},
            change={"issuer": "市政务服务中心"}, expect={"issuer": "市政务服务中心", "window_id": hall["window"]},
            search="标兵", bad={"title": "x", "awarded_on": "yesterday", "window_id": str(hall["window"])},
            bad_fields=("awarded_on",), model=m.Honor),
        "notices": dict(
            form={"title": "系统升级", "priority": "urgent", "starts_at": "2026-03-01T09:00", "ends_at": "", "text": "暂停"},
            change={"title": "系统升级通知"}, expect={"title": "系统升级通知", "priority": "urgent"},
            search="升级", bad={"title": "", "priority": "urgent"}, bad_fields=("title",), model=m.Notice),
    }


def _field_errors(page: str) -> dict[str, str]:
    """{field name: message} as the form shows them."""
    return dict(re.findall(r'id="f-([a-z_]+)-error">([^<]+)<', page))


@pytest.mark.parametrize("name", ["departments", "windows", "standards", "pledges", "honors", "notices"])
def test_list_search_create_edit_delete(name, admin, hall, fetch, count):
    case = cases(hall)[name]

    new_page = admin.text(f"/admin/{name}/new")
    assert 'name="csrf_token"' in new_page

    created = admin.post(f"/admin/{name}/new", case["form"])
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/admin/{name}/")
    listing = admin.text(f"/admin/{name}/")
    assert "flash-success" in listing
    record_id = max(int(i) for i in re.findall(rf'/admin/{name}/(\d+)"', listing))

    found = admin.text(f"/admin/{name}/?q={case['search']}")
    assert f"/admin/{name}/{record_id}" in found
    missed = admin.text(f"/admin/{name}/?q=zzz-nothing")
    assert f"/admin/{name}/{record_id}" not in missed

    edit_page = admin.text(f"/admin/{name}/{record_id}")
    assert 'type="submit"' in edit_page
    form = {k: v for k, v in {**case["form"], **case["change"]}.items() if v is not None}
    changed = admin.post(f"/admin/{name}/{record_id}", form)
    assert changed.status_code == 302, changed.get_data(as_text=True)[:2000]
    stored = fetch(name, record_id)
    for key, value in case["expect"].items():
        assert str(stored[key]) == str(value) if isinstance(value, str) else stored[key] == value, key

    before = count(case["model"])
    refused = admin.post(f"/admin/{name}/new", case["bad"])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    errors = _field_errors(page)
    for field in case["bad_fields"]:
        assert field in errors, (field, errors)
    for key, value in case["bad"].items():
        if isinstance(value, str) and value.strip() and key not in ("priority", "kind", "window_id", "department_id"):
            assert f'value="{value}"' in page or f">{value}</textarea>" in page, key
    assert count(case["model"]) == before

    bad_edit = admin.post(f"/admin/{name}/{record_id}", {**form, **case["bad"]})
    assert bad_edit.status_code == 422
    assert fetch(name, record_id) == stored

    deleted = admin.post(f"/admin/{name}/{record_id}/delete")
    assert deleted.status_code == 302
    assert fetch(name, record_id) is None
    assert "flash-success" in admin.text(f"/admin/{name}/")


def test_notice_times_are_read_and_shown_in_the_hall_zone(admin, fetch):
    admin.post("/admin/notices/new", {"title": "停电", "priority": "normal",
                                      "starts_at": "2026-03-01T09:00", "ends_at": "2026-03-01T18:30"})
    listing = admin.text("/admin/notices/")
    notice_id = int(re.search(r"/admin/notices/(\d+)\"", listing).group(1))
    stored = fetch("notices", notice_id)
    assert stored["starts_at"] == datetime(2026, 3, 1, 1, 0, tzinfo=timezone.utc)
    assert "2026-03-01 09:00" in listing
    form = admin.text(f"/admin/notices/{notice_id}")
    assert 'value="2026-03-01T09:00"' in form and 'value="2026-03-01T18:30"' in form


def test_whole_record_rules_show_above_the_form(admin, count):
    admin.english()  # recognises the page by its English message
    before = count(m.Notice)
    refused = admin.post("/admin/notices/new", {"title": "x", "priority": "normal",
                                                "starts_at": "2026-03-02T09:00", "ends_at": "2026-03-01T09:00"})
    assert refused.status_code == 422
    assert "The end must be after the start." in refused.get_data(as_text=True)
    assert count(m.Notice) == before


def test_an_honor_needs_exactly_one_holder(admin, hall, count):
    admin.english()  # recognises the page by its English message
    refused = admin.post("/admin/honors/new", {"title": "岗位能手", "awarded_on": "2026-01-01",
                                               "staff_id": str(hall["member"]), "window_id": str(hall["window"])})
    assert refused.status_code == 422
    assert "An honor goes to exactly one member or one window." in refused.get_data(as_text=True)
    assert count(m.Honor) == 0


def test_duplicate_and_missing_references_are_field_errors(admin, hall, count):
    taken = admin.post("/admin/windows/new", {"number": "B02", "name": "重复"})
    assert taken.status_code == 422
    assert "number" in _field_errors(taken.get_data(as_text=True))
    ghost = admin.post("/admin/windows/new", {"number": "C01", "name": "新窗口", "department_id": "9999"})
    assert ghost.status_code == 422
    assert "department_id" in _field_errors(ghost.get_data(as_text=True))
    assert count(m.Window) == 1


def test_a_department_in_use_is_not_deleted(admin, hall, fetch):
    response = admin.post(f"/admin/departments/{hall['dept']}/delete")
    assert response.status_code == 302
    assert fetch("departments", hall["dept"]) is not None
    assert "flash-error" in admin.text("/admin/departments/")


def test_filters_sort_and_pages(admin, make):
    other = make("departments", name="医保科")
    for i in range(55):
        make("windows", number=f"W{i:02d}", name=f"窗口{i}", department_id=other if i % 2 else None)
    first = admin.text("/admin/windows/")
    assert "W00" in first and "W54" not in first and "?page=2" in first
    second = admin.text("/admin/windows/?page=2")
    assert "W54" in second
    backwards = admin.text("/admin/windows/?sort=-number")
    assert backwards.index("W54") < backwards.index("W53")
    filtered = admin.text(f"/admin/windows/?department_id={other}")
    assert "W01" in filtered and "W00" not in filtered
    # Nonsense in the address is ignored, never an error.
    assert admin.get("/admin/windows/?page=x&sort=evil&department_id=abc&per_page=-3").status_code == 200


def test_unknown_record_is_404(admin):
    assert admin.get("/admin/departments/4242").status_code == 404
    assert admin.post("/admin/departments/4242/delete").status_code == 404
