"""The job ledger at a fixed clock: two schedulers racing for one due time run it once; a daily
job whose moment passed while no scheduler was up runs once when one starts (not once per missed
day, and not past its grace); a claim whose holder died is taken over; a schedule boundary missed
while down is pushed once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import JobRun, Notice
from liangbiping.admin.push import boundaries
from liangbiping.admin.services import job_runs
from liangbiping.admin.services.job_runs import Daily

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


def rows(job: str) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.due_at)))


def counter():
    runs = []

    def run():
        runs.append(1)
    return runs, run


def test_the_last_daily_due_time_is_in_the_hall_s_zone():
    at = time(7, 30)
    assert job_runs.last_daily_due(local(2026, 12, 7, 9, 0), at, SHANGHAI) == local(2026, 12, 7, 7, 30)
    assert job_runs.last_daily_due(local(2026, 12, 7, 7, 29), at, SHANGHAI) == local(2026, 12, 6, 7, 30)
    assert job_runs.last_daily_due(local(2026, 12, 7, 7, 30), at, SHANGHAI) == local(2026, 12, 7, 7, 30)


def test_two_schedulers_racing_for_one_due_time_run_it_once(app):
    due = local(2026, 12, 7, 7, 30)
    runs, start = [], threading.Barrier(2)
    errors = []

    def scheduler():
        try:
            with app.app_context():
                start.wait()

                def run():
                    runs.append(threading.get_ident())
                    threading.Event().wait(0.3)  # still running while the other one tries
                job_runs.run_once("campaign_daily", due, run, now=due + timedelta(seconds=1))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and len(runs) == 1
    with app.app_context():
        [row] = rows("campaign_daily")
        assert row.due_at == due and row.finished_at is not None


def test_a_daily_missed_while_down_runs_once_at_start_not_twice(app):
    runs, run = counter()
    jobs = [Daily("campaign_daily", lambda: time(7, 30), timedelta(hours=24), run)]
    with app.app_context():
        # Ran on Friday; the scheduler was down from Friday evening until Monday 09:00.
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 4, 7, 30, 2)) == ["campaign_daily"]
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 7, 9, 0)) == ["campaign_daily"]
        # The next look (10 s later), and a second scheduler starting: nothing more.
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 7, 9, 0, 10)) == []
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 7, 18, 0)) == []
        assert len(runs) == 2  # Friday's, and one for the three missed mornings (coalesced)
        assert [r.due_at for r in rows("campaign_daily")] == [local(2026, 12, 4, 7, 30), local(2026, 12, 7, 7, 30)]
        # Tuesday at 07:30 it runs again, once.
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 8, 7, 30, 5)) == ["campaign_daily"]
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 8, 7, 30, 15)) == []
        assert len(runs) == 3


def test_closing_the_day_is_not_caught_up_past_its_grace(app):
    runs, run = counter()
    jobs = [Daily("close_the_day", lambda: time(18, 0), timedelta(hours=1), run)]
    with app.app_context():
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 7, 18, 40)) == ["close_the_day"]
        # Down over the next evening's closing, back the morning after: not sent home at 08:00.
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 9, 8, 0)) == []
        assert len(runs) == 1


def test_a_claim_whose_holder_died_is_taken_over_after_the_lease(app):
    due = local(2026, 12, 7, 7, 30)
    with app.app_context():
        assert job_runs.claim("campaign_daily", due, now=due)  # then kill -9: never finished
        assert job_runs.recorded("campaign_daily", due, now=due + timedelta(minutes=1))
        assert not job_runs.claim("campaign_daily", due, now=due + timedelta(minutes=1))
        later = due + job_runs.LEASE + timedelta(seconds=1)
        assert not job_runs.recorded("campaign_daily", due, now=later)
        runs, run = counter()
        assert job_runs.run_once("campaign_daily", due, run, now=later) and runs == [1]
        assert not job_runs.claim("campaign_daily", due, now=later + job_runs.LEASE * 2)  # finished: for good


def test_a_run_that_fails_gives_its_claim_back(app):
    due = local(2026, 12, 7, 7, 30)

    def broken():
        raise RuntimeError("database went away")

    with app.app_context():
        try:
            job_runs.run_once("campaign_daily", due, broken, now=due)
        except RuntimeError:
            pass
        assert rows("campaign_daily") == []
        runs, run = counter()
        assert job_runs.run_once("campaign_daily", due, run, now=due + timedelta(seconds=10)) and runs == [1]


def test_a_notice_boundary_missed_while_down_is_pushed_once(app, hall):
    with app.app_context():
        starts = datetime(2026, 12, 7, 1, 0, 0, tzinfo=timezone.utc)
        db.session.add(Notice(title="午休调整", text="", starts_at=starts))
        db.session.commit()
        rounds = []
        hub = boundaries.hub_for(app)
        real = hub.round
        hub.round = lambda **kw: rounds.append(kw) or real(**kw)
        try:
            assert boundaries.catch_up(app, now=starts + timedelta(minutes=3))
            assert not boundaries.catch_up(app, now=starts + timedelta(minutes=3, seconds=10))
            assert not boundaries.fire(app, starts, now=starts + timedelta(minutes=4))  # the planned run, late
        finally:
            hub.round = real
        assert rounds == [{"fresh": True}]
        assert db.session.scalar(select(func.count()).select_from(JobRun).where(
            JobRun.job == boundaries.JOB_ID, JobRun.due_at == starts)) == 1


def test_purge_keeps_what_a_catch_up_may_look_at(app):
    now = local(2026, 12, 7, 9, 0)
    with app.app_context():
        for days in (1, 59, 61, 400):
            assert job_runs.claim("campaign_daily", now - timedelta(days=days), now=now)
        assert job_runs.purge(now) == 2
        assert len(rows("campaign_daily")) == 2


def test_a_failing_job_does_not_keep_the_others_from_running(app):
    runs, run = counter()

    def broken():
        raise RuntimeError("no periods configured")

    jobs = [Daily("close_the_day", lambda: time(18, 0), timedelta(hours=1), broken),
            Daily("campaign_daily", lambda: time(7, 30), timedelta(hours=24), run)]
    with app.app_context():
        assert job_runs.catch_up(jobs, SHANGHAI, now=local(2026, 12, 7, 18, 0, 5)) == ["campaign_daily"]
        assert rows("close_the_day") == [] and len(runs) == 1  # tried again at the next look
