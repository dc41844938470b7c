"""Survey rounds (测评 / 民意调查) through the API: the builder and life of a round (administrators),
results and paper entry (managers), and the public answer of a phone, kiosk or invitation."""

from __future__ import annotations

from datetime import date

from flask import g, request

from ..errors import NotFound
from ..models import Survey
from ..services.scope import current_viewer
from ..surveys import answers, followup, results, rounds
from .survey_schemas import (AnswerIn, AnswerOut, InvitationOut, InvitationsIn, PaperIn, SurveyIn, SurveyListQuery,
                               SurveyOut, SurveyPatch, SurveyResults, SurveyTransition)
from ..stats.periods import local_today
from ..timefmt import hall_zone
from .framework import endpoint
from ..campaign.schemas import RectificationOut

MANAGERS = ("admin", "leader")
SURVEY_ID = {"survey_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _out(survey: Survey) -> dict:
    data = SurveyOut.model_validate(survey).model_dump()
    data["public_url"] = rounds.public_link(survey)
    return data


def _get(survey_id: int) -> Survey:
    return rounds.get(survey_id)


@endpoint("/surveys", "GET", summary="List survey rounds", tag="surveys", roles=MANAGERS, query=SurveyListQuery,
          response=SurveyOut, paged=True, name="surveys_list")
def list_surveys(query):
    items = [_out(s) for s in rounds.listing(500) if query.status is None or s.status == query.status]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/surveys", "POST", summary="Build a survey round (a draft)", tag="surveys", roles=("admin",),
          body=SurveyIn, response=SurveyOut, status=201, name="surveys_create",
          description="Questions rated on the five levels (presets by `dimension`), single and multiple choice, "
                      "free text; what it evaluates; its period (the half-year of today by default); its audiences.")
def create_survey(body):
    values = body.model_dump()
    start, end = rounds.default_period(local_today(hall_zone()))
    given_start, given_end = _day(values["period_start"]), _day(values["period_end"])
    values["period_start"] = given_start or (min(start, given_end) if given_end else start)
    values["period_end"] = given_end or max(end, values["period_start"])
    return _out(rounds.create(values, g.actor))


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


@endpoint("/surveys/<int:survey_id>", "GET", summary="Read a survey round", tag="surveys", roles=MANAGERS,
          response=SurveyOut, name="surveys_read", path=SURVEY_ID)
def read_survey(survey_id):
    return _out(_get(survey_id))


@endpoint("/surveys/<int:survey_id>", "PATCH", summary="Change a survey round", tag="surveys", roles=("admin",),
          body=SurveyPatch, response=SurveyOut, name="surveys_update", path=SURVEY_ID,
          description="Title, description and the number of paper sheets printed (never below those entered).")
def update_survey(survey_id, body):
    return _out(rounds.update(_get(survey_id), body.model_dump(exclude_none=True), g.actor))


@endpoint("/surveys/<int:survey_id>/transition", "POST", summary="Open, close or publish a survey round",
          tag="surveys", roles=("admin",), body=SurveyTransition, response=SurveyOut, name="surveys_transition",
          path=SURVEY_ID, description="open a draft; close an open round (it then refuses answers); publish a "
                                      "closed round with answers to the hall screens; unpublish.")
def transition_survey(survey_id, body):
    return _out(rounds.transition(_get(survey_id), body.action, g.actor))


@endpoint("/surveys/<int:survey_id>/results", "GET", summary="A survey round's results", tag="surveys",
          roles=MANAGERS, response=SurveyResults, name="surveys_results", path=SURVEY_ID,
          description="Per question and target: the distribution, the satisfaction rate (4–5) with its Wilson "
                      "interval and low-sample mark; the invited's response rate; free text within the reader's "
                      "scope, contacts masked; the comparison with the previous round.")
def survey_results(survey_id):
    return results.results(_get(survey_id), current_viewer())


@endpoint("/surveys/<int:survey_id>/invitations", "GET", summary="List a survey round's invitations", tag="surveys",
          roles=("admin",), response=InvitationOut, paged=True, name="surveys_invitations", path=SURVEY_ID)
def list_invitations(survey_id):
    survey = _get(survey_id)
    items = [dict(InvitationOut.model_validate(i).model_dump(), link=rounds.public_link(survey, i))
             for i in rounds.invitations(survey)]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/surveys/<int:survey_id>/invitations", "POST", summary="Invite respondents (single-use codes)",
          tag="surveys", roles=("admin",), body=InvitationsIn, response=InvitationOut, paged=True, status=201,
          name="surveys_invite", path=SURVEY_ID, errors=(409,))
def invite(survey_id, body):
    survey = _get(survey_id)
    made = rounds.invite(survey, [p.model_dump() for p in body.people], g.actor)
    items = [dict(InvitationOut.model_validate(i).model_dump(), link=rounds.public_link(survey, i)) for i in made]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/surveys/<int:survey_id>/paper", "POST", summary="Enter a paper sheet", tag="surveys", roles=MANAGERS,
          body=PaperIn, response=AnswerOut, status=201, name="surveys_paper", path=SURVEY_ID, errors=(409,),
          description="One entry a sheet: `paper_no` from 1 to the sheets printed, each once; who entered it is kept.")
def enter_paper(survey_id, body):
    survey = _get(survey_id)
    return answers.answer(survey, channel="paper", answers=body.answers, target_id=body.target_id,
                          contact=body.contact, paper_no=body.paper_no, actor=g.actor)


@endpoint("/surveys/<int:survey_id>/answers/<int:response_id>/rectification", "POST",
          summary="Open a ledger entry from a survey answer", tag="surveys", roles=MANAGERS,
          response=RectificationOut, status=201, name="surveys_answer_ledger", errors=(409,),
          path=dict(SURVEY_ID, response_id=SURVEY_ID["survey_id"]),
          description="For an answer with a 1–2 or text (a complaint): an entry of source `survey`, once.")
def answer_to_ledger(survey_id, response_id):
    viewer = current_viewer()
    response = followup.visible_response(survey_id, response_id, viewer)
    return followup.open_ledger_entry(response, viewer)


@endpoint("/survey-answers", "POST", summary="Answer a survey round", tag="surveys", roles=None, body=AnswerIn,
          response=AnswerOut, status=201, name="surveys_answer", errors=(401, 409),
          description="Public. `phone`: one answer a phone a round (the survey page's cookie); `kiosk`: with the "
                      "kiosk's token; `invitation`: with a single-use code. A round not open answers 409.")
def answer_survey(body):
    from liangbiping.admin.client_address import client_address
    from liangbiping.kiosk.raters import RATER_COOKIE, keyed_hash

    survey = rounds.by_code(body.survey)
    if survey is None:
        raise NotFound(_not_found())
    cookie = request.cookies.get(RATER_COOKIE)
    return answers.answer(survey, channel=body.channel, answers=body.answers, target_id=body.target_id,
                          contact=body.contact, invitation_code=body.invitation, kiosk_token=body.kiosk_token,
                          respondent_key=keyed_hash("survey", cookie) if cookie and len(cookie) <= 64 else None,
                          address_key=keyed_hash("a", client_address()))


def _not_found() -> str:
    from flask_babel import gettext as _

    return _("No survey has this code.")

