"""Create, read, change and remove the hall's records, with validation, audit and one transaction each."""

from __future__ import annotations

from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..catalog import Resource
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..validation import parse
from .audit import record


def get(res: Resource, record_id) -> object:
    obj = db.session.get(res.model, record_id) if isinstance(record_id, int) and 0 < record_id < 2**31 else None
    if obj is None:
        raise NotFound(_("%(what)s %(id)s does not exist.", what=res.label, id=record_id))
    return obj


def current_values(res: Resource, obj) -> dict:
    """The record as the input schema sees it, so a change can be validated as a whole."""
    return {name: getattr(obj, name) for name in res.schema_in.model_fields}


def _check_references(res: Resource, data: dict) -> None:
    for key, target in res.references.items():
        value = data.get(key)
        if value is not None and db.session.get(target, value) is None:
            raise Invalid(_("%(field)s: %(id)s does not exist.", field=key, id=value), field=key)


def _check_unique(res: Resource, data: dict, obj=None) -> None:
    for key, column in res.unique.items():
        if key not in data:
            continue
        clash = db.session.scalar(select(res.model).where(column == data[key]))
        if clash is not None and clash is not obj:
            raise Conflict(_("%(value)s is already taken.", value=data[key]), field=key)


def _assign(res: Resource, obj, data: dict) -> dict:
    """Set the changed fields; returns {field: [old, new]} for the audit log."""
    changes = {}
    for key, value in data.items():
        if key in res.links:
            relation, target = res.links[key]
            wanted = list(dict.fromkeys(value))
            found = db.session.scalars(select(target).where(target.id.in_(wanted))).all() if wanted else []
            missing = set(wanted) - {t.id for t in found}
            if missing:
                raise Invalid(_("%(field)s: %(id)s does not exist.", field=key, id=min(missing)), field=key)
            old = getattr(obj, key) if obj.id else []
            if sorted(old) != sorted(wanted):
                changes[key] = [old, wanted]
                setattr(obj, relation, found)
            continue
        old = getattr(obj, key, None)
        if old != value:
            changes[key] = [old, value]
            setattr(obj, key, value)
    return changes


def check_scope(res: Resource, values: dict, viewer) -> None:
    """Forbidden unless ``viewer`` may write a record with these values (admin.services.scope):
    a leader writes the pledges and honors of their own departments' members and windows only."""
    if viewer is None or viewer.is_admin or res.owner is None:
        return
    from ..models import Staff, Window

    window_id, staff_id = res.owner(values)
    allowed = viewer.is_leader and (window_id is not None or staff_id is not None)
    if allowed and staff_id is not None:
        allowed = viewer.manages_member(db.session.get(Staff, staff_id))
    if allowed and window_id is not None:
        window = db.session.get(Window, window_id)
        allowed = window is not None and viewer.sees_department(window.department_id)
    if not allowed:
        raise Forbidden(_("This belongs to a department you do not look after."))


def _validated(res: Resource, data: dict) -> dict:
    values = parse(res.schema_in, data).model_dump()
    if res.prepare:
        values = res.prepare(values)
    _check_references(res, values)
    return values


@contextmanager
def _conflicts():
    """A unique or foreign key the database refuses (a concurrent write got there first) is a 409, not a 500.

    Flushes happen before the commit too (``flush()``, autoflush on the next query), so the whole write is inside.
    """
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("This change conflicts with other records.")) from None


def commit_changes(res: Resource) -> None:
    """Commit the record's transaction; a conflicting write (a unique value taken meanwhile) is a 409."""
    with _conflicts():
        db.session.commit()


def create(res: Resource, data: dict, actor: str, *, extra: dict | None = None, commit: bool = True,
           viewer=None):
    """Validate ``data``, store the new record and audit it; returns the record.

    ``commit=False`` leaves the transaction open for a caller that writes more with it; ``viewer``
    (a person's or a token's, admin.services.scope) limits what they may write.
    """
    values = _validated(res, data)
    check_scope(res, values, viewer)
    _check_unique(res, values)
    obj = res.model(**(extra or {}))
    db.session.add(obj)
    with _conflicts():
        changes = _assign(res, obj, values)
        db.session.flush()
    record(actor, "create", res.entity, obj.id, summary=res.title(obj), changes=changes)
    if commit:
        commit_changes(res)
    return obj


def update(res: Resource, obj, patch: dict, actor: str, viewer=None, commit: bool = True):
    """Merge ``patch`` into the record, validate the result as a whole, store what changed.
    With a ``viewer``, both the record as it is and as it would be must be theirs to write."""
    check_scope(res, current_values(res, obj), viewer)
    if not isinstance(patch, dict):
        raise Invalid(_("A JSON object is expected."))
    merged = current_values(res, obj)
    merged.update(patch)
    values = _validated(res, merged)
    check_scope(res, values, viewer)
    values = {k: v for k, v in values.items() if k in patch}
    _check_unique(res, values, obj)
    with _conflicts():
        changes = _assign(res, obj, values)
    if changes:
        record(actor, "update", res.entity, obj.id, summary=res.title(obj), changes=changes)
    if commit:
        commit_changes(res)
    return obj


def delete(res: Resource, obj, actor: str, viewer=None) -> None:
    check_scope(res, current_values(res, obj), viewer)
    title = res.title(obj)
    record(actor, "delete", res.entity, obj.id, summary=title)
    db.session.delete(obj)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("%(what)s is still in use and cannot be removed.", what=title)) from None


def listing(res: Resource, *, filters: dict, q: str | None, sort: str | None, page: int, per_page: int):
    """One page of records and the total, filtered, searched and sorted."""
    stmt = select(res.model)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(res.filters[key][1] == value)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(col.ilike(like, escape="\\") for col in res.search)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    key = sort or res.default_sort
    column = res.sort[key.lstrip("-")]
    # Empty values last either way, on every engine (SQLite puts NULL first, PostgreSQL last).
    order = column.desc() if key.startswith("-") else column.asc()
    stmt = stmt.order_by(order.nulls_last(), res.model.id.asc())
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return items, total
