"""Answers to a survey round: from a phone (one a phone a round), a kiosk, an invitation code (once),
or a paper sheet typed in by staff (one entry a sheet, numbered within the sheets printed)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Forbidden, Invalid, Unauthorized
from ..extensions import db
from ..models import Survey, SurveyInvitation, SurveyResponse
from ..models.types import utcnow
from ..schemas import contact_field
from ..services.audit import record
from . import questions as q
from . import rounds


def _check_open(survey: Survey) -> None:
    if survey.status == "draft":
        raise Conflict(_("This survey has not started yet."), code="survey_not_open")
    if survey.status != "open":
        raise Conflict(_("This survey is closed. Thank you for your interest."), code="survey_closed")


def _target(survey: Survey, target_id) -> int | None:
    if survey.target_kind == "hall":
        return None
    if target_id is None or target_id == "":
        raise Invalid(_("Please choose whom you evaluate."), field="target_id")
    if not isinstance(target_id, int) or isinstance(target_id, bool) or target_id not in (survey.target_ids or []):
        raise Invalid(_("Not one of this survey's choices."), field="target_id")
    return target_id


def answer(survey: Survey, *, channel: str, answers: dict, target_id=None, contact=None,
           invitation_code: str | None = None, kiosk_token: str | None = None, respondent_key: str | None = None,
           address_key: str | None = None, paper_no=None, actor: str = "") -> SurveyResponse:
    """Check and store one filled questionnaire; committed before it returns."""
    # The intake's rules, called from here only: the kiosk package's pages sit above this layer.
    from liangbiping.kiosk.rules import check_burst
    from liangbiping.kiosk.sources import kiosk_for_token

    _check_open(survey)
    response = SurveyResponse(survey_id=survey.id, channel=channel, created_at=utcnow())
    invitation = None
    if channel == "phone":
        if not survey.open_public:
            raise Forbidden(_("This survey is by invitation only."), code="survey_invited_only")
        if not respondent_key:
            raise Invalid(_("Open the survey's page to answer it."), field="respondent")
        check_burst(f"survey:{address_key or respondent_key}", "address")
        if already_answered(survey, respondent_key):
            raise Conflict(_("This phone has answered this survey already. Thank you."), code="already_answered")
        response.respondent_key = respondent_key
    elif channel == "kiosk":
        if not survey.open_public:
            raise Forbidden(_("This survey is by invitation only."), code="survey_invited_only")
        found = kiosk_for_token(kiosk_token) if kiosk_token else None
        if found is None:
            raise Unauthorized(_("The kiosk token is not valid. Pair the kiosk again."), code="invalid_kiosk_token")
        if found[2] == "device":
            raise Invalid(_("An evaluator device posts ratings only."), code="device_ratings_only", field="kiosk_token")
        if not rounds.concerns_window(survey, found[1]):
            raise Forbidden(_("This survey is not about this kiosk's window."), code="survey_not_here")
        response.kiosk_id = found[0]
        check_burst(f"survey-kiosk:{found[0]}", "kiosk")
    elif channel == "invitation":
        if not survey.open_invited:
            raise Forbidden(_("This survey takes no invitations."), code="survey_not_invited")
        check_burst(f"survey-invite:{address_key or '?'}", "address")
        invitation = rounds.invitation_by_code(survey, invitation_code or "")
        if invitation is None:
            raise Forbidden(_("This invitation code is not valid."), code="invitation_unknown")
        if invitation.used_at is not None:
            raise Conflict(_("This invitation code has been used already."), code="invitation_used")
        response.invitation_id = invitation.id
    elif channel == "paper":
        if not isinstance(paper_no, int) or isinstance(paper_no, bool) or not 1 <= paper_no <= survey.sheets_printed:
            raise Invalid(_("A sheet number from 1 to %(n)s (the sheets printed).", n=survey.sheets_printed),
                          field="paper_no")
        response.paper_no = paper_no
        response.entered_by = actor[:96]
    else:
        raise Invalid(_("Must be one of: %(choices)s", choices="phone, kiosk, invitation, paper"), field="channel")
    response.target_id = _target(survey, target_id)
    response.answers = q.check_answers(survey.questions, answers)
    response.contact = contact_field(contact)
    db.session.add(response)
    try:
        db.session.flush()
        if invitation is not None:
            # The code is used up in the same transaction as the answer, and only if still unused:
            # two answers racing with one code store one.
            used = db.session.execute(update(SurveyInvitation).where(
                SurveyInvitation.id == invitation.id, SurveyInvitation.used_at.is_(None)).values(used_at=utcnow()))
            if used.rowcount != 1:
                raise IntegrityError("invitation", None, Exception("used"))
        if channel == "paper":
            record(actor, "create", "survey_response", response.id, summary=survey.title,
                   changes={"paper_no": [None, paper_no], "channel": [None, "paper"]})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if channel == "paper":
            raise Conflict(_("Sheet %(n)s has been entered already.", n=paper_no), code="paper_entered") from None
        if channel == "invitation":
            raise Conflict(_("This invitation code has been used already."), code="invitation_used") from None
        raise Conflict(_("This phone has answered this survey already. Thank you."), code="already_answered") from None
    return response


def already_answered(survey: Survey, respondent_key: str | None) -> bool:
    if not respondent_key:
        return False
    return db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id,
                                                             SurveyResponse.respondent_key == respondent_key)) is not None
