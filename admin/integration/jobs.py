"""The integration's scheduled work: deliver the outbox every second, expire unanswered prompts."""

from __future__ import annotations

from sqlalchemy import exists, select

from ..extensions import db
from ..models import OutboxEvent, WebhookDelivery

DELIVER_EVERY = 1.0   # seconds between rounds: an event leaves about a second after its commit
EXPIRE_EVERY = 15.0


def deliver() -> None:
    from . import delivery

    # A hall without endpoints pays one indexed read a second.
    if db.session.scalar(select(exists().where(OutboxEvent.fanned_out.is_(False)))) or \
            db.session.scalar(select(exists().where(WebhookDelivery.state == "pending"))):
        delivery.run_until_idle(rounds=20)
    db.session.remove()


def expire_prompts() -> None:
    from .prompts import expire_due

    expire_due()
    db.session.remove()


def register(app, scheduler, in_app) -> None:
    scheduler.add_job(in_app(app, deliver), "interval", seconds=DELIVER_EVERY, id="webhooks_deliver",
                      coalesce=True, max_instances=1, misfire_grace_time=60)
    scheduler.add_job(in_app(app, expire_prompts), "interval", seconds=EXPIRE_EVERY, id="prompts_expire",
                      coalesce=True, max_instances=1, misfire_grace_time=60)
