"""A real ``liangbiping serve`` shared by a module's tests, an API helper and screen clients."""

from __future__ import annotations

import threading
import time

import pytest
import socketio

from tests.livesrv import Api, LiveServer, admin_token


class ScreenClient:
    """A python-socketio client on /display that records every event it gets."""

    def __init__(self, url: str, token: str):
        self.events: list[tuple[str, dict, float]] = []
        self.arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        for name in ("hello", "state", "patch", "rejoin", "revoked", "command"):
            self.sio.on(name, self._recorder(name), namespace="/display")
        self.sio.connect(url, namespaces=["/display"], auth={"token": token, "resolution": "1920x1080"},
                         transports=["websocket"], wait_timeout=10)

    def _recorder(self, name):
        def record(data=None):
            with self.arrived:
                self.events.append((name, data, time.monotonic()))
                self.arrived.notify_all()
        return record

    def of(self, *names) -> list[dict]:
        return [data for name, data, _ in self.events if name in names]

    def wait_for(self, name: str, count: int = 1, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.of(name)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{name} x{count} not received; got {[e[0] for e in self.events]}")
                self.arrived.wait(left)
        return self.of(name)

    def versions(self) -> list[int]:
        return [data["version"] for name, data, _ in self.events if name in ("state", "patch")]

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("push"))
    token = admin_token(srv)
    srv.start()
    srv.api = Api(srv.url, token)
    yield srv
    srv.stop()


@pytest.fixture
def screens(server):
    """screens(token) -> a connected ScreenClient; all are closed after the test."""
    opened = []

    def connect(token: str) -> ScreenClient:
        client = ScreenClient(server.url, token)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


def settle(seconds: float = 0.6) -> None:
    """Let a push round that is not expected to reach a client have its chance to (wrongly) arrive."""
    time.sleep(seconds)
