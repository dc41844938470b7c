"""Keeping the rating rollups current, in the transaction that writes the ratings.

``admin.campaign.follow_writes`` calls in here from SQLAlchemy connection events, so every write
path is covered without the writer knowing: the kiosk intake's Core insert, the console's ORM,
the demo's bulk insert, imports. A rating's contribution is +1 at its score in its bucket (hall-local day,
member, window) and +1 per reason code, when it counts (not flagged, not removed by an upheld
appeal). A change is the new contribution minus the old one, so flagging, un-flagging, an
upheld appeal or a deleted rating all come out right.

Writes are upserts (``INSERT .. ON CONFLICT DO UPDATE SET n = n + excluded.n``): concurrent
writers add to the same row without lost updates, on SQLite and PostgreSQL alike.

``rebuild`` recomputes everything from the ratings: after a change of the hall's time zone
(done in that same transaction), when one UPDATE/DELETE touches very many ratings, and from
the daily job if the rollups were built in another zone (e.g. LIANGBIPING_TIMEZONE changed).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, delete, insert, select, text
from sqlalchemy.engine import Connection

from ..models import RatingAppeal, RatingDaily, RatingMonthly, RatingReasonDaily, Setting
from ..models.rating import Rating

log = logging.getLogger(__name__)

ZONE_MARKER = "stats_rollup_zone"  # settings row: the zone the rollups were built in
COUNTERS = ("n1", "n2", "n3", "n4", "n5")
REASON_MAX = 32


class Delta:
    """Changes to apply to the rollups, merged per bucket."""

    def __init__(self):
        self.daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        self.reasons: dict[tuple, int] = defaultdict(int)

    def add(self, contribution: tuple | None, sign: int) -> None:
        if contribution is None:
            return
        key, score, reasons = contribution
        self.daily[key][score - 1] += sign
        for reason in reasons:
            self.reasons[key + (reason,)] += sign

    def merge(self, other: "Delta") -> None:
        for key, counts in other.daily.items():
            mine = self.daily[key]
            for i, n in enumerate(counts):
                mine[i] += n
        for key, n in other.reasons.items():
            self.reasons[key] += n

    def __bool__(self) -> bool:
        return any(any(v) for v in self.daily.values()) or any(self.reasons.values())


def contribution(values: dict, upheld: bool, zone: ZoneInfo) -> tuple | None:
    """(bucket, score, reasons) that a rating with ``values`` adds, or None when it does not count."""
    if values is None or upheld or values.get("flagged") is not None:
        return None
    score = values.get("score")
    rated_at: datetime | None = values.get("rated_at")
    if not isinstance(score, int) or not 1 <= score <= 5 or rated_at is None:
        return None
    day = rated_at.astimezone(zone).date()
    key = (day, values.get("staff_id") or 0, values.get("window_id") or 0)
    reasons = tuple(sorted({str(r)[:REASON_MAX] for r in (values.get("reasons") or []) if r}))
    return key, score, reasons


_UPSERTS: dict[str, object] = {}


def _upsert(conn: Connection, which: str):
    """INSERT .. ON CONFLICT DO UPDATE adding to one rollup table, as text: the same SQL on SQLite
    (3.24+) and PostgreSQL, and unlike the dialects' ``on_conflict_do_update`` constructs it is
    compiled once and cached, which matters on the intake's hot path."""
    stmt = _UPSERTS.get(which)
    if stmt is not None:
        return stmt
    if conn.dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - the two supported engines
        raise RuntimeError(f"rollups need SQLite or PostgreSQL, not {conn.dialect.name}")
    if which in ("daily", "monthly"):
        table, keys, counters = f"rating_{which}", ("day", "staff_id", "window_id"), COUNTERS
    else:
        table, keys, counters = "rating_reason_daily", ("day", "staff_id", "window_id", "reason"), ("n",)
    columns = keys + counters
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
           + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters))
    stmt = text(sql).bindparams(bindparam("day", type_=Date()))
    _UPSERTS[which] = stmt
    return stmt


