"""Supervisors (行风监督员) on record, for a term, invited to survey rounds; symposiums (座谈会): the date,
who came, the minutes, and each problem raised becoming a ledger entry with the 四明确 (source:
symposium). With a contact, the one who raised a problem gets a follow code: /p/<code> shows the
entry's progress, as the suggestion box's receipt page does."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Supervisor, Symposium, SymposiumProblem
from ..models.types import utcnow
from ..schemas import contact_field
from ..services.audit import record
from ..services.scope import Viewer
from ..text import field_text

MAX_ATTENDEES = 200


# --- supervisors ------------------------------------------------------------------------------------

def supervisors() -> list[Supervisor]:
    return list(db.session.scalars(select(Supervisor).order_by(Supervisor.active.desc(), Supervisor.term_end.desc(),
                                                               Supervisor.id)))


def in_term(day: date) -> list[Supervisor]:
    return list(db.session.scalars(select(Supervisor).where(
        Supervisor.active.is_(True), Supervisor.term_start <= day, Supervisor.term_end >= day).order_by(Supervisor.id)))


def get_supervisor(supervisor_id: int) -> Supervisor:
    found = db.session.get(Supervisor, supervisor_id) if 0 < supervisor_id < 2**31 else None
    if found is None:
        raise NotFound(_("Supervisor %(id)s does not exist.", id=supervisor_id))
    return found


def save_supervisor(values: dict, actor: str, supervisor: Supervisor | None = None) -> Supervisor:
    """Appoint a supervisor, or change one (``values`` holds the fields to set); audited, committed."""
    creating = supervisor is None
    supervisor = supervisor or Supervisor(created_at=utcnow(), active=True, unit="")
    changes = {}
    for key in ("name", "unit", "contact", "term_start", "term_end", "active"):
        if key not in values:
            continue
        value = values[key]
        if key == "name":
            value = field_text(value, "name", max_length=64, required=True, multiline=False)
        elif key == "unit":
            value = field_text(value, "unit", max_length=128, multiline=False)
        elif key == "contact":
            value = contact_field(value)
        old = getattr(supervisor, key)
        if creating or old != value:
            # A contact goes to the log masked: the log is read more widely than the register.
            shown = (lambda v: "****" if v else v) if key == "contact" else (lambda v: v)
            changes[key] = [None if creating else shown(old), shown(value)]
            setattr(supervisor, key, value)
    if not supervisor.name or supervisor.term_start is None or supervisor.term_end is None:
        raise Invalid(_("A name and a term are needed."), field="name")
    if supervisor.term_end < supervisor.term_start:
        raise Invalid(_("The term ends before it starts."), field="term_end")
    if creating:
        db.session.add(supervisor)
    db.session.flush()
    if changes:
        record(actor, "create" if creating else "update", "supervisor", supervisor.id, summary=supervisor.name,
               changes=changes)
    db.session.commit()
    return supervisor


# --- symposiums -------------------------------------------------------------------------------------

def symposiums(limit: int = 100) -> list[Symposium]:
    return list(db.session.scalars(select(Symposium).order_by(Symposium.held_on.desc(), Symposium.id.desc())
                                   .limit(limit)))


def get_symposium(symposium_id: int) -> Symposium:
    found = db.session.get(Symposium, symposium_id) if 0 < symposium_id < 2**31 else None
    if found is None:
        raise NotFound(_("Symposium %(id)s does not exist.", id=symposium_id))
    return found


def create_symposium(values: dict, actor: str) -> Symposium:
    attendees = []
    for person in values.get("attendees") or []:
        name = field_text(person.get("name"), "attendees", max_length=64, multiline=False)
        if name:
            attendees.append({"name": name,
                              "unit": field_text(person.get("unit"), "attendees", max_length=128, multiline=False)})
    if len(attendees) > MAX_ATTENDEES:
        raise Invalid(_("At most %(n)s attendees.", n=MAX_ATTENDEES), field="attendees")
    held_on = values.get("held_on")
    if not isinstance(held_on, date):
        raise Invalid(_("A date like 2026-01-31 is needed."), field="held_on")
    symposium = Symposium(
        title=field_text(values.get("title"), "title", max_length=128, required=True, multiline=False),
        held_on=held_on, place=field_text(values.get("place"), "place", max_length=128, multiline=False),
        attendees=attendees, minutes=field_text(values.get("minutes"), "minutes", max_length=20000),
        created_by=actor[:96], created_at=utcnow())
    db.session.add(symposium)
    db.session.flush()
    record(actor, "create", "symposium", symposium.id, summary=symposium.title,
           changes={"held_on": [None, held_on], "attendees": [None, [a["name"] for a in attendees]]})
    db.session.commit()
    return symposium


def problems(symposium: Symposium) -> list[SymposiumProblem]:
    return list(db.session.scalars(select(SymposiumProblem).where(SymposiumProblem.symposium_id == symposium.id)
                                   .order_by(SymposiumProblem.id)))


def raise_problem(symposium: Symposium, values: dict, viewer: Viewer) -> SymposiumProblem:
    """A problem raised at the symposium: a ledger entry (source: symposium) with whatever of the 四明确 is
    given (what to fix, by when, the responsible leader and person), and the follow code for a contact."""
    from liangbiping.kiosk.suggestions import new_receipt

    from ..ledger import service as ledger

    text = field_text(values.get("problem"), "problem", max_length=ledger.TEXT_MAX, required=True)
    problem = SymposiumProblem(
        symposium_id=symposium.id, text=text, created_at=utcnow(), contact=contact_field(values.get("contact")),
        raised_by=field_text(values.get("raised_by"), "raised_by", max_length=64, multiline=False))
    for _attempt in range(5):
        problem.follow_code = new_receipt() if problem.contact else None

        def link(entry, problem=problem):
            problem.rectification_id = entry.id
            db.session.add(problem)
            db.session.flush()
            record(viewer.actor, "create", "symposium_problem", problem.id, summary=symposium.title,
                   changes={"problem": [None, text[:200]], "rectification_id": [None, entry.id]})

        entry_values = {k: values[k] for k in ledger.FIELDS if values.get(k) is not None and k != "problem"}
        try:
            ledger.create(dict(entry_values, problem=text), viewer, source="symposium", link=link)
        except IntegrityError:  # a follow code drawn twice: draw again
            db.session.rollback()
            continue
        return problem
    raise Invalid(_("Please try again."))


def by_follow_code(code: str) -> SymposiumProblem | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(SymposiumProblem).where(SymposiumProblem.follow_code == code))
