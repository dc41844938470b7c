"""Appeals in the console: a member appeals a rating of theirs; a leader of its department decides."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, Forbidden, NotFound
from ..extensions import db
from ..ledger import appeals, labels
from ..models.rating_terms import reason_label, score_label
from . import bp
from .access import roles_required
from .campaign_common import int_arg, viewer

PER_PAGE = 30


@bp.get("/appeals/")
@roles_required("admin", "leader", "staff")
def appeals_list():
    v = viewer()
    status = request.args.get("status") if request.args.get("status") in labels.APPEAL_STATUSES else None
    page = min(max(int_arg("page") or 1, 1), 100000)
    items, total = appeals.listing(v, status=status, page=page, per_page=PER_PAGE)
    return render_template("console/campaign/appeals.html", items=items, total=total, page=page,
                           pages=max(1, math.ceil(total / PER_PAGE)), labels=labels, viewer=v, status=status,
                           score_label=score_label, reason_label=reason_label,
                           may_decide=lambda a: v.is_leader and a.status == "pending" and
                           v.sees_department(appeals.rating_department(a.rating)))


@bp.post("/appeals/new")
@roles_required("admin", "leader", "staff")
def appeals_new():
    """File an appeal from a member's record page."""
    back = request.form.get("next") or url_for("console.appeals_list")
    if not back.startswith("/admin/"):
        back = url_for("console.appeals_list")
    try:
        appeals.file(request.form.get("rating_id", "")[:36], request.form.get("kind", ""),
                     request.form.get("reason", ""), viewer())
    except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back), 303
    flash(_("Appeal filed: a leader will decide."), "success")
    return redirect(back), 303


@bp.post("/appeals/<int:appeal_id>/decide")
@roles_required("leader")
def appeals_decide(appeal_id: int):
    v = viewer()
    try:
        appeal = appeals.get(appeal_id, v)
    except DomainError:
        abort(404)
    upheld = {"uphold": True, "reject": False}.get(request.form.get("decision", ""))
    if upheld is None:
        flash(_("Choose uphold or reject."), "error")
        return redirect(url_for("console.appeals_list")), 303
    try:
        appeals.decide(appeal, upheld, request.form.get("note", ""), v)
    except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Appeal upheld: the rating no longer counts.") if upheld else _("Appeal rejected."), "success")
    return redirect(url_for("console.appeals_list")), 303
