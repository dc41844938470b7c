"""Helpers the campaign's console pages share: the viewer, periods from the address, name lists."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..services.scope import Viewer, current_viewer
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models import Department, Staff, User, Window
from ..stats import periods
from ..timefmt import hall_zone

GRANULARITY = {"day": "day", "week": "day", "month": "day", "quarter": "week", "half": "month", "year": "month"}


def viewer() -> Viewer:
    return current_viewer()


def today() -> date:
    return periods.local_today(hall_zone())


def form_day(name: str, required: bool = True) -> date | None:
    """A date field of the submitted form (2026-01-31); Invalid when it is not one (or is missing)."""
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(_("A date like 2026-01-31 is needed."), field=name) from None


def refused(exc: DomainError, back: str | None = None):
    """A form the service refused: nothing of it is kept, and the reason is flashed; with ``back``,
    the redirect there (the form's page)."""
    db.session.rollback()
    flash(exc.message, "error")
    return (redirect(back), 303) if back else None


def saved(message: str, to: str):
    """A form the service took: ``message`` flashed, and the redirect to ``to``."""
    flash(message, "success")
    return redirect(to), 303


def period_from_args(default_kind: str = "month", kinds=periods.KINDS) -> periods.Period:
    """``?kind=month&at=2026-10`` (or any day in it); an unreadable one falls back to the current period."""
    kind = request.args.get("kind") or default_kind
    if kind not in kinds:
        kind = default_kind
    at = (request.args.get("at") or "").strip()[:12]
    if at:
        try:
            return periods.parse_key(at, kind)
        except Invalid:
            pass
    return periods.containing(kind, today())


def custom_range() -> tuple[date, date] | None:
    """``?from=..&to=..`` when both are given and sound."""
    try:
        start = periods.parse_date(request.args.get("from") or None, "from")
        end = periods.parse_date(request.args.get("to") or None, "to")
    except Invalid:
        return None
    if start and end and start <= end and (end - start).days <= 3700:
        return start, end
    return None


def int_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


def departments(v: Viewer) -> list[Department]:
    rows = db.session.scalars(select(Department).order_by(Department.sort_order, Department.id)).all()
    return [d for d in rows if v.is_admin or v.sees_department(d.id)]


def windows(v: Viewer) -> list[Window]:
    rows = db.session.scalars(select(Window).order_by(Window.number)).all()
    return [w for w in rows if v.is_admin or v.sees_department(w.department_id)]


def members(v: Viewer) -> list[Staff]:
    rows = db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.id)).all()
    return [s for s in rows if v.sees_member(s)]


def leaders() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "leader", User.active.is_(True))
                                   .order_by(User.display_name, User.username)))


def member_or_404(staff_id: int, v: Viewer) -> Staff:
    member = db.session.get(Staff, staff_id) if 0 < staff_id < 2**31 else None
    if member is None or not v.sees_member(member):
        abort(404)
    return member


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"
