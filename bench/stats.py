"""Statistics at a million ratings: the dashboard's queries on the rollups against a naive GROUP BY.

    python bench/stats.py [--ratings 1000000] [--repeat 5]

Builds a hall (8 departments, 40 windows, 120 members) in a temporary data dir on SQLite, bulk-
inserts a year of ratings straight through the driver (as an import would), rebuilds the rollups
from them (timed), then times each query the dashboard and the statistics page run, both ways,
in the same run, checks they agree, and prints the medians and the ratio. A minute or two.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

OFFSET = "+8 hours"  # Asia/Shanghai has no daylight saving: the naive side may shift by a constant


def build_hall(db, models):
    depts = [models.Department(name=f"部门{i}", sort_order=i) for i in range(8)]
    db.session.add_all(depts)
    db.session.flush()
    windows = [models.Window(number=f"W{i:02d}", name=f"窗口{i}", department_id=depts[i % 8].id) for i in range(40)]
    db.session.add_all(windows)
    db.session.flush()
    staff = [models.Staff(name=f"成员{i}", employee_no=f"E{i:04d}", department_id=windows[i % 40].department_id,
                          window_id=windows[i % 40].id, is_party_member=i % 3 != 0) for i in range(120)]
    db.session.add_all(staff)
    db.session.commit()
    return [(s.id, s.window_id) for s in staff]


def insert_ratings(db, members, n: int, today: date) -> float:
    """n ratings over the last 365 days, through the driver (no ORM, no listeners)."""
    rng = random.Random(7)
    reasons = ["attitude", "slow", "unfamiliar", "repeat_trips", "facilities", "other"]
    start = datetime.combine(today - timedelta(days=364), datetime.min.time()) - timedelta(hours=8)
    raw = db.engine.raw_connection()
    cur = raw.cursor()
    began = time.perf_counter()
    batch = []
    sql = ("INSERT INTO ratings (id, score, staff_id, window_id, kiosk_id, channel, reasons, comment, contact, "
           "prompted, flagged, rated_at, received_at) VALUES (?, ?, ?, ?, NULL, 'kiosk', ?, '', NULL, 0, ?, ?, ?)")
    for i in range(n):
        staff_id, window_id = members[rng.randrange(len(members))]
        score = rng.choices((1, 2, 3, 4, 5), weights=(1, 1.5, 3, 15, 80))[0]
        why = json.dumps(rng.sample(reasons, 1)) if score <= 2 else "[]"
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        flagged = "repeat_press" if rng.random() < 0.01 else None
        batch.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), score, staff_id, window_id, why, flagged,
                      stamp, stamp))
        if len(batch) == 50_000:
            cur.executemany(sql, batch)
            batch.clear()
    if batch:
        cur.executemany(sql, batch)
    raw.commit()
    raw.close()
    return time.perf_counter() - began


def naive(db, today: date):
    """The same figures straight from the ratings table: GROUP BY over local days."""
    day = f"date(rated_at, '{OFFSET}')"
    counted = ("flagged IS NULL AND NOT EXISTS (SELECT 1 FROM rating_appeals a WHERE a.rating_id = ratings.id "
               "AND a.status = 'upheld')")
    levels = ", ".join(f"SUM(score = {k})" for k in (1, 2, 3, 4, 5))
    month0, year0 = today.replace(day=1).isoformat(), today.replace(month=1, day=1).isoformat()
    d30 = (today - timedelta(days=29)).isoformat()
    t = today.isoformat()

    def run(sql, **params):
        return db.session.execute(text(sql), params).all()

    return {
        "hall, this month": lambda: run(f"SELECT {levels} FROM ratings WHERE {counted} AND {day} BETWEEN :a AND :b",
                                        a=month0, b=t),
        "trend, 30 days": lambda: run(f"SELECT {day} AS d, {levels} FROM ratings WHERE {counted} AND {day} BETWEEN :a AND :b "
                                      "GROUP BY d ORDER BY d", a=d30, b=t),
        "members ranked, this month": lambda: run(f"SELECT staff_id, {levels} FROM ratings WHERE {counted} AND {day} "
                                                  "BETWEEN :a AND :b GROUP BY staff_id", a=month0, b=t),
        "reasons, this month": lambda: run(f"SELECT j.value, COUNT(*) FROM ratings, json_each(ratings.reasons) j WHERE "
                                           f"{counted} AND {day} BETWEEN :a AND :b GROUP BY j.value", a=month0, b=t),
        "departments, this year": lambda: run(
            f"SELECT COALESCE(w.department_id, s.department_id) AS dep, {levels.replace('score', 'r.score')} "
            "FROM ratings r LEFT JOIN windows w ON w.id = r.window_id LEFT JOIN staff s ON s.id = r.staff_id "
            f"WHERE r.flagged IS NULL AND date(r.rated_at, '{OFFSET}') BETWEEN :a AND :b GROUP BY dep", a=year0, b=t),
        "trend by month, this year": lambda: run(f"SELECT strftime('%Y-%m', rated_at, '{OFFSET}') AS m, {levels} "
                                                 f"FROM ratings WHERE {counted} AND {day} BETWEEN :a AND :b GROUP BY m",
                                                 a=year0, b=t),
    }


def rollup_queries(today: date):
    from liangbiping.admin.stats import queries
    from liangbiping.admin.stats.queries import Scope

    month0, year0 = today.replace(day=1), today.replace(month=1, day=1)
    return {
        "hall, this month": lambda: queries.summary(Scope("hall"), month0, today, reasons=False),
        "trend, 30 days": lambda: queries.series(Scope("hall"), today - timedelta(days=29), today, "day"),
        "members ranked, this month": lambda: queries.ranking("staff", month0, today),
        "reasons, this month": lambda: queries.reason_counts(Scope("hall"), month0, today),
        "departments, this year": lambda: queries.ranking("department", year0, today, min_sample=0),
        "trend by month, this year": lambda: queries.series(Scope("hall"), year0, today, "month"),
    }


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from liangbiping.admin import models
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from liangbiping.admin.extensions import db
    from liangbiping.admin.ledger.autoopen import hall_zone
    from liangbiping.admin.stats import rollups

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestingConfig.from_env(tmp))
        with app.test_request_context("/"):
            zone = hall_zone(db.session.connection())
            assert zone.key == "Asia/Shanghai", "the naive side assumes UTC+8"
            today = datetime.now(timezone.utc).astimezone(zone).date()
            members = build_hall(db, models)
            seconds = insert_ratings(db, members, args.ratings, today)
            print(f"inserted {args.ratings:,} ratings through the driver in {seconds:.1f} s")
            began = time.perf_counter()
            conn = db.session.connection()
            counted = rollups.rebuild(conn, zone)
            db.session.commit()
            print(f"rebuilt the rollups from {counted:,} counted ratings in {time.perf_counter() - began:.1f} s")
            rows = db.session.execute(text("SELECT COUNT(*) FROM rating_daily")).scalar()
            print(f"rollup rows: {rows:,} daily buckets for {args.ratings:,} ratings")
            db.session.execute(text("ANALYZE"))
            db.session.commit()

            fast, slow = rollup_queries(today), naive(db, today)
            print(f"\n{'query (median of ' + str(args.repeat) + ')':<34}{'rollups':>11}{'GROUP BY':>12}{'ratio':>9}")
            total_fast = total_slow = 0.0
            for name in fast:
                t_fast, r_fast = timed(fast[name], args.repeat)
                t_slow, r_slow = timed(slow[name], max(1, args.repeat // 2))
                total_fast += t_fast
                total_slow += t_slow
                if name == "hall, this month":
                    assert r_fast["distribution"] == {str(k): int(v or 0) for k, v in zip(range(1, 6), r_slow[0])}, \
                        (r_fast, r_slow)
                print(f"{name:<34}{t_fast * 1000:>9.1f}ms{t_slow * 1000:>10.1f}ms{t_slow / t_fast:>8.0f}x")
            print(f"{'the dashboard, all of the above':<34}{total_fast * 1000:>9.1f}ms{total_slow * 1000:>10.1f}ms"
                  f"{total_slow / total_fast:>8.0f}x")

            # What keeping the rollups current costs the intake: ratings inserted one transaction each.
            from sqlalchemy import insert

            def one(i, listeners: bool):
                staff_id, window_id = members[i % len(members)]
                with db.engine.begin() as c:
                    if not listeners:
                        c.info[rollups.BUSY] = True  # admin.campaign.follow_writes leave this connection alone
                    try:
                        c.execute(insert(models.Rating.__table__), {
                            "id": str(uuid.uuid4()), "score": 5 if i % 10 else 4, "staff_id": staff_id,
                            "window_id": window_id, "channel": "kiosk", "reasons": [], "comment": ""})
                    finally:
                        c.info.pop(rollups.BUSY, None)

            per = {}
            for listeners in (False, True, False, True):
                began = time.perf_counter()
                for i in range(300):
                    one(i, listeners)
                per.setdefault(listeners, []).append((time.perf_counter() - began) / 300)
            bare, kept = min(per[False]), min(per[True])
            print(f"\nintake, one rating per transaction: {bare * 1000:.2f} ms bare insert, {kept * 1000:.2f} ms with "
                  f"the rollups kept current in the same transaction (+{(kept - bare) * 1000:.2f} ms)")
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
