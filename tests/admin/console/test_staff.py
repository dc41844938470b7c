"""Staff pages: the identity list, the form with designations and the ID photo."""

from __future__ import annotations

import io
import re

import pytest

from liangbiping.admin import models as m
from tests.admin.console.conftest import image_bytes


@pytest.fixture
def places(make):
    dept = make("departments", name="社保科")
    window = make("windows", number="A03", name="社保窗口", department_id=dept)
    return dept, window


def _form(dept, window, **changes):
    form = {"name": "李娜", "employee_no": "S001", "title": "窗口受理员", "department_id": str(dept),
            "window_id": str(window), "is_party_member": "1", "on_duty": "1", "party_post": "",
            "designations": ["党员先锋岗", "服务标兵"], "designations__other": "巾帼文明岗，优秀 ", "duties": "",
            "sort_order": ""}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _member_id(console) -> int:
    return int(re.search(r'/admin/staff/(\d+)"', console.text("/admin/staff/")).group(1))


def test_create_with_photo_and_the_rich_list(admin, places, fetch):
    dept, window = places
    form = _form(dept, window, photo=(io.BytesIO(image_bytes("PNG", (300, 300))), "face.png"))
    created = admin.post("/admin/staff/new", form, content_type="multipart/form-data")
    assert created.status_code == 302, created.get_data(as_text=True)[:3000]
    member = fetch("staff", _member_id(admin))
    assert member["designations"] == ["党员先锋岗", "服务标兵", "巾帼文明岗", "优秀"]
    assert member["is_party_member"] and member["on_duty"]
    assert member["photo_url"].startswith("/media/photos/")

    listing = admin.text("/admin/staff/")
    for text in ("李娜", "窗口受理员", "社保科", "A03 社保窗口", "tag-party", "党员先锋岗", "巾帼文明岗",
                 member["photo_url"], 'class="avatar"'):
        assert text in listing, text
    photo = admin.get(member["photo_url"])
    assert photo.status_code == 200 and photo.data[:2] == b"\xff\xd8"

    form_page = admin.text(f"/admin/staff/{member['id']}")
    assert 'enctype="multipart/form-data"' in form_page
    assert 'accept="image/jpeg,image/png,image/webp"' in form_page
    assert f'src="{member["photo_url"]}"' in form_page
    # The common designations are offered as choices, the others kept in the free-text box.
    assert re.search(r'value="党员示范岗"\s*>', form_page)
    assert re.search(r'value="党员先锋岗" checked', form_page)
    assert 'value="巾帼文明岗、优秀"' in form_page


def test_new_photo_replaces_the_old_one(admin, places, fetch):
    dept, window = places
    admin.post("/admin/staff/new", _form(dept, window, photo=(io.BytesIO(image_bytes("JPEG")), "a.jpg")),
               content_type="multipart/form-data")
    member_id = _member_id(admin)
    old = fetch("staff", member_id)["photo_url"]
    changed = admin.post(f"/admin/staff/{member_id}",
                         _form(dept, window, photo=(io.BytesIO(image_bytes("WEBP", color=(0, 90, 200))), "b.webp")),
                         content_type="multipart/form-data")
    assert changed.status_code == 302
    assert fetch("staff", member_id)["photo_url"] not in (None, old)


@pytest.mark.parametrize("upload", [
    (b"this is not an image", "fake.jpg"),
    (image_bytes("GIF"), "anim.gif"),
    (b"", "empty.png"),
])
def test_a_bad_photo_changes_nothing(admin, places, fetch, upload):
    dept, window = places
    admin.post("/admin/staff/new", _form(dept, window, photo=(io.BytesIO(image_bytes()), "a.png")),
               content_type="multipart/form-data")
    member_id = _member_id(admin)
    before = fetch("staff", member_id)

    data, filename = upload
    refused = admin.post(f"/admin/staff/{member_id}",
                         _form(dept, window, name="李娜娜", photo=(io.BytesIO(data), filename)),
                         content_type="multipart/form-data")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="f-photo-error"' in page
    assert 'value="李娜娜"' in page          # what the user typed stays
    assert fetch("staff", member_id) == before


def test_a_bad_photo_on_a_new_member_stores_nobody(admin, places, count):
    dept, window = places
    refused = admin.post("/admin/staff/new", _form(dept, window, photo=(io.BytesIO(b"GIF89a..."), "x.gif")),
                         content_type="multipart/form-data")
    assert refused.status_code == 422
    assert count(m.Staff) == 0


def test_no_file_chosen_keeps_the_photo(admin, places, fetch):
    dept, window = places
    admin.post("/admin/staff/new", _form(dept, window, photo=(io.BytesIO(image_bytes()), "a.png")),
               content_type="multipart/form-data")
    member_id = _member_id(admin)
    before = fetch("staff", member_id)["photo_url"]
    # A browser sends an empty file part without a name when no file was chosen.
    kept = admin.post(f"/admin/staff/{member_id}", _form(dept, window, photo=(io.BytesIO(b""), "")),
                      content_type="multipart/form-data")
    assert kept.status_code == 302
    assert fetch("staff", member_id)["photo_url"] == before


def test_field_errors_keep_the_input(admin, places, count):
    dept, window = places
    refused = admin.post("/admin/staff/new", _form(dept, window, name="", employee_no="工号 1"))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="f-name-error"' in page and 'id="f-employee_no-error"' in page
    assert 'value="工号 1"' in page and 'value="窗口受理员"' in page
    assert re.search(r'value="服务标兵" checked', page)
    assert count(m.Staff) == 0


def test_staff_filters(admin, places, make):
    dept, window = places
    make("staff", name="党员甲", employee_no="P1", is_party_member=True, department_id=dept)
    make("staff", name="群众乙", employee_no="P2", is_party_member=False)
    party = admin.text("/admin/staff/?is_party_member=1")
    assert "党员甲" in party and "群众乙" not in party
    by_dept = admin.text(f"/admin/staff/?department_id={dept}")
    assert "党员甲" in by_dept and "群众乙" not in by_dept
    assert "群众乙" in admin.text("/admin/staff/?q=P2")
