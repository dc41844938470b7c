"""Console pages for 群众评议: the ratings list (live), a rating's detail, today's counters,
the suggestion inbox, and a member's "ask for a rating" page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError
from sqlalchemy import func, select

from liangbiping.kiosk import suggestions as box
from liangbiping.kiosk.schemas import RatingListQuery, SuggestionListQuery

from ..errors import DomainError, Forbidden, NotFound
from ..extensions import db
from ..models import Kiosk, Rating, RatingPrompt, Staff, Suggestion, Window
from ..models.rating_terms import CHANNELS, FLAGS, REASONS, SCORES
from ..schemas import query_input
from ..services.scope import current_viewer
from ..timefmt import hall_zone
from . import bp
from .access import roles_required

MANAGERS = ("admin", "leader")
def _labels() -> dict:
    return {
        "scores": {k: str(v) for k, v in SCORES.items()},
        "reasons": {k: str(v) for k, v in REASONS.items()},
        "flags": {k: str(v) for k, v in FLAGS.items()},
        "channels": {k: str(v) for k, v in CHANNELS.items()},
    }


def _query(model, args) -> SimpleNamespace:
    """Parse list filters; a bad value is dropped with a message instead of failing the page."""
    clean = query_input(model, {k: v for k, v in args.items() if v not in ("", None)})
    try:
        return model.model_validate(clean)
    except ValidationError:
        flash(_("Some filters were not understood and were ignored."), "error")
    try:
        return model.model_validate({k: v for k, v in clean.items() if k == "page"})
    except ValidationError:
        return model.model_validate({})


def today_counters() -> dict:
    """Today's ratings in the hall's day, within the viewer's scope: count and satisfied share as the
    statistics count them (the hall's satisfied levels, flagged and appealed-away ratings left out),
    flagged, prompted, and the kiosks' offline queues."""
    from ..stats import queries

    viewer = current_viewer()
    zone = hall_zone()
    day = datetime.now(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = start + timedelta(days=1)
    figures = queries.summary(queries.Scope("hall"), day, day, departments=viewer.department_filter(), reasons=False)
    by_score = {int(k): v for k, v in figures["distribution"].items()}
    scope = viewer.subject_condition(Rating)
    in_day = [Rating.rated_at >= start, Rating.rated_at < end, *([] if scope is None else [scope])]
    flagged = db.session.scalar(select(func.count()).select_from(Rating).where(*in_day, Rating.flagged.is_not(None)))
    prompted = db.session.scalar(select(func.count()).select_from(Rating).where(*in_day, Rating.prompted.is_(True),
                                                                                 Rating.flagged.is_(None)))
    queued = db.session.scalar(select(func.coalesce(func.sum(Kiosk.queue_length), 0)))
    return {"count": figures["count"], "by_score": by_score, "satisfied": figures["satisfied"],
            "rate": figures["rate"], "flagged": flagged, "prompted": prompted,
            "bad": by_score[1] + by_score[2], "queued": queued}


@bp.get("/ratings/")
@roles_required(*MANAGERS)
def ratings_list():
    from ..api.ratings import filtered

    query = _query(RatingListQuery, request.args)
    where = filtered(query)
    total = db.session.scalar(select(func.count()).select_from(Rating).where(*where))
    per_page = min(query.per_page, 100)
    items = db.session.scalars(select(Rating).where(*where).order_by(Rating.rated_at.desc(), Rating.id)
                               .offset((query.page - 1) * per_page).limit(per_page)).all()
    staff = {s.id: s for s in db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.name))}
    windows = {w.id: w for w in db.session.scalars(select(Window).order_by(Window.number))}
    args = {k: v for k, v in request.args.items() if v not in ("", None) and k != "page"}
    # The service items prompts have named, offered as the filter's choices (any name may be typed).
    service_items = db.session.scalars(select(RatingPrompt.service_item).where(RatingPrompt.service_item != "")
                                       .distinct().order_by(RatingPrompt.service_item).limit(200)).all()
    return render_template("console/feedback/ratings.html", items=items, total=total, query=query, per_page=per_page,
                           staff=staff, windows=windows, labels=_labels(), counters=today_counters(), args=args,
                           service_items=service_items, live=not args and query.page == 1)


@bp.get("/ratings/counters")
@roles_required(*MANAGERS)
def ratings_counters():
    return jsonify(today_counters())


