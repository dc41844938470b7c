"""Citizens' wishes and errands (心愿 / 代办): asked at a kiosk or by phone, claimed and fulfilled by a
member of the window's department, confirmed by the citizen on the receipt page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .rating_terms import mask_contact
from .types import UTCDateTime, utcnow

WISH_KINDS = ("wish", "errand")
WISH_STATES = ("open", "claimed", "done")
WISH_VERDICTS = ("satisfied", "dissatisfied")


class Wish(db.Model):
    """One wish or errand. ``state``: open → claimed (a member took it) → done (what they did is
    recorded); the citizen's 不满意 puts it back to open (``reopened`` counts how often)."""

    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="wish")
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(32))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    address_hash: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    staff: Mapped["Staff | None"] = relationship()  # noqa: F821
    window: Mapped["Window | None"] = relationship()  # noqa: F821

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)
