"""The demo's campaign (三比三评): phases, leaders' departments, the ledger worked through its
states, complaints, appeals, skill contests, performance figures, review rounds, published boards.

Runs inside the demo's one transaction, after the ratings (whose bad ones have opened ledger
entries by themselves), through the same services as the console, as the actor ``demo``.
Deterministic (a seeded random), and quick: a few hundred writes.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..campaign import phases
from ..campaign.inputs import save_performance, save_skill
from ..services.scope import Viewer, set_leader_departments
from ..extensions import db
from ..ledger import appeals, service
from ..models import Department, Rating, Rectification, Staff, Suggestion, User
from ..reviews import criteria, rounds
from ..services.settings import set_setting
from ..stats.periods import containing

ACTOR = "demo"

MEASURES = {
    "attitude": ("开展窗口服务礼仪和文明用语专题培训，窗口负责人每日巡查服务态度。",
                 "已组织全体窗口人员服务礼仪培训，当事人作书面检查并向群众致歉。"),
    "slow": ("高峰时段增开弹性窗口，优化取号分流，材料预审前移到导服台。",
             "上午 9–11 时增开 1 个弹性窗口，平均等候时间由 38 分钟降至 15 分钟。"),
    "unfamiliar": ("组织业务知识测试，编制常见问题答复口径，新进人员跟班学习。",
                   "完成业务测试并补考，常见问题口径已印发各窗口。"),
    "repeat_trips": ("更新一次性告知单，材料清单上墙并在公众号发布。",
                     "一次性告知单已更新 12 项，窗口和公众号同步公布。"),
    "facilities": ("维修叫号屏，调整大厅空调温度，补充便民设施。",
                   "叫号屏已更换，空调设定 26℃，老花镜和充电宝已补齐。"),
    "other": ("研究延时服务和预约办理，扩大停车位引导。",
              "推出午间不打烊和预约办理，协调周边停车位 40 个。"),
}
COMMENTS = ["业务熟练，耐心细致，群众评价好。", "服务热情主动，带头落实首问负责制。", "认真学习新政策，能及时解答群众疑问。",
            "工作积极，团结同事，乐于帮助新同志。", "遵守纪律，廉洁自律，作风扎实。", "办件效率高，按时办结率稳定。"]
LEADER_COMMENTS = {
    "excellent": "践诺情况好，窗口群众满意率高，在业务练兵中成绩突出，起到了党员先锋模范作用。",
    "good": "服务意识强，能按承诺办事；希望进一步提高业务熟练程度，缩短群众等候时间。",
    "fair": "能完成本职工作，但群众评价中反映等候时间偏长，需加强业务学习、改进工作作风。",
}
# What was done about a problem, for the problems the demo's citizens write about: a ledger entry's
# measure and evidence answer its own complaint, not just its reason. Keyed by the text written.
FIXES = {
    "说话很不耐烦": ("当事人服务礼仪谈话提醒，窗口负责人每日巡查服务态度。",
                 "已与当事人谈话并组织文明用语培训，当事人向群众电话致歉。"),
    "问了两遍就不高兴了": ("开展首问负责和耐心解答专题培训，复盘本次接待过程。",
                   "已组织首问负责制培训，当事人作书面检查并向群众致歉。"),
    "一直在看手机": ("重申工作时间手机统一存放规定，纳入作风督查。",
                 "窗口手机统一存放柜已启用，本月作风督查未再发现。"),
    "排了一个多小时": ("高峰时段增开弹性窗口，优化取号分流。",
                 "上午 9–11 时增开 1 个弹性窗口，平均等候时间由 38 分钟降至 15 分钟。"),
    "前面就两个人等了很久": ("梳理单件办理时长，材料预审前移到导服台。",
                     "导服台预审上线，单件平均办理时长缩短 6 分钟。"),
    "系统老是卡": ("报请信息中心排查业务系统，窗口电脑升级内存。",
               "业务系统已扩容，窗口电脑完成升级，卡顿问题消除。"),
    "问了几个问题都答不上来": ("组织业务知识测试，编制常见问题答复口径。",
                     "完成业务测试并补考，常见问题口径已印发各窗口。"),
    "要去问别人才知道": ("新进人员跟班学习，窗口配备业务手册。",
                  "新进人员完成两周跟班学习，业务手册已放置各窗口。"),
    "第一次没说清楚还缺什么材料，又跑了一趟": ("更新一次性告知单，材料清单上墙并在公众号发布。",
                               "一次性告知单已更新 12 项，窗口和公众号同步公布。"),
    "让我回去开证明": ("梳理可免于提交的证明材料，能部门间核验的不再让群众开证明。",
                "取消 5 项证明材料，改为部门间数据核验。"),
    "叫号屏坏了听不到叫号": ("维修叫号屏，叫号同时语音播报。",
                    "叫号屏已更换，语音叫号已开通。"),
    "大厅空调太冷": ("调整大厅空调温度，出风口加装导风板。", "空调设定 26℃，出风口导风板已安装。"),
    "复印机坏了": ("维修自助复印机，导服台备用复印服务。", "复印机已修复，导服台提供免费复印。"),
    "停车位太少": ("协调周边单位开放停车位，增设停车引导。", "协调周边停车位 40 个，入口设置引导牌。"),
    "希望中午也能办": ("推出午间不打烊服务，开通预约办理。", "工作日 12:00–14:00 综合窗口不打烊，预约办理已上线。"),
    "不动产登记窗口让我回去开证明，第二次来又说还缺一份材料，跑了三趟。": (
        "不动产登记材料清单一次性告知，可部门间核验的证明不再让群众开具。",
        "不动产登记告知单已更新，取消 3 项证明材料，当事群众已办结。"),
    "大厅叫号屏坏了，听不清叫号，错过了号又要重新排队。": (
        "维修叫号屏，叫号同时语音播报，过号群众可优先补办。", "叫号屏已更换，语音叫号已开通，过号补办规则已公示。"),
    "巡查发现：大厅自助填表台的表格和签字笔未及时补充，部分样表已过期。": (
        "专人每日两次巡查填表台，样表按新版本全部更换。", "填表台样表已全部更换为新版，巡查记录表已上墙。"),
}

COMPLAINTS = [
    ("不动产登记窗口让我回去开证明，第二次来又说还缺一份材料，跑了三趟。", "C01", 11),
    ("大厅叫号屏坏了，听不清叫号，错过了号又要重新排队。", None, 4),
]


def seed(now: datetime, zone, today: date) -> None:
    rng = random.Random("liangbiping-demo-campaign")
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    leader = db.session.scalar(select(User).where(User.role == "leader").order_by(User.id))
    staff = {s.name: s for s in db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.id))}
    admin_v = Viewer(role="admin", user_id=admin.id, staff_id=admin.staff_id, departments=None, actor=ACTOR)
    leader_v = Viewer(role="leader", user_id=leader.id, staff_id=leader.staff_id, departments=None, actor=ACTOR)

    phases.add_standard(today - timedelta(days=25), ACTOR)
    set_leader_departments(leader, list(db.session.scalars(select(Department.id))), ACTOR)
    set_setting("boards_published", ["satisfaction", "composite"], ACTOR)

    _complaints(now, zone, staff)
    _ledger(rng, now, zone, today, leader, admin_v, leader_v)
    _appeals(rng, leader_v, admin_v)
    _skills(rng, today, staff)
    _performance(rng, today, staff)
    _reviews(rng, now, today, staff, leader_v)
    service.mark_overdue(now)


def _complaints(now, zone, staff) -> None:
    from ..models import Window

    windows = {w.number: w for w in db.session.scalars(select(Window))}
    for i, (text, number, days_ago) in enumerate(COMPLAINTS):
        day = (now - timedelta(days=days_ago)).astimezone(zone).date()
        when = datetime.combine(day, time(10, 24 + i * 17), zone).astimezone(timezone.utc)
        window = windows.get(number) if number else None
        db.session.add(Suggestion(receipt=f"DEMO{i + 1:04d}", kind="complaint", text=text, channel="kiosk",
                                  window_id=window.id if window else None, status="new", reply="", replied_by="",
                                  created_at=when))
    db.session.add(Suggestion(receipt="DEMO0009", kind="suggestion", text="建议在大厅增设几把休息椅和老花镜。", channel="qr",
                              status="new", reply="", replied_by="", created_at=now - timedelta(days=2)))
    db.session.flush()


def _reason_of(entry: Rectification) -> str:
    if entry.rating_id:
        rating = db.session.get(Rating, entry.rating_id)
        if rating is not None and rating.reasons:
            return rating.reasons[0] if rating.reasons[0] in MEASURES else "other"
    text = entry.problem or ""
    if "跑" in text or "材料" in text:
        return "repeat_trips"
    if "屏" in text or "空调" in text:
        return "facilities"
    return "attitude"


def _ledger(rng, now, zone, today, leader, admin_v, leader_v) -> None:
    entries = db.session.scalars(select(Rectification).order_by(Rectification.opened_at, Rectification.id)).all()
    manual = service.create({"problem": "巡查发现：大厅自助填表台的表格和签字笔未及时补充，部分样表已过期。",
                             "measure": "专人每日两次巡查填表台，样表按新版本全部更换。",
                             "leader_id": leader.id, "responsible_id": None}, admin_v)
    entries.append(manual)
    dismissed = reopened = overdue = False
    def later(days: int, hour: int, minute: int) -> datetime:
        """``days`` after the entry opened, at a working hour in the hall (never later than now)."""
        day = opened.astimezone(zone).date() + timedelta(days=days)
        return min(datetime.combine(day, time(hour, minute), zone).astimezone(timezone.utc), now)

    for n, entry in enumerate(entries):
        opened = entry.opened_at
        age = (now - opened).days
        measure, evidence = FIXES.get((entry.problem or "").strip()) or MEASURES[_reason_of(entry)]
        responsible = entry.responsible_id or entry.staff_id or leader.staff_id
        step = later(1, 9, 10 + n % 40)
        service.update(entry, {"measure": entry.measure or measure, "leader_id": leader.id,
                               "responsible_id": responsible}, admin_v, now=min(opened + timedelta(minutes=50), now))
        if age < 2:
            continue  # brand new: still open, the 四明确 being settled
        if not dismissed and entry.rating_id and age > 8:
            service.transition(entry, "dismiss", leader_v, reason="经调取窗口监控核实，群众误按评价键，当场已向工作人员致歉。",
                               now=step)
            dismissed = True
            continue
        service.transition(entry, "verify", leader_v, now=step)
        if age < 4:
            continue
        service.transition(entry, "start", leader_v, now=later(1, 14, 5 + n % 50))
        if not overdue and age > 9:
            service.update(entry, {"deadline": (opened + timedelta(days=6)).astimezone(zone).date()}, leader_v,
                           now=later(1, 15, 20))
            overdue = True
            continue  # still being rectified, past its deadline: the daily job flags it
        if age < 7:
            continue
        service.transition(entry, "complete", leader_v, evidence=evidence, now=later(3, 16, 10 + n % 40))
        if not reopened and age > 12:
            service.transition(entry, "revisit", leader_v, verdict="dissatisfied",
                               note="电话回访：群众认为仍需排队较久，要求继续改进。", now=later(4, 10, 30))
            reopened = True
            continue
        if age < 10:
            continue
        verdict = "basically_satisfied" if n % 6 == 0 else "satisfied"
        service.transition(entry, "revisit", leader_v, verdict=verdict, note="电话回访，群众对整改结果表示认可。",
                           now=later(5, 10, 15 + n % 40))
    for suggestion in db.session.scalars(select(Suggestion).where(Suggestion.kind == "complaint")):
        suggestion.reply = "您反映的问题已转整改台账办理，整改进度可在本页查看。感谢您的监督！"
        suggestion.replied_by = ACTOR
        suggestion.replied_at = min(suggestion.created_at + timedelta(hours=4), now)
        suggestion.status = "replied"
    db.session.flush()


def _appeals(rng, leader_v, admin_v) -> None:
    taken = set(db.session.scalars(select(Rectification.rating_id).where(Rectification.state == "dismissed")))
    bad = [r for r in db.session.scalars(select(Rating).where(Rating.score <= 2, Rating.flagged.is_(None))
                                         .order_by(Rating.rated_at)) if r.id not in taken]
    if len(bad) < 3:
        return
    plans = [(bad[1], "malicious", "该群众因不符合办理条件被告知无法当场办结，情绪激动连续差评，有窗口监控为证。", True),
             (bad[3 if len(bad) > 3 else 2], "mistaken", "群众评价的是隔壁窗口的等候时间，并非本人服务。", False),
             (bad[-1], "mistaken", "评价时间与本人接待记录不符，申请核实。", None)]
    for rating, kind, reason, upheld in plans:
        appeal = appeals.file(rating.id, kind, reason, admin_v)
        if upheld is not None:
            appeals.decide(appeal, upheld, "经调取监控核实属实。" if upheld else "经核实评价指向本窗口，申诉不予支持。",
                           leader_v)


def _skills(rng, today, staff) -> None:
    contests = [("2026年度窗口业务技能竞赛", today - timedelta(days=60)), ("季度岗位大练兵业务测试", today - timedelta(days=18))]
    for contest, held_on in contests:
        for member in staff.values():
            if not member.window_id:
                continue
            score = round(rng.uniform(76, 98), 1)
            title = "岗位能手" if member.is_party_member and score >= 88 and contest.startswith("2026") else ""
            award = "一等奖" if score >= 95 else ("二等奖" if score >= 90 else "")
            save_skill({"staff_id": member.id, "contest": contest, "held_on": held_on, "score": score,
                        "award": award, "title": title}, ACTOR)


def _performance(rng, today, staff) -> None:
    first = today.replace(day=1)
    months = []
    for _ in range(6):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    for member in staff.values():
        if not member.window_id:
            continue
        base = rng.randint(180, 360)
        for month in months:
            handled = int(base * rng.uniform(0.85, 1.15) * (today.day / 30 if month.month == today.month and
                                                             month.year == today.year else 1))
            late = rng.choice((0, 0, 1, 1, 2, 3, 5))
            save_performance({"staff_id": member.id, "month": month.strftime("%Y-%m"), "handled": max(handled, late),
                              "on_time": max(handled - late, 0)}, ACTOR)


def _reviews(rng, now, today, staff, leader_v) -> None:
    last = containing("quarter", today).previous()
    before = last.previous()
    half_end = (date(today.year, 7, 1) if today.month > 6 else date(today.year, 1, 1)) - timedelta(days=1)
    half_start = half_end.replace(month=1 if half_end.month <= 6 else 7, day=1)
    closed_peer = rounds.open_round("peer", before.start, before.end, before.end + timedelta(days=20), ACTOR)
    open_peer = rounds.open_round("peer", last.start, last.end, today + timedelta(days=9), ACTOR)
    leader_round = rounds.open_round("leader", half_start, half_end, half_end + timedelta(days=25), ACTOR)
    keys = list(criteria.FIVE_LEADS)
    for rnd, share in ((closed_peer, 1.0), (open_peer, 0.6)):
        for subject_id, items in rounds.expected(rnd).items():
            for kind, key, reviewer_id in items:
                if rng.random() > share:
                    continue
                reviewer = db.session.get(Staff, reviewer_id)
                v = Viewer(role="staff", staff_id=reviewer.id, departments=frozenset(), actor=ACTOR)
                lean = 5 if rng.random() < 0.55 else 4
                scores = {k: max(3, min(5, lean - (1 if rng.random() < 0.15 else 0))) for k in keys}
                pledges = []
                if kind == "self":
                    from ..models import Pledge

                    pledges = [{"pledge_id": p.id, "kept": True, "evidence": "按承诺落实一次性告知，本季度无群众有效投诉。"}
                               for p in db.session.scalars(select(Pledge).where(Pledge.staff_id == subject_id))]
                rounds.submit(rnd, kind, subject_id, v, scores=scores, comment=rng.choice(COMMENTS), pledges=pledges)
    for subject_id, items in rounds.expected(leader_round).items():
        grade = rng.choices(("excellent", "good", "fair"), weights=(5, 4, 1))[0]
        rounds.submit(leader_round, "leader", subject_id, leader_v, grade=grade, comment=LEADER_COMMENTS[grade])
    rounds.close_round(closed_peer, ACTOR)
    rounds.close_round(leader_round, ACTOR)



