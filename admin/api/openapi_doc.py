"""The OpenAPI 3 document, built from the registered endpoints and their pydantic models."""

from __future__ import annotations

import re

from pydantic.json_schema import models_json_schema

from .. import __version__
from ..schemas import Error
from .framework import OPERATIONS, endpoint

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Malformed request", "401": "No token or a bad one", "403": "The token's role may not do this",
    "404": "Not found", "409": "Conflicts with stored records", "422": "Invalid fields",
}


def _path(rule: str) -> tuple[str, list]:
    params = []

    def repl(match):
        conv, name = match.group(1), match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def _query_params(model) -> list:
    schema = model.model_json_schema()
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        prop.pop("title", None)
        out.append({"name": name, "in": "query", "required": name in schema.get("required", []),
                    "schema": prop, **({"description": prop["description"]} if "description" in prop else {})})
    return out


def build() -> dict:
    pairs = {(Error, "serialization")}
    for op in OPERATIONS:
        if op.body is not None:
            pairs.add((op.body, "validation"))
        if op.response is not None:
            pairs.add((op.response, "serialization"))
    refs, top = models_json_schema(sorted(pairs, key=lambda p: (p[0].__name__, p[1])), ref_template=REF)
    schemas = top.get("$defs", {})
    error_ref = refs[(Error, "serialization")]

    paths: dict = {}
    for op in OPERATIONS:
        path, params = _path(op.rule)
        entry = {"operationId": op.name, "summary": op.summary, "tags": [op.tag], "parameters": list(params)}
        if op.description:
            entry["description"] = op.description
        if op.query is not None:
            entry["parameters"] += _query_params(op.query)
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.body, "validation")]}}}
        elif op.request_content:
            entry["requestBody"] = {"required": True, "content": op.request_content}
        if op.roles is None:
            entry["security"] = []
        else:
            entry["x-roles"] = list(op.roles)
        responses = {}
        if op.response is None:
            responses[str(op.status)] = {"description": "Done"}
        else:
            schema = refs[(op.response, "serialization")]
            if op.paged:
                schema = {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": schema}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
            responses[str(op.status)] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        for code, text in ERRORS.items():
            if code in ("401", "403") and op.roles is None:
                continue
            responses[code] = {"description": text, "content": {"application/json": {"schema": error_ref}}}
        entry["responses"] = responses
        paths.setdefault(path, {})[op.method.lower()] = entry

    return {
        "openapi": "3.1.0",
        "info": {"title": "Liangbiping API", "version": __version__,
                 "description": "亮比评 REST API v1. Errors always have the shape {\"error\": {\"code\", \"message\"}}."},
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
