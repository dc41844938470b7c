"""Console: print badges (工作牌) for a department or everyone, with progress for large batches."""

from __future__ import annotations

import math
import secrets
import threading
from pathlib import Path

from flask import abort, current_app, g, jsonify, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from liangbiping.kiosk import badges

from ..data_dir import folder
from ..extensions import db, socketio
from ..models import Department, Staff
from ..services.audit import record
from ..services.scope import current_viewer
from . import bp
from .access import roles_required

PRINTERS = ("admin", "leader")
_jobs: dict[str, dict] = {}   # in this process: job id -> {done, total, state, error}
_lock = threading.Lock()


def _job_dir() -> Path:
    return folder("badges")


@bp.get("/badges/")
@roles_required(*PRINTERS)
def badges_print():
    viewer = current_viewer()
    departments = [d for d in db.session.scalars(select(Department).order_by(Department.sort_order, Department.name))
                   if viewer.sees_department(d.id)]
    scope = viewer.member_condition()
    staff = db.session.scalars(select(Staff).where(*([] if scope is None else [scope]))
                               .order_by(Staff.sort_order, Staff.name)).all()
    font_error = None
    try:
        badges.font_file()
    except badges.FontMissing as exc:
        font_error = str(exc)
    return render_template("console/feedback/badges.html", departments=departments, staff=staff, font_error=font_error)


def _render_job(app, job_id: str, staff_ids: list[int], footer: str, out: Path, base_url: str) -> None:
    # A request context of our own so the QR codes carry the hall's address, as the page was opened.
    with app.app_context(), app.test_request_context(base_url=base_url):
        job = _jobs[job_id]
        try:
            found = {p.id: p for p in db.session.scalars(
                select(Staff).where(Staff.id.in_(staff_ids))
                .options(selectinload(Staff.department), selectinload(Staff.window)))}
            people = [found[i] for i in staff_ids if i in found]
            job["total"], job["pages"] = len(people), max(1, math.ceil(len(people) / badges.PER_PAGE))

            def progress(done, total, page, pages):
                # Told from the thread that builds the PDF: plain assignments, read by badges_progress.
                job.update(done=done, page=page)
                if page == pages:
                    job["state"] = "writing"  # every page laid out: the fonts are subset and the file written

            partial = out.with_suffix(".part")
            badges.write_pdf(people, footer, app.config["DATA_DIR"], partial, progress,
                             pause=lambda: socketio.sleep(0))  # let other requests run while it reads
            partial.replace(out)
            job["state"] = "done"
        except Exception as exc:  # noqa: BLE001 - reported on the page
            job["state"], job["error"] = "failed", str(exc)
        finally:
            db.session.remove()


@bp.post("/badges/jobs")
@roles_required(*PRINTERS)
def badges_start():
    """Start rendering a PDF in the background (the layout and the file in a worker thread: see
    kiosk.badges.write_pdf); the page polls its progress: badges and pages done, then writing."""
    badges.font_file()  # 503 font_missing without a CJK font; errors answer in JSON (the page asks so)
    people, footer = badges.members_to_print(current_viewer(), request.form.get("department_id", type=int) or None)
    staff_ids = [p.id for p in people]
    job_id = secrets.token_urlsafe(12)
    with _lock:
        # A job is its starter's: nobody else follows or downloads it.
        _jobs[job_id] = {"done": 0, "total": len(staff_ids), "page": 0,
                         "pages": max(1, math.ceil(len(staff_ids) / badges.PER_PAGE)), "state": "rendering",
                         "error": None, "user_id": current_user.id}
    record(g.actor, "print", "badges", None, summary=f"{footer}: {len(staff_ids)}")
    db.session.commit()
    out = _job_dir() / f"{job_id}.pdf"
    socketio.start_background_task(_render_job, current_app._get_current_object(), job_id, staff_ids, footer, out,
                                  request.host_url)
    return jsonify({"job": job_id, "total": len(staff_ids),
                    "progress": url_for("console.badges_progress", job_id=job_id),
                    "download": url_for("console.badges_download", job_id=job_id)}), 202


@bp.get("/badges/jobs/<job_id>")
@roles_required(*PRINTERS)
def badges_progress(job_id: str):
    job = _jobs.get(job_id)
    if job is None or job["user_id"] != current_user.id:
        abort(404)
    return jsonify({k: v for k, v in job.items() if k != "user_id"})


@bp.get("/badges/jobs/<job_id>/badges.pdf")
@roles_required(*PRINTERS)
def badges_download(job_id: str):
    job = _jobs.get(job_id)
    if job is None or job["state"] != "done" or job["user_id"] != current_user.id:
        abort(404)
    return send_file(_job_dir() / f"{job_id}.pdf", mimetype="application/pdf", as_attachment=True,
                     download_name="badges.pdf")


@bp.get("/badges/<int:staff_id>.png")
@roles_required(*PRINTERS)
def badges_one(staff_id: int):
    member = db.session.get(Staff, staff_id) if 0 < staff_id < 2**31 else None
    if member is None or not current_viewer().manages_member(member):
        abort(404)
    from flask import Response

    png = badges.badge_png(member, badges.badge_url(member), badges.hall_name(), current_app.config["DATA_DIR"])
    return Response(png, mimetype="image/png")


@bp.post("/badges/<int:staff_id>/rotate")
@roles_required("admin")
def badges_rotate(staff_id: int):
    """Withdraw a member's printed badges (lost badge): their QR codes stop working."""
    from flask import flash, redirect

    member = db.session.get(Staff, staff_id) if 0 < staff_id < 2**31 else None
    if member is None:
        abort(404)
    badges.rotate(member, g.actor)
    flash(_("%(name)s's printed badges no longer work; print a new one.", name=member.name), "success")
    return redirect(url_for("console.badges_print"))
