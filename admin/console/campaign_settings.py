"""The campaign's settings (administrators): targets, satisfied levels, weights, deadlines, the
campaign calendar's phases, which departments each leader looks after, and a statistics rebuild."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..campaign import jobs
from ..campaign import phases as campaign_phases
from ..campaign import settings_form
from ..campaign.schemas import PhaseIn
from ..services.scope import leader_assignments, set_leader_departments
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models import User
from ..validation import parse
from . import bp
from .access import roles_required
from .campaign_common import departments, today, viewer


@bp.route("/campaign-settings", methods=["GET", "POST"])
@roles_required("admin")
def campaign_settings():
    v = viewer()
    values, errors, status = settings_form.current(), {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values} | {k: request.form.get(k, "") for k in request.form}
        try:
            changed = settings_form.save(settings_form.parse(request.form), v.actor)
        except Invalid as exc:
            db.session.rollback()
            errors, status = {exc.field: exc.message}, 422
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("console.campaign_settings")), 303
    return render_template("console/campaign/settings.html", values=values, errors=errors,
                           leaders=leader_assignments(), departments=departments(v)), status


@bp.post("/campaign-settings/leader/<int:user_id>")
@roles_required("admin")
def campaign_leader(user_id: int):
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or user.role != "leader":
        abort(404)
    wanted = [int(x) for x in request.form.getlist("department_id") if x.isdigit() and len(x) < 10]
    set_leader_departments(user, wanted, viewer().actor)
    flash(_("Saved: %(name)s", name=user.display_name or user.username), "success")
    return redirect(url_for("console.campaign_settings") + "#leaders"), 303


@bp.post("/campaign-settings/rebuild")
@roles_required("admin")
def campaign_rebuild():
    """Recount the statistics from every rating (after raw database work, say)."""
    counted = jobs.recount(viewer().actor)
    flash(_("Statistics recounted from %(n)d ratings.", n=counted), "success")
    return redirect(url_for("console.campaign_settings")), 303


def _phase_values(form) -> dict:
    return parse(PhaseIn, {k: form.get(k, "") for k in ("name", "stage", "starts_on", "ends_on", "description")}
                 ).model_dump()


@bp.route("/phases/", methods=["GET", "POST"])
@roles_required("admin", "leader")
def phases():
    v = viewer()
    error = None
    if request.method == "POST":
        if not v.is_admin:
            abort(403)
        try:
            if request.form.get("standard") == "1":
                campaign_phases.add_standard(date.fromisoformat(request.form.get("start", "")), v.actor)
                flash(_("The three phases were added."), "success")
            else:
                campaign_phases.save(None, _phase_values(request.form), v.actor)
                flash(_("Saved."), "success")
        except (DomainError, ValueError) as exc:
            db.session.rollback()
            error = getattr(exc, "message", None) or _("A date like 2026-01-31 is needed.")
        else:
            return redirect(url_for("console.phases")), 303
    current = campaign_phases.current()
    return render_template("console/campaign/phases.html", items=campaign_phases.listing(), current=current,
                           stages=campaign_phases.STAGES, viewer=v, error=error, form=request.form,
                           today=today()), 422 if error else 200


@bp.route("/phases/<int:phase_id>", methods=["GET", "POST"])
@roles_required("admin")
def phases_edit(phase_id: int):
    try:
        phase = campaign_phases.get(phase_id)
    except DomainError:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            campaign_phases.save(phase, _phase_values(request.form), viewer().actor)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("console.phases")), 303
    return render_template("console/campaign/phases_edit.html", phase=phase, stages=campaign_phases.STAGES,
                           error=error), 422 if error else 200


@bp.post("/phases/<int:phase_id>/delete")
@roles_required("admin")
def phases_delete(phase_id: int):
    try:
        campaign_phases.delete(campaign_phases.get(phase_id), viewer().actor)
    except DomainError:
        abort(404)
    flash(_("Deleted."), "success")
    return redirect(url_for("console.phases")), 303


@bp.get("/reminders")
@roles_required("admin", "leader", "staff")
def reminders():
    from ..campaign import reminders as campaign_reminders

    v = viewer()
    items = campaign_reminders.for_user(v.user_id, limit=100)
    return render_template("console/campaign/reminders.html", items=items, text_of=campaign_reminders.text_of)


@bp.post("/reminders/read")
@roles_required("admin", "leader", "staff")
def reminders_read():
    from ..campaign import reminders as campaign_reminders

    campaign_reminders.mark_read(viewer().user_id)
    return redirect(url_for("console.reminders")), 303
