"""Wishes and errands (心愿 / 代办) through the API: a citizen's request (public), reading, taking on and
closing them (members of the department, its leaders, administrators), and the citizen's confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from liangbiping.kiosk.schemas import Token

from ..errors import NotFound
from ..schemas import Contact, Id, In, Out
from ..services.scope import current_viewer
from ..text import Line, Paragraph
from ..wishes import service as wishes
from .framework import endpoint

SIGNED_IN = ("admin", "leader", "staff")
WISH_ID = {"wish_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


class WishIn(In):
    kind: Literal["wish", "errand"] = Field("wish", description="wish 心愿, errand 代办")
    text: Paragraph(1000, min_length=1) = Field(description="what the citizen needs")
    contact: Contact = None
    window_id: Id | None = None
    channel: Literal["kiosk", "web"] = "web"
    kiosk_token: Token | None = Field(None, description="a paired kiosk's token (channel kiosk)")


class WishReceipt(Out):
    id: int
    receipt: str
    kind: str
    state: str
    created_at: datetime


class WishOut(Out):
    id: int
    receipt: str
    kind: str
    text: str
    contact_masked: str | None
    window_id: int | None
    department_id: int | None
    channel: str
    state: str
    staff_id: int | None
    claimed_at: datetime | None
    done_note: str
    done_at: datetime | None
    verdict: str | None
    reopened: int
    created_at: datetime


class WishAction(In):
    action: Literal["claim", "complete"]
    note: Paragraph(2000) = Field("", description="what was done (complete)")


class WishConfirm(In):
    receipt: Line(12, min_length=1)
    verdict: Literal["satisfied", "dissatisfied"]


class WishListQuery(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}

    state: Literal["open", "claimed", "done"] | None = None


@endpoint("/wishes", "POST", summary="Post a wish or ask for an errand", tag="wishes", roles=None, body=WishIn,
          response=WishReceipt, status=201, name="wishes_create", errors=(401,),
          description="Public. The answer's `receipt` opens /w/<receipt>, where the citizen follows it and confirms.")
def create_wish(body):
    from liangbiping.admin.client_address import client_address
    from liangbiping.kiosk.raters import keyed_hash

    return wishes.submit(kind=body.kind, text=body.text, contact=body.contact, window_id=body.window_id,
                         channel=body.channel, kiosk_token=body.kiosk_token,
                         address_hash=keyed_hash("a", client_address()))


@endpoint("/wishes", "GET", summary="List wishes and errands", tag="wishes", roles=SIGNED_IN, query=WishListQuery,
          response=WishOut, paged=True, name="wishes_list",
          description="Members see their department's (and those of no window), leaders their departments'.")
def list_wishes(query):
    items = wishes.listing(current_viewer(), query.state, limit=500)
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/wishes/<int:wish_id>", "GET", summary="Read a wish", tag="wishes", roles=SIGNED_IN, response=WishOut,
          name="wishes_read", path=WISH_ID)
def read_wish(wish_id):
    return wishes.visible(wish_id, current_viewer())


@endpoint("/wishes/<int:wish_id>/transition", "POST", summary="Take a wish on, or record what was done",
          tag="wishes", roles=SIGNED_IN, body=WishAction, response=WishOut, name="wishes_transition", path=WISH_ID,
          errors=(409,), description="claim: a member takes an open wish on; complete: with `note`, closes it.")
def transition_wish(wish_id, body):
    viewer = current_viewer()
    wish = wishes.visible(wish_id, viewer)
    if body.action == "claim":
        return wishes.claim(wish, viewer)
    return wishes.complete(wish, viewer, body.note)


@endpoint("/wishes/confirm", "POST", summary="The citizen confirms a fulfilled wish", tag="wishes", roles=None,
          body=WishConfirm, response=WishReceipt, name="wishes_confirm", errors=(409,),
          description="Public, with the receipt code: satisfied keeps it fulfilled, dissatisfied opens it again.")
def confirm_wish(body):
    wish = wishes.by_receipt(body.receipt)
    if wish is None:
        raise NotFound(_no_receipt())
    return wishes.confirm(wish, body.verdict)


def _no_receipt() -> str:
    from flask_babel import gettext as _

    return _("No wish has this receipt code.")
