"""Working-day deadlines across the National Day holiday and a make-up Saturday; the overdue job
at a fixed clock; day boundaries in the hall's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

from liangbiping.admin.extensions import db
from liangbiping.admin.ledger import workdays
from liangbiping.admin.models import Rectification, Reminder
from liangbiping.admin.stats import queries
from liangbiping.admin.stats.queries import Scope

from tests.factories import make_user

from .conftest import add_rating


def test_the_library_knows_2026_national_day_and_its_make_up_saturday():
    cal = holidays.China(years=2026)
    assert all(not cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday, worked to make up for the holiday
    assert date(2026, 10, 10).weekday() == 5


def test_five_working_days_across_national_day(ctx):
    # Wednesday 30 Sep + 5: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13 October.
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert workdays.add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert not workdays.is_working_day(date(2026, 10, 4)) and workdays.is_working_day(date(2026, 10, 10))


def test_an_administrator_corrects_the_calendar(ctx):
    workdays.set_day(date(2026, 10, 10), False, "本单位不调休", "test")
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 14)
    workdays.set_day(date(2026, 10, 12), False, "", "test")
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 15)
    workdays.set_day(date(2026, 10, 10), None, "", "test")
    workdays.set_day(date(2026, 10, 12), None, "", "test")
    assert workdays.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    from liangbiping.admin.models import AuditEntry

    assert db.session.query(AuditEntry).filter_by(entity="calendar_day").count() == 4


def test_deadlines_past_the_library_s_data_never_crash(ctx):
    assert workdays.add_working_days(date(2026, 12, 28), 5).year == 2027
    assert workdays.add_working_days(date(2099, 12, 30), 5) > date(2100, 1, 1)
    assert workdays.add_working_days(date(2199, 12, 30), 3) > date(2199, 12, 31)
    assert len(workdays.year_view(2027)) == 365


def test_the_calendar_api(client, admin_headers, make_token):
    year = client.get("/api/v1/calendar/2026", headers=make_token("staff")).get_json()
    days = {d["day"]: d for d in year["days"]}
    assert days["2026-10-10"]["working"] and not days["2026-10-01"]["working"]
    assert year["working_days"] == sum(d["working"] for d in year["days"])
    put = client.put("/api/v1/calendar/days/2026-10-10", json={"working": False, "note": "不调休"}, headers=admin_headers)
    assert put.status_code == 200 and put.get_json()["override"] and not put.get_json()["working"]
    assert client.put("/api/v1/calendar/days/2026-10-10", json={"working": False},
                      headers=make_token("leader")).status_code == 403
    assert client.put("/api/v1/calendar/days/2026-13-40", json={"working": True}, headers=admin_headers).status_code == 422
    assert client.get("/api/v1/calendar/1800", headers=admin_headers).status_code == 404


def test_the_overdue_job_with_a_fixed_clock(ctx, hall):
    from liangbiping.admin.campaign.jobs import daily

    leader = make_user("leader", departments=[hall.d1])
    member = make_user("staff", staff_id=hall.m1)
    add_rating(1, staff_id=hall.m1, window_id=hall.w1, at=datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc))
    entry = db.session.query(Rectification).one()
    entry.deadline = date(2026, 10, 13)
    db.session.commit()
    tz = ZoneInfo("Asia/Shanghai")

    # 13 October, 23:59 in the hall: still on time.
    out = daily(datetime(2026, 10, 13, 23, 59, tzinfo=tz))
    assert out["ledger"]["newly_overdue"] == 0 and not db.session.get(Rectification, entry.id).overdue
    # One minute later (14 October, 00:00 in the hall, still the 13th in UTC): overdue, and reminded.
    out = daily(datetime(2026, 10, 14, 0, 0, tzinfo=tz))
    entry = db.session.get(Rectification, entry.id)
    assert out["ledger"]["newly_overdue"] == 1 and entry.overdue and entry.overdue_since == date(2026, 10, 14)
    reminded = {r.user_id for r in db.session.query(Reminder).filter_by(kind="ledger_overdue")}
    assert reminded == {leader.id, member.id}
    # Again the same day: nothing new, no second reminder.
    out = daily(datetime(2026, 10, 14, 9, 0, tzinfo=tz))
    assert out["ledger"]["newly_overdue"] == 0 and out["ledger"]["reminders"] == 0
    # The next day: reminded again.
    assert daily(datetime(2026, 10, 15, 9, 0, tzinfo=tz))["ledger"]["reminders"] == 2
    # A later deadline clears the flag.
    entry.deadline = date(2026, 10, 30)
    db.session.commit()
    assert daily(datetime(2026, 10, 15, 10, 0, tzinfo=tz))["ledger"]["cleared"] == 1
    assert not db.session.get(Rectification, entry.id).overdue
    # A finished entry is never overdue.
    entry.deadline, entry.state = date(2026, 10, 1), "done"
    db.session.commit()
    assert daily(datetime(2026, 10, 20, 9, 0, tzinfo=tz))["ledger"]["overdue"] == 0


def test_day_boundaries_are_the_hall_s(ctx, hall):
    # 15:59:59 UTC is 23:59:59 in Shanghai on the 1st; 16:00:00 UTC is midnight, the 2nd.
    add_rating(5, window_id=hall.w1, at=datetime(2026, 3, 1, 15, 59, 59, tzinfo=timezone.utc))
    add_rating(1, window_id=hall.w1, at=datetime(2026, 3, 1, 16, 0, 0, tzinfo=timezone.utc))
    first = queries.summary(Scope("hall"), date(2026, 3, 1), date(2026, 3, 1))
    second = queries.summary(Scope("hall"), date(2026, 3, 2), date(2026, 3, 2))
    assert first["distribution"]["5"] == 1 and first["count"] == 1
    assert second["distribution"]["1"] == 1 and second["count"] == 1
    # The hall moves to New York: the rollups are rebuilt in the same transaction, both on 1 March.
    from liangbiping.admin.services.settings import set_setting

    set_setting("timezone", "America/New_York", "test")
    ny = queries.summary(Scope("hall"), date(2026, 3, 1), date(2026, 3, 1))
    assert ny["count"] == 2
    # Across the spring-forward night (8 March 2026) a local day still starts at local midnight.
    add_rating(4, window_id=hall.w1, at=datetime(2026, 3, 9, 3, 59, tzinfo=timezone.utc))   # 8 Mar 23:59 EDT
    add_rating(3, window_id=hall.w1, at=datetime(2026, 3, 9, 4, 0, tzinfo=timezone.utc))    # 9 Mar 00:00 EDT
    assert queries.summary(Scope("hall"), date(2026, 3, 8), date(2026, 3, 8))["count"] == 1
    assert queries.summary(Scope("hall"), date(2026, 3, 9), date(2026, 3, 9))["count"] == 1


def test_the_api_takes_dates_in_the_hall_s_zone(client, admin_headers, app, hall):
    with app.test_request_context("/"):
        add_rating(5, window_id=hall.w1, at=datetime(2026, 3, 1, 15, 59, 59, tzinfo=timezone.utc))
        add_rating(2, window_id=hall.w1, at=datetime(2026, 3, 1, 16, 0, 0, tzinfo=timezone.utc))
    one = client.get("/api/v1/stats/satisfaction", query_string={"from": "2026-03-01", "to": "2026-03-01"},
                     headers=admin_headers).get_json()
    assert one["count"] == 1 and one["rate"] == 1.0 and one["from"] == "2026-03-01" and one["low_confidence"]
    both = client.get("/api/v1/stats/satisfaction", query_string={"from": "2026-03-01", "to": "2026-03-02",
                                                                 "scope": "window", "id": hall.w1},
                      headers=admin_headers).get_json()
    assert both["count"] == 2 and both["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert both["satisfied"] == 1 and both["rate"] == 0.5 and both["wilson"]["low"] < 0.5 < both["wilson"]["high"]
    empty = client.get("/api/v1/stats/satisfaction", query_string={"from": "2020-01-01", "to": "2020-01-02"},
                       headers=admin_headers).get_json()
    assert empty["count"] == 0 and empty["rate"] is None and empty["wilson"] is None
    for bad in ({"from": "2026-3-1"}, {"from": "2026-03-05", "to": "2026-03-01"}, {"scope": "galaxy"},
                {"scope": "staff"}, {"scope": "window", "id": 0}):
        response = client.get("/api/v1/stats/satisfaction", query_string=bad, headers=admin_headers)
        assert 400 <= response.status_code < 500 and "error" in response.get_json(), bad
    missing = client.get("/api/v1/stats/satisfaction", query_string={"scope": "staff", "id": 9999}, headers=admin_headers)
    assert missing.status_code == 404
    trend = client.get("/api/v1/stats/trend", query_string={"from": "2026-02-27", "to": "2026-03-03"},
                       headers=admin_headers).get_json()
    assert [p["count"] for p in trend["points"]] == [0, 0, 1, 1, 0]
    timedelta  # noqa: B018 - imported for readers comparing with the ledger tests
