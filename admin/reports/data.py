"""The figures of a report for one month, quarter, half-year or year, as the viewer may see them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..campaign import boards
from ..services.scope import Viewer
from ..extensions import db
from ..ledger import service as ledger
from ..models import Department, RatingAppeal, Rectification, ReviewRound, Staff, Window
from ..reviews import rounds as review_rounds
from ..stats import periods, queries
from ..stats.queries import Scope
from ..surveys import results as survey_results
from ..timefmt import hall_zone

KINDS = ("month", "quarter", "half", "year")
TREND_STEP = {"month": "day", "quarter": "week", "half": "month", "year": "month"}


def build(period: periods.Period, viewer: Viewer) -> dict:
    depts = viewer.department_filter()
    zone = hall_zone()
    hall = queries.summary(Scope("hall"), period.start, period.end)
    before = queries.summary(Scope("hall"), period.previous().start, period.previous().end, reasons=False)
    department_rows = [r for r in queries.ranking("department", period.start, period.end, min_sample=0)
                       if depts is None or r["id"] in depts]
    window_rows = queries.ranking("window", period.start, period.end, min_sample=0, departments=depts)
    member_rows = queries.ranking("staff", period.start, period.end, departments=depts)
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    window_dept = dict(db.session.execute(select(Window.id, Window.department_id)).all())
    staff_dept = dict(db.session.execute(select(Staff.id, Staff.department_id)).all())
    for r in window_rows:
        r["department"] = names.get(window_dept.get(r["id"]), "")
    for r in member_rows:
        r["department"] = names.get(staff_dept.get(r["id"]), "")

    lo, hi = periods.utc_bounds(period.start, period.end, zone)
    entries, _total = ledger.listing(viewer, opened_from=period.start, opened_to=period.end, page=1, per_page=100_000)
    by_source = {k: 0 for k in ("rating", "suggestion", "manual", "survey")}
    by_state: dict[str, int] = {}
    done_on_time = done_total = 0
    for e in entries:
        by_source[e.source] = by_source.get(e.source, 0) + 1
        by_state[e.state] = by_state.get(e.state, 0) + 1
        if e.done_at is not None and e.deadline is not None:
            done_total += 1
            done_on_time += e.done_at.astimezone(zone).date() <= e.deadline
    condition = viewer.ledger_condition()
    overdue_now = select(func.count()).select_from(Rectification).where(Rectification.overdue.is_(True))
    if condition is not None:
        overdue_now = overdue_now.where(condition)
    appeals = dict(db.session.execute(select(RatingAppeal.status, func.count()).where(
        RatingAppeal.submitted_at >= lo, RatingAppeal.submitted_at < hi).group_by(RatingAppeal.status)).all())
    rounds = []
    for rnd in db.session.scalars(select(ReviewRound).where(ReviewRound.period_start <= period.end,
                                                            ReviewRound.period_end >= period.start)
                                  .order_by(ReviewRound.period_start)):
        done = review_rounds.completion(rnd)
        rounds.append({"title": rnd.title, "status": rnd.status, "written": done["written"], "total": done["total"],
                       "share": done["share"]})
    surveys = survey_results.in_period(period.start, period.end)
    return {
        "period": period, "title": _("Report %(period)s", period=period.label()),
        "hall": hall, "previous": before, "departments": department_rows, "windows": window_rows,
        "members": member_rows, "reasons": hall["reasons"],
        "trend": queries.series(Scope("hall"), period.start, period.end, TREND_STEP[period.kind],
                                departments=None),
        "ledger": {"opened": len(entries), "by_source": by_source, "by_state": by_state,
                   "done": done_total, "done_on_time": done_on_time,
                   "on_time_rate": done_on_time / done_total if done_total else None,
                   "overdue_now": db.session.scalar(overdue_now)},
        "entries": entries,
        "appeals": {"filed": sum(appeals.values()), "upheld": appeals.get("upheld", 0),
                    "rejected": appeals.get("rejected", 0), "pending": appeals.get("pending", 0)},
        "rounds": rounds,
        "surveys": surveys, "survey_figure": survey_results.pooled(surveys),
        "skill_share": boards.skill_share(period.end),
        "scoped": depts is not None,
    }
