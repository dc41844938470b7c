"""Webhook delivery: how fast a backlog of 10,000 events drains to a receiver, and what the outbox
costs the rating intake.

    python bench/webhooks.py [--events 10000] [--batch 50]

In a temporary data dir on SQLite (the default server's database): a small hall, one webhook to a
real local HTTP receiver (a threaded http.server on 127.0.0.1 answering 204 with keep-alive).

1. The outbox's cost: 2 × ``--events`` kiosk ratings written in batches of ``--batch`` by the
   intake's own batch writer (``kiosk.rating_store.write_batch``: one transaction per batch, with
   the rollups and the ledger following), every other batch with the endpoint subscribed (one read
   and one INSERT more at commit) and the others without (no events written): milliseconds per
   batch each way, on the same table sizes.
2. The backlog: the receiver is down while the events are written (so they wait), then comes up;
   the delivery rounds run back to back (as the scheduler's job does) until nothing is pending:
   the drain time, and the delivery rate (events/s) with fan-out, signing, HTTP and bookkeeping.

Prints the figures; no assertion (the tests prove correctness, this measures).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Receiver:
    def __init__(self):
        self.ids: set = set()
        self.posts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts += 1
                receiver.ids.add(self.headers.get("X-Liangbiping-Delivery"))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def insert_ratings(kiosk_id: int, window_id: int, staff_id: int, n: int, batch: int,
                   switch) -> tuple[list[float], list[float]]:
    """2·n kiosk ratings in batches through the intake's own batch writer (kiosk.rating_store.write_batch:
    one transaction per batch, the repeat-press rule in each INSERT), alternately with no endpoint
    subscribed and with one (``switch(on)``), so both see the same table sizes; seconds per batch
    (without, with)."""
    from liangbiping.kiosk.rating_store import write_batch

    without, with_events = [], []
    base = datetime.now(timezone.utc) - timedelta(days=3)
    i = 0
    for turn in range(2 * ((n + batch - 1) // batch)):
        on = turn % 2 == 1
        switch(on)
        rows = []
        for _ in range(batch):
            at = base + timedelta(seconds=5 * i)
            rows.append({"id": str(uuid.uuid4()), "score": 5 if i % 10 else 3, "staff_id": staff_id,
                         "window_id": window_id, "kiosk_id": kiosk_id, "channel": "kiosk", "reasons": [],
                         "comment": "", "contact": None, "prompted": False, "flagged": None, "rated_at": at,
                         "received_at": at, "prompt_id": None, "rater_hash": None, "address_hash": None})
            i += 1
        began = time.perf_counter()
        write_batch(rows)
        (with_events if on else without).append(time.perf_counter() - began)
    return without, with_events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    from sqlalchemy import func, select, update

    from liangbiping.admin import models
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from liangbiping.admin.extensions import db
    from liangbiping.admin.integration import delivery, outbox, webhooks

    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestingConfig.from_env(tmp))
        with app.test_request_context("/"):
            dept = models.Department(name="社保科")
            db.session.add(dept)
            db.session.flush()
            window = models.Window(number="01", name="综合窗口", department_id=dept.id)
            db.session.add(window)
            db.session.flush()
            member = models.Staff(name="张三", employee_no="E001", department_id=dept.id, window_id=window.id)
            kiosk = models.Kiosk(name="01 评价器", window_id=window.id, token_hash="bench")
            db.session.add_all([member, kiosk])
            db.session.commit()
            w, s, k = window.id, member.id, kiosk.id

            endpoint = webhooks.create({"url": f"http://127.0.0.1:{receiver.port}/hook",
                                        "secret": "bench-secret-0123456789", "events": ["rating.created"]}, "bench")

            def switch(on: bool) -> None:
                db.session.execute(update(models.WebhookEndpoint).where(models.WebhookEndpoint.id == endpoint.id)
                                   .values(enabled=on))
                db.session.commit()
                outbox.forget_subscriptions()

            began = time.perf_counter()
            plain, with_events = insert_ratings(k, w, s, args.events, args.batch, switch)
            written = time.perf_counter() - began
            switch(True)
            events = db.session.scalar(select(func.count()).select_from(models.OutboxEvent))
            print(f"outbox: {2 * args.events:,} ratings in batches of {args.batch}, every other batch with an "
                  f"endpoint subscribed: {events:,} events written ({written:.1f} s)")
            p, e = statistics.median(plain) * 1000, statistics.median(with_events) * 1000
            print(f"  per batch of {args.batch} ratings (median): {p:.2f} ms without a subscriber, "
                  f"{e:.2f} ms with one (+{e - p:.2f} ms, {100 * (e - p) / p:+.0f} %)")

            # The receiver was not listening while the events were written: a backlog of them waits.
            receiver.start()
            began = time.perf_counter()
            rounds = 0
            while True:
                counts = delivery.run_once()
                rounds += 1
                pending = db.session.scalar(select(func.count()).select_from(models.WebhookDelivery)
                                            .where(models.WebhookDelivery.state == "pending"))
                unfanned = db.session.scalar(select(func.count()).select_from(models.OutboxEvent)
                                             .where(models.OutboxEvent.fanned_out.is_(False)))
                if not pending and not unfanned:
                    break
                if not counts["tried"] and not counts["fanned_out"]:
                    time.sleep(0.01)
            drained = time.perf_counter() - began
            delivered = db.session.scalar(select(func.count()).select_from(models.WebhookDelivery)
                                          .where(models.WebhookDelivery.state == "delivered"))
            print(f"backlog: {delivered:,} of {events:,} events delivered in {drained:.1f} s over {rounds} rounds "
                  f"({delivered / drained:,.0f} events/s); the receiver saw {len(receiver.ids):,} distinct ids in "
                  f"{receiver.posts:,} POSTs")
            db.session.remove()
            db.engine.dispose()
    receiver.server.shutdown()


if __name__ == "__main__":
    main()
