"""Console forms described as data: which fields a record's form has and how each is shown and read.

A form goes through three shapes. ``from_record`` turns a stored record into *raw* values
(what the widgets show), ``read_form`` takes raw values from a submitted form, and
``to_input`` turns raw values into the input the pydantic schema validates. Keeping the raw
values apart means a refused form is shown again exactly as the user typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db

COMMON_DESIGNATIONS = ("党员先锋岗", "党员示范岗", "岗位能手", "服务标兵")

# Commas and semicolons, Chinese or Latin, the enumeration comma, and new lines separate tags.
_TAG_SPLIT = re.compile(r"[,，、;；\n\r]+")


@dataclass
class Field:
    """One form field. ``widget`` is one of: text, textarea, number, checkbox, select, multi,
    date, datetime, lines, tags, password."""

    name: str
    label: Any
    widget: str = "text"
    options: Callable[[], list[tuple[str, Any]]] | None = None  # for select and multi
    empty: Any = None         # label of the empty choice of a select; None: no empty choice
    help: Any = None
    required: bool = False
    wide: bool = False        # spans both columns of the form grid
    suggestions: tuple = ()   # offered values (tags, or a datalist for text)
    maxlength: int | None = None

    def choices(self) -> list[tuple[str, Any]]:
        return self.options() if self.options else []


def static(*pairs: tuple[str, Any]) -> Callable[[], list[tuple[str, Any]]]:
    """Options that do not come from the database: (value, label) pairs."""
    return lambda: list(pairs)


def rows(model: type, label: Callable[[Any], str], *order_by, where=None) -> Callable[[], list[tuple[str, str]]]:
    """Options from a table: each row's id and a label (rows matching ``where``), read when the form is shown."""

    def options() -> list[tuple[str, str]]:
        stmt = select(model).order_by(*(order_by or (model.id,)))
        if where is not None:
            stmt = stmt.where(where)
        return [(str(obj.id), label(obj)) for obj in db.session.scalars(stmt)]

    options.ids = True  # the chosen values are record ids, sent to the schema as integers
    return options


# --- raw values ------------------------------------------------------------------------------

def _local_input(value: datetime | None) -> str:
    """A stored UTC time as the value of a datetime-local input in the hall's time zone."""
    from ..timefmt import hall_zone

    return value.astimezone(hall_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def from_record(fields: list[Field], obj) -> dict:
    """The raw widget values showing a stored record (or the schema defaults when ``obj`` is None)."""
    raw = {}
    for f in fields:
        value = getattr(obj, f.name, None) if obj is not None else None
        if f.widget == "checkbox":
            raw[f.name] = bool(value)
        elif f.widget in ("select",):
            raw[f.name] = "" if value is None else str(value)
        elif f.widget == "multi":
            raw[f.name] = {str(v) for v in (value or [])}
        elif f.widget == "lines":
            raw[f.name] = "\n".join(value or [])
        elif f.widget == "tags":
            raw[f.name] = list(value or [])
        elif f.widget == "slides":
            raw[f.name] = slide_rows(value or [])
        elif f.widget == "date":
            raw[f.name] = value.isoformat() if isinstance(value, date) else ""
        elif f.widget == "datetime":
            raw[f.name] = _local_input(value)
        elif f.widget == "password":
            raw[f.name] = ""
        else:
            raw[f.name] = "" if value is None else str(value)
    return raw


def defaults(fields: list[Field], schema) -> dict:
    """Raw values for a new record: the input schema's defaults."""
    raw = from_record(fields, None)
    for f in fields:
        info = schema.model_fields.get(f.name)
        if info is None or info.is_required():
            continue
        default = info.get_default(call_default_factory=True)
        if default is None:
            continue
        if f.widget == "checkbox":
            raw[f.name] = bool(default)
        elif f.widget in ("text", "textarea", "number", "select"):
            raw[f.name] = str(default)
    return raw


def read_form(fields: list[Field], form) -> dict:
    """The raw values of a submitted form (a werkzeug MultiDict)."""
    raw = {}
    for f in fields:
        if f.widget == "checkbox":
            raw[f.name] = form.get(f.name) in ("1", "on", "true", "y")
        elif f.widget == "slides":
            kinds, seconds = form.getlist(f.name + "__kind"), form.getlist(f.name + "__seconds")
            options = form.getlist(f.name + "__options")
            options += [""] * (len(kinds) - len(options))
            raw[f.name] = slide_rows([{"kind": k, "duration": d, "options": _options(o)}
                                      for k, d, o in zip(kinds, seconds, options)], keep_blank=True)
        elif f.widget == "multi":
            raw[f.name] = set(form.getlist(f.name))
        elif f.widget == "select" and f.empty is None and f.name not in form:
            continue  # a form without this choice (an older page, a script): see to_input
        elif f.widget == "tags":
            picked = [v for v in form.getlist(f.name) if v.strip()]
            extra = [t for t in _TAG_SPLIT.split(form.get(f.name + "__other", "")) if t.strip()]
            raw[f.name] = list(dict.fromkeys(t.strip() for t in picked + extra))
        else:
            raw[f.name] = form.get(f.name, "")
    return raw


def _number(text: str):
    text = text.strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,12}", text) else text


