"""Review rounds: opening (by an administrator, or by the scheduler from the campaign calendar),
who reviews whom, submitting, completion and reminders, closing and the published results.

* A ``peer`` round (quarterly): every participant writes a self review (the 五带头 criteria and
  their own pledges, kept or not, with evidence) and reviews each colleague of their department
  (never themselves): a score per criterion and a comment.
* A ``leader`` round (half-yearly): each leader writes a comment and a grade for every
  participant of the departments they look after.
* Participants are the party members (of one department, or all), or everyone if the round says so.
* The reviewed see peer results only as averages, without names, once the round is closed and
  at least ``MIN_ANONYMOUS`` colleagues reviewed them; leader reviews are published at closing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..services.scope import Viewer
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Pledge, Review, ReviewRound, Staff, User
from ..models.types import utcnow
from ..services.audit import record
from ..services.settings import get_setting
from ..stats.periods import containing
from ..text import field_text
from . import criteria

COMMENT_MAX = 2000


# --- rounds --------------------------------------------------------------------------------------

def get_round(round_id: int) -> ReviewRound:
    rnd = db.session.get(ReviewRound, round_id) if 0 < round_id < 2**31 else None
    if rnd is None:
        raise NotFound(_("Review round %(id)s does not exist.", id=round_id))
    return rnd


def rounds(limit: int = 50) -> list[ReviewRound]:
    return list(db.session.scalars(select(ReviewRound).order_by(ReviewRound.opened_at.desc(), ReviewRound.id.desc())
                                   .limit(limit)))


def default_title(kind: str, start: date, end: date) -> str:
    if kind == "peer":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度党员自评互评"
    half = "上半年" if start.month <= 6 else "下半年"
    return f"{start.year}年{half}领导点评"


def custom_criteria(names) -> list[dict]:
    """An administrator's own criteria, one name each (up to ``CUSTOM_MAX``), keyed c1..cN."""
    cleaned = [field_text(n, "criteria", max_length=32, multiline=False) for n in names or []]
    cleaned = list(dict.fromkeys(n for n in cleaned if n))
    if not 1 <= len(cleaned) <= criteria.CUSTOM_MAX:
        raise Invalid(_("Write 1 to %(n)s criteria, one a line.", n=criteria.CUSTOM_MAX), field="criteria")
    return [{"key": f"c{i}", "name": name} for i, name in enumerate(cleaned, 1)]


def open_round(kind: str, period_start: date, period_end: date, due_on: date, actor: str, *, title: str = "",
               include_all_staff: bool = False, department_id: int | None = None, auto: bool = False,
               criteria_set: str = "five_leads", custom: list[str] | None = None) -> ReviewRound:
    if kind not in criteria.ROUND_KINDS:
        raise Invalid(_("Must be one of: %(choices)s", choices="peer, leader"), field="kind")
    if criteria_set not in criteria.SETS:
        raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(criteria.SETS)), field="criteria_set")
    own = custom_criteria(custom) if criteria_set == "custom" else None
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    if due_on < period_start:
        raise Invalid(_("The due date is before the period."), field="due_on")
    title = field_text(title, "title", max_length=128, multiline=False) or default_title(kind, period_start, period_end)
    rnd = ReviewRound(kind=kind, title=title, period_start=period_start, period_end=period_end, due_on=due_on,
                      status="open", include_all_staff=include_all_staff, department_id=department_id, auto=auto,
                      opened_by=actor[:96], opened_at=utcnow(), criteria_set=criteria_set, custom_criteria=own)
    db.session.add(rnd)
    db.session.flush()
    record(actor, "create", "review_round", rnd.id, summary=title,
           changes={"kind": [None, kind], "period": [None, f"{period_start}..{period_end}"], "due_on": [None, due_on],
                    "criteria_set": [None, criteria_set]})
    db.session.commit()
    return rnd


def close_round(rnd: ReviewRound, actor: str) -> ReviewRound:
    if rnd.status != "open":
        raise Conflict(_("This round is closed already."), code="round_closed")
    rnd.status, rnd.closed_at = "closed", utcnow()
    record(actor, "close", "review_round", rnd.id, summary=rnd.title, changes={"status": ["open", "closed"]})
    db.session.commit()
    return rnd


