"""Webhook endpoints (administrators): events for the hall's other systems, and their deliveries."""

from __future__ import annotations

from flask import g

from ..integration import delivery, webhooks
from ..integration.schemas import DeliveryOut, DeliveryQuery, WebhookIn, WebhookOut, WebhookPatch
from .framework import endpoint, json_body

ADMIN = ("admin",)


@endpoint("/webhooks", "GET", summary="List webhook endpoints", tag="webhooks", roles=ADMIN, response=WebhookOut,
          paged=True, name="webhooks_list",
          description="Each with its counts: delivered, `backlog` (pending) and failed deliveries.")
def list_webhooks():
    counts = delivery.summary()
    items = [webhooks.endpoint_dict(e, counts.get(e.id, {})) for e in webhooks.listing()]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/webhooks", "POST", summary="Register a webhook endpoint", tag="webhooks", roles=ADMIN, body=WebhookIn,
          response=WebhookOut, status=201, name="webhooks_create",
          description="Addresses on the hall's own network (private and loopback) are allowed. Each event is one "
                      "signed POST (docs/INTEGRATION.md); events of changes committed from now on are delivered.")
def create_webhook(body):
    return webhooks.endpoint_dict(webhooks.create(body.model_dump(), g.actor))


@endpoint("/webhooks/<int:endpoint_id>", "GET", summary="Read a webhook endpoint", tag="webhooks", roles=ADMIN,
          response=WebhookOut, name="webhooks_read")
def read_webhook(endpoint_id):
    return webhooks.endpoint_dict(webhooks.get(endpoint_id))


@endpoint("/webhooks/<int:endpoint_id>", "PATCH", summary="Change a webhook endpoint", tag="webhooks", roles=ADMIN,
          response=WebhookOut, name="webhooks_update", documented_body=WebhookPatch)
def update_webhook(endpoint_id):
    from ..validation import parse

    found = webhooks.get(endpoint_id)
    values = {k: v for k, v in parse(WebhookPatch, json_body()).model_dump(exclude_unset=True).items() if v is not None}
    return webhooks.endpoint_dict(webhooks.update(found, values, g.actor))


@endpoint("/webhooks/<int:endpoint_id>", "DELETE", summary="Remove a webhook endpoint", tag="webhooks", roles=ADMIN,
          status=204, name="webhooks_delete")
def delete_webhook(endpoint_id):
    webhooks.delete(webhooks.get(endpoint_id), g.actor)
    return None


@endpoint("/webhooks/<int:endpoint_id>/deliveries", "GET", summary="List an endpoint's deliveries", tag="webhooks",
          roles=ADMIN, query=DeliveryQuery, response=DeliveryOut, paged=True, name="webhooks_deliveries",
          description="Newest first; `state=pending` is the backlog, `failed` those that ran out of tries.")
def list_deliveries(endpoint_id, query):
    items, total = webhooks.deliveries(webhooks.get(endpoint_id), state=query.state, page=query.page,
                                       per_page=query.per_page)
    return {"items": [webhooks.delivery_dict(d) for d in items], "total": total, "page": query.page,
            "per_page": query.per_page}


@endpoint("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", "POST",
          summary="Send a delivery again, now", tag="webhooks", roles=ADMIN, response=DeliveryOut,
          name="webhooks_replay", description="The same event id: the receiver's idempotency key.")
def replay_delivery(endpoint_id, delivery_id):
    return webhooks.delivery_dict(webhooks.replay(webhooks.get(endpoint_id), delivery_id, g.actor))
