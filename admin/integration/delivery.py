"""Delivering the outbox: by the scheduler's process, signed, retried with exponential backoff.

``run_once`` is one round: it fans new events out (one delivery row per enabled endpoint that
subscribes to the type), then, for each endpoint in its own thread, POSTs its due deliveries in
order, and records the answers in one transaction. A 2xx ends a delivery; anything else, or no
answer, schedules the next try with ``Backoff``; after its last try a delivery is ``failed`` and
waits for someone to replay it (console or API). The event id is the idempotency key: a receiver
may see an event more than once (a crash between its 2xx and our commit), never with another id.

* Order per rectification: a delivery waits while an earlier event with the same ``order_key`` for
  the same endpoint is still pending.
* One endpoint never holds up another: each has its own thread; a connection refused or timed out
  ends that endpoint's turn for this round, and its time per round is bounded (``TURN_SECONDS``).
* The clock and the schedule are injectable (``now``, ``backoff``) so tests can live ten minutes
  of a dead receiver in a second.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from ..models.types import utcnow
from . import national

log = logging.getLogger(__name__)

BATCH = 500          # deliveries per endpoint per round
FAN_OUT = 2000       # events fanned out per round
TIMEOUT = 5.0        # seconds to connect and to wait for an answer
TURN_SECONDS = 20.0  # an endpoint's share of one round
USER_AGENT = "Liangbiping-Webhooks/1"


@dataclass(frozen=True)
class Backoff:
    """first, first*factor, first*factor², ... capped at ``cap``; ``attempts`` tries in all."""

    first: float = 10.0
    factor: float = 2.0
    cap: float = 3600.0
    attempts: int = 25  # about a day of tries after the cap is reached

    def delay(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th failed try (1-based)."""
        return timedelta(seconds=min(self.cap, self.first * self.factor ** (attempt - 1)))


DEFAULT_BACKOFF = Backoff()


# --- the body and its signature ----------------------------------------------------------------

def body(event: OutboxEvent, endpoint: WebhookEndpoint, zone=None) -> bytes:
    """The JSON body of one event for one endpoint, as it is signed and sent."""
    data = dict(event.data)
    if endpoint.format == "national":
        from ..timefmt import hall_zone

        data = national.record(event.type, data, zone or hall_zone(), send_contact=endpoint.send_contact)
    else:
        data.pop("contact", None)  # a citizen's phone never leaves in the standard body
    created = event.created_at
    payload = {"id": event.id, "type": event.type, "created_at": created.isoformat().replace("+00:00", "Z"),
               "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, raw: bytes, timestamp: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` (the contract's header)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def headers(event_type: str, event_id: str, secret: str, raw: bytes, timestamp: int | None = None) -> dict:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "X-Liangbiping-Event": event_type, "X-Liangbiping-Delivery": event_id,
            "X-Liangbiping-Signature": signature(secret, raw, int(timestamp or time.time()))}


# --- fan-out ---------------------------------------------------------------------------------------

def fan_out(now: datetime | None = None) -> int:
    """A delivery row for each new event and each enabled endpoint that wants its type; returns events done."""
    now = now or utcnow()
    events = db.session.execute(select(OutboxEvent.seq, OutboxEvent.type, OutboxEvent.order_key)
                                .where(OutboxEvent.fanned_out.is_(False)).order_by(OutboxEvent.seq)
                                .limit(FAN_OUT)).all()
    if not events:
        return 0
    endpoints = db.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)
                                   .where(WebhookEndpoint.enabled.is_(True))).all()
    rows = [{"endpoint_id": ep.id, "event_seq": ev.seq, "order_key": ev.order_key, "state": "pending",
             "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now}
            for ev in events for ep in endpoints if ev.type in (ep.events or ())]
    if rows:
        db.session.execute(WebhookDelivery.__table__.insert(), rows)
    db.session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_([e.seq for e in events]))
                       .values(fanned_out=True))
    db.session.commit()
    return len(events)


# --- sending -----------------------------------------------------------------------------------------

def due(endpoint_id: int, now: datetime, limit: int = BATCH) -> list[WebhookDelivery]:
    """This endpoint's pending deliveries whose time has come, oldest event first, each only when no
    earlier event of its order key is still pending for the endpoint."""
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(and_(earlier.endpoint_id == WebhookDelivery.endpoint_id,
                                  earlier.order_key == WebhookDelivery.order_key, earlier.state == "pending",
                                  earlier.event_seq < WebhookDelivery.event_seq))
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == "pending",
                                      WebhookDelivery.next_attempt_at <= now,
                                      (WebhookDelivery.order_key.is_(None)) | ~blocked)
        .options(selectinload(WebhookDelivery.event))
        .order_by(WebhookDelivery.event_seq).limit(limit)))


