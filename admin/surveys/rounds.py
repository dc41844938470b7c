"""A survey round's life: drafted by an administrator, opened, closed, published; its invitations.

Only a draft's questions and targets change: every answer of a round answers the same questionnaire.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Department, Staff, Survey, SurveyInvitation, SurveyResponse, Window
from ..models.surveys import INVITEE_KINDS, TARGET_KINDS
from ..models.types import utcnow
from ..services.audit import record
from ..text import field_text
from . import questions as q

# No 0/O, 1/I/L: codes are typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_SHEETS = 100000
MAX_INVITATIONS = 500
TARGET_MODELS = {"department": Department, "window": Window, "staff": Staff}


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def get(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id) if 0 < survey_id < 2**31 else None
    if survey is None:
        raise NotFound(_("Survey %(id)s does not exist.", id=survey_id))
    return survey


def by_code(code: str) -> Survey | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Survey).where(Survey.code == code))


def listing(limit: int = 100) -> list[Survey]:
    return list(db.session.scalars(select(Survey).order_by(Survey.period_end.desc(), Survey.id.desc()).limit(limit)))


def default_period(today: date) -> tuple[date, date]:
    """The half-year ``today`` falls in: the documents ask for a public evaluation every half-year."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year, 7, 1), date(today.year, 12, 31)


def _targets(kind: str, ids: list[int]) -> list[int]:
    if kind not in TARGET_KINDS:
        raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(TARGET_KINDS)), field="target_kind")
    if kind == "hall":
        return []
    ids = sorted(set(ids or []))
    if not ids:
        raise Invalid(_("Choose what the survey evaluates."), field="target_ids")
    model = TARGET_MODELS[kind]
    known = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise Invalid(_("target_ids: %(id)s does not exist.", id=missing[0]), field="target_ids")
    return ids


def create(values: dict, actor: str) -> Survey:
    """A draft round from the builder's values (title, period, targets, questions, audiences)."""
    start, end = values["period_start"], values["period_end"]
    if end < start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    survey = Survey(
        code=new_code(), title=field_text(values.get("title"), "title", max_length=128, required=True, multiline=False),
        description=field_text(values.get("description"), "description", max_length=2000),
        target_kind=values.get("target_kind") or "hall", period_start=start, period_end=end, status="draft",
        open_public=bool(values.get("open_public", True)), open_invited=bool(values.get("open_invited", False)),
        sheets_printed=int(values.get("sheets_printed") or 0), created_by=actor[:96], created_at=utcnow())
    survey.target_ids = _targets(survey.target_kind, values.get("target_ids") or [])
    survey.questions = q.build(values.get("questions") or [])
    if not 0 <= survey.sheets_printed <= MAX_SHEETS:
        raise Invalid(_("Between 0 and %(n)s.", n=MAX_SHEETS), field="sheets_printed")
    db.session.add(survey)
    db.session.flush()
    record(actor, "create", "survey", survey.id, summary=survey.title,
           changes={"status": [None, "draft"], "target_kind": [None, survey.target_kind],
                    "questions": [None, len(survey.questions)]})
    db.session.commit()
    return survey


