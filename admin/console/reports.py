"""Monthly, quarterly and annual reports: a printable page and the same figures as XLSX."""

from __future__ import annotations

from flask import Response, render_template, request

from ..reports import data as report_data
from ..reports.xlsx import report_xlsx
from ..stats import charts
from ..models.rating_terms import reason_label
from . import bp
from .access import roles_required
from .campaign_common import period_from_args, viewer


def _period():
    kind = request.args.get("kind") if request.args.get("kind") in report_data.KINDS else "month"
    return period_from_args(kind, kinds=report_data.KINDS)


@bp.get("/reports/")
@roles_required("admin", "leader")
def reports():
    period = _period()
    data = report_data.build(period, viewer())
    for p in data["trend"]:
        p["short"] = p["start"][5:] if period.kind == "month" else p["period"].split("-", 1)[-1]
    trend = charts.trend(data["trend"], data["hall"]["target"], data["title"], width=1100, height=240)
    printing = request.args.get("print") == "1"
    return render_template("console/campaign/report.html", data=data, period=period, trend=trend,
                           reason_label=reason_label, printing=printing)


@bp.get("/reports/report.xlsx")
@roles_required("admin", "leader")
def reports_xlsx():
    period = _period()
    body = report_xlsx(report_data.build(period, viewer()))
    response = Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename=report-{period.key}.xlsx"
    return response
