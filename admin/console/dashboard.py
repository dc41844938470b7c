"""The console's front page: what is in the hall and what needs attention."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditEntry, Department, Kiosk, Notice, Screen, Staff, Standard, Window
from . import bp
from .access import roles_required


@bp.get("/")
@roles_required("admin", "leader", "staff")
def dashboard():
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    counts = {
        "departments": count(Department), "windows": count(Window), "staff": count(Staff),
        "on_duty": count(Staff, Staff.on_duty.is_(True)), "party": count(Staff, Staff.is_party_member.is_(True)),
        "standards": count(Standard), "screens": count(Screen), "kiosks": count(Kiosk),
    }
    notices = [n for n in db.session.scalars(select(Notice).order_by(Notice.id.desc()).limit(20)) if n.active][:5]
    # The audit log is the administrators': who changed what, across every department.
    recent = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all() \
        if current_user.role == "admin" else []
    from .campaign_dashboard import panels

    me = db.session.get(Staff, current_user.staff_id) if current_user.staff_id else None
    return render_template("console/dashboard.html", counts=counts, notices=notices, recent=recent,
                           campaign=panels(), me=me)


@bp.post("/my-duty")
@roles_required("admin", "leader", "staff")
def my_duty():
    """A member marks themselves on duty or away; their window's screen and kiosk follow at once
    (the commit wakes the push hub)."""
    from ..catalog import STAFF
    from ..services import records

    member = db.session.get(Staff, current_user.staff_id) if current_user.staff_id else None
    if member is None:
        abort(404)
    on_duty = request.form.get("on_duty") == "1"
    records.update(STAFF, member, {"on_duty": on_duty}, g.actor)
    flash(_("You are on duty.") if on_duty else _("You are marked away."), "success")
    return redirect(url_for("console.dashboard"))