def update(survey: Survey, values: dict, actor: str) -> Survey:
    """Change a round: its title, description, period and printed sheets at any time; its questions,
    targets and audiences only while it is a draft."""
    changes = {}
    frozen = ("questions", "target_kind", "target_ids", "open_public", "open_invited")
    if survey.status != "draft" and any(k in values for k in frozen):
        raise Conflict(_("The questions and audience of an opened survey cannot change."), code="survey_opened")
    for key in ("title", "description"):
        if key in values:
            text = field_text(values[key], key, max_length=128 if key == "title" else 2000,
                              required=key == "title", multiline=key != "title")
            if text != getattr(survey, key):
                changes[key] = [getattr(survey, key), text]
                setattr(survey, key, text)
    for key in ("period_start", "period_end", "open_public", "open_invited"):
        if key in values and values[key] != getattr(survey, key):
            changes[key] = [getattr(survey, key), values[key]]
            setattr(survey, key, values[key])
    if survey.period_end < survey.period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    if "sheets_printed" in values:
        sheets = values["sheets_printed"]
        entered = paper_count(survey)
        if not entered <= sheets <= MAX_SHEETS:
            raise Invalid(_("At least the %(n)s sheets already entered.", n=entered), field="sheets_printed")
        if sheets != survey.sheets_printed:
            changes["sheets_printed"] = [survey.sheets_printed, sheets]
            survey.sheets_printed = sheets
    if "target_kind" in values or "target_ids" in values:
        kind = values.get("target_kind", survey.target_kind)
        ids = _targets(kind, values.get("target_ids", survey.target_ids))
        if (kind, ids) != (survey.target_kind, survey.target_ids):
            changes["target_ids"] = [f"{survey.target_kind}:{survey.target_ids}", f"{kind}:{ids}"]
            survey.target_kind, survey.target_ids = kind, ids
    if "questions" in values:
        built = q.build(values["questions"])
        if built != survey.questions:
            changes["questions"] = [len(survey.questions), len(built)]
            survey.questions = built
    if changes:
        record(actor, "update", "survey", survey.id, summary=survey.title, changes=changes)
    db.session.commit()
    return survey


def answer_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == survey.id)) or 0


def paper_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.channel == "paper")) or 0


def transition(survey: Survey, action: str, actor: str) -> Survey:
    """open (a draft), close (an open round), publish (a closed round with answers, to the hall screens),
    unpublish."""
    now = utcnow()
    if action == "open":
        if survey.status != "draft":
            raise Conflict(_("Only a draft can be opened."), code="survey_not_draft")
        if not (survey.open_public or survey.open_invited):
            raise Invalid(_("Choose an audience: citizens, invited respondents or both."), field="open_public")
        survey.status, survey.opened_at = "open", now
    elif action == "close":
        if survey.status != "open":
            raise Conflict(_("Only an open survey can be closed."), code="survey_not_open")
        survey.status, survey.closed_at = "closed", now
    elif action == "publish":
        if survey.status != "closed":
            raise Conflict(_("Close the survey before publishing its results."), code="survey_not_closed")
        if answer_count(survey) == 0:
            raise Conflict(_("A survey with no answers cannot be published."), code="survey_no_answers")
        survey.published_at = now
    elif action == "unpublish":
        survey.published_at = None
    else:
        raise Invalid(_("Must be one of: %(choices)s", choices="open, close, publish, unpublish"), field="action")
    record(actor, action if action in ("close",) else "update", "survey", survey.id, summary=survey.title,
           changes={"status": [None, survey.status]} if action in ("open", "close")
           else {"published": [action == "unpublish", action == "publish"]})
    db.session.commit()
    return survey


# --- invitations -----------------------------------------------------------------------------------

def invite(survey: Survey, people: list[dict], actor: str) -> list[SurveyInvitation]:
    """One single-use code per invited respondent ({"name", "unit", "kind"})."""
    if not survey.open_invited:
        raise Conflict(_("This survey is not open to invited respondents."), code="survey_not_invited")
    if survey.status == "closed":
        raise Conflict(_("This survey is closed."), code="survey_closed")
    have = db.session.scalar(select(func.count()).select_from(SurveyInvitation)
                             .where(SurveyInvitation.survey_id == survey.id)) or 0
    if have + len(people) > MAX_INVITATIONS:
        raise Conflict(_("At most %(n)s invitations a survey.", n=MAX_INVITATIONS), code="too_many_invitations")
    made = []
    for person in people:
        kind = person.get("kind") or "other"
        if kind not in INVITEE_KINDS:
            raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(INVITEE_KINDS)), field="kind")
        made.append(SurveyInvitation(
            survey_id=survey.id, code=new_code(8), kind=kind, created_at=utcnow(),
            name=field_text(person.get("name"), "name", max_length=64, required=True, multiline=False),
            unit=field_text(person.get("unit"), "unit", max_length=128, multiline=False)))
    for _attempt in range(5):
        db.session.add_all(made)
        try:
            db.session.flush()
            break
        except IntegrityError:  # a code drawn twice: draw again
            db.session.rollback()
            for inv in made:
                inv.code = new_code(8)
    else:
        raise Invalid(_("Please try again."))
    record(actor, "create", "survey_invitation", survey.id, summary=survey.title,
           changes={"invitations": [None, [i.name for i in made]]})
    db.session.commit()
    return made


