"""What importing a roster would do, row by row: create, update, unchanged or error. Writes nothing."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from ...errors import Invalid
from ...extensions import db
from ...models import Department, Staff, Window
from ...schemas import StaffIn
from ...text import clean_line
from ...validation import parse
from .reading import Upload

TRUE_WORDS = {"是", "是的", "对", "有", "y", "yes", "true", "t", "1", "√", "✓", "✔", "党员", "中共党员", "共产党员",
              "预备党员", "中共预备党员", "在岗", "在班", "上岗"}
FALSE_WORDS = {"否", "不是", "非", "无", "没有", "n", "no", "false", "f", "0", "×", "✗", "-", "—", "群众", "非党员",
               "共青团员", "团员", "中共团员", "民主党派", "无党派", "无党派人士", "不在岗", "离岗", "休假", "暂离"}
_DESIGNATION_SPLIT = re.compile(r"[、，,;；\s]+")
_WINDOW_SUFFIX = re.compile(r"^(.+?)号(?:窗口)?$")


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
        name = clean_line(values.get("department", ""))
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
        number = clean_line(values.get("window", ""))
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
        number = clean_line(row["values"].get("employee_no", ""))
        if number:
            seen.setdefault(number.casefold(), []).append(row["line"])

    new_departments: list[str] = []
    plans = []
    for row in upload.rows:
        values = row["values"]
        number = clean_line(values.get("employee_no", ""))
        item = RowPlan(line=row["line"], name=clean_line(values.get("name", "")), employee_no=number)
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
