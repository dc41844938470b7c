"""A survey answer of 1–2, or a complaint in its text, opens a ledger entry (source: survey), as a bad
rating does; the answer and the entry point at each other."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..ledger.autoopen import open_entry
from ..models import Rectification, SurveyResponse
from ..services.scope import Viewer
from . import results, rounds


def visible_response(survey_id: int, response_id: int, viewer: Viewer) -> SurveyResponse:
    """The answer, if it exists and ``viewer`` may read what it says about its target (else 404)."""
    response = db.session.get(SurveyResponse, response_id) if 0 < response_id < 2**31 else None
    if response is None or response.survey_id != survey_id or not viewer.manages or not (
            viewer.is_admin or viewer.sees_department(rounds.target_department(response.survey, response.target_id))):
        raise NotFound(_("Survey answer %(id)s does not exist.", id=response_id))
    return response


def problem_text(response: SurveyResponse) -> str:
    survey = response.survey
    parts = []
    for question in survey.questions:
        value = response.answers.get(question["key"])
        if value is None:
            continue
        if question["kind"] == "rating" and value <= results.BAD_MAX:
            parts.append(f"{question['text']}：{value}")
        elif question["kind"] == "text" and value:
            parts.append(f"{question['text']}：{value}")
    return "；".join(parts)


def open_ledger_entry(response: SurveyResponse, viewer: Viewer) -> Rectification:
    """Open an entry for the answer (once); committed."""
    if not viewer.manages:
        raise Forbidden(_("You are not allowed to do this."))
    existing = db.session.scalar(select(Rectification).where(Rectification.survey_response_id == response.id))
    if existing is not None:
        raise Conflict(_("A ledger entry has been opened for this answer already."), code="entry_exists")
    survey = response.survey
    has_text = any(q["kind"] == "text" and response.answers.get(q["key"]) for q in survey.questions)
    if not (results.bad(survey, response) or has_text):
        raise Conflict(_("This answer has neither a 1–2 nor any text to act on."), code="nothing_to_fix")
    staff_id = response.target_id if survey.target_kind == "staff" else None
    window_id = response.target_id if survey.target_kind == "window" else None
    entry_id = open_entry(db.session.connection(), source="survey", staff_id=staff_id, window_id=window_id,
                          problem=problem_text(response)[:2000], actor=viewer.actor,
                          summary=_("Survey %(title)s, answer %(id)s", title=survey.title, id=response.id))
    entry = db.session.get(Rectification, entry_id)
    entry.survey_response_id = response.id
    if survey.target_kind == "department":
        entry.department_id = response.target_id
    db.session.commit()
    return entry