def invite_supervisors(survey: Survey, day: date, actor: str) -> list[SurveyInvitation]:
    """Invite every supervisor in their term on ``day`` who is not invited to this round yet."""
    from ..symposiums.service import in_term

    invited = set(db.session.scalars(select(SurveyInvitation.supervisor_id).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.supervisor_id.is_not(None))))
    people = [s for s in in_term(day) if s.id not in invited]
    if not people:
        return []
    made = invite(survey, [{"name": s.name, "unit": s.unit, "kind": "supervisor"} for s in people], actor)
    for invitation, supervisor in zip(made, people):
        invitation.supervisor_id = supervisor.id
    db.session.commit()
    return made


def invitations(survey: Survey) -> list[SurveyInvitation]:
    return list(db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
                                   .order_by(SurveyInvitation.id)))


def invitation_by_code(survey: Survey, code: str) -> SurveyInvitation | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                                            SurveyInvitation.code == code))


def target_choices(survey: Survey) -> list[dict]:
    """What a respondent chooses between: [{"id", "label"}] (empty for the hall)."""
    if survey.target_kind == "hall":
        return []
    model = TARGET_MODELS[survey.target_kind]
    rows = db.session.scalars(select(model).where(model.id.in_(survey.target_ids or [-1]))).all()
    out = []
    for row in rows:
        if survey.target_kind == "window":
            label = f"{row.number} {row.name}"
        elif survey.target_kind == "staff":
            label = f"{row.name}" + (f"（{row.window.number}）" if row.window else "")
        else:
            label = row.name
        out.append({"id": row.id, "label": label})
    return sorted(out, key=lambda c: c["label"])


def concerns(kind: str, ids, window_id: int | None, department_id: int | None, members: set[int]) -> bool:
    """Whether a round evaluating ``kind`` ``ids`` concerns a kiosk at ``window_id`` (of
    ``department_id``, with ``members`` at it): the whole hall, the window, its department or one of
    its members. A kiosk on the floor (no window) serves the whole hall: every round concerns it."""
    if kind == "hall" or window_id is None:
        return True
    if kind == "window":
        return window_id in ids
    if kind == "department":
        return department_id is not None and department_id in ids
    return kind == "staff" and bool(members & set(ids))


def concerns_window(survey: Survey, window_id: int | None) -> bool:
    """``concerns`` for one round and one kiosk's window, read from the database."""
    if survey.target_kind == "hall" or window_id is None:
        return True
    department = db.session.scalar(select(Window.department_id).where(Window.id == window_id))
    members = set(db.session.scalars(select(Staff.id).where(Staff.window_id == window_id)))
    return concerns(survey.target_kind, survey.target_ids or [], window_id, department, members)


def target_department(survey: Survey, target_id: int | None) -> int | None:
    """The department an answer about ``target_id`` belongs to (None: the hall's)."""
    if target_id is None or survey.target_kind == "hall":
        return None
    if survey.target_kind == "department":
        return target_id
    if survey.target_kind == "window":
        return db.session.scalar(select(Window.department_id).where(Window.id == target_id))
    return db.session.scalar(select(Staff.department_id).where(Staff.id == target_id))


def public_link(survey: Survey, invitation: SurveyInvitation | None = None) -> str:
    """The address a survey's QR code (or an invitation's link) opens, on the hall's public address."""
    from flask import has_request_context, request

    from ..services.settings import public_base_url

    base = public_base_url() or (request.host_url.rstrip("/") if has_request_context() else "")
    return f"{base}/v/{survey.code}" + (f"?invite={invitation.code}" if invitation else "")
