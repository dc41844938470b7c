"""Text from strangers: cleaned once on the way in (admin/text.py), cleaned in what is already
stored (migration 0007), and written into spreadsheets so that no stored text can break an export
or run as a formula (admin/xlsx.py)."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, select, text

from liangbiping.admin.database import alembic_config
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating, Rectification, Staff
from liangbiping.admin.text import clean_line, clean_paragraph

API = "/api/v1"

# Every kind of line break and the invisible characters a name could carry.
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066", "\u2069", "\u200f"]


@pytest.mark.parametrize("brk", BREAKS)
def test_a_name_is_one_line_whatever_the_break(brk):
    assert clean_line(f"张{brk}三") == "张三"               # between Chinese characters the break goes
    assert clean_line(f"Zhang{brk}San") == "Zhang San"
    assert clean_paragraph(f"第一行{brk}第二行") == "第一行\n第二行"


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_and_bidi_characters_leave_names(mark):
    assert clean_line(f"张{mark}三") == "张三"
    assert "\u202e" not in clean_paragraph("投诉\u202e内容") and "\ufeff" not in clean_paragraph("\ufeff你好")


def test_text_is_nfc_and_controls_go():
    assert clean_line("Cafe\u0301") == "Café" and len(clean_line("Cafe\u0301")) == 4
    assert clean_paragraph("服务差\x00\x07\x1b[31m\x7f\x9b") == "服务差[31m"
    assert clean_paragraph("a\t b\n\n\n\nc  ") == "a  b\n\nc"
    assert clean_line("  窗口\u3000\u3000一  ") == "窗口 一"


def test_the_api_stores_clean_names_and_counts_length_in_characters(client, admin_headers, hall):
    body = {"name": "王\u200b\n五\u202e", "employee_no": "E900", "title": "科员\x0b", "department_id": hall.d1,
            "designations": ["党员\u200d先锋岗", "党员先锋岗", "服务\u2028标兵"], "duties": "受理\r\n\r\n\r\n\r\n办结\x85回访"}
    made = client.post(f"{API}/staff", json=body, headers=admin_headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    member = made.get_json()
    assert member["name"] == "王五" and member["title"] == "科员"
    assert member["designations"] == ["党员先锋岗", "服务标兵"]
    assert member["duties"] == "受理\n\n办结\n回访"
    # 32 characters, counted after cleaning: 32 Chinese characters pass, 33 do not.
    ok = client.post(f"{API}/staff", json={"name": "张" * 32 + "\u200b" * 10, "employee_no": "E901"},
                     headers=admin_headers)
    assert ok.status_code == 201 and ok.get_json()["name"] == "张" * 32
    long = client.post(f"{API}/staff", json={"name": "张" * 33, "employee_no": "E902"}, headers=admin_headers)
    assert long.status_code == 422
    blank = client.post(f"{API}/staff", json={"name": "\u200b\u202e\n", "employee_no": "E903"}, headers=admin_headers)
    assert blank.status_code == 422 and blank.get_json()["error"]["details"][0]["field"] == "name"


def test_a_control_character_from_a_badge_breaks_no_export(app, client, admin_headers, hall, badge_token):
    """The complaint that used to turn every ledger and report download into a 500."""
    body = {"id": str(uuid.uuid4()), "score": 1, "channel": "qr", "qr_token": badge_token(hall.m1),
            "comment": "服务差\u000b\u0001", "reasons": ["attitude"]}
    assert client.post(f"{API}/ratings", json=body).status_code == 201
    with app.app_context():
        assert db.session.get(Rating, body["id"]).comment == "服务差"
        # A row written before this cleaning existed (or by hand) still exports.
        entry = db.session.scalar(select(Rectification).where(Rectification.rating_id == body["id"]))
        entry.problem, entry.measure = "旧数据\x0b\x01\x1f", "=HYPERLINK(\"http://evil.example\",\"点我\")"
        db.session.get(Staff, hall.m1).name = "=1+2"
        db.session.commit()
    for path in ("/rectifications/export.xlsx", "/reports/month.xlsx", "/reports/quarter.xlsx", "/reports/year.xlsx"):
        response = client.get(API + path, headers=admin_headers)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    book = load_workbook(io.BytesIO(client.get(f"{API}/rectifications/export.xlsx", headers=admin_headers).data))
    cells = {c.value: c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)}
    assert "旧数据" in cells
    formula = cells['=HYPERLINK("http://evil.example","点我")']
    assert formula.data_type == "s" and formula.quotePrefix   # text, shown as typed, never run
    assert cells["=1+2"].data_type == "s"


def test_console_downloads_survive_stored_control_characters(app, hall, login):
    with app.app_context():
        db.session.add(Rectification(source="manual", problem="坏\x0b数据", department_id=hall.d1, state="open",
                                     opened_at=datetime.now(timezone.utc)))
        db.session.commit()
    client = login("admin")
    assert client.get("/admin/ledger/export.xlsx").status_code == 200
    assert client.get("/admin/reports/report.xlsx?kind=month").status_code == 200
    assert client.get("/admin/reports/report.xlsx?kind=year").status_code == 200


@pytest.mark.parametrize("name", ["张\n三", "张\x1c三", "张\x85三", "张\u2029三", "张\u202e三", "张\u200b三"])
def test_a_roster_name_with_a_break_still_makes_badges(app, client, admin_headers, name):
    """An Excel cell with Alt+Enter: the roster imports one line, and the badge and the PDF open."""
    import csv

    from liangbiping.admin.services import roster

    out = io.StringIO()
    csv.writer(out).writerows([["姓名", "工号", "部门"], [name, "R001", "社保科"]])
    with app.test_request_context("/"):
        upload = roster.read_upload("r.csv", out.getvalue().encode())
        result = roster.apply(upload, "test", create_departments=True)
        assert result.created == 1
        member = db.session.scalar(select(Staff).where(Staff.employee_no == "R001"))
        assert member.name == "张三"
        member_id, department_id = member.id, member.department_id
    assert client.get(f"{API}/staff/{member_id}/badge.png", headers=admin_headers).status_code == 200
    pdf = client.get(f"{API}/badges.pdf", query_string={"department_id": department_id}, headers=admin_headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_migration_cleans_what_is_stored(tmp_path):
    """Rows written before migration 0007 (by an old version, or by hand) come out clean."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        at = "'2026-01-01 00:00:00'"
        conn.execute(text("INSERT INTO departments (id, name, description, sort_order, created_at, updated_at) VALUES "
                          f"(1, '社保\u200b科', '说明\x0b第二行', 0, {at}, {at}), (2, '医保科', '', 0, {at}, {at})"))
        conn.execute(text("INSERT INTO windows (id, number, name, description, created_at, updated_at) "
                          f"VALUES (1, '01', '窗口', '', {at}, {at}), (2, '01\u200b', '重复', '', {at}, {at})"))
        conn.execute(text("INSERT INTO staff (id, name, title, employee_no, is_party_member, party_post, designations, "
                          "duties, on_duty, sort_order, badge_version, created_at, updated_at) VALUES (1, '张\n三', '科员\u202e', "
                          "'E1', 0, '', '[\"党员\u200b先锋岗\", \"党员先锋岗\"]', '受理\x1c办结', 0, 0, 1, "
                          f"{at}, {at}), (2, '\u200b', '', 'E2', 0, '', '[]', '', 0, 0, 1, {at}, {at})"))
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('hall_name', :v)"), {"v": json.dumps("政务\x0b大厅")})
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, description FROM departments WHERE id = 1")).one() == ("社保科", "说明\n第二行")
        # The second window would become a second "01": it is left for the administrator.
        assert [r[0] for r in conn.execute(text("SELECT number FROM windows ORDER BY id"))] == ["01", "01\u200b"]
        name, title, designations, duties = conn.execute(
            text("SELECT name, title, designations, duties FROM staff WHERE id = 1")).one()
        assert (name, title, duties) == ("张三", "科员", "受理\n办结")
        assert json.loads(designations) == ["党员先锋岗"]
        assert conn.execute(text("SELECT name FROM staff WHERE id = 2")).scalar() == "\u200b"   # never blanked
        assert json.loads(conn.execute(text("SELECT value FROM settings WHERE key = 'hall_name'")).scalar()) == "政务大厅"
    engine.dispose()
