"""Where a request's and a push round's time goes, for benchmarks and for a hall chasing a slow screen.

Off by default. With ``LIANGBIPING_TIMING=1`` (config ``TIMING``) every response carries a
``Server-Timing`` header (``app``: the whole request in the app; ``commit``: its commits) and the
push hub logs each round on the ``liangbiping.timing`` logger, with wall-clock stamps so a client
outside the server can line them up with its own clock (bench/screen_latency.py does). Off, it
costs nothing: the hooks are not installed.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("liangbiping.timing")


def enabled(app: Flask) -> bool:
    return bool(app.config.get("TIMING"))


def init_app(app: Flask) -> None:
    if not enabled(app):
        return

    @app.before_request
    def _start():
        g.timing_started = time.perf_counter()
        g.timing_commit = 0.0

    @app.after_request
    def _header(response):
        started = g.get("timing_started")
        if started is not None:
            total = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = (f"app;dur={total:.2f}, commit;dur={g.get('timing_commit', 0.0):.2f}, "
                                                 f"done;desc={time.time() * 1000:.3f}")
        return response

    _install_commit_clock()


_commit_clock_installed = False


def _install_commit_clock() -> None:
    global _commit_clock_installed
    if _commit_clock_installed:
        return
    _commit_clock_installed = True

    @event.listens_for(Session, "before_commit")
    def _before(session):
        session.info["timing_commit_started"] = time.perf_counter()

    @event.listens_for(Session, "after_commit")
    def _after(session):
        started = session.info.pop("timing_commit_started", None)
        if started is not None and has_request_context() and "timing_commit" in g:
            g.timing_commit += (time.perf_counter() - started) * 1000


def log_round(stamps: dict, why: str = "") -> None:
    """One line per round: the wall-clock time the round was asked for and began (ms since the
    epoch), then how long each part took (ms), then what asked for it (tables changed, "slow")."""
    log.info("round %s%s", " ".join(f"{name}={value:.3f}" for name, value in stamps.items()),
             f" why={why}" if why else "")
