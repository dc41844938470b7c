"""The rectification ledger (整改台账) in the console: the list, an entry with its 四明确 and its
steps, new entries by hand, evidence photos, and the XLSX export."""

from __future__ import annotations

import math
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from ..errors import DomainError, Forbidden, Invalid, NotFound
from ..extensions import db
from ..ledger import evidence, labels, service
from ..ledger.export import ledger_xlsx
from ..models import Rectification
from ..models.rating_terms import reason_label, score_label
from . import bp
from .access import roles_required
from .campaign_common import departments, int_arg, leaders, members, viewer, windows

PER_PAGE = 30
ALL = ("admin", "leader", "staff")
MANAGERS = ("admin", "leader")


def _entry(entry_id: int) -> Rectification:
    try:
        return service.get(entry_id, viewer())
    except DomainError:
        abort(404)


@bp.get("/ledger/")
@roles_required(*ALL)
def ledger():
    """Entries the viewer may see, filtered, newest first."""
    v = viewer()
    args = request.args
    state = args.get("state") if args.get("state") in (*labels.STATES, "active") else None
    source = args.get("source") if args.get("source") in labels.SOURCES else None
    overdue = {"1": True, "0": False}.get(args.get("overdue") or "")
    q = (args.get("q") or "").strip()[:100] or None
    page = min(max(int_arg("page") or 1, 1), 100000)
    items, total = service.listing(v, state=state, source=source, overdue=overdue, department_id=int_arg("department_id"),
                                   q=q, page=page, per_page=PER_PAGE)
    def page_url(n: int) -> str:
        return url_for("console.ledger", **dict(args.to_dict(), page=n))

    return render_template("console/campaign/ledger_list.html", items=items, total=total, page=page, page_url=page_url,
                           pages=max(1, math.ceil(total / PER_PAGE)), labels=labels, viewer=v,
                           departments=departments(v), counts=service.counts_by_state(v),
                           names=_names(items), args=args)


def _names(items) -> dict:
    from sqlalchemy import select

    from ..models import Department, Staff, User, Window

    staff_ids = {i.staff_id for i in items} | {i.responsible_id for i in items}
    return {
        "staff": dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids - {None}))).all()),
        "users": {u.id: u.display_name or u.username for u in db.session.scalars(
            select(User).where(User.id.in_({i.leader_id for i in items} - {None})))},
        "departments": dict(db.session.execute(select(Department.id, Department.name)).all()),
        "windows": {w.id: f"{w.number} {w.name}" for w in db.session.scalars(select(Window))},
        "subjects": service.subjects(items),
    }


def _form_values(entry: Rectification | None = None) -> dict:
    if entry is None:
        return {"problem": "", "measure": "", "deadline": "", "leader_id": "", "responsible_id": "", "staff_id": "",
                "window_id": ""}
    return {"problem": entry.problem, "measure": entry.measure,
            "deadline": entry.deadline.isoformat() if entry.deadline else "",
            "leader_id": str(entry.leader_id or ""), "responsible_id": str(entry.responsible_id or ""),
            "staff_id": str(entry.staff_id or ""), "window_id": str(entry.window_id or "")}


def _read_form(fields) -> tuple[dict, dict]:
    """(raw values as typed, values for the service); Invalid for an unreadable date or id."""
    raw = {k: (request.form.get(k) or "").strip() for k in fields}
    values: dict = {}
    for key in fields:
        text = raw[key]
        if key in ("problem", "measure"):
            values[key] = text
        elif key == "deadline":
            if text:
                try:
                    values[key] = date.fromisoformat(text)
                except ValueError:
                    raise Invalid(_("A date like 2026-01-31 is needed."), field=key) from None
            else:
                values[key] = None
        else:
            if text and not (text.isdigit() and len(text) < 10):
                raise Invalid(_("Invalid value."), field=key)
            values[key] = int(text) if text else None
    return raw, values


