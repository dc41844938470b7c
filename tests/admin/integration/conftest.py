"""Fixtures for the integration tests: an integration token, and a real local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from liangbiping.admin.extensions import db


@pytest.fixture(autouse=True)
def _fresh():
    from liangbiping.admin.integration import outbox
    from tests.conftest import reset_intake

    reset_intake()
    outbox.forget_subscriptions()
    yield
    reset_intake()
    outbox.forget_subscriptions()


@pytest.fixture
def integration_headers(app):
    from liangbiping.admin.services.accounts import create_token

    with app.app_context():
        _token, secret = create_token("排队叫号系统", "integration", actor="test")
    return {"Authorization": f"Bearer {secret}"}


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent and answers ``status``
    (``None``: the server is down, its port closed)."""

    def __init__(self, secret: str = "s3cret-s3cret-s3cret"):
        self.secret = secret
        self.received: list[dict] = []
        self.status = 200
        self.delay = 0.0  # seconds before each answer: a slow receiver
        self.lock = threading.Lock()
        self.server = None
        self.port = None
        self.start()

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.received.append({"headers": dict(self.headers), "raw": raw, "status": receiver.status})
                code = receiver.status
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks/liangbiping"

    def accepted(self) -> list[dict]:
        """The bodies answered 2xx, parsed, after checking each signature."""
        out = []
        for item in list(self.received):
            if 200 <= item["status"] < 300:
                assert verify(self.secret, item["raw"], item["headers"]["X-Liangbiping-Signature"])
                out.append(json.loads(item["raw"]))
        return out


def verify(secret: str, raw: bytes, header: str) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    try:
        r.stop()
    except Exception:  # noqa: BLE001 - already stopped by the test
        pass


@pytest.fixture
def subscribe(app, client, admin_headers):
    """subscribe(receiver, events, **fields) -> the endpoint's id, registered through the API."""
    def make(receiver, events, **fields):
        body = {"url": receiver.url, "secret": receiver.secret, "events": events, **fields}
        answer = client.post("/api/v1/webhooks", json=body, headers=admin_headers)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    return make


def deliver(app, **kwargs) -> int:
    from liangbiping.admin.integration import delivery

    with app.test_request_context("/"):
        n = delivery.run_until_idle(**kwargs)
        db.session.remove()
        return n
