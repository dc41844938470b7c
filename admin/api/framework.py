"""Declaring API endpoints once: auth, parsing, validation, serialisation and their OpenAPI entry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict

from ..errors import DomainError, Forbidden, Invalid, Unauthorized
from ..schemas import query_input
from ..services.accounts import token_for_secret
from ..validation import parse
from . import bp


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    roles: tuple | None
    body: type | None = None
    query: type | None = None
    response: Any = None
    status: int = 200
    name: str = ""
    description: str = ""
    paged: bool = False
    request_content: dict | None = None
    changes: type | None = None        # a PATCH body: some fields of this model, merged, then validated by it
    documented_body: type | None = None  # a JSON body the handler parses itself
    path: dict | None = None           # JSON schemas of the URL's variables, beyond their converter
    produces: str | None = None        # the media type of a 200 that is not JSON (a PNG, a PDF, an XLSX)
    errors: tuple = ()                 # statuses beyond the usual ones (401 of the public intake, 503, ...)
    also: tuple = ()                   # other success statuses with the same answer (a replay's 200)
    extensions: dict | None = None     # x- keys of the operation's entry (rules JSON Schema has no word for)


OPERATIONS: list[Operation] = []


class Query(BaseModel):
    """Query strings: extra parameters are ignored (cache busters and the like)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def authenticate(roles: tuple) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(_("A bearer token is required."))
    token = token_for_secret(secret.strip())
    if token is None:
        raise Unauthorized(_("The token is not valid or has been revoked."))
    g.api_token = token
    g.actor = f"token:{token.id} {token.name}"
    g.role = token.role
    if token.role not in roles:
        raise Forbidden(_("A %(role)s token may not do this.", role=token.role))


def json_body() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON decoder goes: malformed for us
        data = None
    if data is None:
        raise DomainError(_("The body must be a JSON object (Content-Type: application/json)."), code="bad_request")
    if not isinstance(data, dict):
        raise Invalid(_("A JSON object is expected."))
    return data


@bp.after_request
def _challenge(response):
    """A 401 names the scheme it wants (RFC 9110, RFC 6750)."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="liangbiping"')
    return response


def render(response, value, status: int):
    if isinstance(value, tuple):  # (flask response, status) already built
        return value
    if response is None:
        return ("", 204) if value is None else (jsonify(value), status)
    if isinstance(value, dict) and "items" in value and isinstance(value["items"], list):
        item_model = response
        value = dict(value, items=[item_model.model_validate(v).model_dump(mode="json") for v in value["items"]])
        return jsonify(value), status
    return jsonify(response.model_validate(value).model_dump(mode="json")), status


def endpoint(rule: str, method: str, *, summary: str, tag: str, roles: tuple | None,
             body: type | None = None, query: type | None = None, response: Any = None,
             status: int = 200, paged: bool = False, name: str | None = None,
             description: str = "", request_content: dict | None = None, changes: type | None = None,
             documented_body: type | None = None, path: dict | None = None, produces: str | None = None,
             errors: tuple = (), also: tuple = (), extensions: dict | None = None) -> Callable:
    """Register ``fn`` under ``rule`` for ``method``. ``roles=None`` makes it public.

    The handler receives ``body`` (a validated model) and ``query`` when declared, plus the
    URL's variables, and returns a model-able object, a page dict, or None for 204. What the
    handler reads itself is declared for the document: ``changes`` (a PATCH of some fields of that
    model, which the handler merges with the record and validates whole), ``documented_body`` (a
    model it parses itself), ``request_content`` (anything else, such as an image); ``path`` gives
    the URL's variables their schemas, ``produces`` a 200's media type that is not JSON, and
    ``errors`` the statuses the operation answers beyond the usual ones, ``also`` the success
    statuses beyond ``status`` that carry the same answer, ``extensions`` rules for the document
    that JSON Schema cannot state (``x-date-range``).
    """

    def deco(fn):
        op_name = name or fn.__name__

        @wraps(fn)
        def view(**kwargs):
            if roles is not None:
                authenticate(roles)
            if body is not None:
                kwargs["body"] = parse(body, json_body())
            if query is not None:
                kwargs["query"] = parse(query, query_input(query, request.args.to_dict()))
            return render(response, fn(**kwargs), status)

        bp.add_url_rule(rule, endpoint=op_name, view_func=view, methods=[method])
        OPERATIONS.append(Operation(rule, method, summary, tag, roles, body, query, response, status,
                                    op_name, description or (fn.__doc__ or "").strip(), paged, request_content,
                                    changes, documented_body, path, produces, tuple(errors), tuple(also),
                                    extensions))
        return view

    return deco
