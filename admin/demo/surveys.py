"""The demo hall's share of the rest of 三评: a finished half-year survey round published to the
screens, an open one with invited supervisors, a symposium with a problem in the ledger, and a few
wishes (one fulfilled). Kept small: seeding stays fast."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Staff, User, Window
from ..services.scope import Viewer
from ..surveys import answers, rounds
from ..surveys.questions import preset
from ..symposiums import service as symposiums
from ..wishes import service as wishes

ACTOR = "demo"


def seed(today: date) -> None:
    rng = random.Random("liangbiping-demo-surveys")
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    admin_v = Viewer(role="admin", user_id=admin.id, staff_id=admin.staff_id, departments=None, actor=ACTOR)
    windows = list(db.session.scalars(select(Window).order_by(Window.number)))
    _supervisors(today)
    _finished_round(rng, today)
    _open_round(today, windows)
    _symposium(today, windows, admin_v)
    _wishes(windows)


def _supervisors(today: date) -> None:
    for name, unit, phone in (("赵卫东", "县人大代表", "13712340001"), ("孙丽萍", "县政协委员", "13712340002")):
        symposiums.save_supervisor({"name": name, "unit": unit, "contact": phone,
                                    "term_start": today - timedelta(days=200),
                                    "term_end": today + timedelta(days=530)}, ACTOR)


def _finished_round(rng: random.Random, today: date) -> None:
    """The half-year before, on paper: 36 sheets typed in, nearly all satisfied."""
    start, end = rounds.default_period(today - timedelta(days=183))
    survey = rounds.create({
        "title": f"{start.year}年{'上' if start.month == 1 else '下'}半年窗口单位民意调查", "target_kind": "hall",
        "questions": [preset(d) for d in ("attitude", "efficiency", "competence", "integrity", "environment",
                                          "overall")] + [{"kind": "text", "text": "意见和建议"}],
        "period_start": start, "period_end": end, "open_public": True, "sheets_printed": 40}, ACTOR)
    rounds.transition(survey, "open", ACTOR)
    for n in range(1, 37):
        scores = {f"q{i}": rng.choice((5, 5, 5, 5, 4, 4, 3)) for i in range(1, 7)}
        if n == 7:
            scores.update(q2=2, q7="周一上午排队时间太长，希望增加窗口")
        answers.answer(survey, channel="paper", answers=scores, paper_no=n, actor=ACTOR)
    rounds.transition(survey, "close", ACTOR)
    rounds.transition(survey, "publish", ACTOR)


def _open_round(today: date, windows: list[Window]) -> None:
    start, end = rounds.default_period(today)
    survey = rounds.create({
        "title": f"{start.year}年{'上' if start.month == 1 else '下'}半年群众评议", "target_kind": "window",
        "target_ids": [w.id for w in windows[:4]], "open_public": True, "open_invited": True, "sheets_printed": 100,
        "questions": [preset("attitude"), preset("efficiency"), preset("overall"),
                      {"kind": "multiple", "text": "您希望我们在哪些方面改进？",
                       "options": ["缩短等候时间", "一次告知所需材料", "增加自助设备", "延长服务时间"]},
                      {"kind": "text", "text": "意见和建议"}],
        "period_start": start, "period_end": end}, ACTOR)
    rounds.transition(survey, "open", ACTOR)
    rounds.invite_supervisors(survey, today, ACTOR)


def _symposium(today: date, windows: list[Window], admin_v: Viewer) -> None:
    meeting = symposiums.create_symposium({
        "title": "服务对象和行风监督员座谈会", "held_on": today - timedelta(days=12), "place": "中心三楼会议室",
        "attendees": [{"name": "赵卫东", "unit": "县人大代表"}, {"name": "孙丽萍", "unit": "县政协委员"},
                      {"name": "李建华", "unit": "青溪县建材有限公司"}],
        "minutes": "与会人员肯定了大厅“一窗受理”的成效，也指出午间时段部分窗口无人值守、指引标识不清等问题。"}, ACTOR)
    symposiums.raise_problem(meeting, {"problem": "午间时段部分窗口无人值守，办事群众等候较久",
                                       "raised_by": "李建华", "contact": "13900001234",
                                       "window_id": windows[0].id if windows else None}, admin_v)


def _wishes(windows: list[Window]) -> None:
    if not windows:
        return
    first = windows[0]
    member = db.session.scalar(select(Staff).where(Staff.window_id == first.id).order_by(Staff.id))
    asked = [wishes.submit(kind=kind, text=text, contact=None, window_id=first.id, channel="web",
                           address_hash=f"demo-{n}")
             for n, (kind, text) in enumerate((
                 ("errand", "年纪大了看不清，请帮我代填社保申请表"),
                 ("wish", "想了解孩子医保怎么在手机上缴费"),
                 ("wish", "周末能否预约办理不动产登记")))]
    if member is None:
        return
    viewer = Viewer(role="staff", staff_id=member.id, departments=frozenset(), actor=ACTOR)
    wishes.claim(asked[0], viewer)
    wishes.complete(asked[0], viewer, "已代为填写并陪同提交，当场受理")
    wishes.confirm(asked[0], "satisfied", actor=ACTOR)
    wishes.claim(asked[1], viewer)
