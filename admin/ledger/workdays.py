"""The Chinese working-day calendar: statutory holidays and make-up working days (调休).

The ``holidays`` library (``holidays.China``) knows the State Council's arrangement for the
years it was released with, and the statutory holidays (without the make-up days) for later
years. An administrator corrects any date per year in ``calendar_days`` once the year's
arrangement is published; a correction always wins.

The library is a declared dependency and imported here at the top: without it the app does not
start. A silent Monday-to-Friday fallback would count National Day as working days and move
every rectification deadline of the holiday weeks, which is worse than not starting.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask import g, has_app_context
from sqlalchemy import select

from ..extensions import db
from ..models import CalendarDay

log = logging.getLogger(__name__)

MAX_SCAN = 400  # working days are never this far apart; guards a calendar edited into all holidays


@lru_cache(maxsize=64)
def _library(year: int) -> holidays.HolidayBase:
    """``holidays.China`` for ``year``, with Chinese names where the installed release has them."""
    try:
        return holidays.China(years=year, language="zh_CN")
    except (NotImplementedError, ValueError, LookupError):  # a release without the zh_CN names
        return holidays.China(years=year)


def library_says(day: date) -> tuple[bool, str]:
    """(working?, name of the holiday or make-up day) by the library alone."""
    cal = _library(day.year)
    working = cal.is_working_day(day)
    name = cal.get(day) or ""
    if working and day.weekday() >= 5:
        name = name or "调休上班"
    return working, name


def _overrides(year: int, conn=None) -> dict[date, CalendarDay]:
    """The administrator's corrections for ``year`` ({day: row with .working, .note}), read once
    per app context; on ``conn`` when given (the ledger's listeners run inside another's write)."""
    cache = g.setdefault("calendar_overrides", {}) if has_app_context() else {}
    if year not in cache:
        start, end = date(year, 1, 1), date(year, 12, 31)
        table = CalendarDay.__table__
        stmt = select(table.c.day, table.c.working, table.c.note).where(table.c.day >= start, table.c.day <= end)
        if conn is not None:
            rows = conn.execute(stmt).all()
        elif has_app_context():
            with db.session.no_autoflush:
                rows = db.session.execute(stmt).all()
        else:
            rows = []
        cache[year] = {row.day: row for row in rows}
    return cache[year]


def forget_overrides() -> None:
    """After a correction is stored: read the calendar again."""
    if has_app_context():
        g.pop("calendar_overrides", None)


def is_working_day(day: date, conn=None) -> bool:
    override = _overrides(day.year, conn).get(day)
    if override is not None:
        return override.working
    return library_says(day)[0]


def add_working_days(start: date, n: int, conn=None) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count).

    A complaint received on Wednesday 30 September 2026 with 5 working days is due on
    Tuesday 13 October: 1–7 October are the National Day holiday and Saturday the 10th is a
    make-up working day.
    """
    if n <= 0:
        return start
    day, counted = start, 0
    for _ in range(MAX_SCAN + n):
        day += timedelta(days=1)
        if is_working_day(day, conn):
            counted += 1
            if counted == n:
                return day
    return start + timedelta(days=n)  # a calendar with no working days at all: count plain days


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


def year_view(year: int) -> list[dict]:
    """Every day of ``year``: {"day", "working", "weekend", "name", "override", "note"} for the calendar page."""
    overrides = _overrides(year)
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        working, name = library_says(day)
        row = overrides.get(day)
        out.append({"day": day, "working": row.working if row else working, "library": working,
                    "weekend": day.weekday() >= 5, "name": name,
                    "override": row is not None, "note": row.note if row else ""})
        day += timedelta(days=1)
    return out


def set_day(day: date, working: bool | None, note: str, actor: str) -> None:
    """Correct one date (``working`` None: back to the library's word); audited, committed."""
    from ..services.audit import record
    from ..text import clean_line

    note = clean_line(note or "")[:64]
    row = db.session.get(CalendarDay, day)
    old = None if row is None else {"working": row.working, "note": row.note}
    if working is None:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = CalendarDay(day=day)
            db.session.add(row)
        row.working, row.note, row.updated_by = working, note, actor[:96]
    new = None if working is None else {"working": working, "note": note}
    if old != new:
        record(actor, "update", "calendar_day", day.isoformat(), summary=day.isoformat(),
               changes={"day": [old, new]})
    db.session.commit()
    forget_overrides()
