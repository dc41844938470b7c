"""The suggestion box (意见箱): citizens write in, the hall replies, the citizen reads it by receipt code."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from liangbiping.admin.errors import Invalid
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Staff, Suggestion, Window
from liangbiping.admin.models.types import utcnow
from liangbiping.admin.services.audit import record
from liangbiping.admin.text import field_text

from .rules import check_burst, who_is_rated
from .sources import resolve_source
from .schemas import SuggestionIn

# No 0/O, 1/I/L: a receipt code is read off a screen and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 8


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def submit(body: SuggestionIn) -> Suggestion:
    """Store a citizen's suggestion, complaint or praise; committed before it returns."""
    src = resolve_source(body.kiosk_token, body.qr_token, for_rating=False)
    if src.device:
        raise Invalid(_("An evaluator device posts ratings only."), code="device_ratings_only", field="kiosk_token")
    check_burst(f"suggestion:{src.kiosk_id or src.address_hash}", "address")
    staff_id, window_id = who_is_rated(body.staff_id, body.window_id, src, required=False)
    if staff_id is not None and db.session.get(Staff, staff_id) is None:
        raise Invalid(_("staff_id: %(id)s does not exist.", id=staff_id), field="staff_id")
    if window_id is not None and db.session.get(Window, window_id) is None:
        raise Invalid(_("window_id: %(id)s does not exist.", id=window_id), field="window_id")
    channel = body.channel
    if src.kiosk_id is not None and channel not in ("kiosk", "device"):
        channel = "kiosk"
    for _attempt in range(5):
        item = Suggestion(receipt=new_receipt(), kind=body.kind, text=body.text, staff_id=staff_id,
                          window_id=window_id, kiosk_id=src.kiosk_id, channel=channel, contact=body.contact,
                          address_hash=src.address_hash, status="new", created_at=utcnow())
        db.session.add(item)
        try:
            db.session.commit()
            return item
        except IntegrityError:  # a receipt code collision: draw again
            db.session.rollback()
    raise Invalid(_("Please try again."))


def reply(item: Suggestion, text: str, actor: str) -> Suggestion:
    text = field_text(text, "reply", max_length=2000, required=True)
    old = item.reply
    item.reply = text
    item.replied_by = actor[:96]
    item.replied_at = utcnow()
    if item.status == "new":
        item.status = "replied"
    record(actor, "reply", "suggestion", item.id, summary=item.receipt, changes={"reply": [old, text]})
    db.session.commit()
    return item


def set_status(item: Suggestion, status: str, actor: str) -> Suggestion:
    if status not in ("new", "replied", "handled"):
        raise Invalid(_("Must be one of: %(choices)s", choices="new, replied, handled"), field="status")
    if status != item.status:
        record(actor, "update", "suggestion", item.id, summary=item.receipt, changes={"status": [item.status, status]})
        item.status = status
        item.handled_at = utcnow() if status == "handled" else None
        db.session.commit()
    return item


def reveal_contact(entity: str, obj, actor: str) -> str | None:
    """The full phone number for a leader or administrator; every viewing goes to the audit log."""
    if not obj.contact:
        return None
    record(actor, "view_contact", entity, obj.id, summary=_("Viewed the full contact number"))
    db.session.commit()
    return obj.contact


def by_receipt(code: str) -> Suggestion | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(Suggestion).where(Suggestion.receipt == code))


def _scoped_filters(query, viewer) -> list:
    """SQL conditions for a list of suggestions: the query's filters, within what ``viewer`` may read."""
    where = [getattr(Suggestion, k) == getattr(query, k) for k in ("status", "kind", "staff_id", "window_id")
             if getattr(query, k, None) is not None]
    scope = viewer.subject_condition(Suggestion)
    return where if scope is None else [*where, scope]


def listing(query, viewer, *, new_first: bool = False) -> tuple[list[Suggestion], int]:
    """One page of the suggestions ``viewer`` may read, newest first (the unanswered first when asked),
    and how many there are in all."""
    where = _scoped_filters(query, viewer)
    total = db.session.scalar(select(func.count()).select_from(Suggestion).where(*where))
    order = [case((Suggestion.status == "new", 0), else_=1)] if new_first else []
    items = db.session.scalars(select(Suggestion).where(*where).order_by(*order, Suggestion.id.desc())
                               .offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    return list(items), total


def waiting(viewer) -> int:
    """How many suggestions ``viewer`` may read still wait for an answer."""
    scope = viewer.subject_condition(Suggestion)
    return db.session.scalar(select(func.count()).select_from(Suggestion).where(
        Suggestion.status == "new", *([] if scope is None else [scope])))


def visible(suggestion_id: int, viewer) -> Suggestion | None:
    """The suggestion, if it exists and ``viewer`` may read it."""
    item = db.session.get(Suggestion, suggestion_id) if 0 < suggestion_id < 2**31 else None
    if item is None or not viewer.sees_subject(item.window_id, item.staff_id):
        return None
    return item


def delete(item: Suggestion, actor: str) -> None:
    """Remove a suggestion (spam, say); audited with its receipt, committed."""
    record(actor, "delete", "suggestion", item.id, summary=item.receipt)
    db.session.delete(item)
    db.session.commit()
