"""Columns most tables carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .rating_terms import mask_contact
from .types import UTCDateTime, utcnow


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CitizenReceipt:
    """What a citizen leaves at a kiosk or by phone and follows by its receipt code (the suggestion
    box, wishes and errands): the text, an optional contact (shown masked), where it came from, and
    the member and window it concerns. The columns are each table's own, as its migration made them."""

    receipt: Mapped[str] = mapped_column(String(12), unique=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(32))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    address_hash: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @declared_attr
    def staff(cls):
        return relationship("Staff")

    @declared_attr
    def window(cls):
        return relationship("Window")

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)
