"""The 三比 inputs an administrator enters: skill-contest results and monthly performance figures,
one by one or (performance) imported from an XLSX or CSV sheet, all or nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import PerformanceEntry, SkillResult, Staff
from ..services.audit import record
from ..text import field_text

TEXT_MAX = 128
MAX_ROWS = 5000
HEADERS = {
    "employee_no": ("employee_no", "工号", "员工编号", "编号"),
    "month": ("month", "月份", "月"),
    "handled": ("handled", "办件量", "办理量", "办件数"),
    "on_time": ("on_time", "按时办结", "按时办结量", "按期办结"),
}


def _staff(staff_id) -> Staff:
    member = db.session.get(Staff, staff_id) if isinstance(staff_id, int) and 0 < staff_id < 2**31 else None
    if member is None:
        raise Invalid(_("Choose a member."), field="staff_id")
    return member


def save_skill(values: dict, actor: str) -> SkillResult:
    member = _staff(values.get("staff_id"))
    try:
        contest = field_text(values.get("contest"), "contest", max_length=TEXT_MAX, required=True, multiline=False)
    except Invalid:
        raise Invalid(_("Name the contest (at most %(n)s characters).", n=TEXT_MAX), field="contest") from None
    held_on = values.get("held_on")
    if not isinstance(held_on, date) or not date(2000, 1, 1) <= held_on <= date(2200, 12, 31):
        raise Invalid(_("A date like 2026-01-31 is needed."), field="held_on")
    score = values.get("score")
    if score is not None and not 0 <= score <= 100:
        raise Invalid(_("A score from 0 to 100."), field="score")
    result = SkillResult(staff_id=member.id, contest=contest, held_on=held_on, score=score,
                         award=field_text(values.get("award"), "award", max_length=64, multiline=False),
                         title=field_text(values.get("title"), "title", max_length=64, multiline=False),
                         note=field_text(values.get("note"), "note", max_length=2000))
    db.session.add(result)
    db.session.flush()
    record(actor, "create", "skill_result", result.id, summary=f"{member.name} {contest}",
           changes={"score": [None, score], "title": [None, result.title], "award": [None, result.award]})
    db.session.commit()
    return result


def delete_skill(result_id: int, actor: str) -> None:
    result = db.session.get(SkillResult, result_id) if 0 < result_id < 2**31 else None
    if result is None:
        raise NotFound(_("Not found."))
    record(actor, "delete", "skill_result", result.id, summary=result.contest)
    db.session.delete(result)
    db.session.commit()


def _month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2200:
        raise Invalid(_("A month like 2026-10 is needed."), field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _count(value, field: str) -> int:
    try:
        number = int(float(str(value).strip()))
    except (TypeError, ValueError):
        raise Invalid(_("A whole number is needed."), field=field) from None
    if not 0 <= number <= 1_000_000:
        raise Invalid(_("Must be between 0 and 1,000,000."), field=field)
    return number


def _upsert(member: Staff, month: date, handled: int, on_time: int, source: str) -> tuple[PerformanceEntry, dict]:
    if on_time > handled:
        raise Invalid(_("More on time than handled."), field="on_time")
    entry = db.session.scalar(select(PerformanceEntry).where(PerformanceEntry.staff_id == member.id,
                                                             PerformanceEntry.month == month))
    old = None if entry is None else {"handled": entry.handled, "on_time": entry.on_time}
    if entry is None:
        entry = PerformanceEntry(staff_id=member.id, month=month)
        db.session.add(entry)
    entry.handled, entry.on_time, entry.source = handled, on_time, source
    return entry, {"figures": [old, {"handled": handled, "on_time": on_time}]}


def save_performance(values: dict, actor: str) -> PerformanceEntry:
    member = _staff(values.get("staff_id"))
    month = _month(values.get("month"))
    entry, changes = _upsert(member, month, _count(values.get("handled"), "handled"),
                             _count(values.get("on_time"), "on_time"), "entered")
    db.session.flush()
    record(actor, "update", "performance", entry.id, summary=f"{member.name} {month:%Y-%m}", changes=changes)
    db.session.commit()
    return entry


def _rows(data: bytes, filename: str) -> list[list]:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's input error
            raise Invalid(_("The file is not a readable XLSX workbook."), field="file") from None
        return [list(row) for row in wb.active.iter_rows(values_only=True)][: MAX_ROWS + 1]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid(_("The file is neither UTF-8 nor GB18030 text."), field="file")
    return [row for row in csv.reader(io.StringIO(text))][: MAX_ROWS + 1]


def import_performance(data: bytes, filename: str, actor: str) -> dict:
    """Rows of employee number, month, handled, on time. Nothing is stored unless every row is sound."""
    if not data:
        raise Invalid(_("Choose a file."), field="file")
    rows = [r for r in _rows(data, filename) if any(c not in (None, "") for c in r)]
    if not rows:
        raise Invalid(_("The file is empty."), field="file")
    head = [str(c or "").strip().lower() for c in rows[0]]
    index = {}
    for key, names in HEADERS.items():
        found = next((i for i, h in enumerate(head) if h in names), None)
        if found is None:
            raise Invalid(_("Column missing: %(name)s", name=names[1]), field="file")
        index[key] = found
    by_no = {s.employee_no: s for s in db.session.scalars(select(Staff))}
    errors, parsed = [], []
    for n, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i] if i < len(row) else None) for k, i in index.items()}
        try:
            member = by_no.get(str(cells["employee_no"] or "").strip())
            if member is None:
                raise Invalid(_("Unknown employee number %(no)s.", no=str(cells["employee_no"] or "")[:32]))
            handled, on_time = _count(cells["handled"], "handled"), _count(cells["on_time"], "on_time")
            if on_time > handled:
                raise Invalid(_("More on time than handled."))
            parsed.append((member, _month(cells["month"]), handled, on_time))
        except Invalid as exc:
            errors.append({"row": n, "message": exc.message})
    if errors:
        raise Invalid(_("%(n)d rows have errors; nothing was imported.", n=len(errors)), field="file",
                      details=[{"field": f"row {e['row']}", "message": e["message"]} for e in errors[:50]])
    for member, month, handled, on_time in parsed:
        _upsert(member, month, handled, on_time, "import")
    record(actor, "import", "performance", None, summary=f"{len(parsed)} rows from {filename[:80]}")
    db.session.commit()
    return {"rows": len(parsed)}
