"""The console's front page: what is in the hall and what needs attention."""

from __future__ import annotations

from flask import render_template
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
    recent = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all()
    from .campaign_dashboard import panels

    return render_template("console/dashboard.html", counts=counts, notices=notices, recent=recent,
                           campaign=panels())
