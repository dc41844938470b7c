"""Turning pydantic's errors into field messages a hall administrator can read, in their language."""

from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from .errors import Invalid


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.", n=ctx.get("max_length"))
    if kind == "too_long":
        return _("At most %(n)s entries.", n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return _("Only letters, digits and - _ are allowed.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("A whole number is needed.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(n)s.", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(n)s.", n=ctx.get("le", ctx.get("lt")))
    if kind in ("bool_parsing", "bool_type"):
        return _("Must be true or false.")
    if kind.startswith("date_") or kind == "date_type":
        return _("A date like 2026-01-31 is needed.")
    if kind.startswith("datetime_") or kind == "datetime_type":
        return _("A time like 2026-01-31T09:00 is needed.")
    if kind in ("string_type", "string_unicode", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("Wrong kind of value.")
    if kind == "literal_error":
        return _("Must be one of: %(choices)s", choices=ctx.get("expected", ""))
    if kind == "value_error":
        text = str(ctx.get("error"))
        return _custom_messages().get(text, text)
    return err.get("msg", _("Invalid value."))


def _custom_messages() -> dict[str, str]:
    """Messages raised inside the schemas' own validators, translated at the time of the request."""
    return {
        "period_end is before period_start": _("The period ends before it starts."),
        "an honor goes to exactly one member or one window": _("An honor goes to exactly one member or one window."),
        "ends_at must be after starts_at": _("The end must be after the start."),
        "a window screen needs window_id": _("A window screen needs a window."),
        "a schedule applies to exactly one screen or one group": _("A schedule applies to exactly one screen or one group."),
    }


def field_errors(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or None
        out.append({"field": field, "message": _message(err)})
    return out


def _nul_field(data: dict) -> str | None:
    """Where the first text holding a NUL character is (no database stores one): the field, or
    "" when it is a field name itself; None when there is none.

    Iterative, so JSON nested as deep as the decoder allows cannot exhaust the stack.
    """
    stack: list = [("", data)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return field
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in str(key):
                    return field
                stack.append((f"{field}.{key}" if field else str(key), item))
        elif isinstance(value, list):
            stack.extend((field, item) for item in value)
    return None


def parse(schema: type[BaseModel], data) -> BaseModel:
    """Validate ``data`` against ``schema`` or raise ``Invalid`` with one entry per bad field."""
    if not isinstance(data, dict):
        raise Invalid(_("A JSON object is expected."))
    bad = _nul_field(data)
    if bad is not None:
        raise Invalid(_("Text may not contain NUL characters."), field=bad or None)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        details = field_errors(exc)
        first = details[0]
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        raise Invalid(message, details=details) from None
