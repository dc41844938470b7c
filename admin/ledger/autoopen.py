"""Opening ledger entries by themselves: every rating of 1 or 2 (unless flagged) and every complaint.

Called from the connection listeners in ``admin.campaign.follow_writes`` right after the rating or the
complaint is inserted, on the same connection, so the entry commits with it, or not at all.
Everything here is Core on that connection: the writer may be a session mid-flush, a Core
statement, or a bulk insert, and none of them should find unexpected objects in its session.
"""

from __future__ import annotations

import weakref

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ..models import AuditEntry, Rectification, RectificationEvent, Staff, User, Window, leader_departments
from ..models.types import utcnow
from . import workdays

BAD_SCORE_MAX = 2


_SETTING = None


def read_setting(conn: Connection, key: str):
    """A setting as stored, else its default, read on ``conn`` (not through the session's cache)."""
    global _SETTING
    from ..services.settings import DEFAULTS

    if _SETTING is None:
        from sqlalchemy import bindparam

        from ..models import Setting

        table = Setting.__table__
        _SETTING = select(table.c.value).where(table.c.key == bindparam("key"))
    value = conn.execute(_SETTING, {"key": key}).scalar()
    return DEFAULTS.get(key) if value is None else value


_zone_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine -> (zone, when read)
ZONE_TTL = 60.0


def hall_zone(conn: Connection, fresh: bool = False) -> ZoneInfo:
    """The hall's zone. Read at most once a minute per process: it is read for every rating,
    changes perhaps once in a hall's life, and a change refreshes it at once (``fresh=True`` from
    the settings listener; ``forget_zone`` in every process, from the push hub's change hooks)."""
    import time

    from flask import current_app, has_app_context

    key = conn.engine
    cached = _zone_cache.get(key)
    if not fresh and cached is not None and time.monotonic() - cached[1] < ZONE_TTL:
        return cached[0]
    zone = _read_zone(conn, current_app.config["HALL_TIMEZONE"] if has_app_context() else "Asia/Shanghai")
    _zone_cache[key] = (zone, time.monotonic())
    return zone


def forget_zone() -> None:
    """The settings changed (in any process): read the zone again."""
    _zone_cache.clear()


def _read_zone(conn: Connection, default: str) -> ZoneInfo:
    name = read_setting(conn, "timezone")
    if not name:
        name = default
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")


# A new entry's defaults (department, leader, deadline) depend on these tables only. They are
# remembered per engine, forgotten as soon as one of them is written on any connection of this
# process (``forget_defaults``, from admin.campaign.follow_writes) and at least every DEFAULTS_TTL
# seconds for other processes' writes: a burst of bad ratings then costs three inserts each.
DEFAULTS_TABLES = {"windows", "staff", "users", "leader_departments", "settings", "calendar_days"}
DEFAULTS_TTL = 60.0
STALE_KEY = "ledger_defaults_stale"  # on a connection whose transaction wrote one of those tables
_defaults_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine -> {key: (value, when)}


def forget_defaults(engine=None) -> None:
    if engine is None:
        _defaults_cache.clear()
    else:
        _defaults_cache.pop(engine, None)


def _remembered(conn: Connection, key: tuple, compute):
    import time

    if conn.info.get(STALE_KEY):
        return compute()  # this transaction changed what they come from: not for anyone else
    cache = _defaults_cache.setdefault(conn.engine, {})
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and now - hit[1] < DEFAULTS_TTL:
        return hit[0]
    value = compute()
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (value, now)
    return value


def remembered(engine, key: tuple, compute, connect):
    """``compute(conn)``, remembered like a new entry's defaults (forgotten when one of
    DEFAULTS_TABLES is written); ``connect()`` gives the connection only when it must be read
    (the caller's own: a request taking a second connection from the pool could wait forever
    for one held by requests doing the same). The rating intake then needs no connection at all
    while it is remembered."""
    import time

    hit = _defaults_cache.get(engine, {}).get(key)
    if hit is not None and time.monotonic() - hit[1] < DEFAULTS_TTL:
        return hit[0]
    conn = connect()
    return _remembered(conn, key, lambda: compute(conn))


def department_of(conn: Connection, window_id: int | None, staff_id: int | None) -> int | None:
    """The department an entry belongs to: the window's, else the member's."""
    if window_id:
        dept = conn.execute(select(Window.__table__.c.department_id).where(Window.__table__.c.id == window_id)).scalar()
        if dept:
            return dept
    if staff_id:
        return conn.execute(select(Staff.__table__.c.department_id).where(Staff.__table__.c.id == staff_id)).scalar()
    return None


def leaders_of(conn: Connection, department_id: int | None) -> list[int]:
    """Active leader users who look after ``department_id``: those listed for it in
    ``leader_departments``, and those listed for none whose own member works in it."""
    if not department_id:
        return []
    ld = leader_departments
    users, staff = User.__table__, Staff.__table__
    listed = set(conn.execute(select(ld.c.user_id).where(ld.c.department_id == department_id)).scalars())
    with_rows = set(conn.execute(select(ld.c.user_id).distinct()).scalars())
    rows = conn.execute(select(users.c.id, staff.c.department_id).select_from(users.outerjoin(staff, staff.c.id == users.c.staff_id))
                        .where(users.c.role == "leader", users.c.active.is_(True))).all()
    return sorted(uid for uid, staff_dept in rows
                  if uid in listed or (uid not in with_rows and staff_dept == department_id))


def default_deadline(conn: Connection, opened: datetime) -> date:
    days = int(read_setting(conn, "rectification_working_days") or 5)
    return workdays.add_working_days(opened.astimezone(hall_zone(conn)).date(), days, conn=conn)


