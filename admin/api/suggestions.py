"""The suggestion box through the API: public submission; reading, replying and closing for managers."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from liangbiping.kiosk import suggestions as box
from liangbiping.kiosk.schemas import SuggestionIn, SuggestionListQuery, SuggestionOut, SuggestionPatch, SuggestionReceipt

from ..errors import NotFound
from ..models import Suggestion
from ..services.scope import current_viewer
from .framework import endpoint

MANAGERS = ("admin", "leader")


def _get(suggestion_id: int) -> Suggestion:
    item = box.visible(suggestion_id, current_viewer())
    if item is None:
        raise NotFound(_("Suggestion %(id)s does not exist.", id=suggestion_id))
    return item


@endpoint("/suggestions", "POST", summary="Put a suggestion in the box", tag="suggestions", roles=None,
          body=SuggestionIn, response=SuggestionReceipt, status=201, name="suggestions_create", errors=(401, 410),
          description="Public, with a kiosk_token or qr_token. The answer's `receipt` opens /s/<receipt>.")
def create_suggestion(body):
    return box.submit(body)


@endpoint("/suggestions", "GET", summary="List suggestions", tag="suggestions", roles=MANAGERS,
          query=SuggestionListQuery, response=SuggestionOut, paged=True, name="suggestions_list")
def list_suggestions(query):
    items, total = box.listing(query, current_viewer())
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
    box.delete(_get(suggestion_id), g.actor)
    return None
