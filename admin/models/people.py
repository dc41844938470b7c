"""亮身份 and 亮承诺: staff members, their pledges and honors."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .mixins import Timestamps


class Staff(Timestamps, db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(64), default="")
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="SET NULL"), index=True)
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    party_post: Mapped[str] = mapped_column(String(64), default="")
    designations: Mapped[list] = mapped_column(JSON, default=list)
    duties: Mapped[str] = mapped_column(Text, default="")
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    photo: Mapped[str | None] = mapped_column(String(128))
    # Bumped to revoke every badge QR code printed so far (issue: badges).
    badge_version: Mapped[int] = mapped_column(Integer, default=1)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped["Department | None"] = relationship()  # noqa: F821
    window: Mapped["Window | None"] = relationship()  # noqa: F821

    @property
    def photo_url(self) -> str | None:
        return self.url_of_photo(self.photo)

    @staticmethod
    def url_of_photo(photo: str | None) -> str | None:
        """The address of a stored photo (for readers of the bare column, without the row)."""
        return f"/media/photos/{photo}" if photo else None


class Pledge(Timestamps, db.Model):
    """A public pledge by the party organisation (``staff_id`` empty) or by one member."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean, default=True)

    staff: Mapped["Staff | None"] = relationship()


class Honor(Timestamps, db.Model):
    """An entry on the honor board (光荣榜), for a member or a window."""

    __tablename__ = "honors"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"), index=True)
    awarded_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(128), default="")

    staff: Mapped["Staff | None"] = relationship()
    window: Mapped["Window | None"] = relationship()  # noqa: F821
