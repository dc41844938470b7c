"""Notices (公告); urgent ones take over every screen while they run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .mixins import Timestamps
from .types import UTCDateTime, utcnow


class Notice(Timestamps, db.Model):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(16), default="normal")  # normal | urgent
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The push version that first carried an urgent notice: screens that applied it have seen it.
    pushed_version: Mapped[int | None] = mapped_column(Integer)

    @property
    def active(self) -> bool:
        now = utcnow()
        return (self.starts_at is None or self.starts_at <= now) and (self.ends_at is None or now < self.ends_at)
