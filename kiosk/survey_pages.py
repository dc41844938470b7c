"""The survey pages citizens answer on: ``/v/<code>`` on a phone (the QR code of screens, kiosks and
printed sheets; ``?invite=`` for an invited respondent) and ``/kiosk/<id>/survey/<code>`` at a kiosk.

Plain forms, posted back to the same address: they work on any phone without a script. They carry no
CSRF token: they act for nobody signed in, and a kiosk's page stands open longer than a token lives;
one answer a phone is kept by the phone's own cookie, one a code by the code.
"""

from __future__ import annotations

from flask import abort, request

from liangbiping.admin.client_address import client_address
from liangbiping.admin.errors import DomainError
from liangbiping.admin.extensions import csrf
from liangbiping.admin.models import Survey
from liangbiping.admin.services.settings import get_setting
from liangbiping.admin.surveys import answers, rounds
from liangbiping.admin.surveys import questions as q
from liangbiping.kiosk.state import qr_svg

from . import bp
from .pages import citizen_page
from .raters import keyed_hash, rater_cookie, set_rater_cookie


def _context(survey: Survey, **extra) -> dict:
    return dict(survey=survey, choices=rounds.target_choices(survey), levels=q.LEVELS,
                hall_name=get_setting("hall_name") or "", **extra)


_page = citizen_page


def _survey(code: str) -> Survey:
    survey = rounds.by_code(code)
    if survey is None:
        abort(404)
    return survey


def _submitted(survey: Survey) -> dict:
    form = request.form
    target = form.get("target_id", "").strip()
    return dict(answers=q.form_answers(survey.questions, form), contact=form.get("contact", "").strip() or None,
                target_id=int(target) if target.isdigit() and len(target) < 10 else (target or None))


@bp.route("/v/<code>", methods=["GET", "POST"])
def survey_phone(code: str):
    """The phone page: one answer a phone a round; an invitation's code answers once."""
    survey = _survey(code)
    invite = (request.values.get("invite") or "").strip().upper()[:16]
    key = keyed_hash("survey", rater_cookie())
    error, status, values = None, 200, {}
    if request.method == "POST":
        values = _submitted(survey)
        try:
            answers.answer(survey, channel="invitation" if invite else "phone", invitation_code=invite or None,
                           respondent_key=None if invite else key, address_key=keyed_hash("a", client_address()),
                           **values)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return set_rater_cookie(_page("kiosk/survey_thanks.html", **_context(survey, kiosk_id=None)))
    done = not invite and answers.already_answered(survey, key)
    response = _page("kiosk/survey.html", status, **_context(
        survey, invite=invite, error=error, values=values, done=done, kiosk_id=None,
        closed=survey.status != "open", action=request.path))
    return set_rater_cookie(response)


@bp.route("/kiosk/<int:kiosk_id>/survey/<code>", methods=["GET", "POST"])
def survey_kiosk(kiosk_id: int, code: str):
    """The kiosk's survey: answered one after another; the page's script adds the kiosk's token."""
    if kiosk_id >= 2**31:
        abort(404)
    survey = _survey(code)
    error, status, values = None, 200, {}
    if request.method == "POST":
        values = _submitted(survey)
        try:
            answers.answer(survey, channel="kiosk", kiosk_token=request.form.get("kiosk_token", "")[:4096], **values)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return _page("kiosk/survey_thanks.html", **_context(survey, kiosk_id=kiosk_id, again=request.path))
    return _page("kiosk/survey.html", status, **_context(
        survey, invite="", error=error, values=values, done=False, kiosk_id=kiosk_id,
        closed=survey.status != "open", action=request.path,
        qr=qr_svg(rounds.public_link(survey)) if survey.open_public else None))


csrf.exempt(survey_phone)
csrf.exempt(survey_kiosk)
