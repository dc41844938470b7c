"""The transactional outbox: every event is written by the transaction of the change that causes it.

A rating, a suggestion and a ledger step reach ``Connection.execute`` however they are written (the
intake's Core INSERTs in batches, the ledger's ORM flushes, the automatic ledger entries of
``campaign/follow_writes.py``), so the Engine's ``after_execute`` sees each of them and adds one
INSERT of events on that same connection: the events commit or roll back with the change. A crash
can neither lose an event of a committed change nor leave one of a rolled-back change.

Cheap on the intake's path: an event type no enabled endpoint subscribes to is not written at all.
Which types are subscribed is read once per ``SUBSCRIBED_TTL`` seconds per process and forgotten at
once in the process that changes an endpoint, so an endpoint registered in another process (several
servers on one database) receives the events of changes committed from a few seconds after it was
registered; in the usual single server, from the moment it is. (docs/INTEGRATION.md says so.)

``admin/integration/delivery.py`` delivers what is written here.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import bindparam, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from ..models import OutboxEvent, Rating, RatingPrompt, Rectification, Suggestion, WebhookEndpoint
from ..models.types import utcnow

SUBSCRIBED_TTL = 2.0
_subscribed: dict[int, tuple[float, frozenset]] = {}
_lock = threading.Lock()

E = OutboxEvent.__table__
R = Rating.__table__
P = RatingPrompt.__table__
X = Rectification.__table__
S = Suggestion.__table__
_INSERT = insert(E)
WATCHED = {"ratings", "rectification_events", "suggestions"}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def event(type_: str, data: dict, order_key: str | None = None) -> dict:
    return {"id": str(uuid.uuid4()), "type": type_, "order_key": order_key, "data": data, "created_at": utcnow(),
            "fanned_out": False}


def write(conn: Connection, events: list[dict]) -> None:
    """One INSERT (the driver's executemany) for the events, on the writer's connection."""
    if events:
        conn.execute(_INSERT, events)


def subscribed(conn: Connection) -> frozenset:
    """The event types some enabled endpoint wants (remembered ``SUBSCRIBED_TTL`` seconds)."""
    key = id(conn.engine)
    hit = _subscribed.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < SUBSCRIBED_TTL:
        return hit[1]
    W = WebhookEndpoint.__table__
    types: set = set()
    for events in conn.execute(select(W.c.events).where(W.c.enabled.is_(True))).scalars():
        types.update(events or ())
    found = frozenset(types)
    with _lock:
        _subscribed[key] = (now, found)
    return found


def forget_subscriptions() -> None:
    """An endpoint was added, changed or removed in this process: read the subscriptions again."""
    with _lock:
        _subscribed.clear()


# --- what each event carries ------------------------------------------------------------------

RATING_FIELDS = ("id", "score", "staff_id", "window_id", "kiosk_id", "channel", "reasons", "comment", "flagged",
                 "prompt_id")
_RATINGS = (select(*[R.c[f] for f in RATING_FIELDS], R.c.rated_at, R.c.received_at, R.c.contact,
                   P.c.case_no, P.c.service_item, P.c.service_code)
            .select_from(R.outerjoin(P, P.c.id == R.c.prompt_id))
            .where(R.c.id.in_(bindparam("ids", expanding=True))))


def rating_data(row) -> dict:
    """A stored rating's core fields (the contract's), its case and service item. ``contact`` is kept
    for the national format, which sends it only where the platform requires it; the standard
    body leaves it out (delivery.body)."""
    m = row._mapping
    out = {f: m[f] for f in RATING_FIELDS}
    out["reasons"] = list(out["reasons"] or [])
    out.update(rated_at=iso(m["rated_at"]), received_at=iso(m["received_at"]), case_no=m["case_no"] or None,
               service_item=m["service_item"] or None, service_code=m["service_code"] or None,
               contact=m["contact"])
    return out


RECTIFICATION_FIELDS = ("id", "source", "rating_id", "suggestion_id", "staff_id", "window_id", "department_id",
                        "problem", "measure", "deadline", "leader_id", "responsible_id", "state", "overdue", "verdict",
                        "external_source", "external_id")
_RECTIFICATIONS = select(*[X.c[f] for f in RECTIFICATION_FIELDS]).where(
    X.c.id.in_(bindparam("ids", expanding=True)))


def rectification_data(row, step: dict) -> dict:
    out = dict(row._mapping)
    out["deadline"] = out["deadline"].isoformat() if out["deadline"] else None
    out["step"] = {"action": step.get("action"), "from_state": step.get("from_state"),
                   "to_state": step.get("to_state"), "at": iso(step.get("at")) or iso(utcnow()),
                   "note": step.get("note") or ""}
    return out


_SUGGESTIONS = select(S.c.id, S.c.receipt, S.c.kind, S.c.text, S.c.staff_id, S.c.window_id, S.c.channel,
                      S.c.created_at).where(S.c.receipt.in_(bindparam("receipts", expanding=True)))


def suggestion_data(row) -> dict:
    out = dict(row._mapping)
    out["created_at"] = iso(out["created_at"])
    return out


# --- the Engine hook ----------------------------------------------------------------------------

def _param_sets(multiparams, params) -> list[dict]:
    sets = list(multiparams) if multiparams else [params or {}]
    return [p for p in sets if isinstance(p, dict)]


def _after(conn, stmt, multiparams, params, execution_options, result):
    if not isinstance(stmt, Insert):
        return
    table = getattr(getattr(stmt, "table", None), "name", None)
    if table not in WATCHED:
        return
    wanted = subscribed(conn)
    if not wanted:
        return
    sets = _param_sets(multiparams, params)
    events: list[dict] = []
    if table == "ratings" and "rating.created" in wanted:
        ids = [p["id"] for p in sets if p.get("id")]
        if ids:
            events = [event("rating.created", rating_data(row)) for row in conn.execute(_RATINGS, {"ids": ids})]
    elif table == "rectification_events" and "rectification.changed" in wanted:
        steps = [p for p in sets if p.get("rectification_id")]
        if steps:
            rows = {row.id: row for row in conn.execute(_RECTIFICATIONS,
                                                        {"ids": list({p["rectification_id"] for p in steps})})}
            events = [event("rectification.changed", rectification_data(rows[p["rectification_id"]], p),
                            order_key=f"rectification:{p['rectification_id']}")
                      for p in steps if p["rectification_id"] in rows]
    elif table == "suggestions" and "suggestion.created" in wanted:
        receipts = [p["receipt"] for p in sets if p.get("receipt")]
        if receipts:
            events = [event("suggestion.created", suggestion_data(row))
                      for row in conn.execute(_SUGGESTIONS, {"receipts": receipts})]
    write(conn, events)


def init_app(app) -> None:
    """Listen from now on (the Engine class: every engine of the process, once)."""
    if not sa_event.contains(Engine, "after_execute", _after):
        sa_event.listen(Engine, "after_execute", _after)