def _detail(entry: Rectification, *, values=None, errors=None, status=200):
    v = viewer()
    return render_template(
        "console/campaign/ledger_entry.html", entry=entry, source=service.describe_source(entry), labels=labels,
        values=values or _form_values(entry), errors=errors or {}, may_edit=service.may_edit(entry, v),
        actions=service.allowed_actions(entry, v), leaders=leaders(), members=members(v) if v.manages else [],
        names=_names([entry]), score_label=score_label, reason_label=reason_label, viewer=v,
    ), status


@bp.get("/ledger/<int:entry_id>")
@roles_required(*ALL)
def ledger_entry(entry_id: int):
    return _detail(_entry(entry_id))


@bp.post("/ledger/<int:entry_id>")
@roles_required(*MANAGERS)
def ledger_save(entry_id: int):
    """Save the problem and the 四明确."""
    entry = _entry(entry_id)
    fields = ("problem", "measure", "deadline", "leader_id", "responsible_id")
    raw = {k: request.form.get(k, "") for k in fields}
    try:
        raw, values = _read_form(fields)
        service.update(entry, values, viewer())
    except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
        raise
    except DomainError as exc:
        db.session.rollback()
        return _detail(db.session.get(Rectification, entry_id), values=dict(_form_values(entry), **raw),
                       errors={exc.field or "general": exc.message}, status=422 if exc.status == 422 else exc.status)
    flash(_("Saved."), "success")
    return redirect(url_for("console.ledger_entry", entry_id=entry.id))


@bp.post("/ledger/<int:entry_id>/do/<action>")
@roles_required(*ALL)
def ledger_action(entry_id: int, action: str):
    """One step of the state machine; a refusal comes back as a message on the entry."""
    entry = _entry(entry_id)
    if action not in service.ACTIONS:
        abort(404)
    upload = request.files.get("photo")
    photo = upload.read() if upload is not None and upload.filename else None
    try:
        service.transition(entry, action, viewer(), reason=request.form.get("reason"),
                           evidence=request.form.get("evidence"), photo=photo, verdict=request.form.get("verdict"),
                           note=request.form.get("note"))
    except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.ledger_entry", entry_id=entry_id)), 303
    flash(_("%(action)s: done.", action=str(labels.ACTIONS[action])), "success")
    return redirect(url_for("console.ledger_entry", entry_id=entry_id)), 303


@bp.route("/ledger/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def ledger_new():
    """An entry by hand: an inspection finding, a complaint by phone or letter."""
    v = viewer()
    fields = ("problem", "staff_id", "window_id", "measure", "deadline", "leader_id", "responsible_id")
    values, errors, status = _form_values(), {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in fields}
        try:
            values, data = _read_form(fields)
            entry = service.create(data, v)
        except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
            raise
        except DomainError as exc:
            db.session.rollback()
            errors, status = {exc.field or "general": exc.message}, 422 if exc.status == 422 else exc.status
        else:
            flash(_("Entry #%(id)s opened.", id=entry.id), "success")
            return redirect(url_for("console.ledger_entry", entry_id=entry.id))
    return render_template("console/campaign/ledger_new.html", values=values, errors=errors, leaders=leaders(),
                           members=members(v), windows=windows(v)), status


@bp.get("/ledger/<int:entry_id>/evidence/<name>")
@roles_required(*ALL)
def ledger_evidence(entry_id: int, name: str):
    entry = _entry(entry_id)
    if entry.evidence_photo != name or not evidence.valid_name(name):
        abort(404)
    response = send_from_directory(evidence.evidence_dir(), name, mimetype="image/jpeg", max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/ledger/export.xlsx")
@roles_required(*MANAGERS)
def ledger_export():
    state = request.args.get("state") if request.args.get("state") in (*labels.STATES, "active") else None
    data = ledger_xlsx(viewer(), state=state)
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = "attachment; filename=ledger.xlsx"
    return response
