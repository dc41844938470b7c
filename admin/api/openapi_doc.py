"""The OpenAPI 3 document, built from the registered endpoints and their pydantic models.

The document says exactly what the validation accepts: the models' own JSON Schema (with the
strict JSON types of ``admin.schemas``), the URL's variables with their ranges, the query
parameters as the query string carries them, and, where JSON Schema has no word for it, an
extension that says it for machines and people alike:

* ``x-text`` (``line`` or ``paragraph``): free text cleaned before it is checked (``admin.text``);
  ``minLength`` and ``maxLength`` count the characters of the cleaned text.
* ``x-order``: pairs of dates or times that must come in order (``admin.schemas.order``).
* ``x-changes-of``: a PATCH body holds some fields of that schema; the record with the changes
  is then validated as a whole against it (its rules across fields included).
* ``x-date-range`` (an operation's): its ``from`` and ``to`` query dates, ``to`` today and ``from``
  the first of ``to``'s month when left out, come in order and at most ``max_days`` apart (fewer
  ``when`` another parameter, its default included, has the value given).
* ``x-required-when`` (an operation's): a query parameter required when others (their defaults
  included) have one of the values given.
"""

from __future__ import annotations

import copy
import re

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from .. import __version__
from .. import text
from ..schemas import Error
from .framework import OPERATIONS, endpoint

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Malformed request (not JSON, or a query string holding a NUL character)",
    "401": "No token or a bad one",
    "403": "The token's role may not do this",
    "404": "Not found",
    "409": "Conflicts with stored records",
    "410": "The QR code has expired or was withdrawn",
    "413": "The request body is too large",
    "422": "Invalid fields",
    "429": "Too many requests: wait as long as Retry-After says",
    "503": "Cannot be made here now (a CJK font is missing)",
}
ID_RANGE = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
BINARY = {"type": "string", "format": "binary"}

DESCRIPTION = """亮比评 REST API v1.

Errors always have the shape {"error": {"code", "message"[, "details"]}}; `details` lists
{"field", "message"} per refused field.

What is checked, and how:
- JSON bodies are objects; unknown fields are refused. Numbers, booleans and strings are JSON's
  own: `true` is not a number, `"5"` is not an integer, `0` is not a date.
- Strings are trimmed of white space before they are checked. No string may hold the NUL
  character U+0000 (a query string holding one is a 400, a JSON body a 422).
- Free text (`x-text: line` or `paragraph`) is cleaned before it is checked: control characters,
  invisible formatting characters and byte-order marks go, text is NFC-normalised, a line's
  breaks become spaces and its runs of spaces one; `minLength` and `maxLength` count the cleaned
  text. A name of nothing but such characters is empty.
- Query strings carry an integer as decimal digits (at most 20, with a leading minus sign for a
  negative one) and a boolean as `true` or `false`.
- `x-order` names pairs of dates or times that must come in order (`may_equal`: the same value is
  allowed). Times without an offset are read in the hall's time zone.
- A PATCH body (`x-changes-of`) holds only the fields to change; the record with these changes is
  then validated as a whole, rules across fields included.
- `x-date-range`: `from` and `to` (to: today, from: the first of to's month, when left out; in the
  hall's time zone) must come in order, at most `max_days` apart (and, for each of `limits`, at most
  its `max_days` when its `when` parameters have those values, defaults included).
- `x-required-when`: a query parameter that is required when other parameters (their defaults
  included) have one of the values listed.
- Ids of other records must name records that exist (else 422 naming the field)."""


class _Generator(GenerateJsonSchema):
    """pydantic's JSON Schema, with the free-text fields marked (``x-text``)."""

    TEXT_KINDS = {text._line_or_as_is: "line", text._paragraph_or_as_is: "paragraph"}  # the cleaning validators

    def function_before_schema(self, schema):
        out = super().function_before_schema(schema)
        kind = self.TEXT_KINDS.get(schema["function"]["function"])
        if kind and isinstance(out, dict) and "$ref" not in out:
            out = dict(out, **{"x-text": kind})
        return out