def participants(rnd: ReviewRound) -> list[Staff]:
    stmt = select(Staff).order_by(Staff.department_id, Staff.sort_order, Staff.id)
    if not rnd.include_all_staff:
        stmt = stmt.where(Staff.is_party_member.is_(True))
    if rnd.department_id:
        stmt = stmt.where(Staff.department_id == rnd.department_id)
    return list(db.session.scalars(stmt))


def _leaders_for(member: Staff) -> list[int]:
    from ..ledger.autoopen import leaders_of

    return leaders_of(db.session.connection(), member.department_id)


def expected(rnd: ReviewRound) -> dict[int, list[tuple[str, str, int]]]:
    """{subject id: [(kind, reviewer key, reviewer id)]} every review the round asks for."""
    people = participants(rnd)
    out: dict[int, list] = defaultdict(list)
    if rnd.kind == "peer":
        by_dept = defaultdict(list)
        for p in people:
            by_dept[p.department_id].append(p)
        for p in people:
            out[p.id].append(("self", f"s:{p.id}", p.id))
            for colleague in by_dept[p.department_id]:
                if colleague.id != p.id and p.department_id is not None:
                    out[p.id].append(("peer", f"s:{colleague.id}", colleague.id))
    else:
        # A leader never grades their own record: their own member is left out of their list
        # (and graded by the other leaders of the department, when there are any).
        own = dict(db.session.execute(select(User.id, User.staff_id).where(User.role == "leader")).all())
        for p in people:
            for uid in _leaders_for(p):
                if own.get(uid) != p.id:
                    out[p.id].append(("leader", f"u:{uid}", uid))
    return out


def submitted(rnd: ReviewRound) -> dict[tuple, Review]:
    return {(r.kind, r.subject_id, r.reviewer_key): r
            for r in db.session.scalars(select(Review).where(Review.round_id == rnd.id))}


def completion(rnd: ReviewRound) -> dict:
    """Totals and, per reviewer key, how many of their reviews are written."""
    want = expected(rnd)
    done = submitted(rnd)
    per_reviewer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = written = 0
    for subject, items in want.items():
        for kind, key, _rid in items:
            total += 1
            per_reviewer[key][1] += 1
            if (kind, subject, key) in done:
                written += 1
                per_reviewer[key][0] += 1
    return {"total": total, "written": written, "share": written / total if total else None,
            "reviewers": {k: {"written": v[0], "total": v[1]} for k, v in per_reviewer.items()}}


# --- the reviewer's side ---------------------------------------------------------------------------

def reviewer_key(viewer: Viewer, kind: str) -> str | None:
    if kind in ("self", "peer"):
        return f"s:{viewer.staff_id}" if viewer.staff_id else None
    return f"u:{viewer.user_id}" if viewer.user_id and viewer.is_leader else None


def tasks(rnd: ReviewRound, viewer: Viewer) -> list[dict]:
    """The reviews this viewer is to write in the round: [{"kind", "subject", "review" or None}]."""
    out = []
    done = submitted(rnd)
    for subject_id, items in expected(rnd).items():
        for kind, key, _rid in items:
            if key == reviewer_key(viewer, kind):
                subject = db.session.get(Staff, subject_id)
                out.append({"kind": kind, "subject": subject, "review": done.get((kind, subject_id, key))})
    out.sort(key=lambda t: (t["kind"] != "self", t["subject"].sort_order, t["subject"].id))
    return out


def _scores(values, rnd: ReviewRound) -> dict:
    if not isinstance(values, dict):
        raise Invalid(_("A score for each criterion is needed."), field="scores")
    out = {}
    for key in criteria.for_round(rnd):
        value = values.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise Invalid(_("A score from 1 to 5 for each criterion is needed."), field=f"scores.{key}") from None
        if not criteria.SCORE_MIN <= value <= criteria.SCORE_MAX:
            raise Invalid(_("A score from 1 to 5 for each criterion is needed."), field=f"scores.{key}")
        out[key] = value
    return out


