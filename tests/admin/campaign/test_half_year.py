"""The half-year (上半年 1–6 / 下半年 7–12: "每半年开展一次群众评议") as a report period and a trend
granularity, at its real boundaries in the hall's time zone: a rating at 23:30 on 30 June (hall time)
is in the first half, one at 00:30 on 1 July is in the second, though both are 30 June in UTC; each
half-year's report (page and XLSX) carries its own survey round next to the kiosk ratings."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from liangbiping.admin.errors import Invalid
from liangbiping.admin.services.settings import set_setting
from liangbiping.admin.stats import periods
from tests.admin.campaign.conftest import add_rating
from tests.factories import make_user, sign_in

API = "/api/v1"
LAST_OF_H1 = datetime(2026, 6, 30, 15, 30, tzinfo=timezone.utc)   # 23:30 on 30 June in Shanghai
FIRST_OF_H2 = datetime(2026, 6, 30, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 July in Shanghai


def test_half_years_and_their_keys(ctx):
    first, second = periods.containing("half", date(2026, 6, 30)), periods.containing("half", date(2026, 7, 1))
    assert (first.start, first.end, first.key) == (date(2026, 1, 1), date(2026, 6, 30), "2026-H1")
    assert (second.start, second.end, second.key) == (date(2026, 7, 1), date(2026, 12, 31), "2026-H2")
    assert periods.containing("half", date(2026, 1, 1)) == first
    assert periods.containing("half", date(2026, 12, 31)) == second
    assert first.next() == second and second.previous() == first
    assert first.previous().key == "2025-H2" and second.next().key == "2027-H1"
    assert [p.key for p in periods.buckets("half", date(2025, 12, 31), date(2026, 7, 1))] == \
        ["2025-H2", "2026-H1", "2026-H2"]
    assert periods.parse_key("2026-H2") == second and periods.parse_key("2026-H1", "half") == first
    assert periods.parse_key("2026-06-30", "half") == first and periods.parse_key("2026-07-01", "half") == second
    for bad in ("2026-H3", "2026-H0", "2026-H", "1999-H1"):
        with pytest.raises(Invalid):
            periods.parse_key(bad, "half")
    with force_locale("zh_Hans_CN"):
        assert (first.label(), second.label()) == ("2026年上半年", "2026年下半年")
    with force_locale("en"):
        assert (first.label(), second.label()) == ("2026 first half", "2026 second half")
    assert first.days == 181 and second.days == 184


def _round(client, headers, hall, title, start, end, scores):
    made = client.post(f"{API}/surveys", headers=headers, json={
        "title": title, "period_start": start, "period_end": end, "sheets_printed": 10,
        "questions": [{"kind": "rating", "text": "总体评价", "dimension": "overall", "required": True}]}).get_json()
    client.post(f"{API}/surveys/{made['id']}/transition", headers=headers, json={"action": "open"})
    for n, score in enumerate(scores, 1):
        answer = client.post(f"{API}/surveys/{made['id']}/paper", headers=headers,
                             json={"paper_no": n, "answers": {"q1": score}})
        assert answer.status_code == 201, answer.get_json()
    client.post(f"{API}/surveys/{made['id']}/transition", headers=headers, json={"action": "close"})
    return made


def _summary(book) -> dict:
    """The summary sheet by its English labels (the workbook is in the hall's Chinese)."""
    with force_locale("zh_Hans_CN"):
        english = {gettext(label): label for label in ("From", "To", "Ratings", "Satisfaction rate", "Survey answers",
                                                       "Survey satisfaction rate")}
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    out = {english.get(r[0], r[0]): r[1] for r in rows if r and r[0]}
    out["To"] = rows[1][3]
    return out


def test_each_half_years_report_in_the_hall_time_zone(app, client, hall, admin_headers):
    add_rating(5, staff_id=hall.m1, window_id=hall.w1, at=LAST_OF_H1)
    add_rating(2, staff_id=hall.m1, window_id=hall.w1, at=FIRST_OF_H2)
    add_rating(4, staff_id=hall.m1, window_id=hall.w1, at=FIRST_OF_H2)
    _round(client, admin_headers, hall, "2026年上半年群众评议", "2026-01-01", "2026-06-30", [5, 5, 3])
    _round(client, admin_headers, hall, "2026年下半年群众评议", "2026-07-01", "2026-12-31", [4])

    books = {}
    for key in ("2026-H1", "2026-H2"):
        answer = client.get(f"{API}/reports/half.xlsx", query_string={"period": key}, headers=admin_headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        assert answer.headers["Content-Disposition"] == f'attachment; filename="report-{key}.xlsx"'
        books[key] = load_workbook(io.BytesIO(answer.data))
    first, second = _summary(books["2026-H1"]), _summary(books["2026-H2"])
    assert first["From"] == datetime(2026, 1, 1) and first["To"] == datetime(2026, 6, 30)
    assert second["From"] == datetime(2026, 7, 1) and second["To"] == datetime(2026, 12, 31)
    assert (first["Ratings"], first["Satisfaction rate"]) == (1, 1.0)
    assert (second["Ratings"], second["Satisfaction rate"]) == (2, 0.5)
    assert (first["Survey answers"], second["Survey answers"]) == (3, 1)
    assert first["Survey satisfaction rate"] == pytest.approx(2 / 3, abs=1e-4)

    def surveys(book):
        return [row[0] for ws in book.worksheets[1:] for row in ws.iter_rows(values_only=True)
                if row and isinstance(row[0], str) and "群众评议" in row[0]]

    assert surveys(books["2026-H1"]) == ["2026年上半年群众评议"]
    assert surveys(books["2026-H2"]) == ["2026年下半年群众评议"]
    # any day of the half-year picks it
    on_day = client.get(f"{API}/reports/half.xlsx", query_string={"period": "2026-07-01"}, headers=admin_headers)
    assert on_day.headers["Content-Disposition"] == 'attachment; filename="report-2026-H2.xlsx"'
    bad = client.get(f"{API}/reports/half.xlsx", query_string={"period": "2026-H3"}, headers=admin_headers)
    assert bad.status_code == 422 and set(bad.get_json()) == {"error"}

    # the console's report page and its XLSX, in Chinese
    with app.app_context():
        make_user("admin", username="boss")
    console = sign_in(app, "boss", lang="zh")
    page = console.get("/admin/reports/?kind=half&at=2026-H1").get_data(as_text=True)
    assert "2026年上半年" in page and "半年报" in page and "2026年上半年群众评议" in page
    assert "2026年下半年群众评议" not in page
    sheet = console.get("/admin/reports/report.xlsx?kind=half&at=2026-07-01")
    assert sheet.headers["Content-Disposition"] == "attachment; filename=report-2026-H2.xlsx"
    assert "2026年下半年" in load_workbook(io.BytesIO(sheet.data)).worksheets[0]["A1"].value


def test_the_trend_by_half_year_and_another_time_zone(app, client, hall, admin_headers):
    add_rating(5, window_id=hall.w1, at=LAST_OF_H1)
    add_rating(1, window_id=hall.w1, at=FIRST_OF_H2)
    trend = client.get(f"{API}/stats/trend", headers=admin_headers,
                       query_string={"granularity": "half", "from": "2026-01-01", "to": "2026-12-31"})
    assert trend.status_code == 200, trend.get_json()
    points = trend.get_json()["points"]
    assert [(p["period"], p["count"]) for p in points] == [("2026-H1", 1), ("2026-H2", 1)]
    assert trend.get_json()["granularity"] == "half"

    # In a hall eight hours behind UTC, both instants are on 30 June: both in the first half.
    set_setting("timezone", "America/Los_Angeles", "test")
    trend = client.get(f"{API}/stats/trend", headers=admin_headers,
                       query_string={"granularity": "half", "from": "2026-01-01", "to": "2026-12-31"})
    assert [(p["period"], p["count"]) for p in trend.get_json()["points"]] == [("2026-H1", 2), ("2026-H2", 0)]
    bad = client.get(f"{API}/stats/trend", headers=admin_headers, query_string={"granularity": "semester"})
    assert bad.status_code == 422 and set(bad.get_json()) == {"error"}
