"""The demo hall: what `liangbiping demo` seeds, that it seeds once, and the URLs it prints."""

from __future__ import annotations

import io
import json
import os
import re
import stat
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.demo import DEMO_PASSWORD, DEVICES_FILE, describe, hall, seed_if_empty
from liangbiping.admin.demo.portraits import portrait_jpeg
from liangbiping.admin.ledger.workdays import library_says
from liangbiping.admin.extensions import db
from liangbiping.admin.models import (AuditEntry, Department, Honor, Kiosk, Notice, Pledge, Rating, Screen, Staff, Standard, User,
                          Window)
from liangbiping.admin.services.accounts import hash_secret
from liangbiping.kiosk.schemas import REASON_CODES

SIX = {"社保中心", "医保中心", "不动产登记中心", "公积金管理中心", "税务服务厅", "市场监管局"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
TABLES = (Department, Window, Standard, Staff, Pledge, Honor, Notice, Screen, Kiosk, Rating, User, AuditEntry)


def _new_app(data_dir):
    # Its own SQLite file, whatever database the rest of the suite runs on: seeding takes seconds.
    return create_app(TestingConfig.from_env(data_dir, SQLALCHEMY_DATABASE_URI=f"sqlite:///{data_dir}/liangbiping.db"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    app = _new_app(data_dir)
    with app.test_request_context("/"):
        assert seed_if_empty() is True
        from liangbiping.admin.demo.seed import staff_the_windows
        from tests.conftest import OPEN_MOMENT

        staff_the_windows(OPEN_MOMENT)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(seeded):
    with seeded.test_request_context("/"):
        yield seeded
        db.session.rollback()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def all_counts() -> dict:
    return {model.__name__: count(model) for model in TABLES}


def test_departments_and_windows(ctx):
    names = set(db.session.scalars(select(Department.name)))
    assert SIX <= names
    assert {"综合受理科", "公安户政科"} <= names
    numbers = set(db.session.scalars(select(Window.number)))
    assert {"A01", "B01", "C01", "D01"} <= numbers
    for window in db.session.scalars(select(Window)):
        assert window.department_id is not None
        assert window.service_items, f"{window.number} offers no service item"


def test_staff_have_photos_and_identity(ctx):
    members = db.session.scalars(select(Staff)).all()
    assert len(members) >= 12
    photo_dir = os.path.join(ctx.config["DATA_DIR"], "photos")
    for member in members:
        assert member.photo, member.name
        with Image.open(os.path.join(photo_dir, member.photo)) as img:
            assert img.format == "JPEG" and img.size == (600, 800)
        assert member.title and member.duties and member.employee_no
    assert sum(m.on_duty for m in members) > len(members) / 2
    party = [m for m in members if m.is_party_member]
    assert len(party) >= 8
    posts = {m.party_post for m in party}
    assert {"支部书记", "组织委员", "党员"} <= posts
    designations = {d for m in members for d in m.designations}
    assert {"党员先锋岗", "党员示范岗", "岗位能手", "服务标兵"} <= designations


def test_photos_go_through_the_photo_service(ctx):
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "staff",
                                                          AuditEntry.action == "update")).all()
    assert len([e for e in entries if "photo" in e.changes]) == count(Staff)
    assert all(e.actor == "demo" for e in entries)


def test_standards_and_hall_rules(ctx):
    items = db.session.scalars(select(Standard).where(Standard.kind == "service_item")).all()
    assert len(items) >= 12
    for item in items:
        assert item.steps and item.materials and item.time_limit and item.fees and item.legal_basis
        assert item.service_language
        assert "承诺" in item.time_limit and "法定" in item.time_limit
    assert any("《社会保险法》" in i.legal_basis or "社会保险法》" in i.legal_basis for i in items)
    assert any("《不动产登记暂行条例》" in i.legal_basis for i in items)
    assert any(i.fees == "不收费" for i in items)
    rules = set(db.session.scalars(select(Standard.item_name).where(Standard.kind == "hall_rule")))
    assert rules == {"首问负责制", "一次性告知制", "限时办结制", "责任追究制"}


def test_pledges_honors_notices(ctx):
    year = datetime.now(SHANGHAI).year
    pledges = db.session.scalars(select(Pledge)).all()
    assert any(p.staff_id is None for p in pledges), "the party organisation's pledge"
    pledged = {p.staff_id for p in pledges if p.staff_id}
    party = set(db.session.scalars(select(Staff.id).where(Staff.is_party_member.is_(True))))
    assert pledged == party, "one pledge per party member"
    assert all(p.period_start.year == year and p.period_end.year == year for p in pledges)

    honors = db.session.scalars(select(Honor)).all()
    titles = {h.title.split("（")[0] for h in honors}
    assert {"党员先锋岗", "岗位能手", "服务标兵", "巾帼文明岗", "青年文明号"} <= titles
    today = datetime.now(SHANGHAI).date()
    assert all(h.issuer and h.awarded_on <= today for h in honors)
    assert any(h.window_id for h in honors) and any(h.staff_id for h in honors)

    notices = db.session.scalars(select(Notice)).all()
    now = datetime.now(timezone.utc)
    assert any(n.active for n in notices), "one notice running now"
    assert any(n.starts_at and n.starts_at > now for n in notices), "one notice scheduled"


def test_devices(ctx):
    screens = db.session.scalars(select(Screen)).all()
    assert [s.kind for s in screens].count("hall") == 1
    assert len([s for s in screens if s.kind == "window" and s.window_id]) >= 3
    kiosks = db.session.scalars(select(Kiosk)).all()
    assert len([k for k in kiosks if k.window_id]) >= 3
    assert len([k for k in kiosks if k.window_id is None]) == 1


def test_users(ctx):
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert admin.role == "admin" and check_password_hash(admin.password_hash, DEMO_PASSWORD)
    leader = db.session.scalar(select(User).where(User.role == "leader"))
    assert leader is not None and check_password_hash(leader.password_hash, DEMO_PASSWORD)
    staff_user = db.session.scalar(select(User).where(User.role == "staff"))
    assert staff_user is not None and staff_user.staff_id is not None
    assert staff_user.staff.name == staff_user.display_name
    assert "demo" not in admin.password_hash


def test_ratings(ctx):
    ratings = db.session.scalars(select(Rating)).all()
    assert len(ratings) >= 500
    flagged = [r for r in ratings if r.flagged]
    assert flagged and all(r.flagged == "repeat_press" and r.channel == "kiosk" for r in flagged)
    ratings = [r for r in ratings if not r.flagged]
    scores = [r.score for r in ratings]
    assert set(scores) == {1, 2, 3, 4, 5}
    share = sum(s >= 4 for s in scores) / len(scores)
    assert 0.85 < share < 0.99, share
    assert scores.count(5) > scores.count(4) > scores.count(3)
    assert {r.channel for r in ratings} == {"kiosk", "qr"}
    now = datetime.now(timezone.utc)
    days = set()
    for r in ratings:
        assert r.rated_at <= now and r.received_at >= r.rated_at
        local = r.rated_at.astimezone(SHANGHAI)
        assert time(9, 0) <= local.time() <= time(17, 30), local
        assert not time(12, 0) <= local.time() < time(13, 30), local
        assert library_says(local.date())[0], local
        days.add(local.date())
        assert set(r.reasons) <= set(REASON_CODES)
        if r.score <= 2:
            assert r.reasons, "bad ratings carry a reason"
            assert set(r.reasons) <= set(hall.REASONS)
        if r.channel == "kiosk":
            assert r.kiosk_id is not None
        assert r.staff_id and r.window_id
    assert len(days) >= 20, "some weeks of working days"
    # A member is rated at their own window.
    member_window = dict(db.session.execute(select(Staff.id, Staff.window_id)).all())
    assert all(member_window[r.staff_id] == r.window_id for r in ratings)


def test_everything_is_audited_as_demo(ctx):
    actors = set(db.session.scalars(select(AuditEntry.actor)))
    assert "demo" in actors and actors <= {"demo", "system"}
    # "system" only for what the hall does by itself: ledger entries opened for bad ratings.
    by_system = set(db.session.scalars(select(AuditEntry.entity).where(AuditEntry.actor == "system")))
    assert by_system <= {"rectification"}
    created = dict(db.session.execute(select(AuditEntry.entity, func.count()).where(AuditEntry.action == "create")
                                      .group_by(AuditEntry.entity)).all())
    assert created["department"] == count(Department)
    assert created["staff"] == count(Staff)
    assert created["screen"] == count(Screen) and created["kiosk"] == count(Kiosk)


def test_second_seed_changes_nothing(ctx):
    data_dir = ctx.config["DATA_DIR"]
    before = all_counts()
    photos = sorted(os.listdir(os.path.join(data_dir, "photos")))
    tokens = open(os.path.join(data_dir, DEVICES_FILE)).read()
    text = describe("http://hall.example:8000")
    assert seed_if_empty() is False
    assert all_counts() == before
    assert sorted(os.listdir(os.path.join(data_dir, "photos"))) == photos
    assert open(os.path.join(data_dir, DEVICES_FILE)).read() == tokens
    assert describe("http://hall.example:8000") == text


def test_describe_lists_every_device_with_its_token(ctx):
    text = describe("http://hall.example:8000/")
    assert "http://hall.example:8000/admin/" in text
    assert "admin / " + DEMO_PASSWORD in text
    for model, path in ((Screen, "display"), (Kiosk, "kiosk")):
        for device in db.session.scalars(select(model)):
            match = re.search(rf"http://hall\.example:8000/{path}/{device.id}#token=(\S+)", text)
            assert match, f"{path}/{device.id} missing"
            assert hash_secret(match.group(1)) == device.token_hash
            assert device.name in text


def test_device_tokens_file_is_private(ctx):
    path = os.path.join(ctx.config["DATA_DIR"], DEVICES_FILE)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.load(open(path))
    assert len(data["screens"]) == count(Screen) and len(data["kiosks"]) == count(Kiosk)


def test_describe_when_admin_changed_password(ctx):
    from flask_babel import force_locale

    from liangbiping.admin.services.accounts import create_or_reset_admin

    create_or_reset_admin("admin", "another-password-1", actor="test")
    try:
        with force_locale("en"):  # recognises the line by its English text (Chinese is the default)
            text = describe("http://x")
        assert DEMO_PASSWORD not in text
        assert "changed" in text
    finally:
        create_or_reset_admin("admin", DEMO_PASSWORD, actor="test")


def test_describe_without_the_tokens_file(tmp_path):
    app = _new_app(tmp_path)
    with app.test_request_context("/"):
        seed_if_empty()
        os.remove(tmp_path / DEVICES_FILE)
        text = describe("http://x")
        assert "http://x/display/1" in text and "#token=" not in text
        db.session.remove()
        db.engine.dispose()


def test_a_failed_seed_leaves_an_empty_database(tmp_path, monkeypatch):
    from liangbiping.admin.demo import seed as seed_module

    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return portrait_jpeg(*args, **kwargs)

    monkeypatch.setattr(seed_module, "portrait_jpeg", failing)
    app = _new_app(tmp_path)
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            seed_if_empty()
        assert count(Department) == count(Staff) == count(AuditEntry) == 0
        assert not (tmp_path / DEVICES_FILE).exists()
        monkeypatch.setattr(seed_module, "portrait_jpeg", portrait_jpeg)
        assert seed_if_empty() is True
        assert count(Staff) == len(hall.STAFF)
        db.session.remove()
        db.engine.dispose()


def test_portraits_are_deterministic_and_distinct():
    a = portrait_jpeg("ZW0001", "m", 40, "blue", party_badge=True)
    assert a == portrait_jpeg("ZW0001", "m", 40, "blue", party_badge=True)
    assert a != portrait_jpeg("ZW0002", "m", 40, "blue", party_badge=True)
    img = Image.open(io.BytesIO(a))
    assert img.size == (600, 800)
    r, g, b = img.getpixel((10, 10))
    assert b > 180 and r < 120, "a blue ID-photo background"
    white = Image.open(io.BytesIO(portrait_jpeg("ZW0003", "f", 30, "white")))
    assert min(white.getpixel((10, 10))) > 230
    # The face sits in the middle: skin-coloured, not background.
    r, g, b = img.getpixel((300, 420))
    assert r > b + 30


def test_members_are_on_duty_during_opening_hours_only(tmp_path):
    """Seeded at night, nobody is at the windows; the demo started again in the morning puts its
    rostered members back; at closing time everyone still on duty is marked away."""
    from liangbiping.admin.demo.seed import staff_the_windows
    from liangbiping.admin.services import opening_hours

    night = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)  # 22:00 in the hall
    morning = datetime(2026, 12, 8, 1, 30, tzinfo=timezone.utc)  # 09:30 the next day
    app = _new_app(tmp_path / "d")
    with app.test_request_context("/"):
        assert not opening_hours.is_open(night) and opening_hours.is_open(morning)
        assert not opening_hours.is_open(datetime(2026, 10, 2, 2, 0, tzinfo=timezone.utc))  # National Day
        assert opening_hours.is_open(datetime(2026, 10, 10, 2, 0, tzinfo=timezone.utc))  # its make-up Saturday
        from liangbiping.admin.demo import seed as seeding

        real = seeding.datetime

        class AtNight(real):
            @classmethod
            def now(cls, tz=None):
                return night if tz else night.replace(tzinfo=None)

        seeding.datetime = AtNight
        try:
            seeding.seed()
        finally:
            seeding.datetime = real
        assert db.session.scalar(select(func.count()).select_from(Staff).where(Staff.on_duty.is_(True))) == 0
        assert staff_the_windows(night) == 0
        put = staff_the_windows(morning)
        assert put >= 12
        a01 = db.session.scalar(select(Window).where(Window.number == "A01"))
        assert {m.name for m in db.session.scalars(select(Staff).where(Staff.window_id == a01.id,
                                                                        Staff.on_duty.is_(True)))} == {"刘晓燕", "王磊"}
        assert staff_the_windows(morning) == 0  # somebody is there already: nothing to do
        assert opening_hours.close_the_day() == put
        assert db.session.scalar(select(func.count()).select_from(Staff).where(Staff.on_duty.is_(True))) == 0


