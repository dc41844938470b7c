"""三比 boards: 比技能, 比作风, 比业绩, 比满意度, and a composite score with configurable weights.

* skill: the average score of the member's skill-contest results this year (to the period's end),
  with any titles won; the 岗位能手 share of party members at windows is measured against its target.
* conduct: from the latest closed review rounds: peer averages of the 五带头 criteria (×20) and
  the leader's grade (优秀 95, 良好 85, 一般 70, 较差 50), averaged.
* performance: services handled and completed on time in the period (entered or imported):
  half the on-time rate, half the volume relative to the busiest member.
* satisfaction: the satisfaction rate in the period, ranked only with ``ranking_min_sample`` ratings.
* composite: the weighted mean (``composite_weights``) of the four, each on 0–100, over the
  components a member has.

Each board can be published to hall screens (``boards_published``, opt-in); ``boards_for_screens``
builds what they show, with the current campaign phase.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Department, PerformanceEntry, Review, ReviewRound, SkillResult, Staff
from ..services.settings import get_setting
from ..stats import periods, queries
from ..timefmt import hall_zone
from ..reviews import criteria

BOARDS = {
    "satisfaction": _l("Satisfaction"),
    "skill": _l("Skills"),
    "conduct": _l("Conduct"),
    "performance": _l("Performance"),
    "composite": _l("Composite"),
}
TITLES = {
    "satisfaction": _l("Citizen satisfaction"), "skill": _l("Skill contests"), "conduct": _l("Conduct in reviews"),
    "performance": _l("Services handled on time"), "composite": _l("Overall ranking"),
}
SKILL_TITLE = "岗位能手"
SCREEN_ROWS = 10


def current_period(kind: str | None = None, today: date | None = None) -> periods.Period:
    kind = kind or get_setting("board_period") or "quarter"
    if kind not in ("month", "quarter", "year"):
        kind = "quarter"
    return periods.containing(kind, today or periods.local_today(hall_zone()))


def _members() -> dict[int, Staff]:
    return {s.id: s for s in db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.id))}


def _departments() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)).all())


def _rank(rows: list[dict], reverse: bool = True) -> list[dict]:
    ranked = [r for r in rows if r["value"] is not None]
    ranked.sort(key=lambda r: ((-r["value"] if reverse else r["value"]), -(r.get("sample") or 0), r["name"]))
    previous, rank = None, 0
    for i, row in enumerate(ranked, start=1):
        if row["value"] != previous:
            rank, previous = i, row["value"]
        row["rank"] = rank
    return ranked + [dict(r, rank=None) for r in rows if r["value"] is None]


def _row(member: Staff, departments: dict, value, display: str, sample=None) -> dict:
    return {"staff_id": member.id, "name": member.name, "department": departments.get(member.department_id, ""),
            "value": value, "display": display, "sample": sample, "rank": None}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- the four comparisons -------------------------------------------------------------------

def satisfaction_values(period: periods.Period) -> dict[int, dict]:
    min_sample = int(get_setting("ranking_min_sample") or 30)
    return {r["id"]: r for r in queries.ranking("staff", period.start, period.end, min_sample=min_sample)}


def satisfaction_board(period: periods.Period) -> dict:
    members, departments = _members(), _departments()
    rows = []
    for sid, fig in satisfaction_values(period).items():
        if sid in members:
            value = fig["rate"] if fig["ranked"] else None
            display = _pct(fig["rate"]) if fig["ranked"] else _("%(n)s ratings: too few to rank", n=fig["count"])
            rows.append(_row(members[sid], departments, value, display, fig["count"]))
    min_sample = int(get_setting("ranking_min_sample") or 30)
    return _board("satisfaction", period, _rank(rows), "%",
                  _("Members with fewer than %(n)s ratings are not ranked.", n=min_sample))


def skill_values(period: periods.Period) -> dict[int, dict]:
    start = date(period.end.year, 1, 1)
    out: dict[int, dict] = defaultdict(lambda: {"scores": [], "titles": []})
    for r in db.session.scalars(select(SkillResult).where(SkillResult.held_on >= start,
                                                          SkillResult.held_on <= period.end)):
        if r.score is not None:
            out[r.staff_id]["scores"].append(r.score)
        for label in (r.title, r.award):
            if label and label not in out[r.staff_id]["titles"]:
                out[r.staff_id]["titles"].append(label)
    return {sid: {"value": round(sum(v["scores"]) / len(v["scores"]), 1) if v["scores"] else None,
                  "titles": v["titles"], "count": len(v["scores"])} for sid, v in out.items()}


def skill_board(period: periods.Period) -> dict:
    members, departments = _members(), _departments()
    rows = []
    for sid, v in skill_values(period).items():
        if sid in members:
            display = (f"{v['value']:.1f}" if v["value"] is not None else "—") + \
                      (" · " + "、".join(v["titles"]) if v["titles"] else "")
            rows.append(_row(members[sid], departments, v["value"], display, v["count"]))
    return _board("skill", period, _rank(rows), _("points"),
                  _("Average contest score since %(day)s.", day=date(period.end.year, 1, 1).isoformat()))


def skill_share(on: date | None = None) -> dict:
    """岗位能手 share: party members at a window who hold the title (a designation, or won this year or last)."""
    on = on or periods.local_today(hall_zone())
    party = [s for s in _members().values() if s.is_party_member and s.window_id]
    won = set(db.session.scalars(select(SkillResult.staff_id).where(
        SkillResult.title == SKILL_TITLE, SkillResult.held_on >= date(on.year - 1, 1, 1), SkillResult.held_on <= on)))
    capable = [s for s in party if SKILL_TITLE in (s.designations or []) or s.id in won]
    target = float(get_setting("target_skill_share") or 0.98)
    share = len(capable) / len(party) if party else None
    return {"members": len(party), "capable": len(capable), "share": share, "target": target,
            "meets_target": None if share is None else share >= target}


def latest_closed(kind: str) -> ReviewRound | None:
    return db.session.scalars(select(ReviewRound).where(ReviewRound.kind == kind, ReviewRound.status == "closed")
                              .order_by(ReviewRound.period_end.desc(), ReviewRound.id.desc()).limit(1)).first()


def conduct_values() -> tuple[dict[int, dict], list[ReviewRound]]:
    """{member: {"value", "peer", "leader"}} from the latest closed peer and leader rounds."""
    used = [r for r in (latest_closed("peer"), latest_closed("leader")) if r is not None]
    parts: dict[int, dict] = defaultdict(dict)
    for rnd in used:
        reviews = db.session.scalars(select(Review).where(Review.round_id == rnd.id)).all()
        if rnd.kind == "peer":
            by_subject = defaultdict(list)
            for r in reviews:
                if r.kind == "peer" and r.scores:
                    by_subject[r.subject_id].append(sum(r.scores.values()) / len(r.scores))
            for sid, means in by_subject.items():
                if len(means) >= criteria.MIN_ANONYMOUS:
                    parts[sid]["peer"] = round(sum(means) / len(means) * 20, 1)
        else:
            by_subject = defaultdict(list)
            for r in reviews:
                if r.kind == "leader" and r.grade in criteria.GRADE_POINTS:
                    by_subject[r.subject_id].append(criteria.GRADE_POINTS[r.grade])
            for sid, points in by_subject.items():
                parts[sid]["leader"] = round(sum(points) / len(points), 1)
    out = {}
    for sid, p in parts.items():
        values = [v for v in (p.get("peer"), p.get("leader")) if v is not None]
        out[sid] = {"value": round(sum(values) / len(values), 1) if values else None, **p}
    return out, used


def conduct_board(period: periods.Period) -> dict:
    members, departments = _members(), _departments()
    values, used = conduct_values()
    rows = []
    for sid, v in values.items():
        if sid in members and v["value"] is not None:
            bits = []
            if "peer" in v:
                bits.append(_("peers %(n)s", n=v["peer"]))
            if "leader" in v:
                bits.append(_("leader %(n)s", n=v["leader"]))
            rows.append(_row(members[sid], departments, v["value"], f"{v['value']:.1f} ({', '.join(bits)})"))
    note = _("From: %(rounds)s", rounds="; ".join(r.title for r in used)) if used else \
        _("No review round has closed yet.")
    return _board("conduct", period, _rank(rows), _("points"), note)


def performance_values(period: periods.Period) -> dict[int, dict]:
    stmt = (select(PerformanceEntry.staff_id, func.sum(PerformanceEntry.handled), func.sum(PerformanceEntry.on_time))
            .where(PerformanceEntry.month >= period.start.replace(day=1), PerformanceEntry.month <= period.end)
            .group_by(PerformanceEntry.staff_id))
    raw = {sid: (int(h or 0), int(t or 0)) for sid, h, t in db.session.execute(stmt)}
    # A wish or errand fulfilled (心愿 / 代办) counts as one case handled on time by its member.
    from ..wishes.service import fulfilled_by_member

    wishes = fulfilled_by_member(*periods.utc_bounds(period.start, period.end, hall_zone()))
    for sid, n in wishes.items():
        handled, on_time = raw.get(sid, (0, 0))
        raw[sid] = (handled + n, on_time + n)
    busiest = max((h for h, _t in raw.values()), default=0)
    out = {}
    for sid, (handled, on_time) in raw.items():
        if handled <= 0:
            continue
        rate = on_time / handled
        score = round(50 * rate + 50 * (handled / busiest if busiest else 0), 1)
        out[sid] = {"handled": handled, "on_time": on_time, "rate": rate, "value": score, "wishes": wishes.get(sid, 0)}
    return out


def performance_board(period: periods.Period) -> dict:
    members, departments = _members(), _departments()
    rows = []
    for sid, v in performance_values(period).items():
        if sid in members:
            rows.append(_row(members[sid], departments, v["value"],
                             _("%(n)s handled · %(rate)s on time", n=v["handled"], rate=_pct(v["rate"])), v["handled"]))
    return _board("performance", period, _rank(rows), _("points"),
                  _("Half the on-time rate, half the volume relative to the busiest member; a wish or errand "
                    "fulfilled counts as a case handled on time."))


def weights() -> dict[str, float]:
    raw = get_setting("composite_weights") or {}
    out = {k: max(float(raw.get(k, 0) or 0), 0.0) for k in ("skill", "conduct", "performance", "satisfaction")}
    return out if sum(out.values()) > 0 else {"skill": 1.0, "conduct": 1.0, "performance": 1.0, "satisfaction": 1.0}


def composite_values(period: periods.Period) -> dict[int, dict]:
    parts: dict[int, dict] = defaultdict(dict)
    for sid, fig in satisfaction_values(period).items():
        if fig["ranked"] and fig["rate"] is not None:
            parts[sid]["satisfaction"] = fig["rate"] * 100
    for sid, v in skill_values(period).items():
        if v["value"] is not None:
            parts[sid]["skill"] = max(0.0, min(100.0, v["value"]))
    for sid, v in conduct_values()[0].items():
        if v["value"] is not None:
            parts[sid]["conduct"] = v["value"]
    for sid, v in performance_values(period).items():
        parts[sid]["performance"] = v["value"]
    w = weights()
    out = {}
    for sid, p in parts.items():
        total = sum(w[k] for k in p if w[k] > 0)
        if total <= 0:
            continue
        out[sid] = {"value": round(sum(p[k] * w[k] for k in p if w[k] > 0) / total, 1), "parts": p}
    return out


def composite_board(period: periods.Period) -> dict:
    members, departments = _members(), _departments()
    rows = []
    for sid, v in composite_values(period).items():
        if sid in members:
            rows.append(_row(members[sid], departments, v["value"],
                             _("%(value)s (%(n)s of 4 comparisons)", value=f"{v['value']:.1f}", n=len(v["parts"]))))
    w = weights()
    total = sum(w.values())
    note = " · ".join(f"{BOARDS[k]} {w[k] / total * 100:.0f}%" for k in ("satisfaction", "skill", "conduct",
                                                                           "performance"))
    return _board("composite", period, _rank(rows), _("points"), note)


BUILDERS = {"satisfaction": satisfaction_board, "skill": skill_board, "conduct": conduct_board,
            "performance": performance_board, "composite": composite_board}


def _board(key: str, period: periods.Period, rows: list[dict], unit: str, note: str = "") -> dict:
    return {"key": key, "title": str(TITLES[key]), "short": str(BOARDS[key]), "period": period.label(),
            "unit": unit, "published": key in published(), "rows": rows, "note": note}


def published() -> list[str]:
    return [k for k in (get_setting("boards_published") or []) if k in BOARDS]


def board(key: str, period: periods.Period | None = None) -> dict:
    return BUILDERS[key](period or current_period())


def all_boards(period: periods.Period | None = None) -> list[dict]:
    period = period or current_period()
    return [BUILDERS[key](period) for key in BOARDS]


def boards_for_screens() -> dict:
    """What hall screens get: {"boards": the published boards (top rows, ranked only), "phase": the current
    campaign phase or None}. Each row: {"rank", "staff_id", "name", "department", "value", "display", "sample"}."""
    from . import phases

    period = current_period()
    out = []
    for key in published():
        b = BUILDERS[key](period)
        b["rows"] = [r for r in b["rows"] if r["rank"] is not None][:SCREEN_ROWS]
        out.append(b)
    from ..surveys.screens import published_boards

    out.extend(published_boards(SCREEN_ROWS))
    from ..wishes.service import for_screens

    month = periods.containing("month", periods.local_today(hall_zone()))
    return {"boards": out, "phase": phases.phase_dict(phases.current()),
            "wishes": for_screens(*periods.utc_bounds(month.start, month.end, hall_zone()))}
