"""Running the app on gevent's WSGI server: HTTP, websockets, and the scheduler, until SIGTERM."""

from __future__ import annotations

import gc
import logging
import signal
import socket
import sys

log = logging.getLogger("liangbiping")

STOP_TIMEOUT = 3  # seconds open requests get to finish after SIGTERM
GC_REFREEZE = 3600  # seconds between full collections (see keep_gc_short)


MAX_HEADER_BYTES = 32 * 1024  # all request headers together; a browser's, cookies included, are a few kB

# Refusals made before the app sees a request, still in the contract's error shape (no request
# context here, so no language is known yet: both of the hall's languages).
_REFUSALS = {
    "414": ("414 URI Too Long", "uri_too_long", "请求的网址过长。The request URL is too long."),
    "431": ("431 Request Header Fields Too Large", "request_header_fields_too_large",
            "请求头过大。The request headers are too large."),
    "400": ("400 Bad Request", "bad_request", "无法理解该请求。The request could not be understood."),
}


def refusal(kind: str) -> bytes:
    """A whole HTTP response (closing the connection) for a request refused while it was read."""
    import json

    from .errors import error_body

    status, code, message = _REFUSALS[kind]
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + body


class HeadersTooLarge(ValueError):
    pass


def _no_delay_handler():
    """pywsgi sends a response's headers and body in two writes; with Nagle's algorithm and the
    peer's delayed ACK every keep-alive request then waits ~40 ms. TCP_NODELAY removes the wait.
    The handler also closes a connection once its websocket is over, and answers requests it
    cannot read (too long a URL, too many or too large headers) in the error shape."""
    from gevent.pywsgi import WSGIHandler

    class NoDelayHandler(WSGIHandler):
        def handle(self):
            try:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except (OSError, AttributeError):
                pass
            return super().handle()

        def handle_one_request(self):
            result = super().handle_one_request()
            if isinstance(result, tuple) and result[0] == "414":
                return "414", refusal("414")
            return result

        def read_request(self, raw_requestline):
            done = super().read_request(raw_requestline)
            if sum(len(name) + len(value) + 4 for name, value in self.headers.items()) > MAX_HEADER_BYTES:
                raise HeadersTooLarge("request headers over %d bytes" % MAX_HEADER_BYTES)
            return done

        def _handle_client_error(self, ex):
            # http.client refuses a header line over 64 kB ("Line too long") or over 100 headers.
            text = str(ex)
            too_large = isinstance(ex, HeadersTooLarge) or "Line too long" in text or "more than 100 headers" in text
            self.log_error("refused a request from %s: %s", self.client_address, text[:200])
            return ("431", refusal("431")) if too_large else ("400", refusal("400"))

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


def keep_gc_short(interval: float = GC_REFREEZE):
    """Keep the garbage collector's pauses short while thousands of screens stay connected.

    Every open websocket is a few hundred long-lived objects; with 1,000 screens a full
    (generation 2) collection walks them all and holds gevent's loop for 150-200 ms, every
    few seconds under load, and every screen's patch waits behind it. So whatever survives a
    full collection is moved out of the collector's sight (``gc.freeze``): later automatic
    collections walk only what is newer. Frozen objects that later form garbage cycles would
    never be freed, so once an interval everything is thawed, collected in full and frozen
    again: one long pause an hour instead of one every few seconds. Returns the greenlet."""
    import gevent

    def refreeze():
        while True:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            gevent.sleep(interval)

    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    return gevent.spawn(refreeze)


def _freeze_survivors(phase: str, info: dict) -> None:
    """Called as a collection ends; freezing only relinks lists, it walks nothing."""
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def close_sockets(eio) -> int:
    """Tell every screen and kiosk to go; returns how many were told.

    Their websockets would otherwise hold the server for the whole stop timeout; they
    reconnect on their own when it is back. Not ``eio.disconnect()``: it waits for each
    socket's writer to drain its queue, and a socket whose peer has just gone may have no
    writer left, so stopping would wait forever (it did, now and then, after 100 screens left).
    """
    sockets = list(eio.sockets.values())
    for sock in sockets:
        sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
    return len(sockets)


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

    from .push.hub import hub_for

    hub_for(app).start()  # listen to other processes' changes from the start, not the first commit
    keep_gc_short()
    scheduler = None
    if settings.get("RUN_SCHEDULER"):
        from .jobs import start_scheduler

        scheduler = start_scheduler(app)

    def stop(*_args):
        log.info("stopping: closing connections")
        closer = gevent.spawn(close_sockets, socketio.server.eio)
        closer.join(timeout=STOP_TIMEOUT)
        if not closer.successful():
            log.warning("closing Socket.IO connections did not finish: %s", closer.exception or "timed out")
            closer.kill(block=False)
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
