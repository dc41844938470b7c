"""Lobby/window screens and rating kiosks: browsers that hold a device token."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

ONLINE_WITHIN = timedelta(seconds=90)


class Device:
    """What screens and kiosks share: a hashed token and a heartbeat."""

    @property
    def status(self) -> str:
        if not self.enabled:
            return "disabled"
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
    group_id: Mapped[int | None] = mapped_column(ForeignKey("screen_groups.id", ondelete="SET NULL"), index=True)
    playlist_id: Mapped[int | None] = mapped_column(ForeignKey("playlists.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A disabled screen is cut off like a deleted one (its token refused) but keeps its settings.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the screen last reported: monitoring only, never trusted for content.
    connected: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    applied_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    current_slide: Mapped[str] = mapped_column(String(32), default="", server_default="")
    resolution: Mapped[str] = mapped_column(String(16), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The content key the push hub last put this screen under (see admin.push.content).
    content_key: Mapped[str] = mapped_column(String(64), default="", server_default="")

    window: Mapped["Window | None"] = relationship()  # noqa: F821
    group: Mapped["ScreenGroup | None"] = relationship()  # noqa: F821
    playlist: Mapped["Playlist | None"] = relationship()  # noqa: F821

    @property
    def current_version(self) -> int | None:
        """The newest version pushed for this screen's content (compare with ``applied_version``)."""
        from .display import PushGroup

        group = db.session.get(PushGroup, self.content_key) if self.content_key else None
        return group.version if group else None

    @property
    def status(self) -> str:
        """online, disconnected (lost within 10 minutes), offline, never_seen, or disabled."""
        if not self.enabled:
            return "disabled"
        if self.last_seen_at is None:
            return "never_seen"
        age = utcnow() - self.last_seen_at
        if self.connected and age <= ONLINE_WITHIN:
            return "online"
        return "disconnected" if age <= timedelta(minutes=10) else "offline"


class Kiosk(Device, Timestamps, db.Model):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # kiosk: the touch page; device: a third-party evaluator (评价器) posting ratings for its window.
    kind: Mapped[str] = mapped_column(String(8), default="kiosk", server_default="kiosk")
    # A disabled kiosk is cut off like a deleted one (its token refused) but keeps its settings.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connected: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Ratings waiting in the kiosk's offline queue, as its last heartbeat said.
    queue_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")

    window: Mapped["Window | None"] = relationship()  # noqa: F821


class PairingCode(db.Model):
    """A code a fresh screen or kiosk shows until an administrator pairs it.

    The browser that asked for the code holds a secret; only it can collect the device
    token once the code is paired, and only once.
    """

    __tablename__ = "pairing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    device_kind: Mapped[str] = mapped_column(String(8))  # screen | kiosk
    secret_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    device_id: Mapped[int | None] = mapped_column(Integer)
    token: Mapped[str | None] = mapped_column(String(64))  # held only until the browser collects it