def entry_values(conn: Connection, *, source: str, staff_id: int | None, window_id: int | None, problem: str,
                 opened_at: datetime | None = None) -> dict:
    """The columns of a new open entry, defaults filled in: deadline, responsible person (the member
    concerned) and responsible leader (when exactly one leader looks after the department)."""
    opened_at = opened_at or utcnow()

    def assignment():
        department = department_of(conn, window_id, staff_id)
        leaders = leaders_of(conn, department)
        return department, leaders[0] if len(leaders) == 1 else None

    department_id, leader_id = _remembered(conn, ("assignment", window_id, staff_id), assignment)
    opened_on = opened_at.astimezone(hall_zone(conn)).date()
    deadline = _remembered(conn, ("deadline", opened_on), lambda: default_deadline(conn, opened_at))
    return {
        "source": source, "staff_id": staff_id, "window_id": window_id, "department_id": department_id,
        "problem": (problem or "").strip(), "measure": "", "deadline": deadline,
        "leader_id": leader_id, "responsible_id": staff_id,
        "state": "open", "overdue": False, "opened_at": opened_at, "reopened": 0,
        "dismissed_reason": "", "evidence": "", "callback_note": "", "updated_at": opened_at,
    }


def open_entry(conn: Connection, *, source: str, staff_id: int | None, window_id: int | None, problem: str,
               rating_id: str | None = None, suggestion_id: int | None = None, summary: str = "",
               actor: str = "system", opened_at: datetime | None = None) -> int:
    """Insert an open entry with its first event and audit entry; returns its id.

    ``opened_at``: when the hall learnt of the problem (a rating's receipt, a complaint's
    submission); the default deadline counts from that day."""
    return open_entries(conn, [dict(source=source, staff_id=staff_id, window_id=window_id, problem=problem,
                                    rating_id=rating_id, suggestion_id=suggestion_id, summary=summary,
                                    actor=actor, opened_at=opened_at)])[0]


def open_entries(conn: Connection, entries: list[dict]) -> list[int]:
    """open_entry for each of ``entries`` (its keywords), in three statements whatever their number
    (a batch of ratings opens its entries together); their ids in order."""
    if not entries:
        return []
    now = utcnow()
    rows = []
    for entry in entries:
        values = entry_values(conn, source=entry["source"], staff_id=entry.get("staff_id"),
                              window_id=entry.get("window_id"), problem=entry.get("problem") or "",
                              opened_at=min(entry.get("opened_at") or now, now))
        values.update(rating_id=entry.get("rating_id"), suggestion_id=entry.get("suggestion_id"))
        rows.append(values)
    # Parameters, not .values(): one compiled statement per table, reused for every entry.
    if len(rows) == 1:
        ids = [conn.execute(_INSERT_ENTRY, rows[0]).inserted_primary_key[0]]
    else:
        ids = list(conn.execute(_INSERT_ENTRIES, rows).scalars())
    conn.execute(_INSERT_EVENT, [dict(rectification_id=entry_id, at=values["opened_at"], actor=entry.get("actor", "system"),
                                      action="open", from_state=None, to_state="open", note="")
                                 for entry_id, values, entry in zip(ids, rows, entries)])
    conn.execute(_INSERT_AUDIT, [dict(
        at=values["opened_at"], actor=entry.get("actor", "system"), action="create", entity="rectification",
        entity_id=str(entry_id), summary=(entry.get("summary") or values["source"])[:256],
        changes={"state": [None, "open"], "deadline": [None, values["deadline"].isoformat()]})
        for entry_id, values, entry in zip(ids, rows, entries)])
    return ids


_INSERT_ENTRY = insert(Rectification.__table__)
_INSERT_ENTRIES = insert(Rectification.__table__).returning(Rectification.__table__.c.id, sort_by_parameter_order=True)
_INSERT_EVENT = insert(RectificationEvent.__table__)
_INSERT_AUDIT = insert(AuditEntry.__table__)


def _summary(message, key: str) -> str:
    """An audit summary in the hall's language; the bare key where no app is there to translate."""
    from flask import has_app_context

    return str(message) if has_app_context() else str(key)


def for_ratings(conn: Connection, rows) -> int:
    """Open an entry for each new rating row (mapping) that calls for one; returns how many."""
    entries = [dict(source="rating", staff_id=row["staff_id"], window_id=row["window_id"], problem=row["comment"] or "",
                    rating_id=row["id"], summary=_summary(_l("Rating %(id)s", id=row["id"]), row["id"]),
                    opened_at=row.get("received_at"))
               for row in rows
               if row["flagged"] is None and isinstance(row["score"], int) and row["score"] <= BAD_SCORE_MAX]
    return len(open_entries(conn, entries))


def has_entry_for_suggestion(conn: Connection, suggestion_id: int) -> bool:
    table = Rectification.__table__
    return conn.execute(select(table.c.id).where(table.c.suggestion_id == suggestion_id).limit(1)).first() is not None


def for_complaints(conn: Connection, rows) -> int:
    """Open an entry for each complaint (suggestion rows of kind complaint) that has none yet."""
    opened = 0
    for row in rows:
        if row["kind"] != "complaint" or has_entry_for_suggestion(conn, row["id"]):
            continue
        open_entry(conn, source="suggestion", staff_id=row["staff_id"], window_id=row["window_id"],
                   problem=row["text"] or "", suggestion_id=row["id"], summary=_summary(_l("Complaint %(receipt)s", receipt=row["receipt"]), row["receipt"]),
                   opened_at=row.get("created_at"))
        opened += 1
    return opened
