"""The campaign's other API routes: 三比 boards, campaign phases, the working-day calendar, reports."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from flask import Response, g
from flask_babel import gettext as _
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from ..campaign import boards, phases
from ..campaign.schemas import (BoardOut, BoardsOut, CalendarDayIn, CalendarDayOut, CalendarOut, PhaseIn,
                                PhaseOut, Query)
from ..services.scope import viewer_for_token
from ..errors import Invalid, NotFound
from ..ledger import workdays
from ..reports.data import KINDS as REPORT_KINDS
from ..schemas import DAY_2000_2200
from ..stats import periods
from ..timefmt import hall_zone
from .framework import endpoint, json_body

READ_ALL = ("admin", "leader", "staff")
MANAGERS = ("admin", "leader")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Period keys of the years 2000 to 2200 (admin.stats.periods): a month, a quarter, a half-year, a year.
_YEAR = "(?:20[0-9]{2}|21[0-9]{2}|2200)"
PERIOD_PATTERN = f"^{_YEAR}(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$"


def _period_key(pattern: str):
    def check(text: str) -> str:
        if not re.match(pattern, text):
            raise ValueError(_("Not a period: %(text)s", text=text[:20]))
        return text

    return Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(check),
                     WithJsonSchema({"type": "string", "pattern": pattern})]


BoardPeriod = _period_key(PERIOD_PATTERN)
ReportPeriod = _period_key(f"^(?:{DAY_2000_2200}|{PERIOD_PATTERN[1:-1]})$")  # or any day of one


class BoardQuery(Query):
    period: BoardPeriod | None = Field(
        None, description="2026-10, 2026-Q4 or 2026; default: the board period setting")


def _period(text: str | None) -> periods.Period:
    return periods.parse_key(text) if text else boards.current_period()


@endpoint("/boards", "GET", summary="The 三比 boards (skills, conduct, performance, satisfaction, composite)",
          tag="boards", roles=READ_ALL, query=BoardQuery, response=BoardsOut, name="boards_list")
def list_boards(query):
    return {"boards": boards.all_boards(_period(query.period))}


@endpoint("/boards/<key>", "GET", summary="One 三比 board", tag="boards", roles=READ_ALL, query=BoardQuery,
          response=BoardOut, name="boards_read", path={"key": {"type": "string", "enum": list(boards.BOARDS)}})
def read_board(key, query):
    if key not in boards.BOARDS:
        raise NotFound(_("No board %(key)s.", key=key[:20]))
    return boards.board(key, _period(query.period))


def _phase_out(phase, current_id):
    return dict(PhaseOut.model_validate(phase).model_dump(), current=phase.id == current_id)


@endpoint("/campaign/phases", "GET", summary="The campaign calendar's phases", tag="campaign", roles=READ_ALL,
          response=PhaseOut, paged=True, name="phases_list",
          description="All phases, in date order; `current` marks the one running today (hall time zone).")
def list_phases():
    current = phases.current()
    items = [_phase_out(p, current.id if current else None) for p in phases.listing()]
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items) or 1}


@endpoint("/campaign/phases", "POST", summary="Add a campaign phase", tag="campaign", roles=("admin",), body=PhaseIn,
          response=PhaseOut, status=201, name="phases_create")
def create_phase(body):
    return phases.save(None, body.model_dump(), g.actor)


@endpoint("/campaign/phases/<int:phase_id>", "PATCH", summary="Change a campaign phase", tag="campaign",
          roles=("admin",), response=PhaseOut, name="phases_update", changes=PhaseIn)
def update_phase(phase_id):
    from ..validation import parse

    phase = phases.get(phase_id)
    merged = {k: getattr(phase, k) for k in phases.FIELDS}
    patch = json_body()
    merged.update(patch)
    values = parse(PhaseIn, {k: (v.isoformat() if isinstance(v, date) else v) for k, v in merged.items()}).model_dump()
    return phases.save(phase, {k: v for k, v in values.items() if k in patch}, g.actor)


@endpoint("/campaign/phases/<int:phase_id>", "DELETE", summary="Remove a campaign phase", tag="campaign",
          roles=("admin",), status=204, name="phases_delete")
def delete_phase(phase_id):
    phases.delete(phases.get(phase_id), g.actor)
    return None


@endpoint("/calendar/<int:year>", "GET", summary="A year of the working-day calendar", tag="campaign",
          roles=READ_ALL, response=CalendarOut, name="calendar_year",
          path={"year": {"type": "integer", "minimum": 2000, "maximum": 2200}},
          description="Each day: working or not, the holiday library's word, and any administrator's correction.")
def calendar_year(year):
    if not 2000 <= year <= 2200:
        raise NotFound(_("No calendar for %(year)s.", year=year))
    days = workdays.year_view(year)
    return {"year": year, "working_days": sum(d["working"] for d in days), "days": days}


@endpoint("/calendar/days/<day>", "PUT", summary="Correct one day of the working-day calendar", tag="campaign",
          roles=("admin",), body=CalendarDayIn, response=CalendarDayOut, name="calendar_day_set",
          path={"day": {"type": "string", "pattern": f"^{DAY_2000_2200}$"}},
          description="`working`: true or false; null goes back to the holiday library's word.")
def calendar_day(day, body):
    parsed = periods.parse_date(day if len(day) <= 10 else "", "day")
    if parsed is None:
        raise Invalid(_("A date like 2026-01-31 is needed."), field="day")
    workdays.set_day(parsed, body.working, body.note, g.actor)
    return next(d for d in workdays.year_view(parsed.year) if d["day"] == parsed)


class ReportQuery(Query):
    period: ReportPeriod | None = Field(
        None, description="a month (2026-10), a quarter (2026-Q4), a half-year (2026-H2: 下半年), a year (2026) or a "
                          "day (2026-10-08)")


@endpoint("/reports/<kind>.xlsx", "GET", summary="A monthly, quarterly, half-yearly or annual report (XLSX)", tag="reports",
          roles=MANAGERS, query=ReportQuery, name="reports_xlsx", produces=XLSX,
          path={"kind": {"type": "string", "enum": list(REPORT_KINDS)}},
          description="`kind`: month, quarter, half (上半年 1–6, 下半年 7–12) or year; `period` picks which: the one that holds the first day "
                      "of the period or the day given (default: the current one).")
def report(kind, query):
    from ..reports import data as report_data
    from ..reports.xlsx import report_xlsx

    if kind not in report_data.KINDS:
        raise NotFound(_("No report %(kind)s.", kind=kind[:20]))
    period = periods.containing(kind, periods.parse_key(query.period).start if query.period else
                                periods.local_today(hall_zone()))
    body = report_xlsx(report_data.build(period, viewer_for_token()))
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="report-{period.key}.xlsx"'
    return response, 200