class _Sender:
    """One endpoint's turn: keeps its connection open across the batch (keep-alive)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.conn = None

    def _connect(self):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        self.conn = cls(self.host, self.port, timeout=TIMEOUT)

    def post(self, raw: bytes, head: dict) -> int:
        for retry in (False, True):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request("POST", self.path, body=raw, headers=head)
                response = self.conn.getresponse()
                response.read(65536)
                if response.will_close:
                    self.close()
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if retry:
                    raise
                # A kept-alive connection the receiver closed meanwhile: once more on a fresh one.
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _turn(url: str, secret: str, jobs: list[tuple[int, str, str, bytes]]) -> list[tuple[int, int | None, str]]:
    """POST each job in order; (delivery id, status or None, error) for each one tried."""
    sender = _Sender(url)
    started = time.monotonic()
    results = []
    try:
        for delivery_id, event_type, event_id, raw in jobs:
            if time.monotonic() - started > TURN_SECONDS:
                break
            try:
                status = sender.post(raw, headers(event_type, event_id, secret, raw))
                results.append((delivery_id, status, "" if 200 <= status < 300 else f"HTTP {status}"))
            except (OSError, http.client.HTTPException) as exc:
                results.append((delivery_id, None, f"{type(exc).__name__}: {exc}"[:500]))
                break  # down or hanging: the rest wait for the next round
    finally:
        sender.close()
    return results


def run_once(now: datetime | None = None, backoff: Backoff = DEFAULT_BACKOFF) -> dict:
    """One round: fan out, send what is due, record the answers. Returns counts."""
    from ..timefmt import hall_zone

    now = now or utcnow()
    fanned = fan_out(now)
    zone = hall_zone()
    endpoints = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))).all()
    turns = []
    for endpoint in endpoints:
        deliveries = due(endpoint.id, now)
        # Within an order key only the first pending one may go this round: the next waits for its answer.
        seen_keys: set = set()
        jobs = []
        for d in deliveries:
            if d.order_key is not None:
                if d.order_key in seen_keys:
                    continue
                seen_keys.add(d.order_key)
            jobs.append((d.id, d.event.type, d.event.id, body(d.event, endpoint, zone)))
        if jobs:
            turns.append((endpoint.url, endpoint.secret, jobs))
    db.session.rollback()  # hand the connection back while the threads talk to the receivers
    results: list = []
    if turns:
        with ThreadPoolExecutor(max_workers=min(8, len(turns))) as pool:
            for part in pool.map(lambda t: _turn(*t), turns):
                results.extend(part)
    delivered = failed = 0
    stamp = now
    accepted: dict[int, list[int]] = {}
    for delivery_id, status, error in results:
        if status is not None and 200 <= status < 300:
            accepted.setdefault(status, []).append(delivery_id)
            continue
        d = db.session.get(WebhookDelivery, delivery_id)
        if d is None or d.state != "pending":
            continue
        failed += 1
        d.attempts += 1
        d.last_attempt_at, d.last_status, d.last_error = stamp, status, error
        if d.attempts >= backoff.attempts:
            d.state = "failed"
        else:
            d.next_attempt_at = now + backoff.delay(d.attempts)
    for status, ids in accepted.items():  # the common case, one UPDATE for many
        for start in range(0, len(ids), 500):
            delivered += db.session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id.in_(ids[start:start + 500]),
                                              WebhookDelivery.state == "pending")
                .values(state="delivered", delivered_at=stamp, last_attempt_at=stamp, last_status=status,
                        last_error="", attempts=WebhookDelivery.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return {"fanned_out": fanned, "delivered": delivered, "failed": failed, "tried": len(results)}


def run_until_idle(now: datetime | None = None, rounds: int = 1000, backoff: Backoff = DEFAULT_BACKOFF) -> int:
    """Rounds until nothing is due now (tests, the benchmark); returns deliveries made."""
    total = 0
    for _ in range(rounds):
        counts = run_once(now, backoff)
        total += counts["delivered"]
        if not counts["delivered"] and not counts["fanned_out"]:
            break  # nothing moved: what is left waits for its backoff or its receiver
    return total


def replay(delivery: WebhookDelivery) -> None:
    """Send once more, now (the same event id); the caller audits and commits."""
    delivery.state = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()


def summary() -> dict[int, dict]:
    """{endpoint id: {delivered, pending (the backlog), failed, oldest_pending}} for the console."""
    out: dict[int, dict] = {}
    rows = db.session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.state, func.count(),
                                     func.min(WebhookDelivery.created_at))
                              .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.state)).all()
    for endpoint_id, state, count, oldest in rows:
        item = out.setdefault(endpoint_id, {"delivered": 0, "pending": 0, "failed": 0, "oldest_pending": None})
        item[state] = count
        if state == "pending":
            item["oldest_pending"] = oldest
    return out
