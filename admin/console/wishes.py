"""Wishes and errands in the console: the open ones of the member's department to take on, what they
took on to close with what they did, and every wish a leader's departments hold."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, NotFound
from ..extensions import db
from ..wishes import service as wishes
from . import bp
from .access import roles_required
from .campaign_common import viewer

ALL = ("admin", "leader", "staff")


def state_labels() -> dict:
    return {"open": _("Waiting for a member"), "claimed": _("A member is on it"), "done": _("Done")}


@bp.get("/wishes/")
@roles_required(*ALL)
def wishes_list():
    v = viewer()
    state = request.args.get("state") if request.args.get("state") in ("open", "claimed", "done") else None
    return render_template("console/wishes/list.html", items=wishes.listing(v, state), viewer=v, state=state,
                           states=state_labels())


def _act(wish_id: int, fn):
    v = viewer()
    try:
        wish = wishes.visible(wish_id, v)
    except NotFound:
        abort(404)
    try:
        fn(wish, v)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("console.wishes_list")), 303


@bp.post("/wishes/<int:wish_id>/claim")
@roles_required(*ALL)
def wishes_claim(wish_id: int):
    return _act(wish_id, wishes.claim)


@bp.post("/wishes/<int:wish_id>/done")
@roles_required(*ALL)
def wishes_done(wish_id: int):
    return _act(wish_id, lambda wish, v: wishes.complete(wish, v, request.form.get("note", "")))
