"""Running the app on gevent's WSGI server: HTTP, websockets, and the scheduler, until SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys

log = logging.getLogger("liangbiping")


def serve(settings: dict, host: str, port: int, demo: bool = False) -> int:
    """Run in the foreground (gevent must already be patched in); returns the exit code."""
    import gevent
    from gevent.pywsgi import WSGIHandler, WSGIServer

    class Handler(WSGIHandler):
        """Closes the connection after a websocket ends, instead of reading the socket as HTTP again."""

        def run_application(self):
            upgraded = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            try:
                super().run_application()
            finally:
                if upgraded:
                    self.close_connection = True

    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    base = f"http://{host}:{port}"
    if demo:
        from .demo import seed_if_empty, describe

        with app.app_context():
            seed_if_empty()
            print(describe(base), flush=True)

    scheduler = None
    if settings.get("RUN_SCHEDULER"):
        from .jobs import start_scheduler

        scheduler = start_scheduler(app)

    # Screens keep their websocket open for months: no per-request timeout, a big backlog.
    server = WSGIServer((host, port), app, log=None, error_log=logging.getLogger("liangbiping.http"),
                        backlog=2048, handler_class=Handler)

    def stop(*_args):
        log.info("stopping: closing connections")
        server.stop(timeout=5)

    gevent.signal_handler(signal.SIGTERM, stop)
    gevent.signal_handler(signal.SIGINT, stop)
    print(f"Liangbiping serving on {base}/ (console: {base}/admin/)", flush=True)
    try:
        server.serve_forever()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        log.info("stopped")
    sys.stdout.flush()
    return 0
