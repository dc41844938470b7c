"""The campaign's calendar and the 三比 inputs: phases, skill contests, performance figures;
which departments a leader looks after; and reminders shown in the console."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import Timestamps
from .types import UTCDateTime, utcnow

PHASE_STAGES = ("mobilize", "advance", "consolidate", "other")  # 动员部署, 扎实推进, 巩固提高

leader_departments = Table(
    "leader_departments",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class CampaignPhase(Timestamps, db.Model):
    __tablename__ = "campaign_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16), default="other")
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")


class SkillResult(Timestamps, db.Model):
    """比技能: one member's result in a skill contest (业务擂台赛, 岗位大练兵), with any title won."""

    __tablename__ = "skill_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    contest: Mapped[str] = mapped_column(String(128))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    score: Mapped[float | None] = mapped_column(Float)
    award: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    staff: Mapped["Staff"] = relationship()  # noqa: F821


class PerformanceEntry(Timestamps, db.Model):
    """比业绩: services a member handled in a month, and how many were completed on time."""

    __tablename__ = "performance_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # the month's first day
    handled: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="entered")

    staff: Mapped["Staff"] = relationship()  # noqa: F821

    __table_args__ = (UniqueConstraint("staff_id", "month", name="uq_performance_entries_staff_month"),)


class Reminder(db.Model):
    """Something a console user should act on: an overdue entry, a review to write."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(256))
    link: Mapped[str] = mapped_column(String(256), default="")
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    day: Mapped[date] = mapped_column(Date)  # the hall-local day it was made: one a day at most
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "kind", "entity_id", "day", name="uq_reminders_once_a_day"),)
