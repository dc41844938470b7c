"""Lobby/window screens and rating kiosks: browsers that hold a device token."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

ONLINE_WITHIN = timedelta(seconds=90)


class Device:
    """What screens and kiosks share: a hashed token and a heartbeat."""

    @property
    def status(self) -> str:
        if self.last_seen_at is None:
            return "never_seen"
        return "online" if utcnow() - self.last_seen_at <= ONLINE_WITHIN else "offline"

from .mixins import Timestamps
from .types import UTCDateTime, utcnow


class Screen(Device, Timestamps, db.Model):
    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="hall")  # hall | window
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    window: Mapped["Window | None"] = relationship()  # noqa: F821


class Kiosk(Device, Timestamps, db.Model):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    window: Mapped["Window | None"] = relationship()  # noqa: F821
