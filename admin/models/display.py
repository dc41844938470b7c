"""What screens show and when: screen groups, playlists of slides, schedules, the push version."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, JSON, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import Timestamps

SLIDE_KINDS = ("identity_wall", "member_spotlight", "standards", "pledges", "honor_board", "notices",
               "banner", "satisfaction")


class ScreenGroup(Timestamps, db.Model):
    __tablename__ = "screen_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Playlist(Timestamps, db.Model):
    """Which slides, in which order, for how long: ``[{"kind", "duration", "options"}]``."""

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    slides: Mapped[list] = mapped_column(JSON, default=list)


class Schedule(Timestamps, db.Model):
    """Puts a playlist on a screen or a group during a time of day, on weekdays, within dates.

    Times are the hall's local wall-clock times; the highest priority that matches wins.
    """

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), index=True)
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("screen_groups.id", ondelete="CASCADE"), index=True)
    weekdays: Mapped[list] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4, 5, 6])  # Monday = 0
    start_time: Mapped[str | None] = mapped_column(String(5))  # "08:30"
    end_time: Mapped[str | None] = mapped_column(String(5))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=0)

    playlist: Mapped["Playlist"] = relationship()
    screen: Mapped["Screen | None"] = relationship()  # noqa: F821
    group: Mapped["ScreenGroup | None"] = relationship()


class PushCounter(db.Model):
    """One row whose ``version`` only grows: every push carries a fresh value of it."""

    __tablename__ = "push_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PushGroup(db.Model):
    """The last content pushed to screens that show the same thing (one row per content key).

    ``digest`` holds a hash per section, so a round can tell what changed without
    keeping payloads around; rounds from several server processes share it.
    """

    __tablename__ = "push_groups"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[dict] = mapped_column(JSON, default=dict)
