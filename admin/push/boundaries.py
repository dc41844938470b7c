"""Scheduler jobs that push when a boundary passes: a schedule or a notice starting or ending.

Commits push by themselves; these jobs cover what changes with the clock alone. Each boundary's
round is claimed in the job ledger (admin.services.job_runs) under ``JOB_ID`` and the boundary's
instant: the planned run at the boundary and the catch-up (a scheduler that was down when it
passed) run it once between them, whichever scheduler is up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..models.types import utcnow
from ..services import job_runs
from .hub import hub_for
from .playlists import last_boundary, next_boundary

PLAN_EVERY = timedelta(seconds=15)
JOB_ID = "screen_boundary"


def fire(app, at: datetime, now: datetime | None = None) -> bool:
    """One fresh round for the boundary at ``at``, unless another run claimed it; True if it ran."""
    return job_runs.run_once(JOB_ID, at, lambda: hub_for(app).round(fresh=True), now)


def catch_up(app, now: datetime | None = None) -> bool:
    """The round of the last boundary that passed, if no scheduler ran it (a day at most)."""
    now = now or utcnow()
    at = last_boundary(now)
    if at is None or job_runs.recorded(JOB_ID, at, now):
        return False
    return fire(app, at, now)


def register(app, scheduler, in_app) -> None:
    """Every 15 s, look for a boundary in the next 15 s and set a one-off job at its exact time."""

    def plan():
        now = utcnow()
        at = next_boundary(now)
        if at is not None and at <= now + PLAN_EVERY:
            def on_time():
                fire(app, at)

            on_time.__name__ = "screen_boundary_round"
            # A second late, so that "starts at 09:00" is already true when the round reads the clock.
            scheduler.add_job(in_app(app, on_time), "date", run_date=at + timedelta(seconds=1), id=JOB_ID,
                              replace_existing=True, misfire_grace_time=60)

    plan.__name__ = "plan_screen_boundaries"
    scheduler.add_job(in_app(app, plan), "interval", seconds=PLAN_EVERY.total_seconds(), id="plan_screen_boundaries",
                      coalesce=True, max_instances=1, next_run_time=utcnow())
