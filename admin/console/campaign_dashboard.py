"""The campaign's part of the console dashboard: satisfaction against target, the trend, the ranking,
the reasons, the ledger's states and overdue entries, the 岗位能手 share and the current phase."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..campaign import boards, phases, reminders
from ..extensions import db
from ..ledger import labels, service as ledger
from ..models import Rectification
from ..stats import charts, queries
from ..models.rating_terms import reason_label
from ..stats.queries import Scope
from ..surveys import results as survey_results
from .campaign_common import pct, today, viewer


def panels() -> dict:
    v = viewer()
    day = today()
    month_start = day.replace(day=1)
    own = v.is_staff and v.staff_id is not None
    scope = Scope("staff", v.staff_id) if own else Scope("hall")
    month = queries.summary(scope, month_start, day)
    hall_month = month if not own else queries.summary(Scope("hall"), month_start, day, reasons=False)
    points = queries.series(scope, day - timedelta(days=29), day, "day")
    for p in points:
        p["short"] = p["start"][5:]
    trend = charts.trend(points, month["target"], _("Satisfaction over the last 30 days"))
    rank_rows = []
    if not own:
        ranked = [r for r in queries.ranking("staff", month_start, day, departments=v.department_filter())
                  if r["ranked"]][:8]
        rank_rows = [{"label": r["name"], "value": r["rate"], "text": pct(r["rate"])} for r in ranked]
    ranking = charts.hbars(rank_rows, _("Members by satisfaction this month"), target=month["target"]) \
        if rank_rows else None
    reason_rows = [{"label": reason_label(code), "value": n, "text": str(n)}
                   for code, n in list(month["reasons"].items())[:6]]
    reasons_chart = charts.hbars(reason_rows, _("Reasons given this month"), as_rate=False) if reason_rows else None
    counts = ledger.counts_by_state(v)
    parts = [{"key": k, "label": str(labels.STATES[k]), "value": counts.get(k, 0)}
             for k in ("open", "verified", "rectifying", "done", "revisited", "dismissed")]
    ledger_chart = charts.stacked(parts, _("Ledger entries by state")) if sum(p["value"] for p in parts) else None
    overdue_stmt = select(Rectification).where(Rectification.overdue.is_(True))
    condition = v.ledger_condition()
    if condition is not None:
        overdue_stmt = overdue_stmt.where(condition)
    overdue = db.session.scalars(overdue_stmt.order_by(Rectification.deadline, Rectification.id).limit(6)).all()
    return {
        "own": own, "month": month, "hall_month": hall_month, "trend": trend, "ranking": ranking,
        "reasons": reasons_chart, "ledger_chart": ledger_chart, "ledger": counts, "overdue": overdue,
        "active": counts["open"] + counts["verified"] + counts["rectifying"],
        "skill": boards.skill_share(day), "phase": phases.phase_dict(phases.current(day), day),
        "subjects": ledger.subjects(overdue),
        "reminders": reminders.for_user(v.user_id, unread_only=True, limit=5) if v.user_id else [],
        "reminder_text": reminders.text_of,
        "survey_year": survey_results.year_figure(day.year),
    }
