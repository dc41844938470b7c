"""Declaring API endpoints once: auth, parsing, validation, serialisation and their OpenAPI entry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict

from ..errors import DomainError, Forbidden, Invalid, Unauthorized
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
             description: str = "", request_content: dict | None = None) -> Callable:
    """Register ``fn`` under ``rule`` for ``method``. ``roles=None`` makes it public.

    The handler receives ``body`` (a validated model) and ``query`` when declared, plus the
    URL's variables, and returns a model-able object, a page dict, or None for 204.
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
                kwargs["query"] = parse(query, request.args.to_dict())
            return render(response, fn(**kwargs), status)

        bp.add_url_rule(rule, endpoint=op_name, view_func=view, methods=[method])
        OPERATIONS.append(Operation(rule, method, summary, tag, roles, body, query, response, status,
                                    op_name, description or (fn.__doc__ or "").strip(), paged, request_content))
        return view

    return deco
