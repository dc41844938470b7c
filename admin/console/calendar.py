"""The working-day calendar in the console: a year at a glance; an administrator corrects any day."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..ledger import workdays
from . import bp
from .access import roles_required
from .campaign_common import today, viewer


@bp.get("/calendar/")
@roles_required("admin", "leader")
def calendar():
    return redirect(url_for("console.calendar_year", year=today().year))


@bp.get("/calendar/<int:year>")
@roles_required("admin", "leader")
def calendar_year(year: int):
    if not 2000 <= year <= 2200:
        abort(404)
    days = workdays.year_view(year)
    months = []
    for m in range(1, 13):
        month_days = [d for d in days if d["day"].month == m]
        lead = month_days[0]["day"].weekday()
        months.append({"month": m, "lead": lead, "days": month_days})
    return render_template("console/campaign/calendar.html", year=year, months=months, viewer=viewer(),
                           working=sum(d["working"] for d in days),
                           overrides=[d for d in days if d["override"]])


@bp.post("/calendar/day")
@roles_required("admin")
def calendar_day():
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        abort(400)
    if not 2000 <= day.year <= 2200:
        abort(400)
    choice = request.form.get("working")
    working = {"1": True, "0": False, "": None}.get(choice or "", None)
    workdays.set_day(day, working, request.form.get("note", ""), viewer().actor)
    flash(_("%(day)s saved.", day=day.isoformat()), "success")
    return redirect(url_for("console.calendar_year", year=day.year) + f"#m{day.month}"), 303
