"""Appeals (申诉): a member says a rating was mistaken or malicious; a leader decides.

An upheld appeal takes the rating out of the statistics (the rollups follow in the same
transaction, see admin.campaign.follow_writes) and closes its open ledger entries as dismissed;
the rating itself stays on record, as does the appeal.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..services.scope import Viewer
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Rating, RatingAppeal, Rectification, RectificationEvent
from ..models.types import utcnow
from ..services.audit import record
from ..text import field_text
from . import labels
from .autoopen import department_of

REASON_MAX = 2000


def rating_department(rating: Rating) -> int | None:
    return department_of(db.session.connection(), rating.window_id, rating.staff_id)


def may_see(appeal: RatingAppeal, viewer: Viewer) -> bool:
    if viewer.is_admin:
        return True
    if viewer.is_staff:
        return viewer.staff_id is not None and appeal.staff_id == viewer.staff_id
    return viewer.sees_department(rating_department(appeal.rating))


def get(appeal_id: int, viewer: Viewer) -> RatingAppeal:
    appeal = db.session.get(RatingAppeal, appeal_id) if 0 < appeal_id < 2**31 else None
    if appeal is None or not may_see(appeal, viewer):
        raise NotFound(_("Appeal %(id)s does not exist.", id=appeal_id))
    return appeal


def may_appeal(rating: Rating, viewer: Viewer) -> bool:
    if viewer.is_staff:
        return viewer.staff_id is not None and rating.staff_id == viewer.staff_id
    return viewer.is_admin or viewer.sees_department(rating_department(rating))


def file(rating_id: str, kind: str, reason: str, viewer: Viewer) -> RatingAppeal:
    rating = db.session.get(Rating, rating_id) if isinstance(rating_id, str) and len(rating_id) <= 36 else None
    if rating is None or not may_appeal(rating, viewer):
        raise NotFound(_("Rating %(id)s does not exist.", id=(rating_id or "")[:36]))
    if kind not in labels.APPEAL_KINDS:
        raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(labels.APPEAL_KINDS)), field="kind")
    reason = field_text(reason, "reason", max_length=REASON_MAX)
    if not reason:
        raise Invalid(_("Say why the rating is mistaken or malicious."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_("At most %(n)s characters.", n=REASON_MAX), field="reason")
    if rating.flagged is not None:
        raise Conflict(_("This rating is flagged and already left out of the statistics."), code="rating_flagged")
    if db.session.scalar(select(RatingAppeal.id).where(RatingAppeal.rating_id == rating.id)) is not None:
        raise Conflict(_("This rating has been appealed already."), code="already_appealed")
    appeal = RatingAppeal(rating_id=rating.id, staff_id=rating.staff_id, kind=kind, reason=reason, status="pending",
                          submitted_by=viewer.actor[:96], submitted_at=utcnow(), decided_by="", decision_note="")
    db.session.add(appeal)
    db.session.flush()
    record(viewer.actor, "create", "appeal", appeal.id, summary=_("Rating %(id)s", id=rating.id),
           changes={"kind": [None, kind], "reason": [None, reason]})
    db.session.commit()
    return appeal


def decide(appeal: RatingAppeal, upheld: bool, note: str, viewer: Viewer) -> RatingAppeal:
    if not (viewer.is_leader and viewer.sees_department(rating_department(appeal.rating))):
        raise Forbidden(_("Only a leader of the rating's department decides an appeal."))
    if appeal.status != "pending":
        raise Conflict(_("This appeal has been decided already."), code="appeal_decided")
    note = field_text(note, "note", max_length=REASON_MAX)
    now = utcnow()
    appeal.status = "upheld" if upheld else "rejected"
    appeal.decided_by, appeal.decided_at, appeal.decision_note = viewer.actor[:96], now, note
    record(viewer.actor, "decide", "appeal", appeal.id, summary=_("Rating %(id)s", id=appeal.rating_id),
           changes={"status": ["pending", appeal.status], "note": [None, note]})
    if upheld:
        reason = _("Appeal upheld: %(note)s", note=note) if note else _("Appeal upheld.")
        for entry in db.session.scalars(select(Rectification).where(
                Rectification.rating_id == appeal.rating_id, Rectification.state.in_(("open", "verified")))):
            before = entry.state
            entry.state, entry.dismissed_reason, entry.closed_at, entry.overdue = "dismissed", reason, now, False
            db.session.add(RectificationEvent(rectification=entry, at=now, actor=viewer.actor[:96], action="dismiss",
                                              from_state=before, to_state="dismissed", note=reason))
            record(viewer.actor, "dismiss", "rectification", entry.id, summary=entry.problem[:60],
                   changes={"state": [before, "dismissed"], "dismissed_reason": [None, reason]})
    db.session.commit()
    return appeal


def listing(viewer: Viewer, *, status: str | None = None, staff_id: int | None = None, page: int = 1,
            per_page: int = 50):
    from ..models import Staff, Window

    stmt = select(RatingAppeal).join(Rating, Rating.id == RatingAppeal.rating_id)
    if viewer.is_staff:
        stmt = stmt.where(RatingAppeal.staff_id == (viewer.staff_id or -1))
    elif viewer.department_filter() is not None:
        depts = sorted(viewer.department_filter()) or [-1]
        stmt = stmt.outerjoin(Window, Window.id == Rating.window_id).outerjoin(Staff, Staff.id == Rating.staff_id) \
            .where(func.coalesce(Window.department_id, Staff.department_id).in_(depts))
    if status:
        stmt = stmt.where(RatingAppeal.status == status)
    if staff_id:
        stmt = stmt.where(RatingAppeal.staff_id == staff_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(RatingAppeal.status != "pending", RatingAppeal.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total
