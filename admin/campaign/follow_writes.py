"""The rating rollups and the rectification ledger follow every write, in the writer's own transaction.

Why connection events and not a session ``before_flush``: the kiosk intake writes a rating with
one Core ``INSERT`` on the session's connection (no flush at all), the demo and imports use bulk
inserts, the console uses the ORM. Every one of those reaches ``Connection.execute``, so
``before_execute``/``after_execute`` on the Engine see every INSERT, UPDATE and DELETE on the
tables that matter, whoever issued it, and the extra statements below run on that same
connection: they commit or roll back with the write that caused them.

* ``ratings``: the contributions of the rows touched are read before the statement (UPDATE and
  DELETE; an INSERT has none) and after it; the difference goes into the rollups. New ratings
  of 1–2 that are not flagged open a ledger entry.
* ``rating_appeals``: an appeal upheld (or no longer upheld) changes its rating's contribution.
* ``suggestions``: a new complaint, or a suggestion turned into one, opens a ledger entry.
* ``settings``: when the hall's time zone is no longer the one the rollups were built in, they
  are rebuilt (in that transaction).

Raw SQL text and driver-level writes to ``ratings`` are not seen: call
``admin.stats.rollups.rebuild`` after them (bench/stats.py does).

The app factory installs the hooks (``init_app``); until then nothing here is listening.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import Delete, Insert, Update

from ..ledger import autoopen
from ..models import RatingAppeal, Suggestion
from ..models.rating import Rating
from ..stats import rollups

log = logging.getLogger(__name__)

WATCHED = {"ratings", "rating_appeals", "suggestions", "settings"}
CHUNK = 500
REBUILD_ABOVE = 5000  # an UPDATE/DELETE touching more ratings than this rebuilds instead
BUSY = rollups.BUSY
PENDING = "campaign_pending"
DEFERRED = "rollups_deferred"  # a Delta gathered here while the writer asked for it (deferred_rollups)
STALE_DEFAULTS = autoopen.STALE_KEY
FORGET_AT_CHECKIN = "ledger_defaults_forget_at_checkin"

R = Rating.__table__
A = RatingAppeal.__table__
S = Suggestion.__table__


def _watched(stmt) -> str | None:
    if not isinstance(stmt, (Insert, Update, Delete)):
        return None
    name = getattr(getattr(stmt, "table", None), "name", None)
    return name if name in WATCHED else None


def _param_sets(multiparams, params) -> list[dict]:
    sets = list(multiparams) if multiparams else [params or {}]
    return [p if isinstance(p, dict) else {} for p in sets]


def _chunks(items: list) -> list[list]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def _affected(conn: Connection, table, column, stmt, sets: list[dict]) -> list:
    """Values of ``column`` in the rows an UPDATE/DELETE will touch (read before it runs)."""
    where = stmt.whereclause
    query = select(column) if where is None else select(column).where(where)
    out: list = []
    for p in sets:
        out.extend(conn.execute(query, p).scalars())
    return list(dict.fromkeys(out))


# Built once: statements rebuilt per call cost more than the SQL they run on the intake's hot path.
_UPHELD = select(A.c.id).where(A.c.rating_id == R.c.id, A.c.status == "upheld").exists()
_ROWS = select(R.c.id, R.c.score, R.c.rated_at, R.c.staff_id, R.c.window_id, R.c.flagged, R.c.reasons, R.c.comment,
               R.c.received_at, _UPHELD.label("upheld")).where(R.c.id.in_(bindparam("ids", expanding=True)))


def _rows(conn: Connection, rating_ids: list) -> list:
    rows = []
    for chunk in _chunks(rating_ids):
        rows.extend(conn.execute(_ROWS, {"ids": chunk}).all())
    return rows


def _contributions(conn: Connection, rating_ids: list, zone, rows: list | None = None) -> dict:
    """{rating id: (bucket, score, reasons) or None} as the database holds them now."""
    rows = _rows(conn, rating_ids) if rows is None else rows
    return {row.id: rollups.contribution(row._mapping, bool(row.upheld), zone) for row in rows}


def _zone(conn: Connection):
    """The hall's zone, read on this connection (one primary-key read with a statement built once)."""
    return autoopen.hall_zone(conn)


def _suggestion_rows(conn: Connection, column, values: list) -> list:
    rows = []
    for chunk in _chunks(values):
        rows.extend(conn.execute(select(S.c.id, S.c.receipt, S.c.kind, S.c.text, S.c.staff_id, S.c.window_id,
                                        S.c.created_at).where(column.in_(chunk))).all())
    return rows


