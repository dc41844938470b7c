"""The snapshot's ``prompts`` part: read again when prompts (or the members, or the public address)
change and only then, filtered by each round's clock, and a prompted rating takes its prompt off the
window screen at once while the boards wait for the slow round."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from liangbiping.admin.catalog import SCREENS
from liangbiping.admin.extensions import db
from liangbiping.admin.models import RatingPrompt, Staff
from liangbiping.admin.models.types import utcnow
from liangbiping.admin.push.hub import hub_for
from liangbiping.admin.services.devices import create_device


def _reads(app):
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", note)


def _read(seen, table):
    return any(s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s for s in seen)


def test_the_prompt_part_is_read_when_prompts_change_and_follows_the_clock(app, hall):
    from liangbiping.kiosk.prompts import cancel_prompt, start_prompt

    with app.test_request_context("/"):
        hub = hub_for(app)
        create_device(SCREENS, {"name": "01 窗口屏", "kind": "window", "window_id": hall.w1}, "t")
        create_device(SCREENS, {"name": "02 窗口屏", "kind": "window", "window_id": hall.w2}, "t")
        hub.round()
        key1, key2 = f"window:{hall.w1}:0", f"window:{hall.w2}:0"
        assert hub._cache[key1][1]["prompt"] is None

        seen, stop = _reads(app)
        try:
            prompt = start_prompt(db.session.get(Staff, hall.m1), "t", "GA-7", service_item="居住证办理")
            pushed = hub.round()
            assert set(pushed) == {key1}  # the other window's screen is not sent anything
            assert _read(seen, "rating_prompts")
            assert not _read(seen, "standards") and not _read(seen, "notices")  # the rest is reused
            shown = hub._cache[key1][1]["prompt"]
            assert shown["id"] == prompt.id and shown["case_no"] == "GA-7" and shown["member"]["name"] == "张三"
            assert hub._cache[key2][1]["prompt"] is None

            seen.clear()
            hub.round()  # nothing changed: the part is not read again
            assert not _read(seen, "rating_prompts")
        finally:
            stop()
        # Its time runs out: a round with the clock past it drops it, before the scheduler marks it.
        later = prompt.expires_at + timedelta(seconds=1)
        assert key1 in hub.round(now=later) and hub._cache[key1][1]["prompt"] is None
        hub.round()
        assert hub._cache[key1][1]["prompt"]["id"] == prompt.id  # still open by the real clock
        cancel_prompt(db.session.get(RatingPrompt, prompt.id), "t")
        assert key1 in hub.round() and hub._cache[key1][1]["prompt"] is None


def test_a_prompted_rating_wakes_a_round_for_the_screen_and_leaves_the_boards_to_the_slow_one(app, hall):
    """With the worker running, a rating's boards and figures are forgotten when the slow round is
    due, not at once: a rating that used a prompt must not rebuild them on the round it wakes."""
    with app.app_context():
        hub = hub_for(app)
        hub.round()
        assert "campaign" in hub._kept and "satisfaction" in hub._kept and "part:prompts" in hub._kept
        hub._worker_started = True  # as in a server; PUSH_WORKER is off in tests, so no round runs here
        try:
            hub.changed({"ratings", "rating_prompts"})
            assert "part:prompts" not in hub._kept
            assert "campaign" in hub._kept and "satisfaction" in hub._kept
        finally:
            hub._worker_started = False
        hub.changed({"ratings"})  # no worker: a round called directly sees new ratings at once
        assert "campaign" not in hub._kept and "satisfaction" not in hub._kept


def test_an_expired_prompt_is_never_shown(app, hall):
    with app.test_request_context("/"):
        hub = hub_for(app)
        create_device(SCREENS, {"name": "01 窗口屏", "kind": "window", "window_id": hall.w1}, "t")
        db.session.add(RatingPrompt(staff_id=hall.m1, window_id=hall.w1, case_no="OLD", created_by="t",
                                    created_at=utcnow() - timedelta(minutes=20),
                                    expires_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
        hub.round()
        assert hub._cache[f"window:{hall.w1}:0"][1]["prompt"] is None
