"""The campaign's daily job: overdue ledger entries and their reminders, review rounds opened from
the campaign calendar and their reminders, and a check that the rollups are in the hall's zone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from ..extensions import db
from ..models.types import utcnow

log = logging.getLogger(__name__)


def daily(now: datetime | None = None) -> dict:
    """One run; ``now`` fixes the clock (tests). Safe to run more than once a day."""
    from ..ledger import service as ledger
    from ..ledger.autoopen import hall_zone
    from ..reviews import rounds

    now = now or utcnow()
    out = {"ledger": ledger.mark_overdue(now)}
    today = now.astimezone(hall_zone(db.session.connection())).date()
    out["rounds_opened"] = [r.id for r in rounds.auto_open(today)]
    out["review_reminders"] = rounds.remind_due(today)
    db.session.commit()
    out["rollups_rebuilt"] = rollups_in_zone()
    log.info("campaign daily job: %s", out)
    return out


def rollups_in_zone() -> bool:
    """Rebuild the rollups if they were counted in another zone than the hall's; True if so."""
    from ..ledger.autoopen import hall_zone
    from ..stats import rollups

    conn = db.session.connection()
    zone = hall_zone(conn)
    if rollups.marker(conn) == zone.key:
        return False
    rollups.rebuild(conn, zone)
    db.session.commit()
    return True


def register(app, scheduler, in_app) -> None:
    """``daily`` runs at 07:30 hall time through the job ledger (admin.jobs.due_time_jobs); here,
    a minute after the scheduler starts, only the rollups' zone check (safe to repeat)."""
    scheduler.add_job(in_app(app, rollups_in_zone), "date", run_date=datetime.now(timezone.utc) + timedelta(minutes=1),
                      id="rollups_in_zone_at_start", max_instances=1)


def recount(actor: str) -> int:
    """Recount the statistics from every rating (after raw database work, say); audited, committed.
    Returns how many ratings were counted."""
    from ..ledger.autoopen import hall_zone
    from ..services.audit import record
    from ..stats import rollups

    conn = db.session.connection()
    counted = rollups.rebuild(conn, hall_zone(conn))
    record(actor, "rebuild", "statistics", None, summary=f"{counted} ratings")
    db.session.commit()
    return counted
