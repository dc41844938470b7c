"""Writing a planned roster: every valid row in one transaction, or nothing at all."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ...errors import Conflict, Invalid
from ...extensions import db
from ...models import Department, Staff
from ..audit import record
from .reading import Upload
from .planning import plan

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
