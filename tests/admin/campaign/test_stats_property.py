"""Statistics from the rollups equal a brute-force recomputation from the ratings themselves.

Random ratings (scores, members, windows, times around the hall's midnight, flags, reasons),
written through every path the rollups listen to (ORM adds, bulk inserts, later flagging,
upheld and reversed appeals, deletions), then every scope and date range is compared.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating, RatingAppeal, Staff, Window
from liangbiping.admin.services.settings import set_setting
from liangbiping.admin.stats import queries
from liangbiping.admin.stats.queries import Scope

ZONE = ZoneInfo("Asia/Shanghai")
# 15:00–17:00 UTC is 23:00–01:00 in the hall: most ratings land near a day boundary.
BASE = datetime(2026, 9, 28, 15, 0, tzinfo=timezone.utc)
REASONS = ("attitude", "slow", "unfamiliar", "repeat_trips", "facilities", "other")

rating = st.fixed_dictionaries({
    "score": st.integers(1, 5),
    "staff": st.sampled_from([None, 0, 1, 2, 3]),
    "window": st.sampled_from([None, 0, 1, 2, 3]),
    # Days around one boundary of days, and two months later, past whole months (October, November).
    "day": st.one_of(st.integers(0, 9), st.integers(33, 72)),
    "minute": st.integers(0, 120),
    "flagged": st.sampled_from([None, None, None, "repeat_press"]),
    "reasons": st.lists(st.sampled_from(REASONS), max_size=3),
    "bulk": st.booleans(),
    "later": st.sampled_from(["keep"] * 6 + ["flag", "unflag", "appeal", "appeal_rejected", "delete"]),
})


def _reset():
    for table in ("rectification_events", "rectifications", "rating_appeals", "ratings", "rating_daily",
                  "rating_monthly", "rating_reason_daily"):
        db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


def _store(items, staff_ids, window_ids):
    """Write the ratings, then change some of them; returns the truth as plain dicts."""
    truth = []
    bulk_rows = []
    for item in items:
        staff_id = staff_ids[item["staff"]] if item["staff"] is not None else None
        window_id = window_ids[item["window"]] if item["window"] is not None else None
        if staff_id is None and window_id is None:
            window_id = window_ids[0]
        row = {"id": str(uuid.uuid4()), "score": item["score"], "staff_id": staff_id, "window_id": window_id,
               "channel": "kiosk", "reasons": list(item["reasons"]), "comment": "", "flagged": item["flagged"],
               "rated_at": BASE + timedelta(days=item["day"], minutes=item["minute"]), "prompted": False,
               "received_at": BASE}
        truth.append(dict(row, upheld=False, later=item["later"]))
        if item["bulk"]:
            bulk_rows.append(row)
        else:
            db.session.add(Rating(**row))
    if bulk_rows:
        db.session.execute(insert(Rating), bulk_rows)
    db.session.commit()

    for t in truth:
        r = db.session.get(Rating, t["id"])
        if t["later"] == "flag":
            r.flagged = t["flagged"] = "repeat_address"
        elif t["later"] == "unflag":
            r.flagged = t["flagged"] = None
        elif t["later"] in ("appeal", "appeal_rejected") and t["flagged"] is None:
            appeal = RatingAppeal(rating_id=r.id, kind="mistaken", reason="x", status="pending", submitted_by="t")
            db.session.add(appeal)
            db.session.flush()
            appeal.status = "upheld"
            t["upheld"] = True
            if t["later"] == "appeal_rejected":  # upheld, then reversed: counts again
                db.session.flush()
                appeal.status = "rejected"
                t["upheld"] = False
        elif t["later"] == "delete":
            db.session.delete(r)
            t["deleted"] = True
    db.session.commit()
    return [t for t in truth if not t.get("deleted")]


def _brute(truth, scope: Scope, start: date, end: date, levels, depts_of_window, dept_of_staff):
    counts = [0] * 5
    reasons: dict[str, int] = {}
    for t in truth:
        if t["flagged"] is not None or t["upheld"]:
            continue
        day = t["rated_at"].astimezone(ZONE).date()
        if not start <= day <= end:
            continue
        dept = depts_of_window.get(t["window_id"]) or dept_of_staff.get(t["staff_id"])
        if scope.kind == "staff" and t["staff_id"] != scope.id:
            continue
        if scope.kind == "window" and t["window_id"] != scope.id:
            continue
        if scope.kind == "department" and dept != scope.id:
            continue
        counts[t["score"] - 1] += 1
        for reason in set(t["reasons"]):
            reasons[reason] = reasons.get(reason, 0) + 1
    n = sum(counts)
    k = sum(counts[level - 1] for level in levels)
    return {"count": n, "distribution": {str(i + 1): c for i, c in enumerate(counts)}, "satisfied": k,
            "rate": k / n if n else None, "reasons": reasons}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(items=st.lists(rating, min_size=0, max_size=40), first=st.integers(0, 10),
       length=st.one_of(st.integers(0, 10), st.sampled_from([33, 34, 63, 64, 70])), top_two=st.booleans())
def test_rollups_equal_brute_force(hall, items, first, length, top_two):
    _reset()
    set_setting("satisfied_levels", [4, 5] if top_two else [3, 4, 5], "test")
    staff = db.session.query(Staff).order_by(Staff.id).all()
    windows = db.session.query(Window).order_by(Window.id).all()
    truth = _store(items, [s.id for s in staff], [w.id for w in windows])
    depts_of_window = {w.id: w.department_id for w in windows}
    dept_of_staff = {s.id: s.department_id for s in staff}
    start = (BASE.astimezone(ZONE) + timedelta(days=first - 1)).date()
    end = start + timedelta(days=length)
    levels = (4, 5) if top_two else (3, 4, 5)
    scopes = [Scope("hall")] + [Scope("department", d) for d in (hall.d1, hall.d2)] + \
             [Scope("window", w.id) for w in windows] + [Scope("staff", s.id) for s in staff]
    for scope in scopes:
        got = queries.summary(scope, start, end)
        want = _brute(truth, scope, start, end, levels, depts_of_window, dept_of_staff)
        for key in ("count", "distribution", "satisfied", "reasons"):
            assert got[key] == want[key], (scope, key, got[key], want[key])
        assert got["rate"] == want["rate"]
    # A ranking's rows are the same figures, per member and per department.
    for row in queries.ranking("staff", start, end, min_sample=1):
        want = _brute(truth, Scope("staff", row["id"]), start, end, levels, depts_of_window, dept_of_staff)
        assert (row["count"], row["satisfied"]) == (want["count"], want["satisfied"])
    for row in queries.ranking("department", start, end, min_sample=1):
        want = _brute(truth, Scope("department", row["id"]), start, end, levels, depts_of_window, dept_of_staff)
        assert (row["count"], row["satisfied"]) == (want["count"], want["satisfied"])
    # Series by month add up to the same figures, month by month.
    for item in queries.series(Scope("hall"), start, end, "month"):
        want = _brute(truth, Scope("hall"), date.fromisoformat(item["start"]), date.fromisoformat(item["end"]),
                      levels, depts_of_window, dept_of_staff)
        assert item["distribution"] == want["distribution"], item["period"]
    # Rebuilding from scratch gives the same rollups as keeping them current did.
    def buckets(table, kept_only=False):
        return [tuple(r) for r in db.session.execute(text(
            f"SELECT day, staff_id, window_id, n1, n2, n3, n4, n5 FROM {table} "
            + ("WHERE n1 + n2 + n3 + n4 + n5 > 0 " if kept_only else "") + "ORDER BY 1, 2, 3"))]

    before = {table: buckets(table, True) for table in ("rating_daily", "rating_monthly")}
    from liangbiping.admin.stats import rollups

    rollups.rebuild(db.session.connection(), ZONE)
    after = {table: buckets(table) for table in ("rating_daily", "rating_monthly")}
    db.session.commit()
    assert before == after
