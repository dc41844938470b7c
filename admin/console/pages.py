"""One set of list / create / edit / delete pages that serves every record type of the catalog.

A ``RecordPage`` says which columns the list shows and which fields the form has; the views
below turn that into routes named ``console.<collection>_list``, ``_new``, ``_edit`` and
``_delete``. Validation is the records service's (the same pydantic schema as the API), so
the console and the API can never disagree about what a valid record is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..catalog import Resource
from ..errors import Conflict, Forbidden, Invalid
from ..extensions import db
from ..services import records
from ..services.scope import current_viewer
from . import bp
from .access import roles_required
from .forms import Field, defaults, from_record, read_form, split_errors, static, to_input

PER_PAGE = 50
YES_NO = static(("1", _l("Yes")), ("0", _l("No")))


@dataclass
class Column:
    """One column of a list. ``kind`` picks how the value is shown: text, long, bool, tags,
    photo, date, datetime, status, party, code, changes, choice."""

    label: Any
    get: Callable[[Any], Any]
    kind: str = "text"
    sort: str | None = None      # the catalog's sort key for this column
    link: bool = False           # the record's link to its form
    choices: Callable | None = None  # for kind "choice": value -> label pairs


def attr(name: str) -> Callable[[Any], Any]:
    """The record's attribute ``name``."""
    return lambda obj: getattr(obj, name, None)


def related(relation: str, name: str = "name") -> Callable[[Any], Any]:
    """The ``name`` of a related record, or None."""

    def get(obj):
        other = getattr(obj, relation, None)
        return getattr(other, name, None) if other is not None else None

    return get


class RecordPage:
    """The console pages of one record type. Subclasses change how records are stored."""

    list_template = "console/records/list.html"
    form_template = "console/records/form.html"
    creatable = True
    editable = True
    deletable = True
    multipart = False
    extra_fields: tuple = ()     # inputs the form has besides ``fields``, for showing their errors
    delete_label = _l("Delete")
    delete_action = "delete"     # the last part of the remove route's path and endpoint

    def __init__(self, res: Resource, *, fields: list[Field], columns: list[Column], new_title, edit_title,
                 view_title=None, read_roles: tuple | None = None, write_roles: tuple | None = None,
                 filter_fields: dict[str, Field] | None = None, intro=None):
        self.res = res
        self.fields = fields
        self.columns = columns
        self.new_title = new_title
        self.edit_title = edit_title
        self.view_title = view_title or edit_title
        self.read_roles = read_roles or res.read_roles
        self.write_roles = write_roles or res.write_roles
        self.intro = intro
        self.filter_fields = self._filters(filter_fields or {})

    @property
    def name(self) -> str:
        return self.res.name

    @property
    def label(self):
        return self.res.label

    def _filters(self, extra: dict[str, Field]) -> list[tuple[str, Field]]:
        """The list's filters: the catalog's, shown with the form field of the same name."""
        by_name = {f.name: f for f in self.fields}
        out = []
        for key, (kind, _column) in self.res.filters.items():
            f = extra.get(key) or by_name.get(key)
            if f is None:
                continue
            if kind is bool:
                f = Field(key, f.label, "select", options=YES_NO)
            out.append((key, f))
        return out

    # --- what subclasses may change --------------------------------------------------------

    def can_write(self, obj=None) -> bool:
        """Whether the signed-in user may change records of this type (and ``obj`` in particular:
        a leader, only the records of their own departments)."""
        if getattr(current_user, "role", None) not in self.write_roles:
            return False
        if obj is None or self.res.owner is None:
            return True
        try:
            records.check_scope(self.res, records.current_values(self.res, obj), current_viewer())
        except Forbidden:
            return False
        return True

    def listing(self, filters: dict, q: str | None, sort: str | None, page: int, per_page: int):
        return records.listing(self.res, filters=filters, q=q, sort=sort, page=page, per_page=per_page)

    def form_fields(self, obj) -> list[Field]:
        """The fields of the form for ``obj`` (None: a new record)."""
        return self.fields

    def get(self, record_id: int):
        return records.get(self.res, record_id)

    def blank(self) -> dict:
        return defaults(self.form_fields(None), self.res.schema_in)

    def raw(self, obj) -> dict:
        return from_record(self.form_fields(obj), obj)

    def create(self, data: dict, raw: dict):
        """Store a new record from the form's ``data``; DomainErrors go back to the form."""
        return records.create(self.res, data, g.actor, viewer=current_viewer())

    def update(self, obj, data: dict, raw: dict):
        """Store the form's ``data`` into ``obj``, validated as a whole."""
        return records.update(self.res, obj, data, g.actor, viewer=current_viewer())

    def remove(self, obj) -> None:
        """Remove ``obj``; Conflict when it is still in use."""
        records.delete(self.res, obj, g.actor, viewer=current_viewer())

    def title(self, obj) -> str:
        return self.res.title(obj)

    def may_delete(self, obj) -> bool:
        """Whether the list offers a delete button for this row (the role is checked apart)."""
        return True

    def delete_question(self, obj) -> str:
        return _("Delete %(name)s? This cannot be undone.", name=self.title(obj))

    def created(self, obj):
        """The answer to a successful create: back to the list with a message."""
        flash(_("Saved: %(name)s", name=self.title(obj)), "success")
        return redirect(url_for(f"console.{self.name}_list"))

    def updated(self, obj):
        flash(_("Saved: %(name)s", name=self.title(obj)), "success")
        return redirect(url_for(f"console.{self.name}_list"))

    def removed(self, title: str):
        flash(_("Deleted: %(name)s", name=title), "success")

    def form_context(self, obj) -> dict:
        """Anything else a form template needs."""
        return {}


