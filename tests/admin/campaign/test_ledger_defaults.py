"""A new ledger entry's defaults (leader, department, deadline) are remembered between bad ratings,
and forgotten as soon as what they come from changes."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rectification, Window
from liangbiping.admin.services.settings import set_setting

from tests.factories import make_user

from .conftest import add_rating


def newest_entry() -> Rectification:
    return db.session.scalars(select(Rectification).order_by(Rectification.id.desc())).first()


def test_entry_defaults_follow_leaders_windows_and_settings(ctx, hall):
    add_rating(1, staff_id=hall.m1, window_id=hall.w1)
    first = newest_entry()
    assert first.department_id == hall.d1 and first.leader_id is None  # no leader looks after 社保科 yet

    leader = make_user("leader", departments=[hall.d1])  # written with a Core insert of leader_departments
    add_rating(2, staff_id=hall.m1, window_id=hall.w1)
    assert newest_entry().leader_id == leader.id

    db.session.get(Window, hall.w1).department_id = hall.d2  # the window moves to 医保科 (an ORM update)
    db.session.commit()
    add_rating(1, staff_id=hall.m1, window_id=hall.w1)
    moved = newest_entry()
    assert moved.department_id == hall.d2 and moved.leader_id is None

    before = moved.deadline
    set_setting("rectification_working_days", 15, "test")
    add_rating(1, staff_id=hall.m1, window_id=hall.w1, at=datetime.now(timezone.utc))
    assert (newest_entry().deadline - before).days >= 14  # ten more working days: two weeks or more


def test_entry_defaults_are_read_once_for_a_run_of_bad_ratings(ctx, hall):
    make_user("leader", departments=[hall.d1])
    add_rating(1, staff_id=hall.m1, window_id=hall.w1)  # reads them
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for score in (1, 2, 1):
            add_rating(score, staff_id=hall.m1, window_id=hall.w1)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert db.session.scalar(select(__import__("sqlalchemy").func.count()).select_from(Rectification)) == 4
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT") and
             ("leader_departments" in s or "calendar_days" in s or "FROM windows" in s)]
    assert reads == [], reads
