"""Ratings: the public intake (kiosks, phones, evaluator devices) and the read side for managers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import func, select

from liangbiping.kiosk.intake import receive
from liangbiping.kiosk.raters import set_rater_cookie
from liangbiping.kiosk.schemas import RatingDetail, RatingIn, RatingListQuery

from ..errors import NotFound
from ..extensions import db
from ..models import Rating, RatingPrompt
from ..services.scope import current_viewer
from .framework import endpoint

MANAGERS = ("admin", "leader")
READERS = MANAGERS + ("integration",)  # a business system reads ratings too (docs/INTEGRATION.md)


def _plain(rating: dict) -> dict:
    """The RatingDetail shape without a pydantic round trip (this is the intake's hot path)."""
    out = dict(rating)
    for key in ("rated_at", "received_at"):
        out[key] = out[key].isoformat().replace("+00:00", "Z")
    return out


@endpoint("/ratings", "POST", summary="Submit a rating", tag="ratings", roles=None, body=RatingIn,
          response=RatingDetail, status=201, name="ratings_create", errors=(401, 409, 410), also=(200,),
          description="Public intake. 201 with the stored rating on first receipt; the same `id` again "
                      "from the same source (kiosk, prompt, or badge/kiosk code from the same phone) returns "
                      "200 and the stored rating, from any other source 409 `duplicate_id`. Only a 2xx "
                      "means the rating is durably stored. "
                      "Bursts from one source get 429 with Retry-After.")
def create_rating(body):
    rating, created = receive(body)
    response = jsonify(_plain(rating))
    if body.channel in ("qr", "web"):
        set_rater_cookie(response)
    return response, 201 if created else 200


def day_bounds(day: str | None, end: bool = False) -> datetime | None:
    """The UTC instant a hall-local date starts (or, with ``end``, the next day starts); a date
    outside the years the statistics know (2000-2200) is refused, not turned into an overflow."""
    from ..stats.periods import parse_date
    from ..timefmt import hall_zone

    parsed = parse_date(day or None, "to" if end else "from")
    if parsed is None:
        return None
    if end:
        parsed += timedelta(days=1)
    return datetime.combine(parsed, time.min, tzinfo=hall_zone())


def filtered(query) -> list:
    """SQL conditions for the ratings list's filters (the API's and the console's), within what the
    viewer may read (admin.services.scope)."""
    scope = current_viewer().subject_condition(Rating)
    where = [] if scope is None else [scope]
    for key in ("staff_id", "window_id", "kiosk_id", "score", "channel"):
        value = getattr(query, key, None)
        if value is not None:
            where.append(getattr(Rating, key) == value)
    if query.flagged is True:
        where.append(Rating.flagged.is_not(None))
    elif query.flagged is False:
        where.append(Rating.flagged.is_(None))
    if getattr(query, "prompted", None) is not None:
        where.append(Rating.prompted.is_(query.prompted))
    if getattr(query, "service_item", None):
        # As the statistics by service item (admin.stats.by_item): the ratings of prompts that named it.
        where.append(Rating.prompt_id.in_(select(RatingPrompt.id).where(RatingPrompt.service_item == query.service_item)))
    start, end = day_bounds(query.date_from), day_bounds(query.date_to, end=True)
    if start is not None:
        where.append(Rating.rated_at >= start)
    if end is not None:
        where.append(Rating.rated_at < end)
    return where


@endpoint("/ratings", "GET", summary="List ratings", tag="ratings", roles=READERS, query=RatingListQuery,
          response=RatingDetail, paged=True, name="ratings_list",
          description="Newest first. Filters: staff_id, window_id, kiosk_id, score, channel, flagged, prompted, "
                      "service_item (the ratings of prompts for that service item, as the statistics filter), from/to (dates in the hall's time zone, inclusive).")
def list_ratings(query):
    where = filtered(query)
    total = db.session.scalar(select(func.count()).select_from(Rating).where(*where))
    items = db.session.scalars(select(Rating).where(*where).order_by(Rating.rated_at.desc(), Rating.id)
                               .offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


@endpoint("/ratings/<rating_id>", "GET", summary="Read a rating", tag="ratings", roles=READERS,
          response=RatingDetail, name="ratings_read")
def read_rating(rating_id):
    rating = db.session.get(Rating, rating_id) if len(rating_id) <= 36 else None
    if rating is None or not current_viewer().sees_subject(rating.window_id, rating.staff_id):
        raise NotFound(_("Rating %(id)s does not exist.", id=rating_id[:36]))
    return rating
