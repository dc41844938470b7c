"""Which screens have shown an urgent notice: those that applied the version that first carried it."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Screen


def urgent_acknowledgements(notice) -> list[tuple[Screen, bool]]:
    """(screen, acknowledged) for every screen, or [] when the notice is not an urgent one on screens yet.

    Versions come from one counter, so a screen whose applied version is at least the one
    that first carried the notice has applied content that includes it.
    """
    if notice.priority != "urgent" or notice.pushed_version is None:
        return []
    screens = db.session.scalars(select(Screen).order_by(Screen.name)).all()
    return [(screen, screen.applied_version >= notice.pushed_version) for screen in screens]
