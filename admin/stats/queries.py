"""Satisfaction statistics read from the rollups: summaries, series, rankings and reasons.

Scopes: the hall, a department, a window, a member. A rating belongs to the department of
its window, else of its member (``coalesce(window.department_id, staff.department_id)``),
resolved when asked, so moving a window to another department moves its history with it.
Which levels count as satisfied is the ``satisfied_levels`` setting, applied at read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Department, RatingDaily, RatingMonthly, RatingReasonDaily, Staff, Window
from ..services.settings import get_setting
from . import periods, wilson

SCOPES = ("hall", "department", "window", "staff")
LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Scope:
    kind: str = "hall"
    id: int | None = None

    def check(self) -> "Scope":
        """Raise Invalid/NotFound unless this names something that exists."""
        if self.kind not in SCOPES:
            raise Invalid(_("scope must be one of: %(choices)s", choices=", ".join(SCOPES)), field="scope")
        if self.kind == "hall":
            return Scope("hall", None)
        if self.id is None:
            raise Invalid(_("This scope needs an id."), field="id")
        model = {"department": Department, "window": Window, "staff": Staff}[self.kind]
        if not 0 < self.id < 2**31 or db.session.get(model, self.id) is None:
            raise NotFound(_("%(what)s %(id)s does not exist.", what=self.kind, id=self.id))
        return self


def satisfied_levels() -> tuple[int, ...]:
    levels = get_setting("satisfied_levels") or [3, 4, 5]
    return tuple(sorted(int(x) for x in levels if int(x) in LEVELS)) or (3, 4, 5)


def _department_maps() -> tuple[dict, dict]:
    """({window id: department id}, {member id: department id}): two small reads, never cached, so
    that a window moved to another department a moment ago counts there at once."""
    return (dict(db.session.execute(select(Window.id, Window.department_id)).all()),
            dict(db.session.execute(select(Staff.id, Staff.department_id)).all()))


def department_of(window_id: int, staff_id: int, maps: tuple[dict, dict] | None = None) -> int | None:
    """A rollup bucket's department: its window's, else its member's."""
    windows, staff = maps or _department_maps()
    return windows.get(window_id) or staff.get(staff_id)


def _department_condition(model, department_ids) -> object:
    """Rows whose department is one of ``department_ids``, without joining windows and staff:
    the window is in one of them, or the window has no department and the member is in one."""
    windows, staff = _department_maps()
    wanted = set(department_ids)
    in_windows = sorted(w for w, d in windows.items() if d in wanted) or [-1]
    with_department = sorted(w for w, d in windows.items() if d is not None) or [-1]
    in_staff = sorted(m for m, d in staff.items() if d in wanted) or [-1]
    return or_(model.window_id.in_(in_windows),
               and_(model.window_id.not_in(with_department), model.staff_id.in_(in_staff)))


def _where(scope: Scope, start: date, end: date, model=RatingDaily, departments: set | None = None) -> list:
    where = [model.day >= start, model.day <= end]
    if scope.kind == "staff":
        where.append(model.staff_id == scope.id)
    elif scope.kind == "window":
        where.append(model.window_id == scope.id)
    elif scope.kind == "department":
        where.append(_department_condition(model, {scope.id}))
    if departments is not None:
        where.append(_department_condition(model, departments))
    return where


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def spans(start: date, end: date) -> list[tuple[type, date, date]]:
    """(rollup, first, last) ranges that together cover ``start``..``end``: the whole months in it
    from the monthly rollup (first and last are months' first days there), the days around them
    from the daily one. A year to date is then at most twelve monthly buckets and a month of
    daily ones per member and window, not 365 daily ones."""
    first = start if start.day == 1 else _next_month(start)
    last = end if _next_month(end) - timedelta(days=1) == end else end.replace(day=1) - timedelta(days=1)
    if first > last:
        return [(RatingDaily, start, end)]
    out = []
    if start < first:
        out.append((RatingDaily, start, first - timedelta(days=1)))
    out.append((RatingMonthly, first, last.replace(day=1)))
    if last < end:
        out.append((RatingDaily, last + timedelta(days=1), end))
    return out


def _add(into: list[int], values) -> None:
    for i, value in enumerate(values):
        into[i] += int(value or 0)


def _counts_columns(model=RatingDaily):
    return [func.coalesce(func.sum(getattr(model, f"n{k}")), 0) for k in LEVELS]


def basis() -> tuple[tuple[int, ...], int, float]:
    """(satisfied levels, low-confidence threshold, target) from the settings: read once for a
    ranking's many rows."""
    return (satisfied_levels(), int(get_setting("low_confidence_below") or wilson.LOW_CONFIDENCE_BELOW),
            float(get_setting("target_satisfaction") or 0.95))


def figures(counts: list[int] | tuple[int, ...], settings: tuple | None = None) -> dict:
    """count, distribution, satisfied, rate, Wilson interval and confidence from five level counts
    (``settings``: ``basis()``, when already read)."""
    counts = [int(c or 0) for c in counts]
    n = sum(counts)
    levels, threshold, target = settings or basis()
    k = sum(counts[level - 1] for level in levels)
    bounds = wilson.interval(k, n)
    rate = k / n if n else None
    return {
        "count": n,
        "distribution": {str(level): counts[level - 1] for level in LEVELS},
        "satisfied": k,
        "rate": rate,
        "satisfied_levels": list(levels),
        "wilson": {"low": bounds[0], "high": bounds[1]} if bounds else None,
        "low_confidence": n < threshold,
        "target": target,
        "meets_target": None if rate is None else rate >= target,
    }


