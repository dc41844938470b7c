"""Roster import (花名册导入): upload an XLSX or CSV, check the preview, confirm. Administrators only."""

from __future__ import annotations

import io

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..errors import Conflict, Invalid, NotFound
from ..services import roster
from . import bp
from .access import roles_required

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_page(error: str | None = None, status: int = 200):
    return render_template("console/roster_upload.html", error=error, max_rows=roster.MAX_ROWS,
                           headers=roster.TEMPLATE_HEADERS), status


@bp.get("/roster/")
@roles_required("admin")
def roster_import():
    return _upload_page()


@bp.get("/roster/template.xlsx")
@roles_required("admin")
def roster_template():
    return send_file(io.BytesIO(roster.template_xlsx()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="花名册模板.xlsx", max_age=0)


@bp.post("/roster/")
@roles_required("admin")
def roster_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Choose a roster file (.xlsx or .csv) to upload."), 422)
    data = upload.read(roster.MAX_BYTES + 1)
    try:
        parsed = roster.read_upload(upload.filename, data)
    except Invalid as exc:
        return _upload_page(exc.message, 422)
    import_id = roster.store(parsed, g.actor)
    return redirect(url_for("console.roster_preview", import_id=import_id))


def _load(import_id: str):
    try:
        return roster.load(import_id, g.actor)
    except NotFound as exc:
        flash(exc.message, "error")
        return None


@bp.get("/roster/<import_id>")
@roles_required("admin")
def roster_preview(import_id: str):
    upload = _load(import_id)
    if upload is None:
        return redirect(url_for("console.roster_import"))
    result = roster.plan(upload)
    only_errors = request.args.get("show") == "errors"
    rows = [r for r in result.rows if r.action == "error"] if only_errors else result.rows
    return render_template("console/roster_preview.html", plan=result, rows=rows, only_errors=only_errors,
                           import_id=import_id, label=roster.field_label)


@bp.post("/roster/<import_id>/confirm")
@roles_required("admin")
def roster_confirm(import_id: str):
    upload = _load(import_id)
    if upload is None:
        return redirect(url_for("console.roster_import"))
    try:
        result = roster.apply(upload, g.actor, skip_invalid=request.form.get("skip_invalid") == "1",
                              expected_digest=request.form.get("digest", ""),
                              create_departments=request.form.get("create_departments") == "1")
    except (Invalid, Conflict) as exc:
        # Nothing was written; the upload is kept so the user can look again and retry.
        flash(exc.message, "error")
        return redirect(url_for("console.roster_preview", import_id=import_id))
    roster.discard(import_id)
    message = _("Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped.", created=result.created, updated=result.updated,
                unchanged=result.unchanged, skipped=result.skipped)
    if result.departments:
        message += " " + _("%(n)d new departments created.", n=result.departments)
    flash(message, "success")
    return redirect(url_for("console.roster_import"))


@bp.post("/roster/<import_id>/cancel")
@roles_required("admin")
def roster_cancel(import_id: str):
    try:
        roster.load(import_id, g.actor)   # only the uploader's own import
    except NotFound:
        pass
    else:
        roster.discard(import_id)
    flash(_("The import was cancelled. Nothing was changed."), "info")
    return redirect(url_for("console.roster_import"))
