"""One service, one rating: rating prompts; and the suggestion box (意见箱)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import CitizenReceipt
from .types import UTCDateTime, utcnow

SUGGESTION_KINDS = ("suggestion", "complaint", "praise")
SUGGESTION_STATUSES = ("new", "replied", "handled")


class RatingPrompt(db.Model):
    """A member asks the citizen just served for one rating, optionally naming the case or ticket.

    Its signed token (kiosk.qrtokens) is single-use: the first rating that carries it uses it up.
    """

    __tablename__ = "rating_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"))
    case_no: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The service item (事项) of the case, as the business system names and codes it.
    service_item: Mapped[str] = mapped_column(String(128), default="", server_default="")
    service_code: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(96), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the scheduler once an unanswered prompt ran out: recorded as not rated (prompt.expired).
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped["Staff"] = relationship()  # noqa: F821

    @property
    def open(self) -> bool:
        return self.used_at is None and self.cancelled_at is None and utcnow() < self.expires_at

    @property
    def state(self) -> str:
        """open, rated, cancelled or expired (not rated: never counted as satisfied)."""
        if self.used_at is not None:
            return "rated"
        if self.cancelled_at is not None:
            return "cancelled"
        return "open" if utcnow() < self.expires_at else "expired"


class Suggestion(CitizenReceipt, db.Model):
    """A suggestion, complaint or praise from the box; the citizen follows it by its receipt code."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="suggestion")
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[str] = mapped_column(String(96), default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
