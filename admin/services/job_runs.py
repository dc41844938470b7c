"""Timed jobs that must run exactly once per due time, whichever scheduler is up.

Two kinds of scheduled work (admin/jobs.py registers both):

- **Idempotent interval jobs** (webhook delivery, which claims its rows; expiring prompts; purging
  login attempts and idle sessions; planning the screens' boundaries): running one twice, or two
  schedulers running it at once, changes nothing. They keep no ledger.
- **Due-time jobs** (closing the day, the campaign's daily job with its overdue marking and
  reminders, the screens' schedule and notice boundaries): each run is claimed first in
  ``job_runs`` by (job, due time), in a transaction of its own. The primary key lets one claim
  win; a second scheduler (a standby, or one restarted while the old one is still finishing)
  skips. ``catch_up`` claims the *last* due time of each job that is not recorded yet, so a
  scheduler that starts after being down runs what it missed once (coalesced: not once per
  missed due time), and only within the job's grace (closing the day the next morning would
  send everyone home).

A claim whose holder died before finishing (kill -9 mid-run) is taken over after ``LEASE``; a run
that raised gives its claim back, so the next catch-up tries again.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import JobRun
from ..models.types import utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)   # longer than any due-time job runs (a rollup rebuild included)
KEEP = timedelta(days=60)       # rows older than this are of no use to any catch-up
HOLDER = f"{socket.gethostname()}:{os.getpid()}"[:100]


@dataclass(frozen=True)
class Daily:
    """A job due once a day at a hall-local clock time (read afresh at each look: it may change)."""

    job: str
    at: Callable[[], time]
    grace: timedelta
    run: Callable[[], object]


def last_daily_due(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The latest instant at or before ``now`` when the hall's clock showed ``at`` (UTC)."""
    local = now.astimezone(zone)
    due = datetime.combine(local.date(), at, zone)
    if due > local:
        due = datetime.combine(local.date() - timedelta(days=1), at, zone)
    return due.astimezone(now.tzinfo)


def claim(job: str, due: datetime, now: datetime | None = None) -> bool:
    """True when this process may run ``job`` for ``due``: it inserted the claim (committed at
    once, so another scheduler sees it), or took over one whose holder has not finished within
    ``LEASE``."""
    now = now or utcnow()
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(JobRun).values(job=job, due_at=due, claimed_at=now, claimed_by=HOLDER))
        return True
    except IntegrityError:
        pass
    with db.engine.begin() as conn:
        taken = conn.execute(update(JobRun).where(
            JobRun.job == job, JobRun.due_at == due, JobRun.finished_at.is_(None),
            JobRun.claimed_at < now - LEASE).values(claimed_at=now, claimed_by=HOLDER))
    return taken.rowcount == 1


def finish(job: str, due: datetime) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(JobRun).where(JobRun.job == job, JobRun.due_at == due).values(finished_at=utcnow()))


def release(job: str, due: datetime) -> None:
    with db.engine.begin() as conn:
        conn.execute(delete(JobRun).where(JobRun.job == job, JobRun.due_at == due, JobRun.finished_at.is_(None),
                                          JobRun.claimed_by == HOLDER))


def recorded(job: str, due: datetime, now: datetime | None = None) -> bool:
    """Claimed already, and either finished or still within its lease."""
    now = now or utcnow()
    with db.engine.connect() as conn:
        return bool(conn.scalar(select(exists().where(
            JobRun.job == job, JobRun.due_at == due,
            JobRun.finished_at.is_not(None) | (JobRun.claimed_at >= now - LEASE)))))


def run_once(job: str, due: datetime, run: Callable[[], object], now: datetime | None = None) -> bool:
    """Run ``run`` for ``job`` at ``due`` unless another run claimed it; True when this one ran."""
    due = due.astimezone(timezone.utc)
    if not claim(job, due, now):
        log.info("%s due %s: claimed by another scheduler, skipped", job, due.isoformat())
        return False
    try:
        run()
    except BaseException:
        db.session.rollback()
        release(job, due)
        raise
    finish(job, due)
    log.info("%s due %s: ran", job, due.isoformat())
    return True


def catch_up(jobs: list[Daily], zone: ZoneInfo, now: datetime | None = None) -> list[str]:
    """Run, once, each job whose last due time (within its grace) is not recorded; returns which ran."""
    now = now or utcnow()
    ran = []
    for spec in jobs:
        due = last_daily_due(now, spec.at(), zone)
        if now - due > spec.grace or recorded(spec.job, due, now):
            continue
        log.info("%s due %s not run yet: running it now", spec.job, due.isoformat())
        try:
            if run_once(spec.job, due, spec.run, now):
                ran.append(spec.job)
        except Exception:  # noqa: BLE001 - its claim is given back; the other jobs still run
            log.exception("%s due %s failed; tried again at the next look", spec.job, due.isoformat())
    return ran


def purge(now: datetime | None = None) -> int:
    """Forget rows no catch-up looks at any more (a scheduler job)."""
    with db.engine.begin() as conn:
        return conn.execute(delete(JobRun).where(JobRun.due_at < (now or utcnow()) - KEEP)).rowcount
