"""Roster import (花名册导入) through the console: upload, preview with per-row errors, confirm."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Department, Staff, Window
from tests.factories import csrf_token
from tests.admin.console.conftest import english

HEADERS = ["姓名", "工号", "岗位", "部门", "窗口号", "是否党员", "党内职务", "荣誉称号", "岗位职责", "在岗"]
GOOD = [
    ["张伟", "A1001", "综合受理岗", "社保科", "1", "是", "党支部委员", "党员先锋岗、服务标兵", "参保登记", "是"],
    ["李娜", "A1002", "咨询引导岗", "综合服务科", "", "否", "", "岗位能手", "咨询引导", "否"],
    ["王强", "A1003", "审批岗", "社保科", "1号", "中共党员", "", "", "", ""],
]


def xlsx(rows, headers=HEADERS, title_row: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def hall(app):
    """Window 1 exists in department 社保科; 综合服务科 does not exist yet."""
    with app.app_context():
        dept = Department(name="社保科")
        db.session.add(dept)
        db.session.flush()
        db.session.add(Window(number="1", name="社保综合窗口", department_id=dept.id))
        db.session.commit()


@pytest.fixture
def admin(login, hall):
    return login("admin")


def upload(client, data: bytes, filename: str = "花名册.xlsx"):
    token = csrf_token(client, "/admin/roster/")
    return client.post("/admin/roster/", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def preview(client, data: bytes, filename: str = "花名册.xlsx"):
    """Upload, follow to the preview; returns (import path, page text)."""
    response = upload(client, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    path = response.headers["Location"]
    page = client.get(path)
    assert page.status_code == 200
    return path, page.get_data(as_text=True)


def confirm(client, path: str, page: str, skip_invalid: bool = False, create_departments: bool = True):
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_token(client, "/admin/roster/"), "digest": digest}
    if skip_invalid:
        form["skip_invalid"] = "1"
    if create_departments and 'name="create_departments"' in page:
        form["create_departments"] = "1"
    return client.post(path + "/confirm", data=form)


def row_action(page: str, line: int) -> str:
    match = re.search(rf'<tr class="roster-row-(\w+)" data-line="{line}">', page)
    assert match, f"line {line} not in preview"
    return match.group(1)


def row_html(page: str, line: int) -> str:
    start = page.index(f'data-line="{line}"')
    return page[start:page.index("</tr>", start)]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_upload_preview_confirm_creates_members(app, admin):
    english(admin)  # recognises the page by its English message
    path, page = preview(admin, xlsx(GOOD))
    assert [row_action(page, n) for n in (2, 3, 4)] == ["create", "create", "create"]
    assert "will be created" in row_html(page, 3)          # 综合服务科 is new
    assert count(app, Staff) == 0                           # a preview writes nothing
    assert 'name="create_departments"' in page

    # A department the file names but the hall lacks is never made without being asked for.
    refused = confirm(admin, path, page, create_departments=False)
    assert refused.status_code == 302
    shown = admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert "综合服务科" in shown and "do not exist" in shown
    assert count(app, Staff) == 0 and count(app, Department, Department.name == "综合服务科") == 0
    skipped = confirm(admin, path, page, skip_invalid=True, create_departments=False)
    assert "2 created, 0 updated, 0 unchanged, 1 skipped" in admin.get(skipped.headers["Location"]).get_data(as_text=True)
    assert count(app, Department, Department.name == "综合服务科") == 0
    with app.app_context():
        for member in db.session.scalars(select(Staff)):
            db.session.delete(member)
        db.session.commit()
    path, page = preview(admin, xlsx(GOOD))

    done = confirm(admin, path, page)
    assert done.status_code == 302
    result = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in result

    with app.app_context():
        zhang = db.session.scalar(select(Staff).where(Staff.employee_no == "A1001"))
        assert zhang.name == "张伟" and zhang.title == "综合受理岗" and zhang.is_party_member
        assert zhang.designations == ["党员先锋岗", "服务标兵"] and zhang.on_duty
        assert zhang.window.number == "1" and zhang.department.name == "社保科"
        li = db.session.scalar(select(Staff).where(Staff.employee_no == "A1002"))
        assert li.department.name == "综合服务科" and li.window_id is None and not li.is_party_member
        wang = db.session.scalar(select(Staff).where(Staff.employee_no == "A1003"))
        assert wang.is_party_member and wang.window.number == "1"   # "1号" and 中共党员 understood
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "staff")).all()
        # two members from the import that skipped the unknown department, then all three
        assert sorted(e.action for e in entries) == ["create"] * 5 + ["import"] * 2
        assert count(app, AuditEntry, AuditEntry.entity == "department") == 1


def test_reimport_is_unchanged_and_an_edit_updates_without_duplicates(app, admin):
    english(admin)  # recognises the page by its English message
    path, page = preview(admin, xlsx(GOOD))
    assert confirm(admin, path, page).status_code == 302

    path, page = preview(admin, xlsx(GOOD))
    assert [row_action(page, n) for n in (2, 3, 4)] == ["unchanged"] * 3
    assert "Confirm import" not in page and "Nothing would change." in page

    changed = [list(r) for r in GOOD]
    changed[1][2] = "首席代办员"
    path, page = preview(admin, csv_bytes(changed), "花名册.csv")
    assert [row_action(page, n) for n in (2, 3, 4)] == ["unchanged", "update", "unchanged"]
    assert "首席代办员" in row_html(page, 3) and "咨询引导岗" in row_html(page, 3)
    done = confirm(admin, path, page)
    assert "0 created, 1 updated, 2 unchanged, 0 skipped" in admin.get(done.headers["Location"]).get_data(as_text=True)

    assert count(app, Staff) == 3
    assert count(app, Department, Department.name == "综合服务科") == 1
    with app.app_context():
        assert db.session.scalar(select(Staff.title).where(Staff.employee_no == "A1002")) == "首席代办员"
        update = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert update.changes == {"title": ["咨询引导岗", "首席代办员"]}


def test_preview_shows_row_errors(app, admin):
    english(admin)  # recognises the page by its English message
    rows = [
        GOOD[0],
        ["", "A2001", "", "", "", "", "", "", "", ""],                 # missing name
        ["赵六", "A 20#2", "", "", "", "", "", "", "", ""],             # bad employee number
        ["孙七", "A2003", "", "", "9", "", "", "", "", ""],             # unknown window
        ["周八", "A1001", "", "", "", "", "", "", "", ""],              # duplicate of line 2
        ["吴九", "A2005", "", "", "", "也许", "", "", "", ""],          # not 是/否
    ]
    path, page = preview(admin, xlsx(rows))
    assert row_action(page, 2) == "error" and row_action(page, 6) == "error"
    assert "also on line 6" in row_html(page, 2) and "also on line 2" in row_html(page, 6)
    assert row_action(page, 3) == "error" and "姓名" in row_html(page, 3)
    assert row_action(page, 4) == "error" and "Only letters, digits" in row_html(page, 4)
    assert row_action(page, 5) == "error" and "no window numbered 9" in row_html(page, 5)
    assert row_action(page, 7) == "error" and "也许" in row_html(page, 7)
    assert "roster-error-text" in row_html(page, 5)

    only = admin.get(path + "?show=errors").get_data(as_text=True)
    assert only.count('class="roster-row-error"') == 6

    # With errors, confirming needs the explicit choice to skip them.
    refused = confirm(admin, path, page)
    assert refused.status_code == 302 and refused.headers["Location"].endswith(path)
    assert "rows have errors" in admin.get(path).get_data(as_text=True)
    assert count(app, Staff) == 0


def test_import_only_valid_rows(app, admin):
    english(admin)  # recognises the page by its English message
    rows = [GOOD[0], GOOD[1], ["", "A3001", "", "", "", "", "", "", "", ""]]
    path, page = preview(admin, xlsx(rows))
    done = confirm(admin, path, page, skip_invalid=True)
    assert "2 created, 0 updated, 0 unchanged, 1 skipped" in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert count(app, Staff) == 2
    # The import is used up: confirming it again finds nothing.
    again = confirm(admin, path, page, skip_invalid=True)
    assert again.status_code == 302 and count(app, Staff) == 2


def test_csv_in_gbk_with_title_row_and_extra_column(app, admin):
    text = "某某政务服务大厅工作人员花名册\r\n姓名,工号,岗位,部门,备注\r\n陈十,B001,窗口受理,社保科,新人\r\n"
    path, page = preview(admin, text.encode("gbk"), "roster.csv")
    assert row_action(page, 3) == "create" and "备注" in page
    confirm(admin, path, page)
    with app.app_context():
        member = db.session.scalar(select(Staff).where(Staff.employee_no == "B001"))
        assert member.name == "陈十" and member.department.name == "社保科"


def test_english_headers_and_a_missing_column_leaves_the_field_alone(app, admin):
    path, page = preview(admin, xlsx(GOOD))
    confirm(admin, path, page)
    data = csv_bytes([["张伟", "A1001", "科长"]], headers=["name", "employee_no", "title"])
    path, page = preview(admin, data, "roster.csv")
    assert row_action(page, 2) == "update"
    confirm(admin, path, page)
    with app.app_context():
        zhang = db.session.scalar(select(Staff).where(Staff.employee_no == "A1001"))
        assert zhang.title == "科长" and zhang.window.number == "1" and zhang.designations == ["党员先锋岗", "服务标兵"]


def test_a_failure_during_apply_writes_nothing(app, admin, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from liangbiping.admin.services.roster import applying

    english(admin)  # recognises the page by its English message

    path, page = preview(admin, xlsx(GOOD))
    calls = {"n": 0}
    real = applying.record

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:   # after the department and one member were flushed
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(*args, **kwargs)

    monkeypatch.setattr(applying, "record", failing)
    response = confirm(admin, path, page)
    assert response.status_code == 302
    assert "nothing was changed" in admin.get(path).get_data(as_text=True)
    assert count(app, Staff) == 0
    assert count(app, Department) == 1          # only the fixture's
    assert count(app, AuditEntry, AuditEntry.entity.in_(("staff", "department"))) == 0

    monkeypatch.setattr(applying, "record", real)   # the kept upload can be retried
    assert confirm(admin, path, page).status_code == 302
    assert count(app, Staff) == 3


def test_preview_is_refused_when_records_change_before_confirm(app, admin):
    english(admin)  # recognises the page by its English message
    path, page = preview(admin, xlsx(GOOD))
    with app.app_context():
        db.session.add(Staff(name="张伟", employee_no="A1001"))
        db.session.commit()
    confirm(admin, path, page)
    assert "changed since the preview" in admin.get(path).get_data(as_text=True)
    assert count(app, Staff) == 1


@pytest.mark.parametrize("data, filename", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.xlsx"),
    (b"PK\x03\x04 this is not a workbook", "broken.xlsx"),
    (b"%PDF-1.4 \x00\x01", "roster.pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
    ("部门,备注\n社保科,x\n".encode(), "noheaders.csv"),
    (b"", "empty.csv"),
])
def test_files_that_are_not_rosters_get_a_friendly_error(admin, data, filename):
    response = upload(admin, data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "roster-file-error" in page


def test_limits(admin, monkeypatch):
    from liangbiping.admin.services.roster import reading

    english(admin)  # recognises the page by its English message
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [[f"人{i}", f"C{i:03d}"] for i in range(4)]
    response = upload(admin, xlsx(rows, headers=["姓名", "工号"]))
    assert response.status_code == 422 and "more than 3 rows" in response.get_data(as_text=True)

    big = csv_bytes([["某", "D1"]], headers=["姓名", "工号"]) + b"," * (5 * 1024 * 1024)
    response = upload(admin, big, "big.csv")
    assert response.status_code == 422 and "5 MB" in response.get_data(as_text=True)


def test_template_download_round_trips(app, admin):
    response = admin.get("/admin/roster/template.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    path, page = preview(admin, response.data)
    assert row_action(page, 2) == "create" and row_action(page, 3) == "error"   # template's window 2 does not exist


def test_import_belongs_to_its_uploader(app, admin, make_user, client):
    path, _page = preview(admin, xlsx(GOOD))
    make_user("admin", "other")
    with client.session_transaction() as sess:
        sess.clear()
    client.post("/admin/login", data={"username": "other", "password": "correct-horse-1",
                                      "csrf_token": csrf_token(client, "/admin/login")})
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/roster/")


@pytest.mark.parametrize("role", ["leader", "staff"])
def test_non_admins_get_403(client, login, role):
    login(role)
    assert client.get("/admin/roster/").status_code == 403
    assert client.get("/admin/roster/template.xlsx").status_code == 403
    token = csrf_token(client, "/admin/")
    response = client.post("/admin/roster/", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(GOOD)), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403


def test_forms_need_csrf(admin):
    response = admin.post("/admin/roster/", data={"file": (io.BytesIO(csv_bytes(GOOD)), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400


def test_cancel_discards_the_upload(app, admin):
    english(admin)  # recognises the page by its English message
    path, page = preview(admin, csv_bytes(GOOD), "花名册.csv")
    response = admin.post(path + "/cancel", data={"csrf_token": csrf_token(admin, path)})
    assert response.status_code == 302
    assert "cancelled" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert admin.get(path).status_code == 302          # gone
    assert count(app, Staff) == 0
    assert not any((Path(app.config["DATA_DIR"]) / "imports").glob("*.json"))
