"""Webhook endpoints: registered by administrators, each with its URL, secret, events and format."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import WebhookDelivery, WebhookEndpoint
from ..models.integration import EVENT_TYPES, FORMATS
from ..services.audit import record
from . import delivery, outbox

FIELDS = ("name", "url", "secret", "events", "format", "enabled", "send_contact")


def check_url(url: str) -> str:
    """http(s) with a host. Addresses on the hall's own network are allowed: that is where its systems are."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.username \
            or parts.password or any(c.isspace() for c in url) or port == 0:
        raise Invalid(_("Give an http:// or https:// address with a host."), field="url")
    return url


def _clean(values: dict) -> dict:
    out = {k: values[k] for k in FIELDS if k in values}
    if "url" in out:
        out["url"] = check_url(out["url"])
    if "events" in out:
        unknown = [e for e in out["events"] if e not in EVENT_TYPES]
        if unknown or not out["events"]:
            raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(EVENT_TYPES)), field="events")
        out["events"] = list(dict.fromkeys(out["events"]))
    if "format" in out and out["format"] not in FORMATS:
        raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(FORMATS)), field="format")
    return out


def get(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) if 0 < endpoint_id < 2**31 else None
    if endpoint is None:
        raise NotFound(_("Webhook %(id)s does not exist.", id=endpoint_id))
    return endpoint


def listing() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def create(values: dict, actor: str) -> WebhookEndpoint:
    data = _clean(values)
    endpoint = WebhookEndpoint(**data)
    db.session.add(endpoint)
    db.session.flush()
    record(actor, "create", "webhook", endpoint.id, summary=endpoint.url[:120],
           changes={"events": [None, endpoint.events]})
    db.session.commit()
    outbox.forget_subscriptions()
    return endpoint


def update(endpoint: WebhookEndpoint, values: dict, actor: str) -> WebhookEndpoint:
    data = _clean(values)
    changes = {}
    for key, value in data.items():
        if getattr(endpoint, key) != value:
            changes[key] = ["***", "***"] if key == "secret" else [getattr(endpoint, key), value]
            setattr(endpoint, key, value)
    if changes:
        record(actor, "update", "webhook", endpoint.id, summary=endpoint.url[:120], changes=changes)
        db.session.commit()
        outbox.forget_subscriptions()
    return endpoint


def delete(endpoint: WebhookEndpoint, actor: str) -> None:
    record(actor, "delete", "webhook", endpoint.id, summary=endpoint.url[:120])
    db.session.delete(endpoint)
    db.session.commit()
    outbox.forget_subscriptions()


def deliveries(endpoint: WebhookEndpoint, *, state: str | None = None, page: int = 1, per_page: int = 50):
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if state:
        stmt = stmt.where(WebhookDelivery.state == state)
    from sqlalchemy import func

    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).offset((page - 1) * per_page)
                               .limit(per_page)).all()
    return items, total


def replay(endpoint: WebhookEndpoint, delivery_id: int, actor: str) -> WebhookDelivery:
    found = db.session.get(WebhookDelivery, delivery_id) if 0 < delivery_id < 2**31 else None
    if found is None or found.endpoint_id != endpoint.id:
        raise NotFound(_("Delivery %(id)s does not exist.", id=delivery_id))
    delivery.replay(found)
    record(actor, "replay", "webhook_delivery", found.id, summary=f"{endpoint.url[:100]} {found.event.id}")
    db.session.commit()
    return found


def delivery_dict(d: WebhookDelivery) -> dict:
    return {"id": d.id, "event_id": d.event.id, "type": d.event.type, "state": d.state, "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at if d.state == "pending" else None,
            "last_attempt_at": d.last_attempt_at, "last_status": d.last_status, "last_error": d.last_error,
            "delivered_at": d.delivered_at, "created_at": d.created_at}


def endpoint_dict(endpoint: WebhookEndpoint, counts: dict | None = None) -> dict:
    counts = counts if counts is not None else delivery.summary().get(endpoint.id, {})
    return {"id": endpoint.id, "name": endpoint.name, "url": endpoint.url, "events": list(endpoint.events or []),
            "format": endpoint.format, "enabled": endpoint.enabled, "send_contact": endpoint.send_contact,
            "created_at": endpoint.created_at, "delivered": counts.get("delivered", 0),
            "backlog": counts.get("pending", 0), "failed": counts.get("failed", 0)}
