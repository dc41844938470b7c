"""Webhooks in the console (administrators): each endpoint's deliveries, failures and backlog; replay."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from ..integration import delivery, webhooks
from ..models.integration import EVENT_TYPES
from . import bp
from .access import roles_required

STATES = {"pending": _l("Waiting (backlog)"), "delivered": _l("Delivered"), "failed": _l("Failed")}
FORMATS = {"standard": _l("Standard (Liangbiping JSON)"), "national": _l("National 好差评 platform")}


@bp.get("/webhooks/")
@roles_required("admin")
def webhooks_list():
    counts = delivery.summary()
    items = [webhooks.endpoint_dict(e, counts.get(e.id, {})) for e in webhooks.listing()]
    return render_template("console/integration/webhooks.html", items=items, events=EVENT_TYPES, formats=FORMATS,
                           form={})


@bp.post("/webhooks/")
@roles_required("admin")
def webhooks_create():
    form = request.form
    values = {"url": form.get("url", "").strip(), "secret": form.get("secret", ""), "name": form.get("name", ""),
              "events": form.getlist("events"), "format": form.get("format", "standard"),
              "send_contact": form.get("send_contact") == "on"}
    try:
        from ..integration.schemas import WebhookIn
        from ..validation import parse

        webhooks.create(parse(WebhookIn, values).model_dump(), g.actor)
    except DomainError as exc:
        flash(exc.message, "error")
        counts = delivery.summary()
        items = [webhooks.endpoint_dict(e, counts.get(e.id, {})) for e in webhooks.listing()]
        return render_template("console/integration/webhooks.html", items=items, events=EVENT_TYPES,
                               formats=FORMATS, form=values), 422
    flash(_("Saved."), "success")
    return redirect(url_for("console.webhooks_list"))


def _endpoint(endpoint_id: int):
    try:
        return webhooks.get(endpoint_id)
    except DomainError:
        abort(404)


@bp.get("/webhooks/<int:endpoint_id>")
@roles_required("admin")
def webhooks_detail(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    state = request.args.get("state") if request.args.get("state") in STATES else None
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100000))
    except ValueError:
        page = 1
    items, total = webhooks.deliveries(endpoint, state=state, page=page, per_page=50)
    return render_template("console/integration/webhook.html", endpoint=webhooks.endpoint_dict(endpoint),
                           items=[webhooks.delivery_dict(d) for d in items], total=total, page=page, state=state,
                           states=STATES, formats=FORMATS)


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
@roles_required("admin")
def webhooks_replay(endpoint_id: int, delivery_id: int):
    try:
        webhooks.replay(_endpoint(endpoint_id), delivery_id, g.actor)
    except DomainError:
        abort(404)
    flash(_("It will be sent again within a few seconds, with the same event id."), "success")
    return redirect(url_for("console.webhooks_detail", endpoint_id=endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>/toggle")
@roles_required("admin")
def webhooks_toggle(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    webhooks.update(endpoint, {"enabled": not endpoint.enabled}, g.actor)
    flash(_("Saved."), "success")
    return redirect(url_for("console.webhooks_detail", endpoint_id=endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>/delete")
@roles_required("admin")
def webhooks_delete(endpoint_id: int):
    webhooks.delete(_endpoint(endpoint_id), g.actor)
    flash(_("Removed."), "success")
    return redirect(url_for("console.webhooks_list"))
