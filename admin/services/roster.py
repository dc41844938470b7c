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

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Department, Staff, Window
from ..schemas import StaffIn
from ..validation import parse
from .audit import record

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_UNZIPPED = 100 * 1024 * 1024   # an XLSX that inflates beyond this is refused (zip bomb)
HEADER_SEARCH_ROWS = 10            # a title row or two may sit above the header row
KEEP_SECONDS = 24 * 3600           # stored uploads older than this are removed
IMPORT_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# The fields a roster may carry, in the order the preview and the template show them.
FIELDS = ("name", "employee_no", "title", "department", "window", "is_party_member", "party_post",
          "designations", "duties", "on_duty")

# Header text (normalised: no spaces, no "*", no bracketed hint, lower case) -> field.
HEADERS = {
    "name": ("姓名", "名字", "name", "full_name", "staff_name"),
    "employee_no": ("工号", "员工编号", "员工号", "职工编号", "职工号", "人员编号", "编号", "employee_no",
                    "employee_number", "employee_id", "staff_no", "staff_number"),
    "title": ("岗位", "职务", "岗位/职务", "职务/岗位", "职位", "title", "post", "position", "job_title"),
    "department": ("部门", "科室", "部门/科室", "所在部门", "所属部门", "所在科室", "单位", "department", "dept"),
    "window": ("窗口", "窗口号", "窗口编号", "所在窗口", "window", "window_no", "window_number"),
    "is_party_member": ("是否党员", "党员", "政治面貌", "is_party_member", "party_member"),
    "party_post": ("党内职务", "党内职务/职位", "party_post"),
    "designations": ("称号", "荣誉称号", "荣誉", "designations", "designation", "honors", "titles"),
    "duties": ("职责", "岗位职责", "工作职责", "duties", "responsibilities"),
    "on_duty": ("在岗", "是否在岗", "在岗状态", "on_duty"),
}

TEMPLATE_HEADERS = ("姓名", "工号", "岗位", "部门", "窗口号", "是否党员", "党内职务", "荣誉称号", "岗位职责", "在岗")
TEMPLATE_ROWS = (
    ("张伟", "A1001", "综合受理岗", "社保科", "1", "是", "党支部委员", "党员先锋岗、服务标兵", "社保参保登记、转移接续", "是"),
    ("李娜", "A1002", "咨询引导岗", "综合服务科", "2", "否", "", "岗位能手", "咨询引导、帮办代办", "否"),
)

TRUE_WORDS = {"是", "是的", "对", "有", "y", "yes", "true", "t", "1", "√", "✓", "✔", "党员", "中共党员", "共产党员",
              "预备党员", "中共预备党员", "在岗", "在班", "上岗"}
FALSE_WORDS = {"否", "不是", "非", "无", "没有", "n", "no", "false", "f", "0", "×", "✗", "-", "—", "群众", "非党员",
               "共青团员", "团员", "中共团员", "民主党派", "无党派", "无党派人士", "不在岗", "离岗", "休假", "暂离"}
_DESIGNATION_SPLIT = re.compile(r"[、，,;；\s]+")
_WINDOW_SUFFIX = re.compile(r"^(.+?)号(?:窗口)?$")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)


# --- reading the file ------------------------------------------------------------------------

@dataclass
class Upload:
    """A parsed roster: its rows as strings keyed by field, and what is known about the file."""

    filename: str
    sha256: str
    size: int
    headers: dict            # field -> header text as written in the file
    ignored: list            # header texts that matched no field
    rows: list               # [{"line": n, "values": {field: str}}]
    id: str = ""
    owner: str = ""
    created_at: float = 0.0

    def to_json(self) -> dict:
        return {"id": self.id, "owner": self.owner, "created_at": self.created_at, "filename": self.filename,
                "sha256": self.sha256, "size": self.size, "headers": self.headers, "ignored": self.ignored,
                "rows": self.rows}