def summary(scope: Scope, start: date, end: date, *, departments: set | None = None, reasons: bool = True) -> dict:
    """The figures for ``scope`` over the hall-local dates ``start``..``end`` (inclusive)."""
    counts = [0] * 5
    for model, first, last in spans(start, end):
        _add(counts, db.session.execute(select(*_counts_columns(model))
                                        .where(*_where(scope, first, last, model, departments))).one())
    out = figures(counts)
    if reasons:
        out["reasons"] = reason_counts(scope, start, end, departments=departments)
    return out


def reason_counts(scope: Scope, start: date, end: date, *, departments: set | None = None) -> dict[str, int]:
    where = _where(scope, start, end, RatingReasonDaily, departments)
    rows = db.session.execute(select(RatingReasonDaily.reason, func.sum(RatingReasonDaily.n)).where(*where)
                              .group_by(RatingReasonDaily.reason)).all()
    return dict(sorted(((reason, int(n)) for reason, n in rows if n), key=lambda kv: (-kv[1], kv[0])))


def series(scope: Scope, start: date, end: date, granularity: str = "day", *,
           departments: set | None = None) -> list[dict]:
    """Figures per period of ``granularity`` from ``start`` to ``end``; empty periods included."""
    if granularity not in periods.KINDS:
        raise Invalid(_("granularity must be one of: %(choices)s", choices=", ".join(periods.KINDS)),
                      field="granularity")
    # Months nest in quarters and years, so those read whole months from the monthly rollup; weeks do not.
    ranges = [(RatingDaily, start, end)] if granularity in ("day", "week") else spans(start, end)
    per_period: dict[str, list[int]] = {}
    for model, first, last in ranges:
        stmt = select(model.day, *_counts_columns(model)).where(*_where(scope, first, last, model, departments))
        for row in db.session.execute(stmt.group_by(model.day)):
            _add(per_period.setdefault(periods.containing(granularity, row[0]).key, [0] * 5), row[1:])
    out = []
    settings = basis()
    for period in periods.buckets(granularity, start, end):
        item = figures(per_period.get(period.key, [0] * 5), settings)
        item.update({"period": period.key, "label": period.label(), "start": max(period.start, start).isoformat(),
                     "end": min(period.end, end).isoformat()})
        out.append(item)
    return out


def ranking(level: str, start: date, end: date, *, min_sample: int | None = None,
            departments: set | None = None) -> list[dict]:
    """Members, windows or departments by satisfaction rate over the dates.

    Each row has the figures plus ``ranked`` (enough ratings to be ranked) and ``rank``.
    Ties in rate go to the larger Wilson lower bound (more evidence), then the larger count.
    """
    if level not in ("staff", "window", "department"):
        raise Invalid(_("level must be staff, window or department."), field="level")
    if min_sample is None:
        min_sample = int(get_setting("ranking_min_sample") or 30)
    rows = []
    settings = basis()
    for key, counts in level_counts_by(level, start, end, departments=departments).items():
        item = figures(counts, settings)
        item["id"] = key
        item["ranked"] = item["count"] >= min_sample
        rows.append(item)
    rows.sort(key=lambda r: (not r["ranked"], -(r["rate"] or 0), -(r["wilson"]["low"] if r["wilson"] else 0),
                             -r["count"], r["id"]))
    rank = 0
    for item in rows:
        item["rank"] = None
        if item["ranked"]:
            rank += 1
            item["rank"] = rank
    _names(level, rows)
    return rows


def _names(level: str, rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    if not ids:
        return
    if level == "staff":
        # Columns, not rows: a ranking of a few hundred members is read on every dashboard view.
        found = {row.id: row for row in db.session.execute(
            select(Staff.id, Staff.name, Staff.department_id, Staff.photo).where(Staff.id.in_(ids)))}
        depts = dict(db.session.execute(select(Department.id, Department.name)).all())
        for r in rows:
            s = found.get(r["id"])
            r["name"] = s.name if s else f"#{r['id']}"
            r["department"] = depts.get(s.department_id, "") if s else ""
            r["photo_url"] = Staff.url_of_photo(s.photo) if s else None
    elif level == "window":
        found = {w.id: w for w in db.session.scalars(select(Window).where(Window.id.in_(ids)))}
        for r in rows:
            w = found.get(r["id"])
            r["name"] = f"{w.number} {w.name}" if w else f"#{r['id']}"
    else:
        found = dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())
        for r in rows:
            r["name"] = found.get(r["id"], f"#{r['id']}")


def level_counts_by(level: str, start: date, end: date, *, departments: set | None = None) -> dict[int, list[int]]:
    """{member, window or department id: [n1..n5]} over the dates; buckets with no member or window left out.

    Departments are summed here from (member, window) groups rather than joined in SQL: a year
    of a hall is a few hundred such groups, against tens of thousands of daily rows to join.
    """
    grouped: dict[tuple, list[int]] = {}  # (member, window) or (id,) -> counts
    for model, first, last in spans(start, end):
        where = [model.day >= first, model.day <= last]
        if departments is not None:
            where.append(_department_condition(model, departments))
        if level in ("staff", "window"):
            columns = [model.staff_id if level == "staff" else model.window_id]
        else:
            columns = [model.staff_id, model.window_id]
        for row in db.session.execute(select(*columns, *_counts_columns(model)).where(*where).group_by(*columns)):
            _add(grouped.setdefault(tuple(row[:len(columns)]), [0] * 5), row[len(columns):])
    if level in ("staff", "window"):
        return {key[0]: counts for key, counts in grouped.items() if key[0]}
    out: dict[int, list[int]] = {}
    maps = _department_maps()
    for (staff_id, window_id), counts in grouped.items():
        dept = department_of(window_id, staff_id, maps)
        if dept:
            _add(out.setdefault(dept, [0] * 5), counts)
    return out


__all__ = ["Scope", "figures", "level_counts_by", "ranking", "reason_counts", "satisfied_levels", "series",
           "summary"]
