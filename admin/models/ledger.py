"""The rectification ledger (整改台账), appeals against ratings, and the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

RECTIFICATION_STATES = ("open", "verified", "dismissed", "rectifying", "done", "revisited")
RECTIFICATION_SOURCES = ("rating", "suggestion", "manual", "external", "survey", "symposium")
EXTERNAL_SOURCES = ("hotline_12345", "platform", "other")
VERDICTS = ("satisfied", "basically_satisfied", "dissatisfied")
APPEAL_KINDS = ("mistaken", "malicious")
APPEAL_STATUSES = ("pending", "upheld", "rejected")


class Rectification(db.Model):
    """One problem to fix, with the 四明确: what to fix (``measure``), by when (``deadline``),
    the responsible leader (``leader_id``, a console user) and the responsible person
    (``responsible_id``, a member)."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    rating_id: Mapped[str | None] = mapped_column(ForeignKey("ratings.id", ondelete="SET NULL"), index=True)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"), index=True)
    # A survey answer (1–2 or a complaint in its text) the entry was opened from.
    survey_response_id: Mapped[int | None] = mapped_column(ForeignKey("survey_responses.id", ondelete="SET NULL"),
                                                           index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    problem: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    overdue_since: Mapped[date | None] = mapped_column(Date)
    dismissed_reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_photo: Mapped[str | None] = mapped_column(String(128))
    verdict: Mapped[str | None] = mapped_column(String(24))
    callback_note: Mapped[str] = mapped_column(Text, default="")
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A work order from outside (the 12345 hotline, the 好差评 platform): its id there. A repeat updates.
    external_source: Mapped[str | None] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("external_source", "external_id", name="uq_rectifications_external_source"),)

    rating: Mapped["Rating | None"] = relationship()  # noqa: F821
    suggestion: Mapped["Suggestion | None"] = relationship()  # noqa: F821
    staff: Mapped["Staff | None"] = relationship(foreign_keys=[staff_id])  # noqa: F821
    window: Mapped["Window | None"] = relationship()  # noqa: F821
    department: Mapped["Department | None"] = relationship()  # noqa: F821
    leader: Mapped["User | None"] = relationship()  # noqa: F821
    responsible: Mapped["Staff | None"] = relationship(foreign_keys=[responsible_id])  # noqa: F821
    events: Mapped[list["RectificationEvent"]] = relationship(
        back_populates="rectification", order_by="RectificationEvent.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def four_clear(self) -> bool:
        """Whether the 四明确 are all set."""
        return bool((self.measure or "").strip() and self.deadline and self.leader_id and self.responsible_id)


class RectificationEvent(db.Model):
    """One step in an entry's history; the citizen's progress view is drawn from these."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(96), default="system")
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")

    rectification: Mapped[Rectification] = relationship(back_populates="events")


class RatingAppeal(db.Model):
    """A member's appeal that a rating was mistaken or malicious; a leader decides.

    An upheld appeal takes the rating out of the statistics; the rating itself stays on record.
    """

    __tablename__ = "rating_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[str] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    submitted_by: Mapped[str] = mapped_column(String(96))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(96), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    rating: Mapped["Rating"] = relationship()  # noqa: F821
    staff: Mapped["Staff | None"] = relationship()  # noqa: F821


class CalendarDay(db.Model):
    """An administrator's correction of the working-day calendar for one date.

    Without a row, the ``holidays`` library decides (statutory holidays and make-up working days).
    """

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(64), default="")
    updated_by: Mapped[str] = mapped_column(String(96), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
