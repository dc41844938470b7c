"""A report as an XLSX workbook: summary, departments, windows, members, reasons, trend, ledger."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..models.rating_terms import reason_label
from ..ledger.export import header, write_entries
from ..xlsx import append_row

GREEN = PatternFill("solid", fgColor="DCFCE7")
RED = PatternFill("solid", fgColor="FEE2E2")


def _rate(value):
    return None if value is None else round(value, 4)


def _figures_sheet(ws, rows: list[dict], first: str, extra: list[tuple[str, str]] = ()) -> None:
    titles = [first] + [t for t, _k in extra] + [_("Ratings"), _("Very satisfied"), _("Satisfied"),
                                                 _("Basically satisfied"), _("Dissatisfied"), _("Very dissatisfied"),
                                                 _("Satisfied (counted)"), _("Satisfaction rate"), _("Wilson low"),
                                                 _("Wilson high"), _("Low confidence"), _("Target met")]
    header(ws, titles, [22] + [14] * len(extra) + [9, 9, 9, 10, 9, 10, 11, 11, 10, 10, 10, 9])
    for r in rows:
        d = r["distribution"]
        append_row(ws, [r.get("name", "")] + [r.get(k, "") for _t, k in extra] + [
            r["count"], d["5"], d["4"], d["3"], d["2"], d["1"], r["satisfied"], _rate(r["rate"]),
            _rate(r["wilson"]["low"]) if r["wilson"] else None, _rate(r["wilson"]["high"]) if r["wilson"] else None,
            _("Yes") if r["low_confidence"] else "", "" if r["meets_target"] is None else
            (_("Yes") if r["meets_target"] else _("No"))])
        row = ws.max_row
        col = len(extra) + 9
        for c in (col, col + 1, col + 2):
            ws.cell(row=row, column=c).number_format = "0.0%"
        if r["meets_target"] is not None:
            ws.cell(row=row, column=col).fill = GREEN if r["meets_target"] else RED


def _surveys_sheet(ws, surveys: list[dict]) -> None:
    """The survey rounds of the period next to the kiosk ratings: answers, the rate with its interval,
    the invited's response rate, and each dimension's rate."""
    from ..surveys.questions import DIMENSIONS

    header(ws, [_("Survey"), _("From"), _("To"), _("Answers"), _("Satisfaction rate"), _("Wilson low"),
                _("Wilson high"), _("Low confidence"), _("Invited answered")] + [str(en) for _zh, en in DIMENSIONS.values()],
           [30, 11, 11, 9, 11, 10, 10, 10, 12] + [12] * len(DIMENSIONS))
    for s in surveys:
        h = s["headline"]
        append_row(ws, [s["title"], s["survey"].period_start, s["survey"].period_end, s["answers"], _rate(h["rate"]),
                        _rate(h["low"]), _rate(h["high"]), _("Yes") if h["n"] and h["low_sample"] else "",
                        _rate(s["invited"]["rate"])] + [_rate(s["dimensions"].get(d, {}).get("rate")) for d in DIMENSIONS])
        row = ws.max_row
        for c in (2, 3):
            ws.cell(row=row, column=c).number_format = "yyyy-mm-dd"
        for c in [5, 6, 7, 9] + list(range(10, 10 + len(DIMENSIONS))):
            ws.cell(row=row, column=c).number_format = "0.0%"


def report_xlsx(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    hall = data["hall"]
    append_row(ws, [data["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [_("From"), data["period"].start, _("To"), data["period"].end])
    ws.append([])
    lines = [
        (_("Ratings"), hall["count"], None),
        (_("Satisfied (counted)"), hall["satisfied"], None),
        (_("Satisfaction rate"), _rate(hall["rate"]), "0.0%"),
        (_("Target"), hall["target"], "0.0%"),
        (_("Target met"), "" if hall["meets_target"] is None else (_("Yes") if hall["meets_target"] else _("No")), None),
        (_("Previous period's rate"), _rate(data["previous"]["rate"]), "0.0%"),
        (_("Survey answers"), data["survey_figure"]["n"], None),
        (_("Survey satisfaction rate"), _rate(data["survey_figure"]["rate"]), "0.0%"),
        (_("Ledger entries opened"), data["ledger"]["opened"], None),
        (_("Rectified"), data["ledger"]["done"], None),
        (_("Rectified on time"), _rate(data["ledger"]["on_time_rate"]), "0.0%"),
        (_("Overdue now"), data["ledger"]["overdue_now"], None),
        (_("Appeals filed"), data["appeals"]["filed"], None),
        (_("Appeals upheld"), data["appeals"]["upheld"], None),
        (_("Skill-title share of party members"), _rate(data["skill_share"]["share"]), "0.0%"),
        (_("Skill-title target"), data["skill_share"]["target"], "0.0%"),
    ]
    for label, value, fmt in lines:
        append_row(ws, [label, value])
        if fmt:
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 14
    if hall["meets_target"] is not None:
        ws.cell(row=6, column=2).fill = GREEN if hall["meets_target"] else RED
    ws.cell(row=2, column=2).number_format = ws.cell(row=2, column=4).number_format = "yyyy-mm-dd"

    _figures_sheet(wb.create_sheet(_("Departments")[:31]), data["departments"], _("Department"))
    _figures_sheet(wb.create_sheet(_("Windows")[:31]), data["windows"], _("Window"), [(_("Department"), "department")])
    members = wb.create_sheet(_("Members")[:31])
    _figures_sheet(members, data["members"], _("Member"), [(_("Department"), "department"), (_("Rank"), "rank")])

    reasons = wb.create_sheet(_("Reasons")[:31])
    header(reasons, [_("Reason"), _("Ratings")], [28, 10])
    for code, n in data["reasons"].items():
        append_row(reasons, [reason_label(code), n])

    trend = wb.create_sheet(_("Trend")[:31])
    header(trend, [_("Period"), _("Ratings"), _("Satisfied (counted)"), _("Satisfaction rate")], [16, 10, 12, 12])
    for p in data["trend"]:
        append_row(trend, [p["label"], p["count"], p["satisfied"], _rate(p["rate"])])
        trend.cell(row=trend.max_row, column=4).number_format = "0.0%"

    _surveys_sheet(wb.create_sheet(_("Surveys")[:31]), data["surveys"])
    write_entries(wb.create_sheet(_("Rectification ledger")[:31]), data["entries"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
