"""Scheduled jobs. They run in exactly one place: inside ``serve`` by default, or ``liangbiping scheduler``."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def _in_app(app, fn):
    def run():
        # A request context, not only an app context: flask_babel's locale selector reads the request.
        with app.test_request_context("/"):
            try:
                fn()
            except Exception:  # noqa: BLE001 - a failed run must not stop later runs
                log.exception("job %s failed", fn.__name__)

    run.__name__ = run.__qualname__ = fn.__name__
    return run


CATCH_UP_EVERY = 10  # seconds: how late a due-time job may start (and how soon after a scheduler starts)


def due_time_jobs() -> list:
    """The jobs due once a day, run through the job ledger (admin.services.job_runs). Their grace:
    how long after its moment a missed run still makes sense."""
    from datetime import time, timedelta

    from .campaign import jobs as campaign_jobs
    from .services import opening_hours
    from .services.job_runs import Daily

    return [
        # At closing time everyone still on duty is marked away (they went home; the screens
        # follow). Not the next morning: they are back on duty by then.
        Daily("close_the_day", opening_hours.closing_time, timedelta(hours=1), opening_hours.close_the_day),
        # Overdue ledger entries and reminders, review rounds. Safe at any hour of the day.
        Daily("campaign_daily", lambda: time(7, 30), timedelta(hours=24), campaign_jobs.daily),
    ]


def catch_up(app) -> None:
    """Every ``CATCH_UP_EVERY`` seconds and at start: each due-time job whose last due time has
    no run recorded runs now, once. This is how they are run at all (no cron trigger besides):
    one way, whether the moment just came or passed while no scheduler was up."""
    from .push import boundaries
    from .services import job_runs
    from .timefmt import hall_zone

    job_runs.catch_up(due_time_jobs(), hall_zone())
    boundaries.catch_up(app)


def register_jobs(app, scheduler) -> None:
    """Interval jobs here are idempotent (a run twice, or by two schedulers, changes nothing) and
    keep no ledger; due-time jobs go through ``catch_up`` and the ledger."""
    from .models.types import utcnow
    from .services.accounts import purge_login_attempts

    scheduler.add_job(_in_app(app, purge_login_attempts), "interval", hours=1, id="purge_login_attempts",
                      coalesce=True, max_instances=1)
    from .services.sessions import purge_idle

    # Often enough that a session past its idle limit loses its open sockets soon after.
    scheduler.add_job(_in_app(app, purge_idle), "interval", minutes=10, id="purge_idle_sessions",
                      coalesce=True, max_instances=1)
    from .services import job_runs

    scheduler.add_job(_in_app(app, job_runs.purge), "interval", hours=6, id="purge_job_runs",
                      coalesce=True, max_instances=1)

    def catch_up_due_jobs():
        catch_up(app)

    scheduler.add_job(_in_app(app, catch_up_due_jobs), "interval", seconds=CATCH_UP_EVERY, id="catch_up_due_jobs",
                      coalesce=True, max_instances=1, next_run_time=utcnow())
    from .push import boundaries

    boundaries.register(app, scheduler, _in_app)
    from .campaign import jobs as campaign_jobs

    campaign_jobs.register(app, scheduler, _in_app)
    from .integration import jobs as integration_jobs

    integration_jobs.register(app, scheduler, _in_app)


def start_scheduler(app) -> BackgroundScheduler:
    from .timefmt import hall_zone

    with app.app_context():
        zone = hall_zone()
    scheduler = BackgroundScheduler(timezone=zone)
    register_jobs(app, scheduler)
    scheduler.start()
    return scheduler


def run_forever(settings: dict) -> int:
    from .app import create_app

    logging.basicConfig(level=logging.INFO)
    app = create_app(dict(settings, SOCKETIO_ASYNC_MODE="threading"))
    from .push.hub import hub_for

    # The handlers go in before the scheduler logs that it started: a SIGTERM right after that
    # line (systemd, a test) must stop it cleanly, not kill it.
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    hub_for(app).start()
    scheduler = start_scheduler(app)
    done.wait()
    scheduler.shutdown()
    return 0
