"""A member's record (个人档案): ratings and satisfaction, reviews, honors, pledges, ledger entries,
skill results and performance figures, appeals; staff see their own, leaders their departments'."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..extensions import db
from ..ledger import labels
from ..ledger import service as ledger_service
from ..models import Honor, PerformanceEntry, Pledge, Rating, RatingAppeal, Rectification, SkillResult
from ..reviews import criteria, rounds
from ..stats import charts, periods, queries
from ..models.rating_terms import reason_label, score_label
from ..stats.queries import Scope
from . import bp
from .access import roles_required
from .campaign_common import member_or_404, today, viewer


@bp.get("/my-record")
@roles_required("admin", "leader", "staff")
def my_record():
    v = viewer()
    if v.staff_id is None:
        abort(404)
    return redirect(url_for("console.member_record", staff_id=v.staff_id))


@bp.get("/members/<int:staff_id>")
@roles_required("admin", "leader", "staff")
def member_record(staff_id: int):
    v = viewer()
    member = member_or_404(staff_id, v)
    day = today()
    scope = Scope("staff", member.id)
    figures = {
        "month": queries.summary(scope, *_bounds("month", day), reasons=False),
        "quarter": queries.summary(scope, *_bounds("quarter", day), reasons=False),
        "year": queries.summary(scope, *_bounds("year", day)),
    }
    start = (day.replace(day=1) - timedelta(days=335)).replace(day=1)
    points = queries.series(scope, start, day, "month")
    for p in points:
        p["short"] = p["period"][2:]
    trend = charts.trend(points, figures["year"]["target"], _("Satisfaction by month"))
    ratings = db.session.scalars(select(Rating).where(Rating.staff_id == member.id)
                                 .order_by(Rating.rated_at.desc()).limit(30)).all()
    appealed = {a.rating_id: a for a in db.session.scalars(
        select(RatingAppeal).where(RatingAppeal.rating_id.in_([r.id for r in ratings] or ["-"])))}
    may_appeal = v.staff_id == member.id or v.manages
    entries = db.session.scalars(select(Rectification).where(
        or_(Rectification.staff_id == member.id, Rectification.responsible_id == member.id))
        .order_by(Rectification.opened_at.desc()).limit(30)).all()
    return render_template(
        "console/campaign/member.html", member=member, figures=figures, trend=trend, ratings=ratings,
        appealed=appealed, may_appeal=may_appeal, entries=entries, labels=labels, viewer=v,
        subjects=ledger_service.subjects(entries),
        history=rounds.history(member.id, v), criteria=criteria,
        honors=db.session.scalars(select(Honor).where(Honor.staff_id == member.id).order_by(Honor.awarded_on.desc())).all(),
        pledges=db.session.scalars(select(Pledge).where(Pledge.staff_id == member.id).order_by(Pledge.id.desc())).all(),
        skills=db.session.scalars(select(SkillResult).where(SkillResult.staff_id == member.id)
                                  .order_by(SkillResult.held_on.desc())).all(),
        performance=db.session.scalars(select(PerformanceEntry).where(PerformanceEntry.staff_id == member.id)
                                       .order_by(PerformanceEntry.month.desc()).limit(12)).all(),
        score_label=score_label, reason_label=reason_label, appeal_kinds=labels.APPEAL_KINDS,
        wishes=member_wishes(member.id),
    )


def member_wishes(staff_id: int) -> dict:
    from ..wishes.service import member_summary

    return member_summary(staff_id)


def _bounds(kind: str, day):
    period = periods.containing(kind, day)
    return period.start, min(period.end, day)
