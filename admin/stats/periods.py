"""Periods in the hall's time zone: days, ISO weeks, months, quarters, half-years and years.

Half-years (上半年 January–June, 下半年 July–December) are the documents' period of public
evaluation: "每半年开展一次群众评议".

All dates here are hall-local calendar dates; ``utc_bounds`` turns an inclusive date range
into the half-open UTC interval that stored times are compared with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..errors import Invalid

KINDS = ("day", "week", "month", "quarter", "half", "year")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        """A short, sortable name: 2026-10-08, 2026-W41, 2026-10, 2026-Q4, 2026-H2, 2026."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{1 if self.start.month <= 6 else 2}"
        return str(self.start.year)

    def label(self) -> str:
        """For people, in the request's language."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return _("%(year)s week %(week)s", year=year, week=week)
        if self.kind == "month":
            return _("%(year)s-%(month)02d", year=self.start.year, month=self.start.month)
        if self.kind == "quarter":
            return _("%(year)s Q%(q)s", year=self.start.year, q=(self.start.month - 1) // 3 + 1)
        if self.kind == "half":
            if self.start.month <= 6:
                return _("%(year)s first half", year=self.start.year)
            return _("%(year)s second half", year=self.start.year)
        return _("Year %(year)s", year=self.start.year)

    def previous(self) -> "Period":
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        return containing(self.kind, self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return Period(kind, date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == "half":
        if day.month <= 6:
            return Period(kind, date(day.year, 1, 1), date(day.year, 6, 30))
        return Period(kind, date(day.year, 7, 1), date(day.year, 12, 31))
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


def buckets(kind: str, start: date, end: date) -> list[Period]:
    """The periods of ``kind`` covering ``start``..``end`` (inclusive), in order."""
    out = []
    current = containing(kind, start)
    while current.start <= end:
        out.append(current)
        current = current.next()
    return out


_KEY = {  # ASCII digits: \d would take any script's digits too
    "day": re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"),
    "week": re.compile(r"^([0-9]{4})-W([0-9]{2})$"),
    "month": re.compile(r"^([0-9]{4})-([0-9]{2})$"),
    "quarter": re.compile(r"^([0-9]{4})-Q([1-4])$"),
    "half": re.compile(r"^([0-9]{4})-H([12])$"),
    "year": re.compile(r"^([0-9]{4})$"),
}


def parse_key(text: str, kind: str | None = None) -> Period:
    """A period from its key (see ``Period.key``), years 2000 to 2200; any day of the period is accepted too."""
    return _in_range(_parse_key(text, kind))


def _parse_key(text: str, kind: str | None = None) -> Period:
    text = (text or "").strip()
    kinds = [kind] if kind else list(KINDS)
    for k in kinds:
        match = _KEY[k].match(text)
        try:
            if match:
                g = [int(x) for x in match.groups()]
                if k == "day":
                    return containing(k, date(*g))
                if k == "week":
                    return containing(k, date.fromisocalendar(g[0], g[1], 1))
                if k == "month":
                    return containing(k, date(g[0], g[1], 1))
                if k == "quarter":
                    return containing(k, date(g[0], (g[1] - 1) * 3 + 1, 1))
                if k == "half":
                    return containing(k, date(g[0], (g[1] - 1) * 6 + 1, 1))
                return containing(k, date(g[0], 1, 1))
            if kind and _KEY["day"].match(text):
                return containing(kind, date.fromisoformat(text))
        except ValueError:
            break
    raise Invalid(_("Not a period: %(text)s", text=text[:20]), field="period")


def _in_range(period: Period) -> Period:
    if not 2000 <= period.start.year <= 2200:
        raise Invalid(_("This date is out of range."), field="period")
    return period


def parse_date(text: str | None, field: str) -> date | None:
    """A YYYY-MM-DD date, or None when empty; Invalid otherwise."""
    if text is None or text == "":
        return None
    try:
        if not _KEY["day"].match(text):
            raise ValueError(text)
        value = datetime.strptime(text, "%Y-%m-%d").date()
    except (ValueError, TypeError):
        raise Invalid(_("A date like 2026-01-31 is needed."), field=field) from None
    if not 2000 <= value.year <= 2200:
        raise Invalid(_("This date is out of range."), field=field)
    return value


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(zone).date()


def day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant the hall-local ``day`` begins (right across daylight-saving changes)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(timezone.utc)


def utc_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of ``start``, start of the day after ``end``) in UTC."""
    return day_start_utc(start, zone), day_start_utc(end + timedelta(days=1), zone)

