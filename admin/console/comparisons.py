"""Entering the 三比 figures: skill-contest results and monthly performance (by hand or imported)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..campaign import inputs
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models import PerformanceEntry, SkillResult, Staff
from . import bp
from .access import roles_required
from .campaign_common import members, viewer


def _of_members(model, scope) -> list:
    """Rows of ``model`` about the members a viewer manages (a leader: their departments')."""
    return [] if scope is None else [model.staff_id.in_(select(Staff.id).where(scope))]


def _int(name: str):
    raw = (request.form.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.route("/skills/", methods=["GET", "POST"])
@roles_required("admin", "leader")
def skills():
    v = viewer()
    error = None
    if request.method == "POST":
        if not v.is_admin:
            return render_template("errors/error.html", status=403, message=_("You are not allowed to do this.")), 403
        form = request.form
        try:
            try:
                held_on = date.fromisoformat(form.get("held_on", ""))
            except ValueError:
                raise Invalid(_("A date like 2026-01-31 is needed."), field="held_on") from None
            raw_score = (form.get("score") or "").strip()
            try:
                score = float(raw_score) if raw_score else None
            except ValueError:
                raise Invalid(_("A score from 0 to 100."), field="score") from None
            inputs.save_skill({"staff_id": _int("staff_id"), "contest": form.get("contest"), "held_on": held_on,
                               "score": score, "award": form.get("award"), "title": form.get("title"),
                               "note": form.get("note")}, v.actor)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("console.skills")), 303
    scope = v.member_condition()
    results = db.session.scalars(select(SkillResult).where(*_of_members(SkillResult, scope))
                                 .order_by(SkillResult.held_on.desc(), SkillResult.id.desc()).limit(200)).all()
    return render_template("console/campaign/skills.html", results=results, members=members(v), viewer=v,
                           error=error, form=request.form), 422 if error else 200


@bp.post("/skills/<int:result_id>/delete")
@roles_required("admin")
def skills_delete(result_id: int):
    try:
        inputs.delete_skill(result_id, viewer().actor)
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.skills")), 303


@bp.route("/performance/", methods=["GET", "POST"])
@roles_required("admin", "leader")
def performance():
    v = viewer()
    error, details = None, []
    if request.method == "POST":
        if not v.is_admin:
            return render_template("errors/error.html", status=403, message=_("You are not allowed to do this.")), 403
        try:
            upload = request.files.get("file")
            if upload is not None and upload.filename:
                done = inputs.import_performance(upload.read(), upload.filename, v.actor)
                flash(_("%(n)d rows imported.", n=done["rows"]), "success")
            else:
                inputs.save_performance({"staff_id": _int("staff_id"), "month": request.form.get("month"),
                                         "handled": request.form.get("handled"),
                                         "on_time": request.form.get("on_time")}, v.actor)
                flash(_("Saved."), "success")
        except DomainError as exc:
            db.session.rollback()
            error, details = exc.message, exc.details
        else:
            return redirect(url_for("console.performance")), 303
    entries = db.session.scalars(select(PerformanceEntry).where(*_of_members(PerformanceEntry, v.member_condition()))
                                 .order_by(PerformanceEntry.month.desc(), PerformanceEntry.staff_id).limit(300)).all()
    return render_template("console/campaign/performance.html", entries=entries, members=members(v), viewer=v,
                           error=error, details=details, form=request.form), 422 if error else 200
