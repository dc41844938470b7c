"""Other systems: webhook endpoints, the transactional outbox of events, and each delivery attempt's state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import Timestamps
from .types import UTCDateTime, utcnow

EVENT_TYPES = ("rating.created", "rectification.changed", "suggestion.created", "prompt.expired", "survey.answered")
FORMATS = ("standard", "national")
DELIVERY_STATES = ("pending", "delivered", "failed")


class WebhookEndpoint(Timestamps, db.Model):
    """A URL on the hall's network (or beyond) that receives events, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    url: Mapped[str] = mapped_column(String(500))
    # Kept as given: the receiver needs the same secret to check the signature.
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON, default=list)
    format: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The national format sends the citizen's phone (评价人联系方式) only where the platform requires it.
    send_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class OutboxEvent(db.Model):
    """One event, written in the transaction of the change that causes it; ``fanned_out`` once a
    delivery row exists for every endpoint that wanted it."""

    __tablename__ = "outbox_events"

    seq: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    # Events with the same key reach each endpoint in the order they were written (a rectification's steps).
    order_key: Mapped[str | None] = mapped_column(String(48))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    __table_args__ = (Index("ix_outbox_events_fanned_out_seq", "fanned_out", "seq"),)


class WebhookDelivery(db.Model):
    """One event for one endpoint: pending until a 2xx, retried with backoff, failed after the last try."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_seq: Mapped[int] = mapped_column(ForeignKey("outbox_events.seq", ondelete="CASCADE"), index=True)
    order_key: Mapped[str | None] = mapped_column(String(48))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[OutboxEvent] = relationship()

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_seq", name="uq_webhook_deliveries_endpoint_id"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_state", "endpoint_id", "state"),
    )
