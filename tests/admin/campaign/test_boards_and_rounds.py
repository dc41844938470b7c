"""三比 boards and what hall screens get; campaign phases; review rounds opened by the scheduler;
performance imports; API permissions per role."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from openpyxl import Workbook

from liangbiping.admin.campaign import boards, inputs, phases
from liangbiping.admin.services.scope import Viewer
from liangbiping.admin.extensions import db
from liangbiping.admin.models import PerformanceEntry, ReviewRound
from liangbiping.admin.reviews import rounds
from liangbiping.admin.services.settings import set_setting
from liangbiping.admin.stats import periods

from .conftest import add_rating


def test_boards_rank_and_only_published_ones_reach_the_screens(ctx, hall):
    now = datetime.now(timezone.utc)
    for i in range(30):
        add_rating(5, staff_id=hall.m1, window_id=hall.w1, at=now - timedelta(minutes=i), commit=False)
        add_rating(5 if i % 3 else 2, staff_id=hall.m2, window_id=hall.w2, at=now - timedelta(minutes=i), commit=False)
    add_rating(5, staff_id=hall.m3, window_id=hall.w3, at=now, commit=False)  # too few to rank
    db.session.commit()
    period = boards.current_period("month")
    sat = boards.board("satisfaction", period)
    assert [(r["name"], r["rank"]) for r in sat["rows"]] == [("张三", 1), ("李四", 2), ("王五", None)]
    assert sat["rows"][0]["display"] == "100.0%" and sat["rows"][2]["value"] is None

    assert boards.boards_for_screens() == {"boards": [], "phase": None, "wishes": {"month_count": 0, "latest": []}}
    set_setting("boards_published", ["satisfaction", "nonsense"], "test")
    phases.save(None, {"name": "扎实推进阶段", "stage": "advance", "starts_on": date.today() - timedelta(days=3),
                       "ends_on": date.today() + timedelta(days=30), "description": ""}, "test")
    screens = boards.boards_for_screens()
    assert [b["key"] for b in screens["boards"]] == ["satisfaction"]
    assert [r["name"] for r in screens["boards"][0]["rows"]] == ["张三", "李四"]  # ranked rows only
    assert screens["phase"]["name"] == "扎实推进阶段" and screens["phase"]["stage"] == "advance"

    from liangbiping.admin.push import content

    snap = content.snapshot()
    sections = content.build("hall:0:0", snap)
    assert sections["boards"] == screens["boards"] and sections["phase"]["name"] == "扎实推进阶段"
    assert sections["satisfaction"]["count"] == 61 and sections["satisfaction"]["satisfied"] == 51
    assert "boards" not in content.build(f"window:{hall.w1}:0", snap)


def test_skill_performance_conduct_and_composite(ctx, hall):
    v = Viewer(role="admin", actor="test")
    today = periods.local_today(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    inputs.save_skill({"staff_id": hall.m1, "contest": "业务竞赛", "held_on": today, "score": 96.0, "title": "岗位能手"}, "t")
    inputs.save_skill({"staff_id": hall.m2, "contest": "业务竞赛", "held_on": today, "score": 80.0}, "t")
    share = boards.skill_share(today)
    assert share["members"] == 3 and share["capable"] == 1 and not share["meets_target"]  # 赵六 has no window
    month = today.strftime("%Y-%m")
    inputs.save_performance({"staff_id": hall.m1, "month": month, "handled": 200, "on_time": 198}, "t")
    inputs.save_performance({"staff_id": hall.m2, "month": month, "handled": 100, "on_time": 100}, "t")
    perf = boards.board("performance", boards.current_period("month"))
    assert [r["name"] for r in perf["rows"]] == ["张三", "李四"]  # volume counts as much as punctuality
    # Conduct from a closed peer round: two colleagues review each other.
    rnd = rounds.open_round("peer", today - timedelta(days=90), today - timedelta(days=1), today, "t")
    for reviewer, subject, score in ((hall.m1, hall.m2, 4), (hall.m2, hall.m1, 5)):
        rounds.submit(rnd, "peer", subject, Viewer(role="staff", staff_id=reviewer, actor="t"),
                      scores={k: score for k in ("study", "achieve", "serve", "discipline", "integrity")})
    rounds.close_round(rnd, "t")
    conduct = boards.board("conduct", boards.current_period("month"))
    assert conduct["rows"] == []  # one reviewer each: not anonymous, not counted
    set_setting("composite_weights", {"skill": 1, "conduct": 0, "performance": 1, "satisfaction": 0}, "t")
    composite = boards.board("composite", boards.current_period("month"))
    top = composite["rows"][0]
    assert top["name"] == "张三" and top["value"] == round((96.0 + 50 * 0.99 + 50) / 2, 1)
    assert v.is_admin


def test_the_scheduler_opens_rounds_from_the_campaign_calendar(ctx, hall):
    assert rounds.auto_open(date(2026, 10, 8)) == []  # no phase running
    phases.save(None, {"name": "巩固提高阶段", "stage": "consolidate", "starts_on": date(2026, 9, 1),
                       "ends_on": date(2027, 6, 30), "description": ""}, "t")
    opened = rounds.auto_open(date(2026, 10, 8))
    assert [(r.kind, r.period_start, r.period_end) for r in opened] == [("peer", date(2026, 7, 1), date(2026, 9, 30))]
    assert rounds.auto_open(date(2026, 10, 9)) == []  # never twice
    assert rounds.auto_open(date(2026, 11, 20)) == []  # only in a quarter's first month
    january = rounds.auto_open(date(2027, 1, 4))
    assert sorted((r.kind, r.period_start) for r in january) == [("leader", date(2026, 7, 1)), ("peer", date(2026, 10, 1))]
    set_setting("auto_review_rounds", False, "t")
    assert rounds.auto_open(date(2027, 4, 2)) == []
    assert db.session.query(ReviewRound).filter_by(auto=True).count() == 3
    # Reminders: everyone with a review to write in a round due within a week.
    from tests.factories import make_user

    make_user("staff", staff_id=hall.m1)
    assert rounds.remind_due(date(2027, 1, 15)) >= 1


def test_performance_import_is_all_or_nothing(ctx, hall):
    def sheet(rows):
        wb = Workbook()
        wb.active.append(["工号", "月份", "办件量", "按时办结"])
        for row in rows:
            wb.active.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    good = sheet([["E001", "2026-10", 300, 297], ["E002", "2026-10", 120, 120]])
    assert inputs.import_performance(good, "业绩.xlsx", "t") == {"rows": 2}
    assert db.session.query(PerformanceEntry).count() == 2
    bad = sheet([["E001", "2026-11", 10, 9], ["NOPE", "2026-11", 1, 1], ["E002", "2026-13", 5, 5], ["E003", "2026-11", 5, 9]])
    try:
        inputs.import_performance(bad, "bad.xlsx", "t")
    except Exception as exc:  # noqa: BLE001
        assert getattr(exc, "status", None) == 422 and len(exc.details) == 3
    else:
        raise AssertionError("a bad sheet was imported")
    db.session.rollback()
    assert db.session.query(PerformanceEntry).count() == 2
    csv = "工号,月份,办件量,按时办结\nE003,2026年10月,50,50\n".encode("gb18030")
    assert inputs.import_performance(csv, "业绩.csv", "t") == {"rows": 1}


def test_api_permissions_per_role(client, make_token, app):
    admin, leader, staff = make_token("admin"), make_token("leader"), make_token("staff")
    for path in ("/api/v1/rectifications", "/api/v1/appeals", "/api/v1/stats/ranking", "/api/v1/reports/month.xlsx"):
        assert client.get(path, headers=staff).status_code == 403, path
        assert client.get(path, headers=leader).status_code == 200, path
        assert client.get(path).status_code == 401, path
    assert client.get("/api/v1/stats/satisfaction", headers=staff).status_code == 200
    with app.test_request_context("/"):
        from tests.factories import build_hall

        hall = build_hall(app)
    refused = client.get("/api/v1/stats/satisfaction", query_string={"scope": "staff", "id": hall.m1}, headers=staff)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/stats/satisfaction", query_string={"scope": "staff", "id": hall.m1},
                      headers=leader).status_code == 200
    phase = {"name": "动员部署阶段", "stage": "mobilize", "starts_on": "2026-09-29", "ends_on": "2026-10-05"}
    assert client.post("/api/v1/campaign/phases", json=phase, headers=leader).status_code == 403
    made = client.post("/api/v1/campaign/phases", json=phase, headers=admin)
    assert made.status_code == 201
    backwards = client.patch(f"/api/v1/campaign/phases/{made.get_json()['id']}", json={"ends_on": "2026-09-01"},
                             headers=admin)
    assert backwards.status_code == 422 and backwards.get_json()["error"]["code"] == "validation_error"
    assert client.get("/api/v1/campaign/phases", headers=staff).get_json()["total"] == 1
    assert client.get("/api/v1/boards", headers=staff).status_code == 200
    assert client.get("/api/v1/boards/nope", headers=staff).status_code == 404
    assert client.get("/api/v1/boards", query_string={"period": "2026-W40"}, headers=staff).status_code == 422
    report = client.get("/api/v1/reports/quarter.xlsx", query_string={"period": "2026-Q4"}, headers=admin)
    assert report.status_code == 200 and report.data[:2] == b"PK"
    assert client.get("/api/v1/reports/decade.xlsx", headers=admin).status_code == 404
    assert client.get("/api/v1/reports/month.xlsx", query_string={"period": "2026-99"}, headers=admin).status_code == 422


def test_a_leader_reminds_only_the_reviewers_of_their_own_departments(ctx, hall):
    from liangbiping.admin.models import Reminder
    from liangbiping.admin.services.scope import viewer_for_user

    from tests.factories import make_user

    today = date(2026, 10, 8)
    rnd = rounds.open_round("peer", date(2026, 7, 1), date(2026, 9, 30), today + timedelta(days=20), "t")
    here, there = make_user("staff", staff_id=hall.m1), make_user("staff", staff_id=hall.m3)
    leader = make_user("leader", departments=[hall.d1])

    assert rounds.remind(rnd, today, viewer_for_user(leader)) == 1
    assert {r.user_id for r in db.session.query(Reminder)} == {here.id}
    # An administrator reminds everyone still to write; nobody twice the same day.
    assert rounds.remind(rnd, today, Viewer(role="admin", actor="t")) == 1
    assert {r.user_id for r in db.session.query(Reminder)} == {here.id, there.id}
    assert {r.entity for r in db.session.query(Reminder)} == {"review_round"}


def test_a_leader_is_given_only_departments_that_exist(ctx, hall):
    from liangbiping.admin.services.scope import leader_assignments, set_leader_departments

    from tests.factories import make_user

    leader = make_user("leader", departments=[hall.d2])
    set_leader_departments(leader, [hall.d1, 99_999], "t")
    (row,) = [a for a in leader_assignments() if a["user"].id == leader.id]
    assert row["listed"] == {hall.d1} and row["effective"] == {hall.d1}