def normalise_header(text: str) -> str:
    """Header text reduced for matching: "是否党员（是/否）*" -> "是否党员", "Employee No." -> "employee_no"."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", str(text).replace("\u3000", " "))
    text = text.replace("*", "").replace("＊", "").strip().strip(":：").lower()
    text = re.sub(r"[\s\-.]+", "_", text).strip("_")
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.replace("_", "")
    return text


_HEADER_INDEX = {normalise_header(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def cell_text(value) -> str:
    """A cell as the text a person sees: 1001.0 -> "1001", a date -> "2026-01-31", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\ufeff", "").strip()
    quoted = _EXCEL_TEXT.match(text)   # ="0012", the usual trick to keep leading zeros in a CSV
    return quoted.group(1) if quoted else text


def _sniff_kind(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(_("This is an old Excel file (.xls). Open it in Excel or WPS and save it as .xlsx, "
                        "then upload it again."), code="unsupported_file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"   # "Unicode text" from Excel: UTF-16, tab separated
    if b"\x00" in data[:4096] or data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise _not_a_spreadsheet()
    return "csv"


def _not_a_spreadsheet() -> Invalid:
    return Invalid(_("The file is not a spreadsheet. Upload the roster as an Excel workbook (.xlsx) "
                     "or a CSV file."), code="unsupported_file")


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise _not_a_spreadsheet()
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise Invalid(_("The workbook is too large once unpacked."), code="too_large")
    except zipfile.BadZipFile:
        raise _not_a_spreadsheet() from None
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise Invalid(_("The workbook could not be read. Save it again as .xlsx and retry."),
                      code="unsupported_file") from None
    try:
        sheets = book.worksheets
        # The first sheet with a recognisable header row wins; a workbook often opens with notes.
        for sheet in sheets:
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            head = []
            for _i in range(HEADER_SEARCH_ROWS):
                try:
                    head.append(next(rows))
                except StopIteration:
                    break
            if _find_header(head) is not None or sheet is sheets[-1]:
                for number, values in enumerate(head, start=1):
                    yield number, [cell_text(v) for v in values]
                for number, values in enumerate(rows, start=len(head) + 1):
                    yield number, [cell_text(v) for v in values]
                return
    except Invalid:
        raise
    except Exception:  # noqa: BLE001
        raise Invalid(_("The workbook could not be read. Save it again as .xlsx and retry."),
                      code="unsupported_file") from None
    finally:
        book.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(_("The CSV file's text encoding is not recognised. Save it as UTF-8 or GBK."),
                  code="unsupported_file")


def _csv_rows(data: bytes):
    text = _decode(data)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    # The delimiter most used in the first lines: a comma, or a tab ("Unicode text"), or a semicolon.
    top = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max((",", "\t", ";"), key=top.count)
    if top.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        while True:
            line = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            yield line, [cell_text(v) for v in values[:MAX_COLUMNS]]
    except csv.Error:
        raise Invalid(_("The CSV file is malformed near line %(line)s.", line=reader.line_num),
                      code="unsupported_file") from None


def _find_header(rows: list) -> int | None:
    """Index of the first row naming both the name and the employee number columns."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {_HEADER_INDEX.get(normalise_header(cell_text(v))) for v in values if v not in (None, "")}
        if {"name", "employee_no"} <= found:
            return index
    return None


def read_upload(filename: str, data: bytes) -> Upload:
    """Parse an uploaded roster, or raise ``Invalid`` with a message for the whole file."""
    filename = os.path.basename((filename or "").replace("\\", "/"))[:200] or "roster"
    if not data:
        raise Invalid(_("The file is empty."), code="empty_file")
    if len(data) > MAX_BYTES:
        raise Invalid(_("The file is larger than 5 MB. Split the roster into smaller files."), code="too_large")
    kind = _sniff_kind(data)
    source = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)

    head: list[tuple[int, list[str]]] = []
    for item in source:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_at = _find_header([values for _n, values in head])
    if header_at is None:
        raise Invalid(_("No header row with the columns 姓名 (name) and 工号 (employee number) was found "
                        "in the first %(n)s rows. Use the template's headers.", n=HEADER_SEARCH_ROWS),
                      code="missing_columns")

    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(head[header_at][1]):
        if not text:
            continue
        key = _HEADER_INDEX.get(normalise_header(text))
        if key is None:
            ignored.append(text)
        elif key in headers:
            raise Invalid(_("The columns “%(a)s” and “%(b)s” both mean the same thing; keep one of them.",
                            a=headers[key], b=text), code="duplicate_columns")
        else:
            columns[index] = key
            headers[key] = text

    def chained():
        yield from head[header_at + 1:]
        yield from source

    rows = []
    for line, values in chained():
        picked = {key: (values[index] if index < len(values) else "") for index, key in columns.items()}
        if not any(picked.values()):
            continue   # blank lines and notes in other columns
        if len(rows) >= MAX_ROWS:
            raise Invalid(_("The roster has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS),
                          code="too_many_rows")
        rows.append({"line": line, "values": picked})
    if not rows:
        raise Invalid(_("The roster has a header row but no members below it."), code="empty_file")
    return Upload(filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                  headers=headers, ignored=ignored, rows=rows)


# --- keeping the upload between preview and confirm ------------------------------------------

def import_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_old(now: float) -> None:
    for old in import_dir().glob("*.json"):
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink()
        except OSError:
            pass


def store(upload: Upload, owner: str) -> str:
    """Keep the parsed upload server-side; returns the id the preview and confirm pages use."""
    now = time.time()
    _purge_old(now)
    upload.id = secrets.token_urlsafe(24)
    upload.owner = owner
    upload.created_at = now
    target = import_dir() / f"{upload.id}.json"
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(upload.to_json(), fh, ensure_ascii=False)
    tmp.replace(target)
    return upload.id


def load(import_id: str, owner: str) -> Upload:
    """The stored upload, only for the user who uploaded it; ``NotFound`` otherwise or once expired."""
    gone = NotFound(_("This import is no longer available. Upload the file again."))
    if not isinstance(import_id, str) or not IMPORT_ID.match(import_id):
        raise gone
    path = import_dir() / f"{import_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise gone from None
    if raw.get("owner") != owner or time.time() - raw.get("created_at", 0) > KEEP_SECONDS:
        raise gone
    return Upload(**raw)


def discard(import_id: str) -> None:
    if isinstance(import_id, str) and IMPORT_ID.match(import_id):
        try:
            (import_dir() / f"{import_id}.json").unlink()
        except OSError:
            pass


# --- planning ---------------------------------------------------------------------------------

@dataclass
class RowPlan:
    line: int
    name: str
    employee_no: str
    department: str = ""
    department_new: bool = False   # the department does not exist yet: created on confirm
    window: str = ""
    action: str = "error"          # create | update | unchanged | error
    changes: dict = field(default_factory=dict)   # field -> [old, new] as people read them (names, numbers)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    staff_id: int | None = None
    values: dict = field(default_factory=dict)    # validated values to write; department_id of a new one is None


@dataclass
class Plan:
    upload: Upload
    rows: list
    new_departments: list

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}

    @property
    def digest(self) -> str:
        """Fingerprint of what confirming would do; the confirm form carries it back to catch changes."""
        outline = [[r.line, r.action, r.employee_no, r.staff_id, sorted(r.changes), len(r.errors)] for r in self.rows]
        blob = json.dumps([self.upload.sha256, outline, self.new_departments], ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _truth(text: str) -> bool | None:
    word = text.strip().lower()
    if word == "":
        return False
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def field_label(key: str) -> str:
    labels = {
        "name": pgettext("person", "Name"), "employee_no": _("Employee number"), "title": _("Post"),
        "department": _("Department"), "department_id": _("Department"), "window": _("Window"),
        "window_id": _("Window"), "is_party_member": _("Party member"), "party_post": _("Party post"),
        "designations": _("Designations"), "duties": _("Duties"), "on_duty": _("On duty"),
        "sort_order": _("Sort order"),
    }
    return labels.get(key, key)


def _row_data(item: RowPlan, values: dict, headers: dict, departments: dict, windows: dict) -> dict:
    """The row as StaffIn input (ids for department and window); problems go to ``item.errors``."""
    data: dict = {}
    for key in ("name", "employee_no", "title", "party_post", "duties"):
        if key in headers:
            data[key] = values.get(key, "")
    for key in ("is_party_member", "on_duty"):
        if key in headers:
            truth = _truth(values.get(key, ""))
            if truth is None:
                item.errors.append(_("%(column)s: “%(value)s” is not understood; write 是 or 否.",
                                     column=headers[key], value=values.get(key, "")))
            else:
                data[key] = truth
    if "designations" in headers:
        data["designations"] = [p for p in _DESIGNATION_SPLIT.split(values.get("designations", "")) if p]

    if "department" in headers:
        name = values.get("department", "").strip()
        item.department = name
        if not name:
            data["department_id"] = None
        elif name in departments:
            data["department_id"] = departments[name].id
        elif len(name) > 64:
            item.errors.append(_("%(column)s: at most %(n)s characters.", column=headers["department"], n=64))
        else:
            item.department_new = True
            data["department_id"] = None   # the id comes on confirm, once the department is created
    if "window" in headers:
        number = values.get("window", "").strip()
        item.window = number
        if not number:
            data["window_id"] = None
        else:
            window = windows.get(number)
            if window is None and (short := _WINDOW_SUFFIX.match(number)):
                window = windows.get(short.group(1))   # "3号" or "3号窗口" for window 3
            if window is None:
                item.errors.append(_("%(column)s: there is no window numbered %(value)s. Add the window first.",
                                     column=headers["window"], value=number))
            else:
                data["window_id"] = window.id
                item.window = window.number
    return data


def plan(upload: Upload) -> Plan:
    """What importing ``upload`` would do to the current database, row by row. Writes nothing."""
    # A hall has hundreds of members, not millions: one query for all of them is the simple way.
    staff_by_no = {s.employee_no: s for s in db.session.scalars(select(Staff))}
    staff_by_folded = {no.casefold(): s for no, s in staff_by_no.items()}
    departments = {d.name: d for d in db.session.scalars(select(Department))}
    windows = {w.number: w for w in db.session.scalars(select(Window))}
    dept_names = {d.id: d.name for d in departments.values()}
    window_numbers = {w.id: w.number for w in windows.values()}
    headers = upload.headers

    seen: dict[str, list[int]] = {}
    for row in upload.rows:
        number = row["values"].get("employee_no", "").strip()
        if number:
            seen.setdefault(number.casefold(), []).append(row["line"])

    new_departments: list[str] = []
    plans = []
    for row in upload.rows:
        values = row["values"]
        number = values.get("employee_no", "").strip()
        item = RowPlan(line=row["line"], name=values.get("name", "").strip(), employee_no=number)
        plans.append(item)

        lines = seen.get(number.casefold(), ())
        if len(lines) > 1:
            item.errors.append(_("%(column)s %(value)s appears more than once in the file (also on line %(lines)s).",
                                 column=headers["employee_no"], value=number,
                                 lines=", ".join(str(n) for n in lines if n != row["line"])))
        existing = staff_by_no.get(number)
        if existing is None and number.casefold() in staff_by_folded:
            other = staff_by_folded[number.casefold()]
            item.errors.append(_("%(column)s %(value)s differs only in letter case from %(other)s (%(name)s) "
                                 "on record; write it the same way.", column=headers["employee_no"],
                                 value=number, other=other.employee_no, name=other.name))

        data = _row_data(item, values, headers, departments, windows)
        merged = {k: getattr(existing, k) for k in StaffIn.model_fields} if existing else {}
        merged.update(data)
        try:
            checked = parse(StaffIn, merged).model_dump()
        except Invalid as exc:
            for detail in exc.details or [{"field": None, "message": exc.message}]:
                key = detail.get("field") or ""
                column = (headers.get(key) or field_label(key)) if key else ""
                item.errors.append(f"{column}: {detail['message']}" if column else detail["message"])
        if item.errors:
            continue

        written = {k: checked[k] for k in data}
        if existing is None:
            item.action = "create"
            item.values = written
        else:
            item.staff_id = existing.id
            item.values = {k: v for k, v in written.items()
                           if getattr(existing, k) != v or (k == "department_id" and item.department_new)}
            item.action = "update" if item.values else "unchanged"
            for key, new in item.values.items():
                old = getattr(existing, key)
                if key == "department_id":
                    item.changes[key] = [dept_names.get(old, ""), item.department]
                elif key == "window_id":
                    item.changes[key] = [window_numbers.get(old, ""), window_numbers.get(new, "")]
                else:
                    item.changes[key] = [old, new]
            if "name" in item.values:
                item.warnings.append(_("The name on record for %(no)s is %(old)s: check the employee number.",
                                       no=number, old=existing.name))
        if item.department_new and item.department not in new_departments:
            new_departments.append(item.department)
    return Plan(upload=upload, rows=plans, new_departments=new_departments)


# --- applying ---------------------------------------------------------------------------------

@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    departments: int = 0


class PlanChanged(Conflict):
    """The database changed between the preview and the confirm: the user must look again."""

    code = "plan_changed"


def apply(upload: Upload, actor: str, *, skip_invalid: bool = False, expected_digest: str | None = None,
          create_departments: bool = False) -> Result:
    """Write every valid row in one transaction, or nothing at all.

    A row naming a department that does not exist is an error unless ``create_departments`` was
    chosen in the preview: a misspelt department must not quietly become a new one."""
    current = plan(upload)
    if expected_digest is not None and expected_digest != current.digest:
        raise PlanChanged(_("The staff records changed since the preview. Check the new preview and confirm again."))
    if current.new_departments and not create_departments:
        for row in current.rows:
            if row.department_new and row.action in ("create", "update"):
                row.action = "error"
                row.errors.append(_("Department %(name)s does not exist.", name=row.department))
        current.new_departments = []
    errors = current.count("error")
    if errors and not skip_invalid:
        unknown = sorted({row.department for row in current.rows if row.department_new})
        if unknown and not create_departments:
            raise Invalid(_("Rows name departments that do not exist: %(names)s. Choose to create them, or fix the "
                            "file and upload it again.", names="、".join(unknown)), code="unknown_departments")
        raise Invalid(_("%(n)s rows have errors. Fix them in the file and upload it again, "
                        "or choose to import only the valid rows.", n=errors), code="rows_invalid")
    result = Result(skipped=errors, unchanged=current.count("unchanged"))
    try:
        created_departments: dict[str, Department] = {}
        for name in current.new_departments:
            department = Department(name=name, description="", sort_order=0)
            db.session.add(department)
            db.session.flush()
            record(actor, "create", "department", department.id, summary=name, changes={"name": [None, name]})
            created_departments[name] = department
            result.departments += 1

        created: list[tuple[Staff, dict]] = []
        updated: list[tuple[Staff, dict]] = []
        for row in current.rows:
            if row.action not in ("create", "update"):
                continue
            values = dict(row.values)
            if row.department_new:
                values["department_id"] = created_departments[row.department].id
            if row.action == "create":
                member = Staff(**values)
                db.session.add(member)
                created.append((member, {k: [None, v] for k, v in values.items()}))
            else:
                member = db.session.get(Staff, row.staff_id)
                changes = {}
                for key, new in values.items():
                    old = getattr(member, key)
                    if old != new:
                        changes[key] = [old, new]
                        setattr(member, key, new)
                updated.append((member, changes))
        db.session.flush()   # one flush for all: the new members get their ids
        for action, pairs in (("create", created), ("update", updated)):
            for member, changes in pairs:
                record(actor, action, "staff", member.id, summary=member.name, changes=changes)
        result.created, result.updated = len(created), len(updated)

        record(actor, "import", "staff", None,
               summary=f"{upload.filename}: {result.created} created, {result.updated} updated, "
                       f"{result.unchanged} unchanged, {result.skipped} skipped",
               changes={"file": upload.filename, "sha256": upload.sha256, "rows": len(upload.rows),
                        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                        "skipped": result.skipped, "departments_created": result.departments,
                        "skipped_lines": [r.line for r in current.rows if r.action == "error"][:200]})
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("roster import %s failed", upload.id)
        raise Conflict(_("The import failed and nothing was changed. Preview the file again and retry."),
                       code="import_failed") from None
    except BaseException:
        db.session.rollback()
        raise
    return result


# --- the template ------------------------------------------------------------------------------

def template_xlsx() -> bytes:
    """A roster template: the Chinese headers and two example rows, text-formatted number columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(TEMPLATE_HEADERS)
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    widths = (10, 12, 16, 16, 10, 10, 14, 26, 32, 8)
    for index, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="C8161D")
        head.alignment = Alignment(horizontal="center")
    for column in ("B", "E"):   # employee and window numbers stay text: 0012 keeps its zeros
        for row in range(2, 1002):
            sheet[f"{column}{row}"].number_format = "@"
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    yes_no.add("F2:F1001")
    yes_no.add("J2:J1001")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
