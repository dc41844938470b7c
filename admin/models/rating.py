"""Citizens' ratings (群众评议). The id is the client's UUID, so a replay stores nothing new."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .rating_terms import mask_contact
from .types import UTCDateTime, utcnow


class Rating(db.Model):
    __tablename__ = "ratings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str | None] = mapped_column(String(32))
    prompted: Mapped[bool] = mapped_column(default=False)
    flagged: Mapped[str | None] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # One service, one rating: a prompt is used by at most one rating (unique).
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("rating_prompts.id", ondelete="SET NULL"), unique=True)
    # Keyed hashes of the phone's cookie and address: enough to spot repeats, useless to identify a person.
    rater_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    address_hash: Mapped[str | None] = mapped_column(String(32), index=True)

    __table_args__ = (Index("ix_ratings_kiosk_id_rated_at", "kiosk_id", "rated_at"),)

    prompt: Mapped["RatingPrompt | None"] = relationship(viewonly=True)  # noqa: F821

    @property
    def case_no(self) -> str | None:
        """The case (办件) rated, when the rating answered a prompt that named one."""
        return (self.prompt.case_no or None) if self.prompt_id is not None and self.prompt else None

    @property
    def service_item(self) -> str | None:
        return (self.prompt.service_item or None) if self.prompt_id is not None and self.prompt else None

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)
