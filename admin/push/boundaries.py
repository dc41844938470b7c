"""Scheduler jobs that push when a boundary passes: a schedule or a notice starting or ending.

Commits push by themselves; these jobs cover what changes with the clock alone.
"""

from __future__ import annotations

from datetime import timedelta

from ..models.types import utcnow
from .hub import hub_for
from .playlists import next_boundary

PLAN_EVERY = timedelta(seconds=15)
JOB_ID = "screen_boundary"


def register(app, scheduler, in_app) -> None:
    """Every 15 s, look for a boundary in the next 15 s and set a one-off job at its exact time."""

    def fire():
        hub_for(app).round(fresh=True)

    def plan():
        now = utcnow()
        at = next_boundary(now)
        if at is not None and at <= now + PLAN_EVERY:
            # A second late, so that "starts at 09:00" is already true when the round reads the clock.
            scheduler.add_job(in_app(app, fire), "date", run_date=at + timedelta(seconds=1), id=JOB_ID,
                              replace_existing=True, misfire_grace_time=60)

    fire.__name__, plan.__name__ = "screen_boundary_round", "plan_screen_boundaries"
    scheduler.add_job(in_app(app, plan), "interval", seconds=PLAN_EVERY.total_seconds(), id="plan_screen_boundaries",
                      coalesce=True, max_instances=1, next_run_time=utcnow())