# --- the views -----------------------------------------------------------------------------

def _int_arg(value: str | None, default: int, low: int, high: int) -> int:
    """A whole number from the address, kept between ``low`` and ``high``; ``default`` when unreadable."""
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, low), high)


def _parse_filters(spec: RecordPage, args) -> tuple[dict, dict]:
    """(values for the records service, raw values for the filter boxes); bad values are ignored."""
    values, shown = {}, {}
    for key, (kind, _column) in spec.res.filters.items():
        text = (args.get(key) or "").strip()
        if not text:
            values[key] = None
            continue
        if kind is bool:
            value = {"1": True, "0": False, "true": True, "false": False}.get(text.lower())
        elif kind is int:
            value = int(text) if text.isdigit() and len(text) < 10 else None
        else:
            value = text[:64]
        values[key] = value
        if value is not None:
            shown[key] = text
    return values, shown


def list_url(**changes) -> str:
    """The current list's address with some query parameters changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **request.view_args, **args)


def list_view(spec: RecordPage):
    """One page of records: searched, filtered and sorted as the address says."""
    args = request.args
    q = (args.get("q") or "").strip()[:100] or None
    sort = args.get("sort") or None
    if sort and sort.lstrip("-") not in spec.res.sort:
        sort = None
    filters, shown = _parse_filters(spec, args)
    per_page = _int_arg(args.get("per_page"), PER_PAGE, 10, 200)
    page = _int_arg(args.get("page"), 1, 1, 100000)
    items, total = spec.listing(filters, q, sort, page, per_page)
    pages = max(1, math.ceil(total / per_page))
    return render_template(
        spec.list_template, spec=spec, items=items, total=total, page=page, pages=pages, q=q or "",
        sort=sort or spec.res.default_sort, filters_shown=shown, can_write=spec.can_write(), list_url=list_url,
    )


def _render_form(spec: RecordPage, obj, raw: dict, *, errors=None, general=None, status=200, readonly=False):
    """The record's form showing ``raw`` values, with any errors next to their fields."""
    heading = spec.new_title if obj is None else (spec.edit_title if not readonly else spec.view_title)
    return render_template(
        spec.form_template, spec=spec, obj=obj, fields=spec.form_fields(obj), values=raw, errors=errors or {}, general=general or [],
        heading=heading, readonly=readonly, **spec.form_context(obj),
    ), status


def _refused(spec: RecordPage, obj, raw: dict, exc):
    """Show the form again with the user's input and the reasons; nothing was stored."""
    db.session.rollback()
    errors, general = split_errors(spec.form_fields(obj), exc, spec.extra_fields)
    return _render_form(spec, obj, raw, errors=errors, general=general, status=422)


def new_view(spec: RecordPage):
    """The empty form, and storing it."""
    if not spec.creatable:
        abort(404)
    if request.method == "POST":
        fields = spec.form_fields(None)
        raw = read_form(fields, request.form)
        try:
            obj = spec.create(to_input(fields, raw), raw)
        except (Invalid, Conflict) as exc:
            return _refused(spec, None, raw, exc)
        return spec.created(obj)
    return _render_form(spec, None, spec.blank())


def edit_view(spec: RecordPage, record_id: int):
    """A record's form (read-only for those who may not change it), and storing changes."""
    obj = spec.get(record_id)
    writable = spec.editable and spec.can_write(obj)
    if request.method == "POST":
        if not writable:
            abort(403)
        fields = spec.form_fields(obj)
        raw = read_form(fields, request.form)
        try:
            obj = spec.update(obj, to_input(fields, raw), raw)
        except (Invalid, Conflict) as exc:
            return _refused(spec, obj, raw, exc)
        return spec.updated(obj)
    return _render_form(spec, obj, spec.raw(obj), readonly=not writable)


def delete_view(spec: RecordPage, record_id: int):
    """Remove a record; a record still in use stays, with a message saying so."""
    if not spec.can_write():
        abort(403)
    obj = spec.get(record_id)
    title = spec.title(obj)
    try:
        spec.remove(obj)
    except (Conflict, Invalid) as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        spec.removed(title)
    return redirect(url_for(f"console.{spec.name}_list"))


def register(spec: RecordPage) -> RecordPage:
    """Add the record type's routes to the console blueprint."""
    name = spec.name

    def guarded(view, roles, endpoint):
        def handler(**kwargs):
            return view(spec, **kwargs)

        handler.__name__ = endpoint
        handler.__doc__ = view.__doc__
        return roles_required(*roles)(handler)

    bp.add_url_rule(f"/{name}/", f"{name}_list", guarded(list_view, spec.read_roles, f"{name}_list"))
    if spec.creatable:
        bp.add_url_rule(f"/{name}/new", f"{name}_new", guarded(new_view, spec.write_roles, f"{name}_new"),
                        methods=["GET", "POST"])
    if spec.editable:
        # Readers see the form read-only; the view refuses their POST.
        bp.add_url_rule(f"/{name}/<int:record_id>", f"{name}_edit",
                        guarded(edit_view, spec.read_roles, f"{name}_edit"), methods=["GET", "POST"])
    if spec.deletable:
        action = spec.delete_action
        bp.add_url_rule(f"/{name}/<int:record_id>/{action}", f"{name}_{action}",
                        guarded(delete_view, spec.write_roles, f"{name}_{action}"), methods=["POST"])
    return spec
