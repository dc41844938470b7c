"""The hall's opening hours: when members are on duty at their windows.

Members mark themselves on duty or away; at closing time everyone still marked on duty is marked
away, so that no screen shows a member at an empty window overnight and no kiosk offers a member
who went home. Working days come from the working-day calendar (holidays and make-up days).
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select

from ..extensions import db
from ..models import Staff
from .audit import record
from .settings import get_setting

DEFAULT = [["08:30", "12:00"], ["13:30", "17:30"]]


def periods() -> list[tuple[time, time]]:
    """The day's opening periods (hall-local times), from the ``opening_hours`` setting."""
    out = []
    for start, end in get_setting("opening_hours") or DEFAULT:
        out.append((time.fromisoformat(start), time.fromisoformat(end)))
    return out


def is_open(now: datetime) -> bool:
    """Whether the hall serves at ``now``: a working day, within one of its periods."""
    from ..ledger import workdays
    from ..timefmt import hall_zone

    local = now.astimezone(hall_zone())
    if not workdays.is_working_day(local.date()):
        return False
    return any(start <= local.time() < end for start, end in periods())


def closing_time() -> time:
    """When the day's last period ends."""
    return max(end for _start, end in periods())


def close_the_day(actor: str = "system") -> int:
    """Mark away everyone still on duty; returns how many. One commit, so screens follow at once."""
    members = list(db.session.scalars(select(Staff).where(Staff.on_duty.is_(True))))
    for member in members:
        member.on_duty = False
        record(actor, "update", "staff", member.id, summary=member.name, changes={"on_duty": [True, False]})
    if members:
        db.session.commit()
    return len(members)
