"""Badges (工作牌): one member's PNG, print-ready PDF sheets, and revoking a member's printed QR codes."""

from __future__ import annotations

from flask import Response, current_app, g
from flask_babel import gettext as _
from liangbiping.kiosk import badges
from liangbiping.kiosk.schemas import BadgesQuery

from ..errors import NotFound
from ..extensions import db
from ..models import Staff
from ..schemas import StaffOut
from ..services.scope import current_viewer
from .framework import endpoint

PRINTERS = ("admin", "leader")


def _staff(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id) if 0 < staff_id < 2**31 else None
    if staff is None or not current_viewer().manages_member(staff):
        raise NotFound(_("Staff member %(id)s does not exist.", id=staff_id))
    return staff


@endpoint("/staff/<int:staff_id>/badge.png", "GET", summary="A member's printable badge (PNG, 300 dpi)", tag="badges",
          roles=PRINTERS, name="badge_png", produces="image/png", errors=(503,),
          description="54 x 85.6 mm portrait at 300 dpi, with the member's rating QR code.")
def badge_png(staff_id):
    staff = _staff(staff_id)
    badges.font_file()  # 503 font_missing without a CJK font
    png = badges.badge_png(staff, badges.badge_url(staff), badges.hall_name(), current_app.config["DATA_DIR"])
    response = Response(png, mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="badge-{staff.employee_no}.png"'
    return response, 200


@endpoint("/badges.pdf", "GET", summary="Print-ready A4 sheets of badges (PDF)", tag="badges", roles=PRINTERS,
          query=BadgesQuery, name="badges_pdf", produces="application/pdf", errors=(503,),
          description="Nine badges a page with cut marks, for one department (`department_id`) or everyone.")
def badges_pdf(query):
    people, footer = badges.members_to_print(current_viewer(), query.department_id)
    badges.font_file()  # 503 font_missing without a CJK font
    pdf = badges.badges_pdf(people, footer, current_app.config["DATA_DIR"])
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="badges.pdf"'
    return response, 200


@endpoint("/staff/<int:staff_id>/badge/rotate", "POST", summary="Revoke a member's printed badge QR codes",
          tag="badges", roles=("admin",), response=StaffOut, name="badge_rotate",
          description="Bumps the badge version: every badge printed before stops working; print a new one.")
def rotate_badge(staff_id):
    return badges.rotate(_staff(staff_id), g.actor)
