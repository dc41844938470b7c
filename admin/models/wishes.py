"""Citizens' wishes and errands (心愿 / 代办): asked at a kiosk or by phone, claimed and fulfilled by a
member of the window's department, confirmed by the citizen on the receipt page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .mixins import CitizenReceipt
from .types import UTCDateTime

WISH_KINDS = ("wish", "errand")
WISH_STATES = ("open", "claimed", "done")
WISH_VERDICTS = ("satisfied", "dissatisfied")


class Wish(CitizenReceipt, db.Model):
    """One wish or errand. ``state``: open → claimed (a member took it) → done (what they did is
    recorded); the citizen's 不满意 puts it back to open (``reopened`` counts how often). The member
    (``staff_id``) is the one who took it on."""

    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="wish")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