def own_pledges(staff_id: int) -> list[Pledge]:
    """A member's pledges, which their self review says were kept or not."""
    return list(db.session.scalars(select(Pledge).where(Pledge.staff_id == staff_id).order_by(Pledge.id)))


def _pledges(subject: Staff, items) -> list[dict]:
    own = {p.id: p for p in own_pledges(subject.id)}
    out = []
    for item in items or []:
        try:
            pledge_id = int(item.get("pledge_id"))
        except (TypeError, ValueError, AttributeError):
            raise Invalid(_("Unknown pledge."), field="pledges") from None
        if pledge_id not in own:
            raise Invalid(_("Unknown pledge."), field="pledges")
        evidence = field_text(item.get("evidence"), "pledges", max_length=COMMENT_MAX)
        out.append({"pledge_id": pledge_id, "text": own[pledge_id].text[:200], "kept": bool(item.get("kept")),
                    "evidence": evidence})
    return out


def submit(rnd: ReviewRound, kind: str, subject_id: int, viewer: Viewer, *, scores=None, comment: str = "",
           pledges=None, grade: str | None = None) -> Review:
    """Write or rewrite one review while the round is open; audited."""
    if rnd.status != "open":
        raise Conflict(_("This round is closed."), code="round_closed")
    key = reviewer_key(viewer, kind)
    allowed = {(k, s, rk) for s, items in expected(rnd).items() for k, rk, _rid in items}
    if key is None or (kind, subject_id, key) not in allowed:
        raise Forbidden(_("This review is not yours to write."))
    subject = db.session.get(Staff, subject_id)
    comment = field_text(comment, "comment", max_length=COMMENT_MAX)
    values: dict = {"comment": comment, "scores": {}, "pledges": [], "grade": None}
    if kind == "leader":
        if grade not in criteria.GRADES:
            raise Invalid(_("Choose a grade."), field="grade")
        if not comment:
            raise Invalid(_("Write a comment."), field="comment")
        values["grade"] = grade
        if scores:
            values["scores"] = _scores(scores, rnd)
    else:
        values["scores"] = _scores(scores, rnd)
        if kind == "self":
            values["pledges"] = _pledges(subject, pledges)
    review = db.session.scalar(select(Review).where(Review.round_id == rnd.id, Review.kind == kind,
                                                    Review.subject_id == subject_id, Review.reviewer_key == key))
    creating = review is None
    if creating:
        review = Review(round_id=rnd.id, kind=kind, subject_id=subject_id, reviewer_key=key,
                        reviewer_staff_id=viewer.staff_id if kind != "leader" else None,
                        reviewer_user_id=viewer.user_id, submitted_at=utcnow())
        db.session.add(review)
    changes = {k: [None if creating else getattr(review, k), v] for k, v in values.items()
               if creating or getattr(review, k) != v}
    for k, v in values.items():
        setattr(review, k, v)
    db.session.flush()
    if changes:
        # Peer reviews are anonymous to the reviewed: the audit log names the reviewer only by key.
        record(viewer.actor, "create" if creating else "update", "review", review.id,
               summary=f"{rnd.title}: {kind} {subject.name}", changes=changes)
    db.session.commit()
    return review


# --- what the reviewed and the record page see --------------------------------------------------

def peer_summary(reviews: list[Review]) -> dict | None:
    """Averages per criterion and the comments, without who wrote them; None below MIN_ANONYMOUS."""
    peers = [r for r in reviews if r.kind == "peer"]
    if len(peers) < criteria.MIN_ANONYMOUS:
        return None
    items = criteria.for_round(peers[0].round)
    means = {key: round(sum(r.scores.get(key, 0) for r in peers) / len(peers), 2) for key in items}
    comments = sorted((r.comment for r in peers if r.comment), key=lambda c: (len(c), c))
    return {"count": len(peers), "means": means, "overall": round(sum(means.values()) / len(means), 2) if means else 0,
            "labels": {key: str(label) for key, (_zh, label) in items.items()}, "comments": comments}


