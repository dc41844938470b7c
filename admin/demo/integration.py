"""The demo hall's share of the hall's other systems (issue 13): prompts a business system started
for finished cases — one rated through its QR code, one that ran out unanswered, one open at window
C01, whose screen shows its QR code — and the province's 好差评 platform as a webhook endpoint with
a few deliveries recorded. The endpoint is disabled and points at this machine: the demo never
reaches the network, and nothing is queued for it. Kept small: seeding stays fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..integration import outbox, webhooks
from ..models import OutboxEvent, Rating, RatingPrompt, Staff, Window, WebhookDelivery
from ..services.audit import record

ACTOR = "demo"
CALLER = "token:省一体化政务服务平台（演示）"
OPEN_FOR = timedelta(hours=24)  # the longest a caller may give (expires_in): the demo's screen keeps its code a day


def seed(now: datetime) -> None:
    rated = _rated_prompt()
    _expired_prompt(rated)
    _open_prompt(now)
    _platform(now, rated)


def _prompt(staff: Staff, case_no: str, item: str, code: str, created: datetime, lifetime: timedelta,
            **ended) -> RatingPrompt:
    prompt = RatingPrompt(staff_id=staff.id, window_id=staff.window_id, case_no=case_no, service_item=item,
                          service_code=code, created_by=CALLER, created_at=created, expires_at=created + lifetime,
                          **ended)
    db.session.add(prompt)
    db.session.flush()
    record(ACTOR, "create", "rating_prompt", prompt.id, summary=f"{staff.name} {case_no}")
    return prompt


def _rated_prompt() -> RatingPrompt | None:
    """The newest good phone rating at window B01 becomes the answer to a prompt for its case (the
    rating stays as seeded: its time, score and member; it now carries the case and service item)."""
    rating = db.session.scalar(
        select(Rating).join(Window, Window.id == Rating.window_id)
        .where(Window.number == "B01", Rating.channel == "qr", Rating.score >= 4, Rating.flagged.is_(None))
        .order_by(Rating.rated_at.desc()).limit(1))
    if rating is None:
        return None
    staff = db.session.get(Staff, rating.staff_id)
    prompt = _prompt(staff, "SB-2026-004217", "社会保障卡申领与补换", "SB-KA-003", rating.rated_at - timedelta(minutes=3),
                     timedelta(minutes=10), used_at=rating.rated_at)
    db.session.execute(update(Rating).where(Rating.id == rating.id).values(prompt_id=prompt.id, prompted=True))
    return prompt


def _expired_prompt(rated: RatingPrompt | None) -> None:
    """A citizen who left without rating: the prompt ran out and was recorded as not rated."""
    staff = db.session.scalar(select(Staff).join(Window, Window.id == Staff.window_id).where(Window.number == "B03")
                              .order_by(Staff.sort_order).limit(1))
    if staff is None or rated is None:
        return
    created = rated.created_at - timedelta(minutes=40)
    _prompt(staff, "YB-2026-001583", "异地就医备案", "YB-BA-001", created, timedelta(minutes=10),
            expired_at=created + timedelta(minutes=10, seconds=9))


def _open_prompt(now: datetime) -> None:
    """A case just finished at C01: the window's screen and kiosk show it until someone rates it."""
    staff = db.session.scalar(select(Staff).where(Staff.name == "郑雅琴"))
    if staff is not None and staff.window_id is not None:
        _prompt(staff, "BDC-2026-000731", "国有建设用地使用权及房屋所有权转移登记", "BDC-ZY-002", now, OPEN_FOR)


def _platform(now: datetime, rated: RatingPrompt | None) -> None:
    """The province's 好差评 platform, in its format, disabled; the last few ratings as delivered to
    it, and one that failed (the platform answered 503 to every try)."""
    endpoint = webhooks.create({
        "name": "省好差评平台（演示，已停用）", "url": "http://127.0.0.1:8089/haochaping/evaluations",
        "secret": "demo-secret-change-me-0001", "events": ["rating.created", "rectification.changed"],
        "format": "national", "enabled": False}, ACTOR)
    recent = list(db.session.scalars(select(Rating.id).where(Rating.flagged.is_(None), Rating.prompt_id.is_(None))
                                      .order_by(Rating.rated_at.desc()).limit(4)))
    if rated is not None:
        recent.insert(0, db.session.scalar(select(Rating.id).where(Rating.prompt_id == rated.id)))
    data = outbox.ratings_data(db.session.connection(), recent)
    failed = recent[-1] if recent else None
    for rating_id in reversed(recent):
        if rating_id not in data:
            continue
        payload = data[rating_id]
        sent = datetime.fromisoformat(payload["received_at"].replace("Z", "+00:00")) + timedelta(seconds=1)
        event = OutboxEvent(**dict(outbox.event("rating.created", payload), created_at=sent, fanned_out=True))
        db.session.add(event)
        db.session.flush()
        if rating_id == failed:
            delivery = WebhookDelivery(endpoint_id=endpoint.id, event_seq=event.seq, state="failed", attempts=25,
                                       last_attempt_at=min(now, sent + timedelta(hours=20)), last_status=503,
                                       last_error="HTTP 503", next_attempt_at=sent, created_at=sent)
        else:
            delivery = WebhookDelivery(endpoint_id=endpoint.id, event_seq=event.seq, state="delivered", attempts=1,
                                       last_attempt_at=sent, last_status=200, delivered_at=sent, next_attempt_at=sent,
                                       created_at=sent)
        db.session.add(delivery)
    db.session.flush()
