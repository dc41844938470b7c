"""三评 review rounds: self and peer reviews (quarterly), leader reviews (half-yearly)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

ROUND_KINDS = ("peer", "leader")      # peer: self + peer reviews; leader: 领导点评
REVIEW_KINDS = ("self", "peer", "leader")
GRADES = ("excellent", "good", "fair", "poor")


class ReviewRound(db.Model):
    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(128))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # Party members only (the 五带头 standard is theirs), unless the round includes everyone.
    include_all_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which criteria its self, peer and leader reviews score (reviews.criteria.SETS), or an
    # administrator's own list (``custom_criteria``: [{"key", "name"}]).
    criteria_set: Mapped[str] = mapped_column(String(24), default="five_leads", server_default="five_leads")
    custom_criteria: Mapped[list | None] = mapped_column(JSON)
    opened_by: Mapped[str] = mapped_column(String(96), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped["Department | None"] = relationship()  # noqa: F821


class Review(db.Model):
    """One review of ``subject`` in a round: by the member themselves, a colleague, or a leader.

    ``reviewer_key`` is ``s:<staff id>`` or ``u:<user id>``: one review per reviewer, subject and kind.
    Peer reviewers are never shown to the reviewed; they see averages only.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    reviewer_key: Mapped[str] = mapped_column(String(24))
    reviewer_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str | None] = mapped_column(String(16))
    pledges: Mapped[list] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[ReviewRound] = relationship()
    subject: Mapped["Staff"] = relationship(foreign_keys=[subject_id])  # noqa: F821

    __table_args__ = (UniqueConstraint("round_id", "kind", "subject_id", "reviewer_key",
                                       name="uq_reviews_round_kind_subject_reviewer"),)