def test_ledger_fixes_answer_their_own_complaints(ctx):
    """Each ledger entry's measure and evidence speak of the problem it was opened for."""
    from liangbiping.admin.demo.campaign import FIXES
    from liangbiping.admin.models import Rectification

    entries = db.session.scalars(select(Rectification).where(Rectification.problem.in_(list(FIXES)))).all()
    assert len(entries) >= 3
    for entry in entries:
        measure, evidence = FIXES[entry.problem]
        assert entry.measure == measure
        if entry.evidence:
            assert entry.evidence == evidence
    copier = [e for e in entries if e.problem == "复印机坏了"]
    assert all("复印" in e.measure for e in copier)


def test_prompts_and_the_platforms_endpoint(ctx):
    """A little of the hall's other systems: a rated, an expired and an open prompt, and the 好差评
    platform's endpoint, disabled, with a few deliveries recorded and nothing left to send."""
    from liangbiping.admin.models import OutboxEvent, RatingPrompt, WebhookDelivery, WebhookEndpoint
    from liangbiping.admin.push.content import open_prompts, read_parts

    prompts = {p.state: p for p in db.session.scalars(select(RatingPrompt))}
    assert set(prompts) == {"rated", "expired", "open"}
    rated = db.session.scalar(select(Rating).where(Rating.prompt_id == prompts["rated"].id))
    assert rated.prompted and rated.case_no == prompts["rated"].case_no and rated.service_item
    assert rated.staff_id == prompts["rated"].staff_id and rated.window_id == prompts["rated"].window_id
    assert prompts["expired"].expired_at is not None
    c01 = db.session.scalar(select(Window).where(Window.number == "C01"))
    assert prompts["open"].window_id == c01.id and prompts["open"].case_no
    # C01's window screen shows it (the push round's own reading of the hall).
    shown = open_prompts(read_parts()["prompts"], datetime.now(timezone.utc))
    assert list(shown) == [c01.id] and shown[c01.id]["id"] == prompts["open"].id

    (endpoint,) = db.session.scalars(select(WebhookEndpoint)).all()
    assert endpoint.enabled is False and endpoint.format == "national"
    assert endpoint.url.startswith("http://127.0.0.1:")  # nothing leaves the demo machine
    states = [d.state for d in db.session.scalars(select(WebhookDelivery))]
    assert states.count("delivered") >= 3 and states.count("failed") == 1 and "pending" not in states
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.fanned_out.is_(False))) == 0
    audited = set(db.session.scalars(select(AuditEntry.entity).where(AuditEntry.actor == "demo")))
    assert {"rating_prompt", "webhook"} <= audited
