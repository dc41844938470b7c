"""Running the app on gevent's WSGI server: HTTP, websockets, and the scheduler, until SIGTERM."""

from __future__ import annotations

import logging
import signal
import socket
import sys

log = logging.getLogger("liangbiping")

STOP_TIMEOUT = 3  # seconds open requests get to finish after SIGTERM


def _no_delay_handler():
    """pywsgi sends a response's headers and body in two writes; with Nagle's algorithm and the
    peer's delayed ACK every keep-alive request then waits ~40 ms. TCP_NODELAY removes the wait.
    The handler also closes a connection once its websocket is over."""
    from gevent.pywsgi import WSGIHandler

    class NoDelayHandler(WSGIHandler):
        def handle(self):
            try:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except (OSError, AttributeError):
                pass
            return super().handle()

        def run_application(self):
            # After a websocket ends the socket holds websocket frames, not HTTP: close it
            # rather than read the frames as a next request (and log them as garbage).
            upgraded = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            try:
                super().run_application()
            finally:
                if upgraded:
                    self.close_connection = True

    return NoDelayHandler


def public_base(host: str, port: int) -> str:
    """The base URL to print: for a wildcard host, this machine's address on the local network."""
    if host in ("0.0.0.0", "::", ""):
        address = "127.0.0.1"
        try:
            # Connecting a UDP socket sends nothing; it only picks the outgoing interface.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.255.255.255", 1))
                address = probe.getsockname()[0]
        except OSError:
            pass
        host = address
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(settings: dict, host: str, port: int, demo: bool = False) -> int:
    """Run in the foreground (gevent must already be patched in); returns the exit code."""
    import gevent
    from gevent.pywsgi import WSGIServer

    from .app import create_app
    from .extensions import socketio

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    base = public_base(host, port)
    if demo:
        from .demo import describe, seed_if_empty

        # A request context: flask_babel's locale selector reads the request.
        with app.test_request_context("/", base_url=base):
            if seed_if_empty():
                log.info("seeded the demo hall into %s", settings.get("DATA_DIR"))
            print(describe(base), flush=True)

    # Screens keep their websocket open for months: no per-request timeout, a big backlog.
    try:
        server = WSGIServer((host, port), app, log=None, error_log=logging.getLogger("liangbiping.http"),
                            backlog=2048, handler_class=_no_delay_handler())
        server.init_socket()
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    scheduler = None
    if settings.get("RUN_SCHEDULER"):
        from .jobs import start_scheduler

        scheduler = start_scheduler(app)

    def stop(*_args):
        log.info("stopping: closing connections")
        try:
            # Tell every screen and kiosk to go: their websockets would otherwise hold the
            # server for the whole stop timeout. They reconnect on their own when it is back.
            socketio.server.eio.disconnect()
        except Exception:  # noqa: BLE001 - stopping must go on whatever happens here
            log.exception("closing Socket.IO connections failed")
        server.stop(timeout=STOP_TIMEOUT)

    # Signal handlers run in gevent's hub, where nothing may block: stop in a greenlet of its own.
    gevent.signal_handler(signal.SIGTERM, lambda *_: gevent.spawn(stop))
    gevent.signal_handler(signal.SIGINT, lambda *_: gevent.spawn(stop))
    print(f"Liangbiping serving on {base}/ (console: {base}/admin/)", flush=True)
    try:
        server.serve_forever()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        log.info("stopped")
    sys.stdout.flush()
    return 0
