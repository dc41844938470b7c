"""Reading roster files: headers, encodings, cell values. No database needed."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from liangbiping.admin.errors import Invalid
from liangbiping.admin.services import roster
from liangbiping.admin.services.roster import planning, reading


def book(*sheets) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        sheet = wb.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("text, field", [
    ("姓名", "name"), ("姓 名", "name"), ("*姓名", "name"), ("Name", "name"),
    ("工号", "employee_no"), ("员工编号", "employee_no"), ("Employee No.", "employee_no"), ("employee_no", "employee_no"),
    ("岗位", "title"), ("职务", "title"), ("部门", "department"), ("科室", "department"),
    ("窗口", "window"), ("窗口号", "window"), ("是否党员（是/否）", "is_party_member"), ("党员", "is_party_member"),
    ("政治面貌", "is_party_member"), ("党内职务", "party_post"), ("称号", "designations"),
    ("荣誉称号", "designations"), ("职责", "duties"), ("岗位职责", "duties"), ("在岗", "on_duty"),
    ("is_party_member", "is_party_member"), ("On Duty", "on_duty"),
])
def test_headers_are_recognised(text, field):
    assert reading._HEADER_INDEX.get(reading.normalise_header(text)) == field


@pytest.mark.parametrize("value, text", [
    (None, ""), (1001.0, "1001"), (1001, "1001"), (1.5, "1.5"), (True, "true"),
    (datetime(2026, 1, 31), "2026-01-31"), (date(2026, 1, 31), "2026-01-31"),
    ("  张伟 ", "张伟"), ('="0012"', "0012"), ("\ufeff姓名", "姓名"),
])
def test_cell_text(value, text):
    assert reading.cell_text(value) == text


def test_csv_in_every_usual_encoding():
    text = "姓名,工号,荣誉称号\r\n张伟,A1,党员先锋岗、服务标兵\r\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gbk"), text.encode("gb18030")):
        upload = roster.read_upload("r.csv", data)
        assert upload.rows == [{"line": 2, "values": {"name": "张伟", "employee_no": "A1",
                                                      "designations": "党员先锋岗、服务标兵"}}]


def test_excel_unicode_text_is_tab_separated_utf16():
    data = "姓名\t工号\r\n张伟\tA1\r\n".encode("utf-16")
    assert roster.read_upload("r.txt", data).rows[0]["values"] == {"name": "张伟", "employee_no": "A1"}


def test_semicolon_csv_and_quoted_cells():
    data = '姓名;工号;职责\n张伟;A1;"受理;\n审核"\n李娜;A2;咨询\n'.encode()
    upload = roster.read_upload("r.csv", data)
    assert upload.rows[0]["values"]["duties"] == "受理;\n审核"
    assert upload.rows[1]["line"] == 4


def test_header_row_below_a_title_and_blank_rows_skipped():
    data = book(("花名册", [["某某大厅工作人员花名册"], [], ["序号", "姓名", "工号"], [1, "张伟", "A1"], [None, None, None],
                            [3, "李娜", 1002]]))
    upload = roster.read_upload("r.xlsx", data)
    assert upload.ignored == ["序号"]
    assert [(r["line"], r["values"]["employee_no"]) for r in upload.rows] == [(4, "A1"), (6, "1002")]


def test_first_sheet_with_a_header_row_wins():
    data = book(("说明", [["请按模板填写"]]), ("人员", [["姓名", "工号"], ["张伟", "A1"]]))
    assert roster.read_upload("r.xlsx", data).rows[0]["values"]["name"] == "张伟"


def test_headers_missing_name_or_employee_number_are_refused():
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.csv", "姓名,岗位\n张伟,受理\n".encode())
    assert err.value.code == "missing_columns" and "工号" in err.value.message


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.csv", "姓名,工号,部门,科室\n张伟,A1,社保,社保\n".encode())
    assert err.value.code == "duplicate_columns"


def test_a_header_without_rows_is_refused():
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.csv", "姓名,工号\n\n,\n".encode())
    assert err.value.code == "empty_file"


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"GIF89a....", b"\xd0\xcf\x11\xe0old xls"])
def test_non_spreadsheets_are_refused(data):
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.xlsx", data)
    assert err.value.code == "unsupported_file"


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.xlsx", out.getvalue())
    assert err.value.code == "unsupported_file"


def test_a_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNZIPPED", 10_000)
    data = book(("人员", [["姓名", "工号"]] + [[f"人{i}", f"E{i}"] for i in range(2000)]))
    with pytest.raises(Invalid) as err:
        roster.read_upload("r.xlsx", data)
    assert err.value.code == "too_large"


@pytest.mark.parametrize("word, truth", [
    ("是", True), ("否", False), ("", False), ("中共党员", True), ("预备党员", True), ("群众", False),
    ("共青团员", False), ("Y", True), ("no", False), ("√", True), ("在岗", True), ("也许", None),
])
def test_yes_no_words(word, truth):
    assert planning._truth(word) is truth


def test_designations_split_on_chinese_and_latin_separators():
    assert [p for p in planning._DESIGNATION_SPLIT.split("党员先锋岗、服务标兵，岗位能手; 微笑之星") if p] == \
        ["党员先锋岗", "服务标兵", "岗位能手", "微笑之星"]


def test_template_has_the_chinese_headers_and_two_examples():
    upload = roster.read_upload("t.xlsx", roster.template_xlsx())
    assert list(upload.headers.values()) == list(roster.TEMPLATE_HEADERS)
    assert len(upload.rows) == 2 and upload.ignored == []
