"""Roster import (花名册导入): read an XLSX or CSV roster, preview what it would change, apply it.

The flow has three steps:

1. ``read_upload`` turns the uploaded bytes into rows of plain strings, keyed by field
   (``name``, ``employee_no``, ...), after finding the header row and its columns.
   ``store`` keeps them server-side in ``<data dir>/imports/<id>.json``; the browser only
   ever holds the id, so what is confirmed is exactly what was uploaded.
2. ``plan`` validates every stored row against the current database: each row is a
   *create*, *update*, *unchanged* or *error*, with the changed fields and its errors.
3. ``apply`` re-plans, then writes every valid row in one transaction (all or nothing),
   matching members by employee number, so importing the same roster again never
   duplicates anyone.

Rules for columns: a column missing from the file leaves that field of existing members
as it is; a column that is present is the truth, so an empty cell clears the field.
"""

from .applying import PlanChanged, Result, apply
from .planning import Plan, RowPlan, field_label, plan
from .reading import MAX_BYTES, MAX_ROWS, Upload, read_upload
from .template import TEMPLATE_HEADERS, template_xlsx
from .uploads import discard, load, store

__all__ = ["MAX_BYTES", "MAX_ROWS", "TEMPLATE_HEADERS", "Plan", "PlanChanged", "Result", "RowPlan", "Upload",
           "apply", "discard", "field_label", "load", "plan", "read_upload", "store", "template_xlsx"]
