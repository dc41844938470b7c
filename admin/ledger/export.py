"""The ledger as an XLSX workbook (openpyxl), with the 四明确 columns."""

from __future__ import annotations

import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ..extensions import db
from ..models import Department, Staff, User, Window
from ..timefmt import hall_zone, localtime
from ..xlsx import append_row
from . import labels, service

HEADER_FILL = PatternFill("solid", fgColor="C8161D")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_ROWS = 100_000


def header(ws, titles: list[str], widths: list[int]) -> None:
    append_row(ws, titles)
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def entry_rows(entries) -> list[list]:
    """One row per entry: the columns of ``columns()``."""
    names = {
        "staff": dict(db.session.execute(select(Staff.id, Staff.name)).all()),
        "users": {u.id: (u.display_name or u.username) for u in db.session.scalars(select(User))},
        "departments": dict(db.session.execute(select(Department.id, Department.name)).all()),
        "windows": {w.id: f"{w.number} {w.name}" for w in db.session.scalars(select(Window))},
    }
    zone = hall_zone()
    rows = []
    for e in entries:
        done = e.done_at.astimezone(zone).date() if e.done_at else None
        on_time = "" if done is None or e.deadline is None else (_("Yes") if done <= e.deadline else _("No"))
        rows.append([
            e.id, str(labels.SOURCES.get(e.source, e.source)), localtime(e.opened_at),
            names["departments"].get(e.department_id, ""), names["windows"].get(e.window_id, ""),
            names["staff"].get(e.staff_id, ""), e.problem, e.measure,
            e.deadline, names["users"].get(e.leader_id, ""), names["staff"].get(e.responsible_id, ""),
            str(labels.STATES.get(e.state, e.state)), _("Yes") if e.overdue else "",
            done, on_time, str(labels.VERDICTS.get(e.verdict, "")) if e.verdict else "",
            e.evidence or e.dismissed_reason,
        ])
    return rows


def columns() -> tuple[list[str], list[int]]:
    titles = [_("No."), _("Source"), _("Opened"), _("Department"), _("Window"), _("Member concerned"), _("Problem"),
              _("What to fix"), _("Deadline"), _("Responsible leader"), _("Responsible person"), _("State"),
              _("Overdue"), _("Rectified on"), _("On time"), _("Call-back verdict"), _("Evidence or reason")]
    widths = [7, 11, 17, 14, 16, 11, 40, 40, 12, 12, 12, 10, 8, 12, 8, 12, 40]
    return titles, widths


def write_entries(ws, entries) -> None:
    titles, widths = columns()
    header(ws, titles, widths)
    for row in entry_rows(entries):
        append_row(ws, row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in (7, 8, 17))
        cells[8].number_format = "yyyy-mm-dd"
        cells[13].number_format = "yyyy-mm-dd"
    ws.auto_filter.ref = ws.dimensions


def ledger_xlsx(viewer, *, state: str | None = None, opened_from: date | None = None,
                opened_to: date | None = None) -> bytes:
    entries, _total = service.listing(viewer, state=state, opened_from=opened_from, opened_to=opened_to,
                                      page=1, per_page=MAX_ROWS)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Rectification ledger")[:31]
    write_entries(ws, entries)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
