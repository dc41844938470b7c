"""The transactional outbox: every event is written by the transaction of the change that causes it.

A rating, a suggestion, a ledger step and a survey answer reach ``Connection.execute`` however
they are written (the intake's Core INSERTs in batches, the ledger's and the surveys' ORM flushes,
the automatic ledger entries of ``campaign/follow_writes.py``), so the Engine's ``after_execute``
notes each of them (an ORM INSERT by the key the database gave it), and its
``commit`` event (just before the database's COMMIT, in the same transaction) reads what they wrote
and adds one INSERT of events: the events commit or roll back with the change. A crash
can neither lose an event of a committed change nor leave one of a rolled-back change.

Cheap on the intake's path: an event type no enabled endpoint subscribes to is not written at all.
Which types are subscribed is read once per ``SUBSCRIBED_TTL`` seconds per process and forgotten at
once in the process that changes an endpoint and, told by the change bus (``admin.push.hub.on_change``),
in every other one: with several servers on one database an endpoint receives the events of changes
committed from a moment (well under a second) after it was registered; in the usual single server,
from the moment it is. (docs/INTEGRATION.md says so.)

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

from ..models import (OutboxEvent, Rating, RatingPrompt, Rectification, Suggestion, Survey, SurveyResponse,
                      WebhookEndpoint)
from ..models.types import utcnow

SUBSCRIBED_TTL = 2.0
_subscribed: dict[int, tuple[float, frozenset]] = {}
_generation = [0]  # bumped by each forgetting
_lock = threading.Lock()

E = OutboxEvent.__table__
R = Rating.__table__
P = RatingPrompt.__table__
X = Rectification.__table__
S = Suggestion.__table__
V = SurveyResponse.__table__
Q = Survey.__table__
_INSERT = insert(E)
WATCHED = {"ratings", "rectification_events", "suggestions", "survey_responses"}


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
    generation = _generation[0]
    W = WebhookEndpoint.__table__
    types: set = set()
    for events in conn.execute(select(W.c.events).where(W.c.enabled.is_(True))).scalars():
        types.update(events or ())
    found = frozenset(types)
    with _lock:
        if generation == _generation[0]:  # not forgotten while we read (it might be stale)
            _subscribed[key] = (now, found)
    return found


def forget_subscriptions() -> None:
    """An endpoint was added, changed or removed (in any process): read the subscriptions again."""
    with _lock:
        _generation[0] += 1
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


def ratings_data(conn: Connection, ids: list) -> dict:
    """{rating id: ``rating_data``} for the stored ratings among ``ids``."""
    return {row.id: rating_data(row) for row in conn.execute(_RATINGS, {"ids": list(ids)})} if ids else {}


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


SURVEY_ANSWER_FIELDS = ("id", "survey_id", "channel", "target_id", "answers", "kiosk_id", "paper_no")
_SURVEY_ANSWERS = (select(*[V.c[f] for f in SURVEY_ANSWER_FIELDS], V.c.invitation_id, V.c.created_at,
                          Q.c.code, Q.c.title, Q.c.target_kind)
                   .select_from(V.join(Q, Q.c.id == V.c.survey_id))
                   .where(V.c.id.in_(bindparam("ids", expanding=True))))


def survey_answer_data(row) -> dict:
    """One filled questionnaire: its survey round, whom it evaluates, the answers by question key.
    The respondent's contact and phone key never leave; an invited answer says only that it was."""
    m = row._mapping
    out = {f: m[f] for f in SURVEY_ANSWER_FIELDS}
    out.update(survey_code=m["code"], survey_title=m["title"], target_kind=m["target_kind"],
               answers=dict(out["answers"] or {}), invited=m["invitation_id"] is not None,
               created_at=iso(m["created_at"]))
    return out


def _inserted_ids(result, sets: list[dict]) -> list:
    """The primary keys an INSERT wrote: given in its parameters, or made by the database (the ORM's
    INSERT of a new object leaves ``id`` to it; the result knows it, one row or a batch's rows)."""
    given = [p.get("id") for p in sets]
    if given and all(given):
        return given
    try:
        rows = result.inserted_primary_key_rows
    except Exception:  # noqa: BLE001 - a driver that cannot tell: nothing to note rather than a failed write
        return [i for i in given if i]
    return [row[0] for row in rows if row and row[0] is not None]


# --- the Engine hook ----------------------------------------------------------------------------

def _param_sets(multiparams, params) -> list[dict]:
    sets = list(multiparams) if multiparams else [params or {}]
    return [p for p in sets if isinstance(p, dict)]


PENDING = "outbox_pending"


def _after(conn, stmt, multiparams, params, execution_options, result):
    """Note what a watched INSERT wrote; the events are built and written once, at commit (``_flush``),
    so a batch written row by row (the intake on PostgreSQL) still costs one read and one INSERT."""
    if not isinstance(stmt, Insert):
        return
    table = getattr(getattr(stmt, "table", None), "name", None)
    if table not in WATCHED:
        return
    wanted = subscribed(conn)
    if not wanted:
        return
    sets = _param_sets(multiparams, params)
    pending = conn.info.setdefault(PENDING, [])
    if table == "ratings" and "rating.created" in wanted:
        pending.extend(("rating", p["id"]) for p in sets if p.get("id"))
    elif table == "rectification_events" and "rectification.changed" in wanted:
        pending.extend(("step", p) for p in sets if p.get("rectification_id"))
    elif table == "suggestions" and "suggestion.created" in wanted:
        pending.extend(("suggestion", p["receipt"]) for p in sets if p.get("receipt"))
    elif table == "survey_responses" and "survey.answered" in wanted:
        pending.extend(("survey", i) for i in _inserted_ids(result, sets))


def _flush(conn) -> None:
    """Just before the database's COMMIT, on the same connection and transaction: the events of
    what this transaction wrote, in the order it wrote them, in one INSERT."""
    pending = conn.info.pop(PENDING, None)
    if not pending:
        return
    ratings = ratings_data(conn, [v for kind, v in pending if kind == "rating"])
    entry_ids = list({v["rectification_id"] for kind, v in pending if kind == "step"})
    entries = {row.id: row for row in conn.execute(_RECTIFICATIONS, {"ids": entry_ids})} if entry_ids else {}
    receipts = [v for kind, v in pending if kind == "suggestion"]
    boxes = {row.receipt: row for row in conn.execute(_SUGGESTIONS, {"receipts": receipts})} if receipts else {}
    answer_ids = [v for kind, v in pending if kind == "survey"]
    answers = {row.id: row for row in conn.execute(_SURVEY_ANSWERS, {"ids": answer_ids})} if answer_ids else {}
    events = []
    for kind, v in pending:
        if kind == "rating" and v in ratings:
            events.append(event("rating.created", ratings[v]))
        elif kind == "step" and v["rectification_id"] in entries:
            events.append(event("rectification.changed", rectification_data(entries[v["rectification_id"]], v),
                                order_key=f"rectification:{v['rectification_id']}"))
        elif kind == "suggestion" and v in boxes:
            events.append(event("suggestion.created", suggestion_data(boxes[v])))
        elif kind == "survey" and v in answers:
            events.append(event("survey.answered", survey_answer_data(answers[v])))
    write(conn, events)


def _forget(conn) -> None:
    conn.info.pop(PENDING, None)


def init_app(app) -> None:
    """Listen from now on (the Engine class: every engine of the process, once)."""
    for name, hook in (("after_execute", _after), ("commit", _flush), ("rollback", _forget)):
        if not sa_event.contains(Engine, name, hook):
            sa_event.listen(Engine, name, hook)