def monthly(daily: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Daily buckets summed into their months (the key's day becomes the month's first day)."""
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for (day, staff_id, window_id), counts in daily.items():
        month = out[(day.replace(day=1), staff_id, window_id)]
        for i, n in enumerate(counts):
            month[i] += n
    return out


def apply(conn: Connection, delta: Delta) -> None:
    """Add ``delta`` to the rollup tables with atomic upserts.

    Each upsert locks its row until the transaction ends, so rows go in key order: two writers
    (processes on PostgreSQL) adding to the same rows then wait for each other, never deadlock."""
    for which, buckets in (("daily", delta.daily), ("monthly", monthly(delta.daily))):
        rows = [{"day": k[0], "staff_id": k[1], "window_id": k[2], **dict(zip(COUNTERS, v))}
                for k, v in sorted(buckets.items()) if any(v)]
        if rows:
            conn.execute(_upsert(conn, which), rows)
    reasons = [{"day": k[0], "staff_id": k[1], "window_id": k[2], "reason": k[3], "n": n}
               for k, n in sorted(delta.reasons.items()) if n]
    if reasons:
        conn.execute(_upsert(conn, "reasons"), reasons)


def set_marker(conn: Connection, zone_name: str) -> None:
    table = Setting.__table__
    conn.execute(delete(table).where(table.c.key == ZONE_MARKER))
    conn.execute(insert(table).values(key=ZONE_MARKER, value=zone_name))


def marker(conn: Connection) -> str | None:
    table = Setting.__table__
    return conn.execute(select(table.c.value).where(table.c.key == ZONE_MARKER)).scalar()


BUSY = "campaign_busy"  # admin.campaign.follow_writes leaves the connection alone while this is set


def rebuild(conn: Connection, zone: ZoneInfo, batch: int = 50_000) -> int:
    """Recompute the rollup tables from the ratings in ``zone``; returns the ratings counted."""
    was_busy = conn.info.get(BUSY)
    conn.info[BUSY] = True
    try:
        return _rebuild(conn, zone, batch)
    finally:
        if not was_busy:
            conn.info.pop(BUSY, None)


def _rebuild(conn: Connection, zone: ZoneInfo, batch: int) -> int:
    conn.execute(delete(RatingDaily.__table__))
    conn.execute(delete(RatingMonthly.__table__))
    conn.execute(delete(RatingReasonDaily.__table__))
    upheld = set(conn.execute(select(RatingAppeal.rating_id).where(RatingAppeal.status == "upheld")).scalars())
    daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    reasons: dict[tuple, int] = defaultdict(int)
    # Hall-local dates of UTC hours, remembered: a million ratings span only a few thousand hours.
    day_of_hour: dict[datetime, date] = {}
    counted = 0
    stmt = select(Rating.id, Rating.score, Rating.rated_at, Rating.staff_id, Rating.window_id, Rating.reasons) \
        .where(Rating.flagged.is_(None))
    # Per statement: Connection.execution_options() would stick, and on PostgreSQL every later
    # statement on this connection would then run through a server-side cursor (DELETE cannot).
    result = conn.execute(stmt, execution_options={"yield_per": batch})
    for rid, score, rated_at, staff_id, window_id, why in result:
        if rid in upheld or not 1 <= (score or 0) <= 5 or rated_at is None:
            continue
        hour = rated_at.replace(minute=0, second=0, microsecond=0)
        day = day_of_hour.get(hour)
        if day is None:
            # Zones whose offset is not whole hours (e.g. +05:45) need the exact instant.
            day = rated_at.astimezone(zone).date()
            if hour.astimezone(zone).utcoffset().total_seconds() % 3600 == 0:
                day_of_hour[hour] = day
        key = (day, staff_id or 0, window_id or 0)
        daily[key][score - 1] += 1
        if why:
            for reason in {str(r)[:REASON_MAX] for r in why if r}:
                reasons[key + (reason,)] += 1
        counted += 1
    for model, buckets in ((RatingDaily, daily), (RatingMonthly, monthly(daily))):
        rows = [{"day": k[0], "staff_id": k[1], "window_id": k[2], **dict(zip(COUNTERS, v))} for k, v in buckets.items()]
        for i in range(0, len(rows), batch):
            conn.execute(insert(model.__table__), rows[i:i + batch])
    rows = [{"day": k[0], "staff_id": k[1], "window_id": k[2], "reason": k[3], "n": n} for k, n in reasons.items()]
    for i in range(0, len(rows), batch):
        conn.execute(insert(RatingReasonDaily.__table__), rows[i:i + batch])
    set_marker(conn, zone.key)
    log.info("rebuilt rating rollups in %s from %d ratings", zone.key, counted)
    return counted
