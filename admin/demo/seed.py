"""Seeding the demo hall through the domain services, as the actor ``demo``, in one transaction."""

from __future__ import annotations

import json
import logging
import os
import random
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from .. import catalog
from ..extensions import db
from ..ledger.workdays import library_says
from ..models import Department, Rating
from ..services import accounts, devices, opening_hours, photos, records
from ..services.audit import record
from ..services.settings import set_setting
from ..timefmt import hall_zone
from . import hall
from .portraits import portrait_jpeg

log = logging.getLogger(__name__)

ACTOR = "demo"
DEMO_PASSWORD = "liangbiping-demo"   # the documented demo default (README, `liangbiping demo` output)
DEVICES_FILE = "demo-devices.json"
RATING_WEEKS = 6


@contextmanager
def one_transaction():
    """Let the services' own commits only flush, then commit everything at the end, or nothing.

    The services commit after each change, which is right for the console and the API; the demo
    seeds a few hundred records and wants them all or none, so that a failure halfway leaves
    an empty database that the next ``liangbiping demo`` seeds again.
    """
    session = db.session()
    session.commit = session.flush  # shadows Session.commit on this instance only
    try:
        yield session
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Department))


def devices_path() -> Path:
    return Path(current_app.config["DATA_DIR"]) / DEVICES_FILE


def load_device_tokens() -> dict:
    """{"screens": {id: token}, "kiosks": {id: token}} for the demo's own devices, or empty."""
    try:
        data = json.loads(devices_path().read_text())
    except (OSError, ValueError):
        return {"screens": {}, "kiosks": {}}
    return {kind: {int(k): v for k, v in (data.get(kind) or {}).items()} for kind in ("screens", "kiosks")}


