"""The ledger's rules: who may see and change an entry, the 四明确, and the state machine.

    open ──verify──▶ verified ──start──▶ rectifying ──complete──▶ done ──revisit──▶ revisited
      │                 │                    ▲                                  │
      └──dismiss──▶ dismissed ◀──dismiss─────┘                 (不满意) reopen ─┘

* ``verify`` (accept) needs the 四明确: what to fix, deadline, responsible leader, responsible person.
* ``dismiss`` (unfounded) is a leader's decision only, with a reason; from open or verified.
* ``complete`` needs evidence: text or a photo.
* ``revisit`` records the call-back and the citizen's verdict (满意 / 基本满意 / 不满意);
  不满意 sends the entry back to rectifying with a new default deadline.

Anything else is refused with 409 ``illegal_transition``. Every change is audited and added to
the entry's history, in the transaction that makes it.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..services.scope import Viewer
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Rating, Rectification, RectificationEvent, Staff, Suggestion, User, Window
from ..models.types import utcnow
from ..services.audit import record
from ..text import field_text
from ..timefmt import hall_zone
from . import labels, workdays

ACTIONS = {
    "verify": (("open",), "verified"),
    "dismiss": (("open", "verified"), "dismissed"),
    "start": (("verified",), "rectifying"),
    "complete": (("rectifying",), "done"),
    "revisit": (("done",), "revisited"),
}
ACTIVE = ("open", "verified", "rectifying")
CLOSED = ("dismissed", "revisited")
FIELDS = ("problem", "measure", "deadline", "leader_id", "responsible_id", "staff_id", "window_id")
TEXT_MAX = 2000


# --- reading -----------------------------------------------------------------------------------

def get(entry_id: int, viewer: Viewer) -> Rectification:
    entry = db.session.get(Rectification, entry_id) if isinstance(entry_id, int) and 0 < entry_id < 2**31 else None
    if entry is None or not may_see(entry, viewer):
        raise NotFound(_("Rectification %(id)s does not exist.", id=entry_id))
    return entry


def may_see(entry: Rectification, viewer: Viewer) -> bool:
    if viewer.reads_all:
        return True
    if viewer.is_leader:
        return viewer.sees_department(entry.department_id) or entry.leader_id == viewer.user_id
    return viewer.staff_id is not None and viewer.staff_id in (entry.staff_id, entry.responsible_id)


def listing(viewer: Viewer, *, state: str | None = None, overdue: bool | None = None, source: str | None = None,
            department_id: int | None = None, staff_id: int | None = None, rating_id: str | None = None,
            suggestion_id: int | None = None, q: str | None = None, opened_from: date | None = None,
            opened_to: date | None = None, page: int = 1, per_page: int = 50):
    """One page of the entries this viewer may see, newest first, and the total."""
    stmt = select(Rectification)
    condition = viewer.ledger_condition()
    if condition is not None:
        stmt = stmt.where(condition)
    if state == "active":
        stmt = stmt.where(Rectification.state.in_(ACTIVE))
    elif state:
        stmt = stmt.where(Rectification.state == state)
    for column, value in ((Rectification.source, source), (Rectification.department_id, department_id),
                          (Rectification.rating_id, rating_id), (Rectification.suggestion_id, suggestion_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if staff_id is not None:
        stmt = stmt.where(or_(Rectification.staff_id == staff_id, Rectification.responsible_id == staff_id))
    if overdue is not None:
        stmt = stmt.where(Rectification.overdue.is_(overdue))
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Rectification.problem.ilike(like, escape="\\"),
                              Rectification.measure.ilike(like, escape="\\")))
    if opened_from or opened_to:
        from ..stats.periods import utc_bounds

        lo, hi = utc_bounds(opened_from or date(2000, 1, 1), opened_to or date(2200, 12, 31), hall_zone())
        stmt = stmt.where(Rectification.opened_at >= lo, Rectification.opened_at < hi)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.options(selectinload(Rectification.events))
                               .order_by(Rectification.opened_at.desc(), Rectification.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def counts_by_state(viewer: Viewer) -> dict:
    """{state: n} plus "overdue", for the dashboard."""
    stmt = select(Rectification.state, func.count()).group_by(Rectification.state)
    over = select(func.count()).select_from(Rectification).where(Rectification.overdue.is_(True))
    condition = viewer.ledger_condition()
    if condition is not None:
        stmt, over = stmt.where(condition), over.where(condition)
    out = {state: 0 for state in labels.STATES}
    out.update(dict(db.session.execute(stmt).all()))
    out["overdue"] = db.session.scalar(over)
    return out


# --- permissions -------------------------------------------------------------------------------

def _may_manage(entry: Rectification | None, viewer: Viewer) -> bool:
    if viewer.is_admin:
        return True
    if viewer.is_leader:
        return entry is None or may_see(entry, viewer)
    return False


def _may_work_on(entry: Rectification, viewer: Viewer) -> bool:
    """The responsible person may start and finish the work, besides those who manage it."""
    return _may_manage(entry, viewer) or (viewer.staff_id is not None and viewer.staff_id == entry.responsible_id)


def allowed_actions(entry: Rectification, viewer: Viewer) -> list[str]:
    """The actions this viewer may take on the entry now (for buttons)."""
    out = []
    for action, (sources, _target) in ACTIONS.items():
        if entry.state not in sources:
            continue
        if action == "dismiss" and not (viewer.is_leader and may_see(entry, viewer)):
            continue
        if action in ("start", "complete") and not _may_work_on(entry, viewer):
            continue
        if action in ("verify", "revisit") and not _may_manage(entry, viewer):
            continue
        out.append(action)
    return out


def may_edit(entry: Rectification, viewer: Viewer) -> bool:
    return entry.state not in CLOSED and _may_manage(entry, viewer)


# --- validation --------------------------------------------------------------------------------

def _text(value, field: str, required: bool = False) -> str:
    return field_text(value, field, max_length=TEXT_MAX, required=required)


def _check_refs(values: dict) -> None:
    if values.get("leader_id") is not None:
        user = db.session.get(User, values["leader_id"])
        if user is None or not user.active or user.role != "leader":
            raise Invalid(_("The responsible leader must be an active leader account."), field="leader_id")
    for key, model in (("responsible_id", Staff), ("staff_id", Staff), ("window_id", Window)):
        if values.get(key) is not None and db.session.get(model, values[key]) is None:
            raise Invalid(_("%(field)s: %(id)s does not exist.", field=key, id=values[key]), field=key)
    deadline = values.get("deadline")
    if deadline is not None and not date(2000, 1, 1) <= deadline <= date(2200, 12, 31):
        raise Invalid(_("This date is out of range."), field="deadline")


def _local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(hall_zone()).date()


def _event(entry: Rectification, actor: str, action: str, before: str | None, after: str | None, note: str = "",
           at: datetime | None = None) -> None:
    db.session.add(RectificationEvent(rectification=entry, at=at or utcnow(), actor=actor[:96], action=action,
                                      from_state=before, to_state=after, note=note))


def _refresh_overdue(entry: Rectification, today: date) -> None:
    late = entry.state in ACTIVE and entry.deadline is not None and entry.deadline < today
    if late and not entry.overdue:
        entry.overdue = True
        entry.overdue_since = entry.deadline.fromordinal(entry.deadline.toordinal() + 1)
    elif not late and entry.overdue:
        entry.overdue = False
        entry.overdue_since = None


# --- writing -----------------------------------------------------------------------------------

def create(values: dict, viewer: Viewer, *, source: str = "manual", link=None,
           external: dict | None = None) -> Rectification:
    """An entry by hand (an inspection, a phone complaint): the problem, optionally the 四明确.
    ``source``: where it was raised (a symposium's problem); ``link(entry)``: called once the entry has
    its id, in the same transaction (the symposium's problem row points at it). ``external``: a
    work order from outside, ``{"external_source": ..., "external_id": ...}``
    (admin.integration.workorders)."""
    from .autoopen import entry_values

    if not viewer.manages:
        raise Forbidden(_("You are not allowed to do this."))
    problem = _text(values.get("problem"), "problem", required=True)
    data = {k: values.get(k) for k in FIELDS if k in values}
    _check_refs(data)
    base = entry_values(db.session.connection(), source="external" if external else source,
                        staff_id=data.get("staff_id"), window_id=data.get("window_id"), problem=problem)
    entry = Rectification(**base, **(external or {}))
    if viewer.is_leader and entry.department_id is not None and not viewer.sees_department(entry.department_id):
        raise Forbidden(_("This member or window is not in your departments."))
    for key in ("measure",):
        if key in data:
            setattr(entry, key, _text(data[key], key))
    for key in ("deadline", "leader_id", "responsible_id"):
        if data.get(key) is not None:
            setattr(entry, key, data[key])
    db.session.add(entry)
    _event(entry, viewer.actor, "open", None, "open", at=entry.opened_at)
    db.session.flush()
    if link is not None:
        link(entry)
    record(viewer.actor, "create", "rectification", entry.id, summary=problem[:60],
           changes={"state": [None, "open"], **{k: [None, getattr(entry, k)] for k in FIELDS if getattr(entry, k)}})
    db.session.commit()
    return entry


def update(entry: Rectification, values: dict, viewer: Viewer, *, now: datetime | None = None) -> Rectification:
    """Change the problem text or the 四明确 (not after the entry is closed)."""
    if not _may_manage(entry, viewer):
        raise Forbidden(_("You are not allowed to do this."))
    if entry.state in CLOSED:
        raise Conflict(_("A closed entry cannot be changed."), code="entry_closed")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(_("Unknown field."), field=sorted(unknown)[0])
    _check_refs(values)
    changes = {}
    for key, value in values.items():
        if key in ("problem", "measure"):
            value = _text(value, key, required=key == "problem")
        if key == "deadline" and value is None and entry.state != "open":
            raise Invalid(_("An accepted entry keeps its deadline."), field="deadline")
        if key in ("leader_id", "responsible_id") and value is None and entry.state != "open":
            raise Invalid(_("An accepted entry keeps its responsible leader and person."), field=key)
        if key == "measure" and not value and entry.state != "open":
            raise Invalid(_("This field cannot be empty."), field=key)
        old = getattr(entry, key)
        if old != value:
            changes[key] = [old, value]
            setattr(entry, key, value)
    if changes:
        _refresh_overdue(entry, _local_today(now))
        _event(entry, viewer.actor, "update", entry.state, entry.state, note=", ".join(sorted(changes)), at=now)
        record(viewer.actor, "update", "rectification", entry.id, summary=entry.problem[:60], changes=changes)
        db.session.commit()
    return entry


def transition(entry: Rectification, action: str, viewer: Viewer, *, reason: str | None = None,
               evidence: str | None = None, photo: bytes | None = None, verdict: str | None = None,
               note: str | None = None, now: datetime | None = None) -> Rectification:
    """Move the entry along the state machine, or refuse (403 who, 409 illegal, 422 missing input)."""
    if action not in ACTIONS:
        raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(ACTIONS)), field="action")
    sources, target = ACTIONS[action]
    if entry.state not in sources:
        raise Conflict(_("Not possible while the entry is %(state)s: %(action)s.",
                         state=str(labels.STATES[entry.state]), action=str(labels.ACTIONS[action])),
                       code="illegal_transition")
    if action == "dismiss" and not (viewer.is_leader and may_see(entry, viewer)):
        raise Forbidden(_("Only a leader may dismiss an entry."))
    if action in ("start", "complete") and not _may_work_on(entry, viewer):
        raise Forbidden(_("You are not allowed to do this."))
    if action in ("verify", "revisit") and not _may_manage(entry, viewer):
        raise Forbidden(_("You are not allowed to do this."))

    now = now or utcnow()
    before = entry.state
    changes: dict = {"state": [before, target]}
    text_note = _text(note, "note")
    if action == "verify":
        if not entry.four_clear:
            missing = [k for k, v in (("measure", (entry.measure or "").strip()), ("deadline", entry.deadline),
                                      ("leader_id", entry.leader_id), ("responsible_id", entry.responsible_id)) if not v]
            raise Invalid(_("Set what to fix, the deadline, the responsible leader and the responsible person "
                            "first."), code="four_clear_missing",
                          details=[{"field": k, "message": _("This field is required.")} for k in missing])
        entry.verified_at = now
        text_note = text_note or entry.measure
    elif action == "dismiss":
        entry.dismissed_reason = _text(reason, "reason", required=True)
        entry.closed_at = now
        text_note = entry.dismissed_reason
        changes["dismissed_reason"] = [None, entry.dismissed_reason]
    elif action == "start":
        entry.started_at = now
    elif action == "complete":
        text = _text(evidence, "evidence")
        if not text and photo is None:
            raise Invalid(_("Describe what was done or add a photo."), field="evidence", code="evidence_missing")
        if photo is not None:
            from .evidence import store

            entry.evidence_photo = store(entry.id, photo)
            changes["evidence_photo"] = [None, entry.evidence_photo]
        entry.evidence = text
        entry.done_at = now
        text_note = text
        changes["evidence"] = [None, text]
    elif action == "revisit":
        if verdict not in labels.VERDICTS:
            raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(labels.VERDICTS)), field="verdict")
        entry.verdict = verdict
        entry.callback_note = text_note
        changes["verdict"] = [None, verdict]
        if verdict == "dissatisfied":
            from .autoopen import read_setting

            target = "rectifying"
            entry.reopened = (entry.reopened or 0) + 1
            days = int(read_setting(db.session.connection(), "rectification_working_days") or 5)
            old_deadline = entry.deadline
            entry.deadline = workdays.add_working_days(_local_today(now), days)
            entry.done_at = None
            changes["state"] = [before, target]
            changes["deadline"] = [old_deadline, entry.deadline]
            changes["reopened"] = [entry.reopened - 1, entry.reopened]
        else:
            entry.closed_at = now
    entry.state = target
    _refresh_overdue(entry, _local_today(now))
    _event(entry, viewer.actor, "reopen" if target == "rectifying" and action == "revisit" else action,
           before, target, note=text_note, at=now)
    record(viewer.actor, action, "rectification", entry.id, summary=entry.problem[:60], changes=changes)
    db.session.commit()
    return entry


def delete(entry: Rectification, viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise Forbidden(_("You are not allowed to do this."))
    record(viewer.actor, "delete", "rectification", entry.id, summary=entry.problem[:60],
           changes={"state": [entry.state, None]})
    db.session.delete(entry)
    db.session.commit()


# --- the daily job ----------------------------------------------------------------------------

def mark_overdue(now: datetime | None = None) -> dict:
    """Flag active entries past their deadline (hall-local date), clear the flag on the rest, and
    remind the responsible leader and person of each overdue entry (once a day). Returns counts."""
    from ..campaign import reminders

    now = now or utcnow()
    today = _local_today(now)
    newly, cleared, reminded = 0, 0, 0
    late = db.session.scalars(select(Rectification).where(
        Rectification.state.in_(ACTIVE), Rectification.deadline.is_not(None), Rectification.deadline < today)).all()
    for entry in late:
        if not entry.overdue:
            _refresh_overdue(entry, today)
            _event(entry, "system", "overdue", entry.state, entry.state,
                   note=_("Deadline %(day)s passed.", day=entry.deadline.isoformat()), at=now)
            record("system", "overdue", "rectification", entry.id, summary=entry.problem[:60],
                   changes={"overdue": [False, True]})
            newly += 1
        reminded += reminders.remind_overdue(entry, today)
    stale = db.session.scalars(select(Rectification).where(
        Rectification.overdue.is_(True),
        or_(Rectification.state.not_in(ACTIVE), Rectification.deadline.is_(None), Rectification.deadline >= today))).all()
    for entry in stale:
        _refresh_overdue(entry, today)
        record("system", "update", "rectification", entry.id, summary=entry.problem[:60],
               changes={"overdue": [True, False]})
        cleared += 1
    db.session.commit()
    return {"overdue": len(late), "newly_overdue": newly, "cleared": cleared, "reminders": reminded}


# --- the citizen's view ------------------------------------------------------------------------

def ledger_progress_for_suggestion(suggestion_id: int) -> list[dict]:
    """The steps a citizen sees on the receipt page /s/<receipt>, oldest first.

    Each step: {"state", "label", "at" (hall-local "YYYY-MM-DD HH:MM"), "note"}. Nothing personal:
    no names of members, leaders or the responsible person. The plan (what will be fixed, and by
    when) and the outcome are shown, as the hall's answer to the citizen.
    """
    return _progress(Rectification.suggestion_id == suggestion_id)


def ledger_progress_for_entry(entry_id: int) -> list[dict]:
    """The same steps for one entry: what a symposium's attendee follows of the problem they raised."""
    return _progress(Rectification.id == entry_id)


def _progress(where) -> list[dict]:
    from ..timefmt import localtime

    entries = db.session.scalars(select(Rectification).where(where)
                                 .options(selectinload(Rectification.events)).order_by(Rectification.id)).all()
    steps = []
    for entry in entries:
        for ev in entry.events:
            state = "reopen" if ev.action == "reopen" else ev.to_state
            if ev.action in ("update", "overdue") or state not in labels.PUBLIC_STEPS:
                continue
            note = ""
            if ev.action == "verify":
                note = _("%(measure)s (by %(day)s)", measure=entry.measure,
                         day=entry.deadline.isoformat() if entry.deadline else "")
            elif ev.action in ("dismiss", "complete"):
                note = ev.note
            elif ev.action in ("revisit", "reopen"):
                note = str(labels.VERDICTS.get(entry.verdict, "")) if ev.action == "revisit" else ""
            steps.append({"state": state, "label": str(labels.PUBLIC_STEPS[state]), "at": localtime(ev.at),
                          "note": note})
    return steps


def describe_source(entry: Rectification) -> dict:
    """What the entry came from, for the console: the rating's score and reasons, or the complaint."""
    out = {"kind": entry.source, "label": str(labels.SOURCES.get(entry.source, entry.source))}
    if entry.external_id:
        out.update(external_id=entry.external_id,
                   external_source=str(labels.EXTERNAL_SOURCES.get(entry.external_source, entry.external_source)))
    if entry.rating_id:
        rating = db.session.get(Rating, entry.rating_id)
        if rating is not None:
            out.update(score=rating.score, reasons=list(rating.reasons or []), comment=rating.comment,
                       rated_at=rating.rated_at, contact=rating.contact_masked)
    if entry.suggestion_id:
        suggestion = db.session.get(Suggestion, entry.suggestion_id)
        if suggestion is not None:
            out.update(receipt=suggestion.receipt, text=suggestion.text, created_at=suggestion.created_at,
                       contact=suggestion.contact_masked)
    return out


def subjects(entries) -> dict[int, str]:
    """A short text per entry for lists: its problem, else the rating's level and reasons."""
    from ..models.rating_terms import reason_label, score_label

    ids = [e.rating_id for e in entries if not (e.problem or "").strip() and e.rating_id]
    ratings = {r.id: r for r in db.session.scalars(select(Rating).where(Rating.id.in_(ids)))} if ids else {}
    out = {}
    for e in entries:
        text = (e.problem or "").strip()
        if not text and e.rating_id in ratings:
            rating = ratings[e.rating_id]
            text = " · ".join([score_label(rating.score)] + [reason_label(x) for x in rating.reasons or []])
        out[e.id] = text
    return out
