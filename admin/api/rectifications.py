"""The rectification ledger (整改台账) through the API: the collection, transitions, the XLSX export."""

from __future__ import annotations

from flask import Response

from ..campaign.schemas import (ExportQuery, RectificationIn, RectificationListQuery, RectificationOut,
                                RectificationPatch, TransitionIn)
from ..services.scope import viewer_for_token
from ..ledger import service
from .framework import endpoint, json_body
from .stats import DATE_RANGE

MANAGERS = ("admin", "leader")
READERS = MANAGERS + ("integration",)  # a business system or the platform follows the ledger
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@endpoint("/rectifications", "GET", summary="List ledger entries", tag="rectifications", roles=READERS,
          query=RectificationListQuery, response=RectificationOut, paged=True, name="rectifications_list",
          description="Newest first. `rating_id=` or `suggestion_id=` finds the entry a rating or a complaint opened. "
                      "`state=active` means open, verified or rectifying.")
def list_entries(query):
    items, total = service.listing(
        viewer_for_token(), state=query.state, overdue=query.overdue, source=query.source,
        department_id=query.department_id, staff_id=query.staff_id, rating_id=query.rating_id,
        suggestion_id=query.suggestion_id, q=query.q, page=query.page, per_page=query.per_page)
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


@endpoint("/rectifications", "POST", summary="Open a ledger entry by hand, or take a work order from outside",
          tag="rectifications", roles=MANAGERS, body=RectificationIn, response=RectificationOut, status=201,
          name="rectifications_create", also=(200,),
          description="The default deadline is 5 working days (Chinese calendar); the 四明确 may be given now or later. "
                      "A work order from outside (12345 hotline, the 好差评 platform) names `external_source` and "
                      "`external_id`: the same pair again updates that entry and answers 200 instead of adding one "
                      "(a closed entry: 409 `entry_closed`).")
def create_entry(body):
    values = body.model_dump(exclude_unset=True)
    if body.external_id is None:
        return service.create(values, viewer_for_token())
    from flask import jsonify

    from ..integration import workorders

    entry, created = workorders.receive(values, viewer_for_token())
    return jsonify(RectificationOut.model_validate(entry).model_dump(mode="json")), 201 if created else 200


@endpoint("/rectifications/<int:entry_id>", "GET", summary="Read a ledger entry", tag="rectifications",
          roles=READERS, response=RectificationOut, name="rectifications_read")
def read_entry(entry_id):
    return service.get(entry_id, viewer_for_token())


@endpoint("/rectifications/<int:entry_id>", "PATCH", summary="Change a ledger entry's problem or 四明确",
          tag="rectifications", roles=MANAGERS, response=RectificationOut, name="rectifications_update",
          documented_body=RectificationPatch,
          description="Fields: problem, measure (what to fix), deadline, leader_id (responsible leader, a leader "
                      "account), responsible_id (responsible member), staff_id, window_id. A closed entry: 409.")
def update_entry(entry_id):
    from ..validation import parse

    viewer = viewer_for_token()
    entry = service.get(entry_id, viewer)
    body = parse(RectificationPatch, json_body())
    return service.update(entry, body.model_dump(exclude_unset=True), viewer)


@endpoint("/rectifications/<int:entry_id>", "DELETE", summary="Remove a ledger entry", tag="rectifications",
          roles=("admin",), status=204, name="rectifications_delete")
def delete_entry(entry_id):
    viewer = viewer_for_token()
    service.delete(service.get(entry_id, viewer), viewer)
    return None


@endpoint("/rectifications/<int:entry_id>/transition", "POST", summary="Move a ledger entry to its next state",
          tag="rectifications", roles=MANAGERS, body=TransitionIn, response=RectificationOut,
          name="rectifications_transition",
          description="`verify` needs the 四明确; `dismiss` (a leader only) needs `reason`; `complete` needs "
                      "`evidence`; `revisit` needs `verdict` (dissatisfied reopens the entry). A step that is not "
                      "possible from the current state: 409 `illegal_transition`.")
def transition_entry(entry_id, body):
    viewer = viewer_for_token()
    entry = service.get(entry_id, viewer)
    return service.transition(entry, body.action, viewer, reason=body.reason, evidence=body.evidence,
                              verdict=body.verdict, note=body.note)


@endpoint("/rectifications/export.xlsx", "GET", summary="The ledger as XLSX with the 四明确 columns",
          tag="rectifications", roles=MANAGERS, query=ExportQuery, name="rectifications_export", produces=XLSX,
          extensions=DATE_RANGE)
def export_entries(query):
    from ..ledger.export import ledger_xlsx
    from .stats import date_range

    start, end = (date_range(query.date_from, query.date_to) if (query.date_from or query.date_to) else (None, None))
    data = ledger_xlsx(viewer_for_token(), state=query.state, opened_from=start, opened_to=end)
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="rectifications.xlsx"'
    return response, 200