def _path(rule: str, declared: dict | None) -> tuple[str, list]:
    params = []

    def repl(match):
        conv, name = match.group(1), match.group(2)
        schema = (declared or {}).get(name) or (dict(ID_RANGE) if conv == "int" else {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def _not_null(prop: dict) -> dict:
    """A query parameter's schema: a query string cannot say null, it leaves the parameter out."""
    prop = {k: v for k, v in prop.items() if k not in ("title",) and not (k == "default" and v is None)}
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    if "anyOf" in prop and len(branches) == 1:
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        prop = {**branches[0], **rest}
    elif "anyOf" in prop:
        prop["anyOf"] = branches
    return prop


def _query_params(model) -> list:
    schema = model.model_json_schema(mode="validation", schema_generator=_Generator, ref_template=REF)
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _not_null(prop)
        param = {"name": name, "in": "query", "required": name in schema.get("required", []), "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        out.append(param)
    return out


def _changes(schema: dict, name: str) -> dict:
    """The body of a PATCH: any of the model's fields, none required, no defaults, the rules
    across fields left to the merged record."""
    out = {"type": "object", "additionalProperties": False, "x-changes-of": name,
           "description": f"Only the fields to change; the record with these changes must be a valid {name}.",
           "properties": {}}
    for key, prop in schema.get("properties", {}).items():
        out["properties"][key] = {k: v for k, v in prop.items() if k != "default"}
    return out


def _error_codes(op) -> list[str]:
    codes = {"400", "404", "409", "422", "429"}
    if op.roles is not None:
        codes |= {"401", "403"}
    if op.body is not None or op.changes is not None or op.documented_body is not None or op.request_content:
        codes.add("413")
    codes |= {str(c) for c in op.errors}
    return sorted(codes)


def build() -> dict:
    pairs = {(Error, "serialization")}
    for op in OPERATIONS:
        for model in (op.body, op.changes, op.documented_body):
            if model is not None:
                pairs.add((model, "validation"))
        if op.response is not None:
            pairs.add((op.response, "serialization"))
    refs, top = models_json_schema(sorted(pairs, key=lambda p: (p[0].__name__, p[1])), ref_template=REF,
                                   schema_generator=_Generator)
    schemas = top.get("$defs", {})
    error_ref = refs[(Error, "serialization")]

    paths: dict = {}
    for op in OPERATIONS:
        path, params = _path(op.rule, op.path)
        entry = {"operationId": op.name, "summary": op.summary, "tags": [op.tag], "parameters": list(params)}
        if op.description:
            entry["description"] = op.description
        entry.update(op.extensions or {})
        if op.query is not None:
            entry["parameters"] += _query_params(op.query)
        if op.body is not None or op.documented_body is not None:
            model = op.body or op.documented_body
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(model, "validation")]}}}
        elif op.changes is not None:
            name = refs[(op.changes, "validation")]["$ref"].rsplit("/", 1)[1]
            changes = f"{op.changes.__name__}Changes"
            schemas.setdefault(changes, _changes(schemas[name], name))
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": {"$ref": REF.format(model=changes)}}}}
        elif op.request_content:
            entry["requestBody"] = {"required": True, "content": copy.deepcopy(op.request_content)}
        if op.roles is None:
            entry["security"] = []
        else:
            entry["x-roles"] = list(op.roles)
        responses = {}
        if op.produces:
            responses[str(op.status)] = {"description": "OK", "content": {op.produces: {"schema": BINARY}}}
        elif op.response is None:
            responses[str(op.status)] = {"description": "Done"}
        else:
            schema = refs[(op.response, "serialization")]
            if op.paged:
                schema = {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": schema}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
            responses[str(op.status)] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        for code in op.also:
            responses[str(code)] = dict(responses[str(op.status)], description="OK, as before")
        for code in _error_codes(op):
            responses[code] = {"description": ERRORS[code], "content": {"application/json": {"schema": error_ref}}}
            if code == "429":
                responses[code]["headers"] = {"Retry-After": {"description": "seconds to wait",
                                                              "schema": {"type": "integer"}}}
            if code == "401" and op.roles is not None:
                responses[code]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        entry["responses"] = responses
        paths.setdefault(path, {})[op.method.lower()] = entry

    return {
        "openapi": "3.1.0",
        "info": {"title": "Liangbiping API", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": {"/api/v1" + p: v for p, v in sorted(paths.items())},
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }


_cached: dict | None = None


@endpoint("/openapi.json", "GET", summary="This OpenAPI document", tag="meta", roles=None, name="openapi_json")
def openapi_json():
    """The document lists itself too: every /api/v1 route is in it."""
    global _cached
    if _cached is None:
        _cached = build()
    return _cached
