"""行风监督员 (conduct supervisors) on record, and 座谈会 (symposiums) whose problems enter the ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .rating_terms import mask_contact
from .types import UTCDateTime, utcnow


class Supervisor(db.Model):
    """An outside person the hall appoints to watch its conduct, for a term; invited to survey rounds."""

    __tablename__ = "supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(128), default="")
    contact: Mapped[str | None] = mapped_column(String(32))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)


class Symposium(db.Model):
    """A meeting with citizens, service users or supervisors: who came, the minutes, the problems raised."""

    __tablename__ = "symposiums"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(128), default="")
    attendees: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "unit"}]; contacts stay with problems
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(96), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SymposiumProblem(db.Model):
    """One problem raised at a symposium, and the ledger entry it became. With a contact, the one who
    raised it gets ``follow_code``: /p/<code> shows the entry's progress, as a suggestion's receipt does."""

    __tablename__ = "symposium_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    symposium_id: Mapped[int] = mapped_column(ForeignKey("symposiums.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str | None] = mapped_column(String(32))
    follow_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id", ondelete="SET NULL"),
                                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    symposium: Mapped[Symposium] = relationship()

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)
