"""A survey round's results where people read them: compared with the previous round, in the period's
report (page and XLSX) next to the kiosk ratings, the year's 民意调查 figure on the dashboard against
95%, a ledger entry opened from an answer through the API, and the round published to the hall screens."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from liangbiping.admin.extensions import db
from tests.factories import make_user, sign_in

API = "/api/v1"


def _round(client, headers, hall, title, start, end, scores):
    made = client.post(f"{API}/surveys", headers=headers, json={
        "title": title, "period_start": start, "period_end": end, "target_kind": "window",
        "target_ids": [hall.w1, hall.w2], "sheets_printed": 50,
        "questions": [{"kind": "rating", "text": "服务态度", "dimension": "attitude"},
                      {"kind": "rating", "text": "总体评价", "dimension": "overall", "required": True},
                      {"kind": "text", "text": "意见"}]}).get_json()
    client.post(f"{API}/surveys/{made['id']}/transition", headers=headers, json={"action": "open"})
    for n, (window, score, text) in enumerate(scores, 1):
        answers = {"q1": score, "q2": score} | ({"q3": text} if text else {})
        r = client.post(f"{API}/surveys/{made['id']}/paper", headers=headers,
                        json={"paper_no": n, "target_id": window, "answers": answers})
        assert r.status_code == 201, r.get_json()
    client.post(f"{API}/surveys/{made['id']}/transition", headers=headers, json={"action": "close"})
    return made


def test_results_compare_report_dashboard_and_screens(app, client, hall, admin_headers):
    year = date.today().year
    before = _round(client, admin_headers, hall, "上半年群众评议", f"{year}-01-01", f"{year}-06-30",
                    [(hall.w1, 5, None), (hall.w1, 2, None), (hall.w2, 4, None)])
    now = _round(client, admin_headers, hall, "下半年群众评议", f"{year}-07-01", f"{year}-12-31",
                 [(hall.w1, 5, None), (hall.w1, 5, None), (hall.w2, 4, None), (hall.w2, 1, "排队太久没人管")])
    result = client.get(f"{API}/surveys/{now['id']}/results", headers=admin_headers).get_json()
    assert result["headline"]["n"] == 4 and result["headline"]["rate"] == 0.75
    assert result["previous"]["survey_id"] == before["id"]
    assert result["previous"]["dimensions"]["attitude"] == {"now": 0.75, "before": 2 / 3}
    by_window = {t["target_id"]: t for t in result["questions"][1]["targets"]}
    assert by_window[hall.w1]["rate"] == 1.0 and by_window[hall.w2]["distribution"]["1"] == 1
    assert [a["lowest"] for a in result["low_answers"]] == [1]

    # a 1–2 with a complaint opens a ledger entry through the API, once
    bad = result["low_answers"][0]["response_id"]
    opened = client.post(f"{API}/surveys/{now['id']}/answers/{bad}/rectification", headers=admin_headers)
    assert opened.status_code == 201 and opened.get_json()["window_id"] == hall.w2
    assert "排队太久没人管" in opened.get_json()["problem"]
    again = client.post(f"{API}/surveys/{now['id']}/answers/{bad}/rectification", headers=admin_headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "entry_exists"

    # the year's report: the page and the XLSX carry the surveys next to the kiosk ratings
    with app.app_context():
        make_user("admin", username="boss")
    console = sign_in(app, "boss")
    page = console.get(f"/admin/reports/?kind=year&year={year}").get_data(as_text=True)
    assert "report-surveys" in page and "下半年群众评议" in page
    xlsx = console.get(f"/admin/reports/report.xlsx?kind=year&year={year}")
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = next(ws for ws in book.worksheets if any(c.value == "下半年群众评议" for c in ws["A"]))
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "下半年群众评议")
    assert row[3] == 4 and row[4] == 0.75
    summary = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert any(v == 7 for v in summary.values())  # survey answers of both rounds

    # the dashboard: the year's 民意调查 figure against 95%
    dash = console.get("/admin/").get_data(as_text=True)
    assert 'id="kpi-survey"' in dash and "71.4%" in dash  # 5 of 7 satisfied

    # published to the hall screens as a board of the 三比 boards slide
    from liangbiping.admin.campaign.boards import boards_for_screens

    with app.test_request_context("/"):
        assert not [b for b in boards_for_screens()["boards"] if b["key"].startswith("survey-")]
    assert client.post(f"{API}/surveys/{now['id']}/transition", headers=admin_headers,
                       json={"action": "publish"}).status_code == 200
    with app.test_request_context("/"):
        board = next(b for b in boards_for_screens()["boards"] if b["key"] == f"survey-{now['id']}")
        db.session.remove()
    assert board["title"] == "下半年群众评议" and [r["rank"] for r in board["rows"]] == [1, 2]
    assert board["rows"][0]["display"] == "100.0%" and board["rows"][1]["sample"] == 2