def to_input(fields: list[Field], raw: dict) -> dict:
    """The input the schema validates. Empty optional values become None; an empty number or
    password is left out, so the default (new record) or the stored value (change) stays."""
    data: dict = {}
    for f in fields:
        value = raw.get(f.name)
        if f.widget == "checkbox":
            data[f.name] = bool(value)
        elif f.widget == "select":
            if f.name not in raw:
                continue  # a choice the form did not send (read_form): the default or stored value stays
            value = (value or "").strip()
            data[f.name] = None if value == "" else _number(value) if _is_id_choice(f) else value
        elif f.widget == "multi":
            data[f.name] = [_number(v) for v in sorted(value or ()) if v.strip()]
        elif f.widget == "lines":
            data[f.name] = [line.strip() for line in (value or "").splitlines() if line.strip()]
        elif f.widget == "tags":
            data[f.name] = list(value or [])
        elif f.widget == "slides":
            data[f.name] = [{"kind": row["kind"], "duration": _number(row["duration"]) if str(row["duration"]).strip()
                             else 15, **({"options": row["options"]} if row.get("options") else {})}
                            for row in value or [] if row["kind"]]
        elif f.widget in ("date", "datetime"):
            data[f.name] = (value or "").strip() or None
        elif f.widget in ("number", "password"):
            if (value or "").strip():
                data[f.name] = _number(value) if f.widget == "number" else value
        else:
            data[f.name] = value or ""
    return data


SLIDE_ROWS = 10  # rows the playlist form offers at least (empty ones are dropped)


def slide_rows(slides: list[dict], keep_blank: bool = False) -> list[dict]:
    """A playlist's slides as form rows, padded with empty rows to fill the form. A slide's
    options (which department's standards it shows) ride along unseen, so an edit keeps them."""
    rows = [{"kind": str(s.get("kind") or ""), "duration": s.get("duration", ""),
             "options": {k: v for k, v in (s.get("options") or {}).items() if v is not None}}
            for s in slides if keep_blank or s.get("kind")]
    if not keep_blank:
        rows += [{"kind": "", "duration": "", "options": {}}] * max(SLIDE_ROWS - len(rows), 3)
    return rows


def _options(text: str) -> dict:
    """A slide's options from its hidden form input (JSON); anything unreadable is no options."""
    import json

    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _is_id_choice(f: Field) -> bool:
    """Selects filled from a table carry ids; static ones carry words."""
    return getattr(f.options, "ids", False)


# --- errors ----------------------------------------------------------------------------------

def split_errors(fields: list[Field], exc, extra: tuple = ()) -> tuple[dict[str, list[str]], list[str]]:
    """A domain error as (messages per field of this form, messages for the whole form).

    ``extra`` names inputs the form has besides ``fields`` (a file upload, say)."""
    names = {f.name for f in fields} | set(extra)
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    details = getattr(exc, "details", None) or []
    for item in details:
        name = item.get("field")
        if name in names:
            by_field.setdefault(name, []).append(item["message"])
        else:
            general.append(item["message"])
    if not details:
        general.append(exc.message)
    return by_field, general


ROLE_CHOICES = static(("admin", _l("Administrator")), ("leader", _l("Leader")), ("staff", _l("Staff member")))
# An API token may also be a business system's: prompts in, ratings and rectifications out.
TOKEN_ROLE_CHOICES = static(("admin", _l("Administrator")), ("leader", _l("Leader")), ("staff", _l("Staff member")),
                            ("integration", _l("Integration (business system)")))