def _rating_or_404(rating_id: str) -> Rating:
    rating = db.session.get(Rating, rating_id) if len(rating_id) <= 36 else None
    if rating is None or not current_viewer().sees_subject(rating.window_id, rating.staff_id):
        abort(404)
    return rating


def _rating_page(rating: Rating, contact: str | None):
    """The rating's page, with the full call-back number only when it was asked for."""
    def row(model, key):
        return db.session.get(model, key) if key else None

    return render_template("console/feedback/rating.html", rating=rating, staff=row(Staff, rating.staff_id),
                           window=row(Window, rating.window_id), kiosk=row(Kiosk, rating.kiosk_id),
                           prompt=row(RatingPrompt, rating.prompt_id), labels=_labels(), contact=contact)


@bp.get("/ratings/<rating_id>")
@roles_required(*MANAGERS)
def ratings_detail(rating_id: str):
    return _rating_page(_rating_or_404(rating_id), contact=None)


@bp.post("/ratings/<rating_id>/contact")
@roles_required(*MANAGERS)
def ratings_contact(rating_id: str):
    """The full call-back number, for leaders and administrators; each viewing is audited."""
    rating = _rating_or_404(rating_id)
    return _rating_page(rating, contact=box.reveal_contact("rating", rating, g.actor))


# --- suggestion box -----------------------------------------------------------------------------

@bp.get("/suggestions/")
@roles_required(*MANAGERS)
def suggestions_list():
    query = _query(SuggestionListQuery, request.args)
    viewer = current_viewer()
    items, total = box.listing(query, viewer, new_first=True)
    return render_template("console/feedback/suggestions.html", items=items, total=total, query=query,
                           waiting=box.waiting(viewer))


def _suggestion(suggestion_id: int) -> Suggestion:
    item = box.visible(suggestion_id, current_viewer())
    if item is None:
        abort(404)
    return item


@bp.route("/suggestions/<int:suggestion_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def suggestions_detail(suggestion_id: int):
    item = _suggestion(suggestion_id)
    contact = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "reply":
                box.reply(item, request.form.get("reply", ""), g.actor)
                flash(_("The reply is saved; the citizen sees it at the receipt page."), "success")
            elif action in ("handled", "new"):
                box.set_status(item, "handled" if action == "handled" else ("replied" if item.reply else "new"), g.actor)
                flash(_("Marked as handled.") if action == "handled" else _("Reopened."), "success")
            elif action == "contact":
                contact = box.reveal_contact("suggestion", item, g.actor)
            else:
                abort(400)
        except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
            raise
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        if action != "contact":
            return redirect(url_for("console.suggestions_detail", suggestion_id=item.id))
    return render_template("console/feedback/suggestion.html", item=item, contact=contact)


# --- ask for a rating (一次一评) -------------------------------------------------------------------

@bp.route("/prompt", methods=["GET", "POST"])
@roles_required("admin", "leader", "staff")
def prompt():
    """A member asks the citizen just served for one rating: the kiosk at their window shows it,
    and its single-use QR code here lets the citizen rate on a phone instead."""
    from liangbiping.kiosk.prompts import cancel_prompt, latest_prompt, start_prompt
    from liangbiping.kiosk.state import prompt_card

    viewer = current_viewer()
    own = db.session.get(Staff, current_user.staff_id) if current_user.staff_id else None
    scope = viewer.member_condition()
    members = [] if viewer.is_staff else db.session.scalars(
        select(Staff).where(*([] if scope is None else [scope])).order_by(Staff.sort_order, Staff.name)).all()
    chosen_id = request.values.get("staff_id", type=int)
    member = own if viewer.is_staff else (db.session.get(Staff, chosen_id) if chosen_id else own)
    if member is not None and member is not own and not viewer.manages_member(member):
        abort(404)  # a leader asks ratings for the members of their departments only
    if request.method == "POST":
        if member is None:
            flash(_("Choose a member first."), "error")
            return redirect(url_for("console.prompt"))
        try:
            if request.form.get("action") == "cancel":
                current = latest_prompt(member.id)
                if current is not None and current.open:
                    cancel_prompt(current, g.actor)
            else:
                start_prompt(member, g.actor, request.form.get("case_no", ""))
        except (Forbidden, NotFound):  # out of the viewer's scope: a 403/404 page, not a message
            raise
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(url_for("console.prompt", staff_id=member.id))
    current = latest_prompt(member.id) if member else None
    card = prompt_card(current) if current is not None and current.open else None
    return render_template("console/feedback/prompt.html", member=member, members=members, current=current, card=card)
