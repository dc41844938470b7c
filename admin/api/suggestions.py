"""The suggestion box through the API: public submission; reading, replying and closing for managers."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func, select

from liangbiping.kiosk import suggestions as box
from liangbiping.kiosk.schemas import SuggestionIn, SuggestionListQuery, SuggestionOut, SuggestionPatch, SuggestionReceipt

from ..errors import NotFound
from ..extensions import db
from ..models import Suggestion
from ..services.audit import record
from ..services.scope import current_viewer
from .framework import endpoint

MANAGERS = ("admin", "leader")


def _get(suggestion_id: int) -> Suggestion:
    item = db.session.get(Suggestion, suggestion_id) if 0 < suggestion_id < 2**31 else None
    if item is None or not current_viewer().sees_subject(item.window_id, item.staff_id):
        raise NotFound(_("Suggestion %(id)s does not exist.", id=suggestion_id))
    return item


@endpoint("/suggestions", "POST", summary="Put a suggestion in the box", tag="suggestions", roles=None,
          body=SuggestionIn, response=SuggestionReceipt, status=201, name="suggestions_create",
          description="Public, with a kiosk_token or qr_token. The answer's `receipt` opens /s/<receipt>.")
def create_suggestion(body):
    return box.submit(body)


@endpoint("/suggestions", "GET", summary="List suggestions", tag="suggestions", roles=MANAGERS,
          query=SuggestionListQuery, response=SuggestionOut, paged=True, name="suggestions_list")
def list_suggestions(query):
    where = box.scoped_filters(query, current_viewer())
    total = db.session.scalar(select(func.count()).select_from(Suggestion).where(*where))
    items = db.session.scalars(select(Suggestion).where(*where).order_by(Suggestion.id.desc())
                               .offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


@endpoint("/suggestions/<int:suggestion_id>", "GET", summary="Read a suggestion", tag="suggestions",
          roles=MANAGERS, response=SuggestionOut, name="suggestions_read")
def read_suggestion(suggestion_id):
    return _get(suggestion_id)


@endpoint("/suggestions/<int:suggestion_id>", "PATCH", summary="Reply to or close a suggestion", tag="suggestions",
          roles=MANAGERS, body=SuggestionPatch, response=SuggestionOut, name="suggestions_update",
          description="`reply` sets the answer the citizen sees at /s/<receipt>; `status` handled closes it.")
def update_suggestion(suggestion_id, body):
    item = _get(suggestion_id)
    if body.reply is not None:
        box.reply(item, body.reply, g.actor)
    if body.status is not None:
        box.set_status(item, body.status, g.actor)
    return item


@endpoint("/suggestions/<int:suggestion_id>", "DELETE", summary="Remove a suggestion", tag="suggestions",
          roles=("admin",), status=204, name="suggestions_delete")
def delete_suggestion(suggestion_id):
    item = _get(suggestion_id)
    record(g.actor, "delete", "suggestion", item.id, summary=item.receipt)
    db.session.delete(item)
    db.session.commit()
    return None
