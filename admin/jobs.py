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


def register_jobs(app, scheduler) -> None:
    from .services.accounts import purge_login_attempts

    scheduler.add_job(_in_app(app, purge_login_attempts), "interval", hours=1, id="purge_login_attempts",
                      coalesce=True, max_instances=1)
    from .services.sessions import purge_idle

    # Often enough that a session past its idle limit loses its open sockets soon after.
    scheduler.add_job(_in_app(app, purge_idle), "interval", minutes=10, id="purge_idle_sessions",
                      coalesce=True, max_instances=1)
    from .services import opening_hours

    with app.app_context():
        closing = opening_hours.closing_time()
    # At closing time everyone still on duty is marked away (they went home; the screens follow).
    scheduler.add_job(_in_app(app, opening_hours.close_the_day), "cron", hour=closing.hour, minute=closing.minute,
                      id="close_the_day", coalesce=True, max_instances=1, misfire_grace_time=3600)
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
