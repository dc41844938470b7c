"""Kiosk ratings that arrive together are committed together (kiosk/group_commit.py), with every
rule of the intake kept: repeat presses, statistics, the ledger, replays and bad references."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating, Rectification
from liangbiping.kiosk import rating_store
from liangbiping.kiosk.group_commit import GroupCommit
from tests.kiosk.conftest import rating


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def post_together(app, bodies: list[dict]) -> list:
    """Post all bodies so that they reach the intake while one leader writes them as one batch:
    all but the last wait behind a leader that is not there yet; the last one leads."""
    batcher = rating_store.batcher
    answers: list = [None] * len(bodies)

    def post(i):
        answers[i] = app.test_client().post("/api/v1/ratings", json=bodies[i])

    with batcher._lock:
        batcher._leading = True  # as if a leader were busy: the followers queue up
    followers = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies) - 1)]
    try:
        for queued, thread in enumerate(followers, start=1):
            thread.start()  # one at a time: the batch keeps the bodies' order
            wait_until(lambda queued=queued: len(batcher._pending) == queued)
    finally:
        with batcher._lock:
            batcher._leading = False
    post(len(bodies) - 1)  # finds no leader: leads, and writes everything pending
    for thread in followers:
        thread.join(timeout=30)
    return answers


@pytest.fixture
def counted():
    before = (rating_store.batcher.batches, rating_store.batcher.batched)
    yield lambda: (rating_store.batcher.batches - before[0], rating_store.batcher.batched - before[1])


def test_ratings_arriving_together_are_one_batch_with_every_rule_kept(app, hall, counted):
    now = datetime.now(timezone.utc)
    at = lambda seconds: (now - timedelta(seconds=seconds)).isoformat()  # noqa: E731
    bodies = [
        rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=5, rated_at=at(60)),
        rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=4, rated_at=at(59)),  # a second press
        rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=1, rated_at=at(30), reasons=["slow"]),
        rating(kiosk_token=hall.floor_token, staff_id=hall.m2, window_id=hall.w2, score=2, rated_at=at(20)),
        rating(kiosk_token=hall.floor_token, staff_id=hall.m2, window_id=hall.w2, score=5, rated_at=at(10)),
    ]
    answers = post_together(app, bodies)
    assert [a.status_code for a in answers] == [201] * 5, [a.get_json() for a in answers]
    assert counted() == (1, 5)
    assert [a.get_json()["flagged"] for a in answers] == [None, "repeat_press", None, None, None]
    assert [a.get_json()["id"] for a in answers] == [b["id"] for b in bodies]
    with app.app_context():
        rows = {r.id: r for r in db.session.scalars(select(Rating))}
        assert set(rows) == {b["id"] for b in bodies}
        assert rows[bodies[1]["id"]].flagged == "repeat_press" and rows[bodies[2]["id"]].reasons == ["slow"]
        # the ledger opened an entry for each unflagged 1-2, in the batch's transaction
        entries = db.session.scalars(select(Rectification.rating_id)).all()
        assert sorted(entries) == sorted([bodies[2]["id"], bodies[3]["id"]])
        # opened together (one statement each for the entries, their events, their audit rows):
        # each entry with its own first step and audit row, the member and window of its rating
        from liangbiping.admin.models import AuditEntry, RectificationEvent

        for entry in db.session.scalars(select(Rectification)):
            rated = rows[entry.rating_id]
            assert (entry.staff_id, entry.window_id, entry.state) == (rated.staff_id, rated.window_id, "open")
            steps = db.session.scalars(select(RectificationEvent).where(RectificationEvent.rectification_id == entry.id)).all()
            assert [(step.action, step.to_state) for step in steps] == [("open", "open")]
            audits = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "rectification",
                                                                 AuditEntry.entity_id == str(entry.id))).all()
            assert len(audits) == 1 and entry.rating_id in audits[0].summary
        # and the statistics count the four unflagged ratings
        from liangbiping.admin.stats import queries

        today = datetime.now(timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
        hall_figures = queries.summary(queries.Scope("hall"), today - timedelta(days=1), today, reasons=False)
        assert hall_figures["count"] == 4


def test_a_batch_that_cannot_be_stored_answers_each_rating_alone(app, client, hall, counted):
    replayed = rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=3)
    assert client.post("/api/v1/ratings", json=replayed).status_code == 201
    bodies = [
        rating(kiosk_token=hall.floor_token, staff_id=hall.m2, window_id=hall.w2, score=5),
        dict(replayed, score=1),                                                     # the same id again
        rating(kiosk_token=hall.floor_token, staff_id=99999, window_id=hall.w2, score=4),  # no such member
        rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1, score=2,
               rated_at=(datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()),
    ]
    answers = post_together(app, bodies)
    assert [a.status_code for a in answers] == [201, 200, 422, 201], [a.get_json() for a in answers]
    assert answers[1].get_json()["score"] == 3  # the stored rating, not the replay's body
    assert answers[2].get_json()["error"]["details"][0]["field"] == "staff_id"
    assert counted() == (0, 0)  # the batch was rolled back; each went alone
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rating)) == 3
        assert db.session.scalar(select(func.count()).select_from(Rectification)) == 1  # the 2, once


def test_a_rating_alone_takes_the_usual_path(app, client, hall, counted):
    response = client.post("/api/v1/ratings", json=rating(kiosk_token=hall.kiosk_token, staff_id=hall.m1))
    assert response.status_code == 201
    assert counted() == (0, 0)


def test_followers_are_released_when_the_leader_is_stopped():
    """A leader killed mid-batch (its request cancelled) must not leave anyone waiting."""
    entered = threading.Event()

    def write(rows):
        entered.set()
        raise KeyboardInterrupt  # not an Exception: it goes through the leader, as a kill would

    batcher = GroupCommit(write)
    outcomes = []
    with batcher._lock:
        batcher._leading = True
    follower = threading.Thread(target=lambda: outcomes.append(batcher.submit({"id": "b"})))
    follower.start()
    wait_until(lambda: len(batcher._pending) == 1)
    with batcher._lock:
        batcher._leading = False
    with pytest.raises(KeyboardInterrupt):
        batcher.submit({"id": "a"})
    follower.join(timeout=5)
    assert entered.is_set() and outcomes == [(False, None)]
    assert batcher.submit({"id": "c"}) == (False, None)  # and the next one can lead again


def test_a_leader_writes_one_batch_then_hands_the_lead_to_the_oldest_waiting():
    """In a long rush no request waits for more than its own batch: the next one leads the next."""
    writes: list[tuple[str, list[str]]] = []
    first_write = threading.Event()
    more_arrived = threading.Event()
    batcher = GroupCommit(lambda rows: record(rows))

    def record(rows):
        writes.append((threading.current_thread().name, [r["id"] for r in rows]))
        if len(writes) == 1:
            first_write.set()
            assert more_arrived.wait(10)  # later ratings queue while this batch is written
        return {r["id"]: None for r in rows}

    outcomes: dict[str, tuple] = {}

    def submit(rid):
        outcomes[rid] = batcher.submit({"id": rid})

    with batcher._lock:
        batcher._leading = True
    early = [threading.Thread(target=submit, args=(rid,), name=rid) for rid in ("a", "b")]
    for thread in early:
        thread.start()
    wait_until(lambda: len(batcher._pending) == 2)
    with batcher._lock:
        batcher._leading = False
    leader = threading.Thread(target=submit, args=("c",), name="c")
    leader.start()
    assert first_write.wait(10)
    late = [threading.Thread(target=submit, args=(rid,), name=rid) for rid in ("d", "e")]
    for thread in late:
        thread.start()
    wait_until(lambda: len(batcher._pending) == 2)
    more_arrived.set()
    for thread in early + [leader] + late:
        thread.join(timeout=10)
    assert writes == [("c", ["a", "b", "c"]), ("d", ["d", "e"])]
    assert outcomes == {rid: (True, None) for rid in "abcde"}
    assert not batcher._leading and batcher._pending == []


def test_a_batch_adds_to_the_rollups_once_after_its_ratings(app, hall, counted):
    """The rollup rows a batch adds to stay locked until its commit (on PostgreSQL other processes'
    batches for the same members wait on them): they are written once, last, in key order."""
    from sqlalchemy import event

    now = datetime.now(timezone.utc)
    bodies = [rating(kiosk_token=token, staff_id=member, window_id=window, score=score,
                     rated_at=(now - timedelta(seconds=150 - 40 * n)).isoformat())
              for n, (token, member, window, score) in enumerate([
                  (hall.floor_token, hall.m2, hall.w2, 5), (hall.kiosk_token, hall.m1, None, 4),
                  (hall.floor_token, hall.m2, hall.w2, 3), (hall.kiosk_token, hall.m1, None, 1)])]
    seen: list[tuple[str, object]] = []

    def record(conn, clauseelement, multiparams, params, execution_options, result):
        table = getattr(getattr(clauseelement, "table", None), "name", None)  # the intake's Core insert
        sql = getattr(clauseelement, "text", "")  # the rollups' upserts
        for name in ("rating_daily", "rating_monthly"):
            if sql.startswith(f"INSERT INTO {name} "):
                table = name
        if table in ("ratings", "rating_daily", "rating_monthly"):
            seen.append((table, list(multiparams) or [params]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_execute", record)
    try:
        answers = post_together(app, bodies)
    finally:
        event.remove(engine, "after_execute", record)
    assert [a.status_code for a in answers] == [201] * 4 and counted() == (1, 4)
    tables = [table for table, _ in seen]
    last_rating = max(i for i, t in enumerate(tables) if t == "ratings")
    assert tables[last_rating + 1:] == ["rating_daily", "rating_monthly"], tables
    daily = seen[last_rating + 1][1]
    keys = [(row["day"], row["staff_id"], row["window_id"]) for row in daily]
    assert keys == sorted(keys) and len(keys) == 2
    assert sorted(sum(row[f"n{s}"] for s in range(1, 6)) for row in daily) == [2, 2]
