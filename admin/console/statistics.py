"""Satisfaction statistics in the console: a period, a scope, the figures, trend, reasons, breakdowns."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from ..errors import DomainError
from ..stats import charts, queries
from ..models.rating_terms import reason_label
from ..stats.queries import Scope
from . import bp
from .access import roles_required
from .campaign_common import GRANULARITY, custom_range, departments, members, period_from_args, viewer, windows


def _scope(v) -> Scope:
    pick = (request.args.get("pick") or "").strip()[:32]
    kind = pick.partition(":")[0] if pick else request.args.get("scope") or ("staff" if v.is_staff else "hall")
    if kind not in queries.SCOPES:
        kind = "hall"
    if v.is_staff:
        kind = "hall" if kind == "hall" else "staff"
        return Scope(kind, v.staff_id if kind == "staff" else None)
    if kind == "hall":
        return Scope("hall")
    raw = pick.partition(":")[2] if pick else (request.args.get("id") or "")
    ident = int(raw) if raw.isdigit() and len(raw) < 10 else None
    try:
        scope = Scope(kind, ident).check()
    except DomainError:  # an unknown scope or id: a 404 page, not a 500
        abort(404)
    allowed = {"department": {d.id for d in departments(v)}, "window": {w.id for w in windows(v)},
               "staff": {m.id for m in members(v)}}[kind]
    if scope.id not in allowed:
        abort(404)
    return scope


@bp.get("/stats/")
@roles_required("admin", "leader", "staff")
def statistics():
    """Figures for a period (day, week, month, quarter, year, or a custom range) and a scope."""
    v = viewer()
    if v.is_staff and v.staff_id is None and request.args.get("scope") not in (None, "hall"):
        abort(404)
    scope = _scope(v) if not (v.is_staff and v.staff_id is None) else Scope("hall")
    period = period_from_args()
    custom = custom_range()
    start, end = custom if custom else (period.start, period.end)
    fig = queries.summary(scope, start, end)
    if custom:
        days = (end - start).days
        step = "day" if days <= 62 else ("week" if days <= 190 else "month")
    else:
        step = GRANULARITY[period.kind]
    if period.kind == "day" and not custom:
        from datetime import timedelta

        points = queries.series(scope, start - timedelta(days=13), end, "day")
    else:
        points = queries.series(scope, start, end, step)
    for p in points:
        p["short"] = p["start"][5:] if step == "day" else p["period"].split("-", 1)[-1]
    trend = charts.trend(points, fig["target"], _("Satisfaction trend"))
    reasons = [{"label": reason_label(code), "value": n, "text": str(n)} for code, n in fig["reasons"].items()]
    reasons_chart = charts.hbars(reasons, _("Reasons"), as_rate=False) if reasons else None
    # The breakdown one level down: departments of the hall, windows and members of a department.
    depts = v.department_filter()
    breakdown = []
    if scope.kind == "hall" and not v.is_staff:
        breakdown = [("department", _("Departments"), [r for r in queries.ranking("department", start, end, min_sample=0)
                                                       if depts is None or r["id"] in depts])]
        breakdown.append(("staff", _("Members"), queries.ranking("staff", start, end, departments=depts)))
    elif scope.kind == "department":
        ids = {w.id for w in windows(v) if w.department_id == scope.id}
        staff_ids = {m.id for m in members(v) if m.department_id == scope.id}
        breakdown = [("window", _("Windows"), [r for r in queries.ranking("window", start, end, min_sample=0)
                                                if r["id"] in ids]),
                     ("staff", _("Members"), [r for r in queries.ranking("staff", start, end) if r["id"] in staff_ids])]
    elif scope.kind == "window":
        breakdown = [("staff", _("Members"), [r for r in queries.ranking("staff", start, end, departments=depts)
                                              if r["id"] in _members_rated_at(scope.id, start, end)])]
    title = _scope_title(scope, v)
    return render_template("console/campaign/statistics.html", fig=fig, scope=scope, period=period, custom=custom,
                           start=start, end=end, trend=trend, reasons_chart=reasons_chart, breakdown=breakdown,
                           title=title, departments=departments(v), windows=windows(v), members=members(v),
                           viewer=v, reason_label=reason_label, min_sample=_min_sample())


def _min_sample() -> int:
    from ..services.settings import get_setting

    return int(get_setting("ranking_min_sample") or 30)


def _members_rated_at(window_id: int, start, end) -> set[int]:
    from sqlalchemy import select

    from ..extensions import db
    from ..models import RatingDaily

    return set(db.session.scalars(select(RatingDaily.staff_id).where(
        RatingDaily.window_id == window_id, RatingDaily.day >= start, RatingDaily.day <= end).distinct()))


def _scope_title(scope: Scope, v) -> str:
    from ..extensions import db
    from ..models import Department, Staff, Window
    from ..services.settings import get_setting

    if scope.kind == "hall":
        return get_setting("hall_name")
    model = {"department": Department, "window": Window, "staff": Staff}[scope.kind]
    obj = db.session.get(model, scope.id)
    if scope.kind == "window":
        return f"{obj.number} {obj.name}"
    return obj.name