def history(staff_id: int, viewer: Viewer) -> list[dict]:
    """Every round this member took part in, newest first, as the viewer may see it."""
    out = []
    own = viewer.staff_id == staff_id
    for rnd in db.session.scalars(select(ReviewRound).order_by(ReviewRound.period_start.desc(), ReviewRound.id.desc())):
        reviews = list(db.session.scalars(select(Review).where(Review.round_id == rnd.id, Review.subject_id == staff_id)))
        if not reviews:
            continue
        closed = rnd.status == "closed"
        item = {"round": rnd, "closed": closed, "self": None, "peer": None, "leader": []}
        self_review = next((r for r in reviews if r.kind == "self"), None)
        if self_review is not None and (own or viewer.manages):
            item["self"] = self_review
        if closed or viewer.manages:
            item["peer"] = peer_summary(reviews)
        if closed or viewer.is_admin or viewer.is_leader:
            item["leader"] = [r for r in reviews if r.kind == "leader"]
        out.append(item)
    return out


# --- the scheduler's part ----------------------------------------------------------------------

def auto_open(today: date, actor: str = "scheduler") -> list[ReviewRound]:
    """Open the round a quarter or half-year start calls for, while a campaign phase runs.

    In the first month of a quarter: the self and peer round for the quarter before; in January
    and July also the leader round for the half-year before. Never twice for the same period.
    """
    from ..campaign import phases

    if not get_setting("auto_review_rounds") or phases.current(today) is None:
        return []
    opened = []
    due = today + timedelta(days=int(get_setting("review_due_days") or 14))
    quarter = containing("quarter", today)
    if (today - quarter.start).days < 31:
        last = quarter.previous()
        if not _exists("peer", last.start, last.end):
            opened.append(open_round("peer", last.start, last.end, due, actor, auto=True))
    if today.month in (1, 7) and today.day <= 31:
        end = today.replace(day=1) - timedelta(days=1)
        start = end.replace(month=1 if end.month <= 6 else 7, day=1)
        if not _exists("leader", start, end):
            opened.append(open_round("leader", start, end, due, actor, auto=True))
    return opened


def _exists(kind: str, start: date, end: date) -> bool:
    return db.session.scalar(select(ReviewRound.id).where(ReviewRound.kind == kind, ReviewRound.period_start == start,
                                                          ReviewRound.period_end == end).limit(1)) is not None


def remind_due(today: date) -> int:
    """Remind everyone with reviews still to write in an open round due within a week (or past due)."""
    sent = 0
    for rnd in db.session.scalars(select(ReviewRound).where(ReviewRound.status == "open")):
        if (rnd.due_on - today).days <= 7:
            sent += _remind(rnd, today, None)
    db.session.commit()
    return sent


def remind(rnd: ReviewRound, today: date, viewer: Viewer) -> int:
    """Remind, now, those with reviews still to write in ``rnd`` whom ``viewer`` manages: an
    administrator everyone, a leader the members of their departments (and themselves). Committed."""
    sent = _remind(rnd, today, viewer)
    db.session.commit()
    return sent


def _remind(rnd: ReviewRound, today: date, viewer: Viewer | None) -> int:
    """One reminder a day per person with reviews left, to each of their active accounts."""
    from ..campaign.reminders import remind as add_reminder

    departments = {m.id: m.department_id for m in participants(rnd)}
    sent = 0
    for key, counts in completion(rnd)["reviewers"].items():
        if counts["written"] >= counts["total"]:
            continue
        kind, raw = key.split(":")
        if viewer is not None and not viewer.is_admin:
            if kind == "u" and int(raw) != viewer.user_id:
                continue
            if kind == "s" and not viewer.sees_department(departments.get(int(raw))):
                continue
        ids = [int(raw)] if kind == "u" else list(db.session.scalars(
            select(User.id).where(User.staff_id == int(raw), User.active.is_(True))))
        for uid in ids:
            sent += add_reminder(uid, "review_due", rnd.title, f"/admin/reviews/{rnd.id}", "review_round", rnd.id,
                                 today)
    return sent
