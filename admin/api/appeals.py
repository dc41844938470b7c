"""Appeals against ratings through the API: filing on a member's behalf, and a leader's decision."""

from __future__ import annotations

from ..campaign.schemas import AppealDecision, AppealIn, AppealListQuery, AppealOut
from ..services.scope import viewer_for_token
from ..ledger import appeals
from .framework import endpoint

MANAGERS = ("admin", "leader")


@endpoint("/appeals", "GET", summary="List appeals", tag="appeals", roles=MANAGERS, query=AppealListQuery,
          response=AppealOut, paged=True, name="appeals_list", description="Pending ones first.")
def list_appeals(query):
    items, total = appeals.listing(viewer_for_token(), status=query.status, staff_id=query.staff_id,
                                   page=query.page, per_page=query.per_page)
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


@endpoint("/appeals", "POST", summary="Appeal a rating as mistaken or malicious", tag="appeals", roles=MANAGERS,
          body=AppealIn, response=AppealOut, status=201, name="appeals_create",
          description="On behalf of the rated member (members appeal in the console). One appeal per rating; "
                      "a flagged rating: 409.")
def create_appeal(body):
    return appeals.file(body.rating_id, body.kind, body.reason, viewer_for_token())


@endpoint("/appeals/<int:appeal_id>", "GET", summary="Read an appeal", tag="appeals", roles=MANAGERS,
          response=AppealOut, name="appeals_read")
def read_appeal(appeal_id):
    return appeals.get(appeal_id, viewer_for_token())


@endpoint("/appeals/<int:appeal_id>/decision", "POST", summary="Decide an appeal (a leader)", tag="appeals",
          roles=("leader",), body=AppealDecision, response=AppealOut, name="appeals_decide",
          description="Upheld: the rating leaves the statistics (it stays on record) and its open ledger entries "
                      "are dismissed. Deciding twice: 409.")
def decide_appeal(appeal_id, body):
    viewer = viewer_for_token()
    return appeals.decide(appeals.get(appeal_id, viewer), body.upheld, body.note, viewer)
