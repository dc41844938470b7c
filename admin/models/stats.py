"""Rating rollups: per hall-local day (and month), member and window, the count at each of the five levels.

Derived data, kept current in the writer's transaction by ``admin.stats.rollups`` (a session
listener), so statistics read a few thousand rollup rows instead of millions of ratings.
Only ratings that count are in them: flagged ones and ones removed by an upheld appeal are not.
``staff_id`` and ``window_id`` are 0 for "none", never NULL, so that each bucket has one key
that an upsert can meet; they carry no foreign keys on purpose (a rollup outlives nothing).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class LevelCounts:
    """A bucket (its first day, member, window) and its count of ratings at each level."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n1: Mapped[int] = mapped_column(Integer, default=0)
    n2: Mapped[int] = mapped_column(Integer, default=0)
    n3: Mapped[int] = mapped_column(Integer, default=0)
    n4: Mapped[int] = mapped_column(Integer, default=0)
    n5: Mapped[int] = mapped_column(Integer, default=0)


class RatingDaily(LevelCounts, db.Model):
    __tablename__ = "rating_daily"

    # On SQLite the rows are stored in key order (WITHOUT ROWID): a range of days is read in one
    # sequential sweep instead of one lookup per row, several times faster at a year of buckets.
    __table_args__ = (
        Index("ix_rating_daily_staff_id_day", "staff_id", "day"),
        Index("ix_rating_daily_window_id_day", "window_id", "day"),
        {"sqlite_with_rowid": False},
    )


class RatingMonthly(LevelCounts, db.Model):
    """The same counts per hall-local month (``day`` is the month's first day): a year's
    figures read twelve buckets per member and window, not 365. Kept with the daily ones."""

    __tablename__ = "rating_monthly"

    __table_args__ = (
        Index("ix_rating_monthly_staff_id_day", "staff_id", "day"),
        Index("ix_rating_monthly_window_id_day", "window_id", "day"),
        {"sqlite_with_rowid": False},
    )


class RatingReasonDaily(db.Model):
    """How often each reason code was given, per the same buckets."""

    __tablename__ = "rating_reason_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = ({"sqlite_with_rowid": False},)
