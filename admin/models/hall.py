"""The hall's structure: departments, windows and the service standards (亮标准)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import Timestamps

window_service_items = Table(
    "window_service_items",
    db.metadata,
    Column("window_id", ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True),
    Column("standard_id", ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True),
)


class Department(Timestamps, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Window(Timestamps, db.Model):
    __tablename__ = "windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")

    department: Mapped["Department | None"] = relationship()
    service_items: Mapped[list["Standard"]] = relationship(
        secondary=window_service_items, order_by="Standard.id", back_populates="windows"
    )

    @property
    def service_item_ids(self) -> list[int]:
        return [item.id for item in self.service_items]


class Standard(Timestamps, db.Model):
    """One service item's standard, or one hall-wide rule (首问负责, 一次性告知, 限时办结, 责任追究)."""

    __tablename__ = "standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="service_item")  # service_item | hall_rule
    item_name: Mapped[str] = mapped_column(String(128), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list] = mapped_column(JSON, default=list)
    time_limit: Mapped[str] = mapped_column(String(64), default="")
    materials: Mapped[list] = mapped_column(JSON, default=list)
    fees: Mapped[str] = mapped_column(String(128), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    service_language: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped["Department | None"] = relationship()
    windows: Mapped[list["Window"]] = relationship(
        secondary=window_service_items, order_by="Window.number", back_populates="service_items"
    )

    @property
    def window_ids(self) -> list[int]:
        return [window.id for window in self.windows]