class _Busy:
    """Marks the connection while this module writes, so its own statements are not watched."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.info[BUSY] = True

    def __exit__(self, *exc):
        self.conn.info.pop(BUSY, None)


def _forget_entry_defaults(conn, stmt) -> None:
    """A write to what a new ledger entry's defaults come from: forget them now and at commit
    (a reader between the two could remember what this write is about to change)."""
    if isinstance(stmt, (Insert, Update, Delete)) and \
            getattr(getattr(stmt, "table", None), "name", None) in autoopen.DEFAULTS_TABLES:
        autoopen.forget_defaults(conn.engine)
        conn.info[STALE_DEFAULTS] = True


def _before(conn, stmt, multiparams, params, execution_options):
    _forget_entry_defaults(conn, stmt)
    table = _watched(stmt)
    if table is None or conn.info.get(BUSY):
        return
    sets = _param_sets(multiparams, params)
    plan: dict = {"table": table}
    with _Busy(conn):
        if table == "ratings":
            if isinstance(stmt, Insert):
                ids = [p.get("id") for p in sets]
                plan["ids"], plan["old"] = ids, {}
                plan["rebuild"] = not ids or any(i is None for i in ids)  # values() inside the statement
            else:
                ids = _affected(conn, R, R.c.id, stmt, sets)
                plan["ids"] = ids
                plan["rebuild"] = len(ids) > REBUILD_ABOVE
                plan["old"] = {} if plan["rebuild"] else _contributions(conn, ids, _zone(conn))
        elif table == "rating_appeals":
            if isinstance(stmt, Insert):
                ids = [p.get("rating_id") for p in sets if p.get("rating_id")]
            else:
                ids = _affected(conn, A, A.c.rating_id, stmt, sets)
            plan["ids"] = ids
            plan["old"] = _contributions(conn, ids, _zone(conn))
        elif table == "suggestions":
            if isinstance(stmt, Insert):
                plan["receipts"] = [p.get("receipt") for p in sets if p.get("receipt")]
            elif isinstance(stmt, Update):
                ids = _affected(conn, S, S.c.id, stmt, sets)
                plan["kinds"] = dict(conn.execute(select(S.c.id, S.c.kind).where(S.c.id.in_(ids or [-1]))).all())
            else:
                return
    conn.info.setdefault(PENDING, {})[id(stmt)] = plan


def _after(conn, stmt, multiparams, params, execution_options, result):
    table = _watched(stmt)
    if table is None or conn.info.get(BUSY):
        return
    plan = conn.info.get(PENDING, {}).pop(id(stmt), None)
    with _Busy(conn):
        if table == "settings":
            _zone_check(conn)
            return
        if plan is None:
            return
        if table in ("ratings", "rating_appeals"):
            zone = _zone(conn)
            if plan.get("rebuild"):
                _rebuild(conn, zone)
                return
            rows = _rows(conn, plan["ids"])
            new = _contributions(conn, plan["ids"], zone, rows)
            delta = rollups.Delta()
            for rid in plan["ids"]:
                old, now = plan["old"].get(rid), new.get(rid)
                if old != now:
                    delta.add(old, -1)
                    delta.add(now, +1)
            if DEFERRED in conn.info:
                conn.info[DEFERRED].merge(delta)
            elif delta:
                rollups.apply(conn, delta)
            if table == "ratings" and isinstance(stmt, Insert):
                autoopen.for_ratings(conn, [row._mapping for row in rows])
        elif table == "suggestions":
            if isinstance(stmt, Insert):
                autoopen.for_complaints(conn, [r._mapping for r in _suggestion_rows(conn, S.c.receipt, plan["receipts"])])
            else:
                rows = _suggestion_rows(conn, S.c.id, list(plan["kinds"]))
                turned = [r._mapping for r in rows if r.kind == "complaint" and plan["kinds"].get(r.id) != "complaint"]
                autoopen.for_complaints(conn, turned)


class deferred_rollups:
    """``with deferred_rollups(conn):`` the rating writes inside add to the rollups once, at the
    end, in key order, rather than after each statement. A rollup row stays locked from its
    upsert to the commit: written last, it is held for the commit alone, not for the rest of a
    batch (other processes' batches for the same member wait on it). The writer commits right
    after the block; an exception inside leaves nothing applied (the transaction is rolled back)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.info[DEFERRED] = rollups.Delta()
        return self

    def __exit__(self, exc_type, *_):
        delta = self.conn.info.pop(DEFERRED, None)
        if exc_type is None and delta:
            with _Busy(self.conn):
                rollups.apply(self.conn, delta)
        return False


def _zone_check(conn: Connection) -> None:
    """Rebuild the rollups when the hall's zone is not the one they were built in."""
    zone = autoopen.hall_zone(conn, fresh=True)
    if rollups.marker(conn) != zone.key:
        _rebuild(conn, zone)


def _rebuild(conn: Connection, zone) -> None:
    rollups.rebuild(conn, zone)
    if DEFERRED in conn.info:
        conn.info[DEFERRED] = rollups.Delta()  # the rebuild counted what was gathered so far


def _forget(conn):
    conn.info.pop(PENDING, None)
    conn.info.pop(BUSY, None)
    if conn.info.pop(STALE_DEFAULTS, None):
        autoopen.forget_defaults(conn.engine)  # anything read meanwhile may have seen the rolled-back writes


def _tidy(conn):
    conn.info.pop(PENDING, None)
    if conn.info.get(STALE_DEFAULTS):
        # This event comes just before the database's COMMIT: forget now, and once more when
        # the connection goes back to the pool (after it), in case someone read in between.
        autoopen.forget_defaults(conn.engine)
        conn.info[FORGET_AT_CHECKIN] = conn.engine
    conn.info.pop(STALE_DEFAULTS, None)


def _forget_after_commit(dbapi_connection, connection_record):
    if connection_record is None:
        return
    engine = connection_record.info.pop(FORGET_AT_CHECKIN, None)
    if engine is not None:
        autoopen.forget_defaults(engine)


_HOOKS = ((Engine, "before_execute", _before), (Engine, "after_execute", _after), (Engine, "rollback", _forget),
          (Engine, "commit", _tidy), (Pool, "checkin", _forget_after_commit))


def init_app(app) -> None:
    """Listen from now on. The events belong to the Engine and Pool classes, so every engine of the
    process is covered once; a second app changes nothing."""
    for target, name, hook in _HOOKS:
        if not event.contains(target, name, hook):
            event.listen(target, name, hook)
