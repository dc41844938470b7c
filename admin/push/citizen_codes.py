"""What hall screens give citizens to scan (issue 12: "QR code on screens, kiosks and printed
sheets"): each open survey round that takes citizens' answers, and the wish page.

A part of the hall's snapshot (admin.push.content.PART_TABLES): read again when a round opens,
closes or changes, or when the hall's public address does.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Survey
from ..services.settings import public_base_url

TABLES = {"surveys", "settings"}
SHOWN = 3  # rounds open at once on a slide; more would make codes too small to scan across a hall


def open_rounds() -> list[Survey]:
    """The rounds open now that citizens may answer, oldest opened first."""
    return list(db.session.scalars(select(Survey).where(Survey.status == "open", Survey.open_public.is_(True))
                                   .order_by(Survey.opened_at, Survey.id)))


def read() -> dict:
    """{"surveys": [{"id", "code", "title", "period", "url"}], "wish_url"}. A path when the hall
    has no public address: the screen completes it with its own (as the window screens' codes)."""
    base = public_base_url() or ""
    return {
        "surveys": [{"id": s.id, "code": s.code, "title": s.title,
                     "period": f"{s.period_start.isoformat()} – {s.period_end.isoformat()}",
                     "url": f"{base}/v/{s.code}"} for s in open_rounds()[:SHOWN]],
        "wish_url": f"{base}/w/",
    }
