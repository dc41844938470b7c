"""Supervisors and symposiums in the console: the register of 行风监督员 (administrators), symposiums
with their attendees and minutes, and each problem raised there opened as a ledger entry."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, Forbidden
from ..extensions import db
from ..symposiums import service
from . import bp
from .access import roles_required
from .campaign_common import form_day, leaders, members, refused, saved, today, viewer, windows

MANAGERS = ("admin", "leader")


def _int(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.route("/supervisors/", methods=["GET", "POST"])
@roles_required("admin")
def supervisors():
    if request.method == "POST":
        form = request.form
        try:
            service.save_supervisor({"name": form.get("name", ""), "unit": form.get("unit", ""),
                                     "contact": form.get("contact", "").strip() or None,
                                     "term_start": form_day("term_start"), "term_end": form_day("term_end")},
                                    viewer().actor)
        except DomainError as exc:
            return refused(exc, url_for("console.supervisors"))
        return saved(_("Saved."), url_for("console.supervisors"))
    day = today()
    return render_template("console/symposiums/supervisors.html", items=service.supervisors(), today=day,
                           defaults={"term_start": day.isoformat(),
                                     "term_end": day.replace(year=day.year + 2).isoformat()})


def _supervisor(supervisor_id: int):
    try:
        return service.get_supervisor(supervisor_id)
    except DomainError:
        abort(404)


@bp.route("/supervisors/<int:supervisor_id>", methods=["GET", "POST"])
@roles_required("admin")
def supervisors_edit(supervisor_id: int):
    """Change a supervisor's name, unit, contact or term. The contact is never shown in full: left
    empty it stays as it is, and a box clears it."""
    supervisor = _supervisor(supervisor_id)
    if request.method == "POST":
        form = request.form
        values = {"name": form.get("name", ""), "unit": form.get("unit", "")}
        try:
            values["term_start"], values["term_end"] = form_day("term_start"), form_day("term_end")
            if form.get("clear_contact") == "on":
                values["contact"] = None
            elif form.get("contact", "").strip():
                values["contact"] = form.get("contact", "").strip()
            service.save_supervisor(values, viewer().actor, supervisor)
        except DomainError as exc:
            return refused(exc, url_for("console.supervisors_edit", supervisor_id=supervisor_id))
        return saved(_("Saved."), url_for("console.supervisors"))
    return render_template("console/symposiums/supervisor.html", s=supervisor)


@bp.post("/supervisors/<int:supervisor_id>/end")
@roles_required("admin")
def supervisors_end(supervisor_id: int):
    supervisor = _supervisor(supervisor_id)
    service.save_supervisor({"active": False}, viewer().actor, supervisor)
    flash(_("Saved."), "success")
    return redirect(url_for("console.supervisors")), 303


@bp.get("/symposiums/")
@roles_required(*MANAGERS)
def symposiums():
    return render_template("console/symposiums/list.html", items=service.symposiums(), viewer=viewer(),
                           today=today().isoformat(), supervisors=service.in_term(today()))


@bp.post("/symposiums/new")
@roles_required("admin")
def symposiums_new():
    form = request.form
    attendees = []
    for line in form.get("attendees", "").splitlines()[:300]:
        name, _sep, unit = line.replace("，", ",").partition(",")
        attendees.append({"name": name, "unit": unit})
    try:
        symposium = service.create_symposium({"title": form.get("title", ""), "held_on": form_day("held_on"),
                                              "place": form.get("place", ""), "attendees": attendees,
                                              "minutes": form.get("minutes", "")}, viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.symposiums"))
    return redirect(url_for("console.symposiums_one", symposium_id=symposium.id)), 303


@bp.get("/symposiums/<int:symposium_id>")
@roles_required(*MANAGERS)
def symposiums_one(symposium_id: int):
    v = viewer()
    try:
        symposium = service.get_symposium(symposium_id)
    except DomainError:
        abort(404)
    return render_template("console/symposiums/one.html", symposium=symposium, problems=service.problems(symposium),
                           viewer=v, leaders=leaders(), members=members(v), windows=windows(v))


@bp.post("/symposiums/<int:symposium_id>/problems")
@roles_required(*MANAGERS)
def symposiums_problem(symposium_id: int):
    v = viewer()
    try:
        symposium = service.get_symposium(symposium_id)
    except DomainError:
        abort(404)
    form = request.form
    try:
        values = {"problem": form.get("problem", ""), "raised_by": form.get("raised_by", ""),
                  "contact": form.get("contact", "").strip() or None, "measure": form.get("measure", ""),
                  "deadline": form_day("deadline", required=False), "leader_id": _int("leader_id"),
                  "responsible_id": _int("responsible_id"), "staff_id": _int("staff_id"),
                  "window_id": _int("window_id")}
        problem = service.raise_problem(symposium, values, v)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        return refused(exc, url_for("console.symposiums_one", symposium_id=symposium_id))
    return saved(_("Ledger entry #%(id)d opened.", id=problem.rectification_id), url_for("console.symposiums_one", symposium_id=symposium_id))
