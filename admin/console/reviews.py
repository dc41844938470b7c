"""三评 in the console: review rounds, the reviews each person is to write, writing them, completion,
reminders and closing (which publishes the leader reviews)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, Forbidden, NotFound
from ..extensions import db
from ..models import Review
from ..reviews import criteria, rounds
from ..services.settings import get_setting
from ..stats import periods
from . import bp
from .access import roles_required
from .campaign_common import departments, form_day, refused, saved, today, viewer

ALL = ("admin", "leader", "staff")


def _round(round_id: int):
    try:
        return rounds.get_round(round_id)
    except DomainError:
        abort(404)


@bp.get("/reviews/")
@roles_required(*ALL)
def reviews():
    v = viewer()
    items = []
    for rnd in rounds.rounds():
        mine = rounds.tasks(rnd, v) if rnd.status == "open" else []
        items.append({"round": rnd, "completion": rounds.completion(rnd) if v.manages else None,
                      "mine": mine, "mine_left": sum(1 for t in mine if t["review"] is None)})
    last_quarter = periods.containing("quarter", today()).previous()
    defaults = {"kind": "peer", "period_start": last_quarter.start.isoformat(),
                "period_end": last_quarter.end.isoformat(),
                "due_on": (today() + timedelta(days=int(get_setting("review_due_days") or 14))).isoformat()}
    return render_template("console/campaign/reviews.html", items=items, viewer=v, kinds=criteria.ROUND_KINDS,
                           defaults=defaults, departments=departments(v), criteria_sets=criteria.set_names())


@bp.post("/reviews/new")
@roles_required("admin")
def reviews_new():
    v = viewer()
    form = request.form
    try:
        dept = form.get("department_id", "")
        rnd = rounds.open_round(form.get("kind", ""), form_day("period_start"), form_day("period_end"),
                                form_day("due_on"), v.actor,
                                title=form.get("title", ""), include_all_staff=form.get("include_all_staff") == "1",
                                criteria_set=form.get("criteria_set") or "five_leads",
                                custom=form.get("custom_criteria", "").splitlines()[:50],
                                department_id=int(dept) if dept.isdigit() and len(dept) < 10 else None)
    except DomainError as exc:
        return refused(exc, url_for("console.reviews"))
    return saved(_("Round opened: %(title)s", title=rnd.title), url_for("console.reviews_round", round_id=rnd.id))


@bp.get("/reviews/<int:round_id>")
@roles_required(*ALL)
def reviews_round(round_id: int):
    v = viewer()
    rnd = _round(round_id)
    completion = rounds.completion(rnd) if v.manages else None
    people = rounds.participants(rnd)
    rows = []
    if completion is not None:
        for p in people:
            if not (v.is_admin or v.sees_department(p.department_id)):
                continue
            mine = completion["reviewers"].get(f"s:{p.id}", {"written": 0, "total": 0})
            rows.append({"member": p, "written": mine["written"], "total": mine["total"]})
    return render_template("console/campaign/reviews_round.html", rnd=rnd, viewer=v, tasks=rounds.tasks(rnd, v),
                           completion=completion, rows=rows, kinds=criteria.ROUND_KINDS,
                           criteria_sets=criteria.set_names(), items=criteria.for_round(rnd),
                           review_kinds=criteria.REVIEW_KINDS)


@bp.route("/reviews/<int:round_id>/write/<kind>/<int:subject_id>", methods=["GET", "POST"])
@roles_required("leader", "staff", "admin")
def reviews_write(round_id: int, kind: str, subject_id: int):
    v = viewer()
    rnd = _round(round_id)
    task = next((t for t in rounds.tasks(rnd, v) if t["kind"] == kind and t["subject"].id == subject_id), None)
    if task is None:
        abort(404)
    subject = task["subject"]
    pledges = rounds.own_pledges(subject.id) if kind == "self" else []
    review: Review | None = task["review"]
    values = {"scores": dict(review.scores) if review else {}, "comment": review.comment if review else "",
              "grade": review.grade if review else None,
              "pledges": {p["pledge_id"]: p for p in (review.pledges if review else [])}}
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        scores = {key: form.get(f"score_{key}") for key in criteria.for_round(rnd)}
        given = [{"pledge_id": p.id, "kept": form.get(f"kept_{p.id}") == "1",
                  "evidence": form.get(f"evidence_{p.id}", "")} for p in pledges]
        values = {"scores": scores, "comment": form.get("comment", ""), "grade": form.get("grade"),
                  "pledges": {g["pledge_id"]: g for g in given}}
        try:
            rounds.submit(rnd, kind, subject.id, v, scores=scores if (kind != "leader" or any(scores.values())) else None,
                          comment=form.get("comment", ""), pledges=given, grade=form.get("grade") or None)
        except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
            raise
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            flash(_("Review saved."), "success")
            return redirect(url_for("console.reviews_round", round_id=rnd.id)), 303
    return render_template("console/campaign/reviews_write.html", rnd=rnd, kind=kind, subject=subject, values=values,
                           pledges=pledges, criteria=criteria, items=criteria.for_round(rnd), error=error,
                           review_kinds=criteria.REVIEW_KINDS), status


@bp.post("/reviews/<int:round_id>/close")
@roles_required("admin")
def reviews_close(round_id: int):
    rnd = _round(round_id)
    try:
        rounds.close_round(rnd, viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.reviews_round", round_id=round_id))
    return saved(_("Round closed; leader reviews are published."), url_for("console.reviews_round", round_id=round_id))


@bp.post("/reviews/<int:round_id>/remind")
@roles_required("admin", "leader")
def reviews_remind(round_id: int):
    sent = rounds.remind(_round(round_id), today(), viewer())
    flash(_("%(n)d reminders sent.", n=sent), "success")
    return redirect(url_for("console.reviews_round", round_id=round_id)), 303



