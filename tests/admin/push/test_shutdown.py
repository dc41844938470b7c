"""SIGTERM stops the server promptly and cleanly with screens connected, and after they have gone."""

from __future__ import annotations

import signal
import time

from tests.livesrv import LiveServer, admin_token
from tests.admin.push.conftest import Api, ScreenClient


def test_sigterm_with_screens_connected_and_gone(tmp_path):
    server = LiveServer(tmp_path / "data")
    token = admin_token(server)
    server.start()
    try:
        api = Api(server.url, token)
        clients = [ScreenClient(server.url, api("POST", "/screens", json={"name": f"屏{i}"})["token"])
                   for i in range(24)]
        for client in clients:
            client.wait_for("state")
        for client in clients[:12]:
            client.close()
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=15)
        assert code == 0 and time.monotonic() - started < 6
        assert "stopped" in server.log.read_text()
    finally:
        if server.proc.poll() is None:
            server.proc.kill()


def test_closing_sockets_does_not_wait_for_a_writer_that_is_gone(app):
    """A socket whose peer left has nobody draining its queue; closing it must not wait for one."""
    import threading

    from engineio import packet
    from engineio.socket import Socket

    from liangbiping.admin.extensions import socketio
    from liangbiping.admin.server import close_sockets

    eio = socketio.server.eio
    orphan = Socket(eio, "orphan-sid")
    orphan.send(packet.Packet(packet.NOOP))  # queued; no writer will ever take it
    eio.sockets[orphan.sid] = orphan
    try:
        closer = threading.Thread(target=lambda: close_sockets(eio), daemon=True)
        closer.start()
        closer.join(timeout=5)
        assert not closer.is_alive(), "closing waited for a writer that does not exist"
        assert orphan.closed
    finally:
        eio.sockets.pop(orphan.sid, None)
