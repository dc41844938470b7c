"""Console users, API tokens and the audit log, for administrators."""

from __future__ import annotations

from typing import Optional

from flask import g
from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import func, select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import ApiToken, AuditEntry, User
from ..schemas import AuditOut, Int, NewUserIn, TokenCreated, TokenIn, TokenOut, UserIn, UserOut
from ..services import accounts
from .framework import Query, endpoint

ADMIN = ("admin",)


class PageQuery(Query):
    page: Int = Field(1, ge=1, le=100000)
    per_page: Int = Field(50, ge=1, le=200)


class AuditQuery(PageQuery):
    entity: Optional[str] = Field(None, max_length=32)
    entity_id: Optional[str] = Field(None, max_length=64)
    action: Optional[str] = Field(None, max_length=32)


def _page(stmt, query):
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id) if user_id < 2**31 else None
    if user is None:
        raise NotFound(_("No such user."))
    return user


@endpoint("/users", "GET", summary="List console users", tag="users", roles=ADMIN, query=PageQuery,
          response=UserOut, paged=True)
def users_list(query):
    return _page(select(User).order_by(User.id), query)


@endpoint("/users", "POST", summary="Create a console user", tag="users", roles=ADMIN, body=NewUserIn,
          response=UserOut, status=201)
def users_create(body):
    return accounts.save_user(body.model_dump(exclude_unset=True), g.actor)  # unset: the service's defaults


@endpoint("/users/<int:user_id>", "GET", summary="Read a console user", tag="users", roles=ADMIN, response=UserOut)
def users_read(user_id):
    return _user(user_id)


@endpoint("/users/<int:user_id>", "PATCH", summary="Change a console user", tag="users", roles=ADMIN,
          response=UserOut, changes=UserIn)
def users_update(user_id):
    from ..validation import parse
    from .framework import json_body

    user = _user(user_id)
    patch = json_body()
    merged = {"username": user.username, "display_name": user.display_name, "role": user.role,
              "staff_id": user.staff_id, "active": user.active, **patch}
    data = parse(UserIn, merged).model_dump()
    if not patch.get("password"):
        data.pop("password", None)
    return accounts.save_user(data, g.actor, user)


@endpoint("/users/<int:user_id>", "DELETE", summary="Remove a console user", tag="users", roles=ADMIN, status=204)
def users_delete(user_id):
    accounts.delete_user(_user(user_id), g.actor)


@endpoint("/tokens", "GET", summary="List API tokens", tag="tokens", roles=ADMIN, query=PageQuery,
          response=TokenOut, paged=True)
def tokens_list(query):
    return _page(select(ApiToken).order_by(ApiToken.id), query)


@endpoint("/tokens", "POST", summary="Create an API token", tag="tokens", roles=ADMIN, body=TokenIn,
          response=TokenCreated, status=201)
def tokens_create(body):
    """The secret is in the answer this once; only its hash is stored."""
    user = db.session.get(User, body.user_id) if body.user_id else None
    if body.user_id and user is None:
        raise Invalid(_("No such user."), field="user_id")
    token, secret = accounts.create_token(body.name, body.role, g.actor, user=user)
    token.token = secret
    return token


@endpoint("/tokens/<int:token_id>", "DELETE", summary="Revoke an API token", tag="tokens", roles=ADMIN, status=204)
def tokens_revoke(token_id):
    accounts.revoke_token(token_id if token_id < 2**31 else 0, g.actor)


@endpoint("/audit", "GET", summary="Read the audit log, newest first", tag="audit", roles=ADMIN, query=AuditQuery,
          response=AuditOut, paged=True)
def audit_list(query):
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    for key in ("entity", "entity_id", "action"):
        if getattr(query, key):
            stmt = stmt.where(getattr(AuditEntry, key) == getattr(query, key))
    return _page(stmt, query)
