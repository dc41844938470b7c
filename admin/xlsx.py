"""Spreadsheet cells that any stored text survives: every XLSX the hall downloads is written row by
row through ``append_row``.

openpyxl refuses the control characters XML cannot hold (one in a complaint used to break every
ledger and report export) and makes any text starting with "=" a formula (a name such as
``=HYPERLINK(...)`` would run in the reader's Excel). So text loses those characters and is cut to
Excel's limit, and text that a spreadsheet could take for a formula (=, +, -, @, tab, CR first) is
stored as a string with Excel's quote prefix: shown as typed, and still text when edited.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767   # characters Excel keeps in a cell


def cell_value(value):
    """``value`` as a cell can hold it: text without illegal characters and within Excel's limit."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
    return value


def append_row(ws, values) -> int:
    """Append one row of ``values`` to the worksheet; returns its row number."""
    ws.append([cell_value(v) for v in values])
    row = ws.max_row
    for cell in ws[row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
    return row