def _save_device_tokens(tokens: dict) -> None:
    path = devices_path()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({kind: {str(k): v for k, v in ids.items()} for kind, ids in tokens.items()}, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _in_last_year(today: date, month: int, day: int) -> date:
    """That day this year if it is already past, else the same day last year."""
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else date(today.year - 1, month, day)


def seed() -> None:
    """Seed the whole demo hall. The caller checks that the database is empty."""
    started = datetime.now()
    now = datetime.now(timezone.utc)
    zone = hall_zone()
    today = now.astimezone(zone).date()
    with one_transaction():
        set_setting("hall_name", hall.HALL_NAME, ACTOR)
        # Members are at their windows during opening hours only (admin/services/opening_hours.py).
        open_now = opening_hours.is_open(now)

        departments = {}
        for order, (name, description) in enumerate(hall.DEPARTMENTS, start=1):
            departments[name] = records.create(catalog.DEPARTMENTS, {
                "name": name, "description": description, "sort_order": order * 10}, ACTOR)

        windows = {}
        for number, name, dept, description in hall.WINDOWS:
            windows[number] = records.create(catalog.WINDOWS, {
                "number": number, "name": name, "department_id": departments[dept].id,
                "description": description}, ACTOR)

        for order, (item, dept, numbers, description, steps, limit, materials, fees, basis) in enumerate(
                hall.STANDARDS, start=1):
            records.create(catalog.STANDARDS, {
                "kind": "service_item", "item_name": item, "department_id": departments[dept].id,
                "window_ids": [windows[n].id for n in numbers], "description": description, "steps": steps,
                "time_limit": limit, "materials": materials, "fees": fees, "legal_basis": basis,
                "service_language": hall.SERVICE_LANGUAGE, "sort_order": order * 10}, ACTOR)
        for order, (name, text) in enumerate(hall.HALL_RULES, start=1):
            records.create(catalog.STANDARDS, {
                "kind": "hall_rule", "item_name": name, "description": text, "sort_order": order}, ACTOR)

        staff = {}
        for order, person in enumerate(hall.STAFF, start=1):
            member = records.create(catalog.STAFF, {
                "name": person["name"], "title": person["title"], "employee_no": person["no"],
                "department_id": departments[person["dept"]].id,
                "window_id": windows[person["window"]].id if person["window"] else None,
                "is_party_member": person["party"], "party_post": person["party_post"],
                "designations": person["designations"], "duties": person["duties"],
                "on_duty": person["on_duty"] and open_now, "sort_order": order * 10}, ACTOR)
            photos.set_photo(member, portrait_jpeg(
                person["no"], person["sex"], person["age"], person["bg"], party_badge=person["party"],
                outfit=person.get("outfit")), ACTOR)
            staff[person["name"]] = member

        year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
        for text in hall.ORG_PLEDGES:
            records.create(catalog.PLEDGES, {"staff_id": None, "text": text, "period_start": year_start,
                                             "period_end": year_end}, ACTOR)
        for name, text in hall.MEMBER_PLEDGES.items():
            records.create(catalog.PLEDGES, {"staff_id": staff[name].id, "text": text,
                                             "period_start": year_start, "period_end": year_end}, ACTOR)

        for title, holder, month, day, issuer in hall.HONORS:
            target = {"window_id": windows[holder].id} if holder in windows else {"staff_id": staff[holder].id}
            records.create(catalog.HONORS, {"title": title, "awarded_on": _in_last_year(today, month, day),
                                            "issuer": issuer, **target}, ACTOR)

        _notices(now, zone, today)

        tokens = {"screens": {}, "kiosks": {}}
        for name, kind, number in hall.SCREENS:
            screen, secret = devices.create_device(catalog.SCREENS, {
                "name": name, "kind": kind, "window_id": windows[number].id if number else None}, ACTOR)
            tokens["screens"][screen.id] = secret
        kiosks = {}
        for name, number in hall.KIOSKS:
            kiosk, secret = devices.create_device(catalog.KIOSKS, {
                "name": name, "window_id": windows[number].id if number else None}, ACTOR)
            tokens["kiosks"][kiosk.id] = secret
            kiosks[number] = kiosk

        accounts.create_or_reset_admin("admin", DEMO_PASSWORD, actor=ACTOR)
        for username, role, display, member in hall.DEMO_USERS:
            accounts.save_user({"username": username, "role": role, "display_name": display,
                                "staff_id": staff[member].id, "password": DEMO_PASSWORD}, ACTOR)

        count = _ratings(now, zone, today, windows, staff, kiosks)
        record(ACTOR, "create", "rating", None, summary=_("%(n)s demo ratings over %(weeks)s weeks", n=count, weeks=RATING_WEEKS))
        from . import campaign

        campaign.seed(now, zone, today)  # phases, ledger, appeals, skills, performance, reviews (三比三评)
        from . import surveys

        surveys.seed(today)  # survey rounds, supervisors, a symposium, wishes (the rest of 三评)
        from . import integration

        integration.seed(now)  # prompts from a business system, the 好差评 platform's endpoint (issue 13)
        # Written before the commit: should the commit fail, the next run seeds and writes it again.
        _save_device_tokens(tokens)
    log.info("demo hall seeded in %.1f s", (datetime.now() - started).total_seconds())


def _notices(now: datetime, zone, today: date) -> None:
    local_now = now.astimezone(zone)
    records.create(catalog.NOTICES, {
        "title": "周六“不打烊”延时服务",
        "text": "为方便上班族办事，每周六上午 9:00—12:00 综合受理、社保、不动产登记、户籍窗口正常办公，"
                "其他事项可在综合窗口预约。咨询电话：0000-12345。",
        "priority": "normal",
        "starts_at": (local_now - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0),
        "ends_at": (local_now + timedelta(days=60)).replace(hour=18, minute=0, second=0, microsecond=0),
    }, ACTOR)
    # The Saturday at least a week away: the registration system is upgraded that day.
    saturday = today + timedelta(days=7 + (5 - today.weekday()) % 7)
    show_from = datetime.combine(saturday - timedelta(days=5), time(8, 0), zone)
    records.create(catalog.NOTICES, {
        "title": "不动产登记系统升级暂停服务公告",
        "text": f"因省不动产登记信息平台升级，{saturday.month} 月 {saturday.day} 日（星期六）全天暂停不动产登记"
                "及相关税费业务，查询业务照常办理。给您带来不便，敬请谅解。",
        "priority": "normal",
        "starts_at": show_from,
        "ends_at": datetime.combine(saturday + timedelta(days=1), time(0, 0), zone),
    }, ACTOR)


# Per member, how satisfied citizens tend to be: weights for scores 1..5.
NORMAL = (0.6, 1.0, 2.5, 14, 82)
WEAKER = (1.5, 2.5, 5, 22, 69)
WEAKER_STAFF = {"何佳怡", "林子涵"}


def _ratings(now, zone, today, windows, staff, kiosks) -> int:
    """Some weeks of past ratings, inserted in one statement.

    Not through the intake (kiosk/intake.py): it serves one citizen's request at a time, refuses
    ratings older than 30 days and throttles bursts, all of which is right for live ratings and
    wrong for six weeks of history. The seed's one audit entry records them.
    """
    rng = random.Random("liangbiping-demo-ratings")
    by_window: dict[int, list] = {}
    for member in staff.values():
        if member.window_id:
            by_window.setdefault(member.window_id, []).append(member)
    busy = {"A01": (10, 18), "C01": (7, 13), "B01": (6, 11), "D01": (5, 10), "D03": (5, 10)}
    rows = []
    for back in range(RATING_WEEKS * 7, -1, -1):
        day = today - timedelta(days=back)
        if not library_says(day)[0]:
            continue
        for number, window in windows.items():
            members = by_window.get(window.id)
            if not members:
                continue
            low, high = busy.get(number, (3, 8))
            for _visit in range(rng.randint(low, high)):
                if rng.random() < 3 / 7:
                    minute = rng.randint(9 * 60, 12 * 60 - 1)
                else:
                    minute = rng.randint(13 * 60 + 30, 17 * 60 + 29)
                local = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), zone)
                rated_at = local.astimezone(timezone.utc)
                if rated_at > now:
                    continue
                member = rng.choice(members)
                weights = WEAKER if member.name in WEAKER_STAFF else NORMAL
                score = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
                reasons, comment = [], ""
                if score <= 2 or (score == 3 and rng.random() < 0.5):
                    reasons = rng.sample(hall.REASONS[:5], k=1 if rng.random() < 0.7 else 2)
                    if rng.random() < 0.1:
                        reasons = ["other"]
                    if rng.random() < 0.6:
                        comment = rng.choice(hall.BAD_COMMENTS[reasons[0]])
                elif score == 5 and rng.random() < 0.06:
                    comment = rng.choice(hall.GOOD_COMMENTS)
                kiosk = kiosks.get(number)
                if kiosk is not None and rng.random() < 0.75:
                    channel, kiosk_id = "kiosk", kiosk.id
                elif kiosk is None and rng.random() < 0.35:
                    channel, kiosk_id = "kiosk", kiosks[None].id
                else:
                    channel, kiosk_id = "qr", None
                row = {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "score": score, "staff_id": member.id, "window_id": window.id, "kiosk_id": kiosk_id,
                    "channel": channel, "reasons": reasons, "comment": comment, "contact": None,
                    "prompted": False, "flagged": None, "rated_at": rated_at,
                    "received_at": rated_at + timedelta(milliseconds=rng.randint(150, 2500)),
                }
                rows.append(row)
                if channel == "kiosk" and rng.random() < 0.004:
                    # A second press on the same kiosk within 3 s: kept, flagged, left out of statistics.
                    again = rated_at + timedelta(milliseconds=rng.randint(600, 2500))
                    rows.append(dict(row, id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), comment="",
                                     flagged="repeat_press", rated_at=again,
                                     received_at=again + timedelta(milliseconds=300)))
    if rows:
        db.session.execute(insert(Rating), rows)
    return len(rows)


def staff_the_windows(now: datetime | None = None) -> int:
    """When the demo starts again during opening hours with nobody at the windows (they were marked
    away at closing), its rostered members come on duty; returns how many."""
    from ..models import Staff

    now = now or datetime.now(timezone.utc)
    if not opening_hours.is_open(now) or db.session.scalar(select(Staff.id).where(Staff.on_duty.is_(True)).limit(1)):
        return 0
    rostered = {person["name"] for person in hall.STAFF if person["on_duty"]}
    members = [m for m in db.session.scalars(select(Staff).where(Staff.name.in_(rostered))) if m.window_id]
    for member in members:
        member.on_duty = True
        record(ACTOR, "update", "staff", member.id, summary=member.name, changes={"on_duty": [False, True]})
    db.session.commit()
    return len(members)
