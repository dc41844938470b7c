"""Survey rounds in the console: the questionnaire builder, a round's audiences, invitations and results,
typing in paper sheets, the printable A4 测评表, and opening a ledger entry from an answer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Survey
from ..services.settings import get_setting
from ..surveys import answers, followup, questions, results, rounds
from . import bp
from .access import roles_required
from .campaign_common import departments, form_day, members, refused, saved, today, viewer, windows

MANAGERS = ("admin", "leader")


def channel_labels() -> dict:
    return {"phone": _("Phone"), "kiosk": _("Kiosk"), "invitation": _("Invitation"), "paper": _("Paper sheet")}


def status_labels() -> dict:
    return {"draft": _("Draft"), "open": _("Open for answers"), "closed": _("Closed")}


def target_labels() -> dict:
    return {"hall": _("The whole hall"), "department": _("Departments"), "window": _("Windows"), "staff": _("Members")}


def invitee_labels() -> dict:
    return {"supervisor": _("Conduct supervisor"), "deputy": _("Deputy"), "enterprise": _("Enterprise representative"),
            "other": _("Other")}


def _survey(survey_id: int) -> Survey:
    try:
        return rounds.get(survey_id)
    except DomainError:
        abort(404)


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 10]


@bp.get("/surveys/")
@roles_required(*MANAGERS)
def surveys():
    v = viewer()
    start, end = rounds.default_period(today())
    items = [{"survey": s, "answers": rounds.answer_count(s), "headline": results.headline(s)}
             for s in rounds.listing()]
    return render_template("console/surveys/list.html", items=items, viewer=v, statuses=status_labels(),
                           targets=target_labels(), dimensions=questions.DIMENSIONS,
                           defaults={"period_start": start.isoformat(), "period_end": end.isoformat()},
                           departments=departments(v), windows=windows(v), members=members(v),
                           year=results.year_figure(today().year), target=results.YEAR_TARGET)


@bp.post("/surveys/new")
@roles_required("admin")
def surveys_new():
    form = request.form
    try:
        kind = form.get("target_kind", "hall")
        asked = [questions.preset(d) for d in questions.DIMENSIONS if form.get(f"dim_{d}") == "1"]
        asked += questions.parse_builder_text(form.get("extra", ""))
        sheets = form.get("sheets_printed", "0").strip() or "0"
        survey = rounds.create({
            "title": form.get("title", ""), "description": form.get("description", ""), "target_kind": kind,
            "target_ids": _ids(f"target_{kind}") if kind != "hall" else [],
            "questions": asked, "period_start": form_day("period_start"), "period_end": form_day("period_end"),
            "open_public": form.get("open_public") == "1", "open_invited": form.get("open_invited") == "1",
            "sheets_printed": int(sheets) if sheets.isdigit() and len(sheets) < 7 else -1,
        }, viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.surveys"))
    return saved(_("Survey saved as a draft: %(title)s", title=survey.title),
                 url_for("console.surveys_round", survey_id=survey.id))


@bp.get("/surveys/<int:survey_id>")
@roles_required(*MANAGERS)
def surveys_round(survey_id: int):
    from liangbiping.kiosk.state import qr_svg

    survey, v = _survey(survey_id), viewer()

    link = rounds.public_link(survey)
    return render_template("console/surveys/round.html", survey=survey, viewer=v, result=results.results(survey, v),
                           invitations=rounds.invitations(survey) if v.is_admin else [], link=link,
                           qr=qr_svg(link), statuses=status_labels(), targets=target_labels(),
                           channels=channel_labels(), invitees=invitee_labels(), kinds=questions.KIND_LABELS,
                           dimensions=questions.DIMENSIONS, paper_entered=rounds.paper_count(survey))


@bp.post("/surveys/<int:survey_id>/do/<action>")
@roles_required("admin")
def surveys_action(survey_id: int, action: str):
    survey = _survey(survey_id)
    try:
        if action == "sheets":
            raw = request.form.get("sheets_printed", "").strip()
            rounds.update(survey, {"sheets_printed": int(raw) if raw.isdigit() and len(raw) < 7 else -1},
                          viewer().actor)
        else:
            rounds.transition(survey, action, viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.surveys_round", survey_id=survey_id))
    return saved(_("Saved."), url_for("console.surveys_round", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/invitations")
@roles_required("admin")
def surveys_invite(survey_id: int):
    survey = _survey(survey_id)
    kind = request.form.get("kind", "other")
    people = []
    for line in request.form.get("people", "").splitlines()[:200]:
        name, _sep, unit = line.replace("，", ",").partition(",")
        if name.strip():
            people.append({"name": name, "unit": unit, "kind": kind})
    try:
        if not people:
            raise Invalid(_("One invited person a line: name, unit."), field="people")
        made = rounds.invite(survey, people, viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.surveys_round", survey_id=survey_id) + "#invitations")
    return saved(_("%(n)d invitation codes made.", n=len(made)), url_for("console.surveys_round", survey_id=survey_id) + "#invitations")


@bp.route("/surveys/<int:survey_id>/paper", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def surveys_paper(survey_id: int):
    """Typing in a paper sheet: its number (from the sheet's box), then its answers, as the citizen ticked."""
    survey = _survey(survey_id)
    error, status, values = None, 200, {}
    if request.method == "POST":
        form = request.form
        raw_no, target = form.get("paper_no", "").strip(), form.get("target_id", "").strip()
        values = {"answers": questions.form_answers(survey.questions, form), "paper_no": raw_no,
                  "target_id": int(target) if target.isdigit() and len(target) < 10 else None}
        try:
            answers.answer(survey, channel="paper", answers=values["answers"], target_id=values["target_id"],
                           paper_no=int(raw_no) if raw_no.isdigit() and len(raw_no) < 7 else None,
                           contact=form.get("contact", "").strip() or None, actor=viewer().actor)
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            flash(_("Sheet %(n)s entered.", n=raw_no), "success")
            return redirect(url_for("console.surveys_paper", survey_id=survey_id)), 303
    return render_template("console/surveys/paper.html", survey=survey, error=error, values=values,
                           choices=rounds.target_choices(survey), levels=questions.LEVELS,
                           entered=rounds.paper_count(survey)), status


@bp.get("/surveys/<int:survey_id>/sheet")
@roles_required(*MANAGERS)
def surveys_sheet(survey_id: int):
    """The printable A4 测评表: the questionnaire, its QR code, and a box for the paper-entry number."""
    survey = _survey(survey_id)
    from liangbiping.kiosk.state import qr_svg

    link = rounds.public_link(survey)
    return render_template("console/surveys/sheet.html", survey=survey, qr=qr_svg(link), link=link,
                           choices=rounds.target_choices(survey), levels=questions.LEVELS,
                           targets=target_labels(), hall_name=get_setting("hall_name") or "")


@bp.post("/surveys/<int:survey_id>/answers/<int:response_id>/ledger")
@roles_required(*MANAGERS)
def surveys_answer_ledger(survey_id: int, response_id: int):
    v = viewer()
    try:
        response = followup.visible_response(survey_id, response_id, v)
    except NotFound:
        abort(404)
    try:
        entry = followup.open_ledger_entry(response, v)
    except Forbidden:
        abort(403)
    except DomainError as exc:
        return refused(exc, url_for("console.surveys_round", survey_id=survey_id))
    flash(_("Ledger entry opened."), "success")
    return redirect(url_for("console.ledger_entry", entry_id=entry.id)), 303


@bp.post("/surveys/<int:survey_id>/invite-supervisors")
@roles_required("admin")
def surveys_invite_supervisors(survey_id: int):
    """A single-use code for every 行风监督员 in their term not invited yet."""
    survey = _survey(survey_id)
    try:
        made = rounds.invite_supervisors(survey, today(), viewer().actor)
    except DomainError as exc:
        return refused(exc, url_for("console.surveys_round", survey_id=survey_id) + "#invitations")
    return saved(_("%(n)d invitation codes made.", n=len(made)), url_for("console.surveys_round", survey_id=survey_id) + "#invitations")
