"""Satisfaction for one service item (事项): the ratings of prompts that named it.

The rollups have no service item, so these figures are counted from the ratings themselves (joined
with their prompts); a service item's ratings are few next to a hall's, and the indexes on the
ratings' prompt and time keep the read short. Counted as everywhere: flagged ratings and ratings
removed by an upheld appeal are left out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import Rating, RatingAppeal, RatingPrompt
from ..timefmt import hall_zone
from . import periods, queries


def summary(scope: queries.Scope, start: date, end: date, service_item: str, *,
            departments: set | None = None) -> dict:
    lo, hi = periods.utc_bounds(start, end, hall_zone())
    upheld = select(RatingAppeal.id).where(RatingAppeal.rating_id == Rating.id,
                                           RatingAppeal.status == "upheld").exists()
    where = [Rating.rated_at >= lo, Rating.rated_at < hi, Rating.flagged.is_(None), ~upheld,
             RatingPrompt.service_item == service_item]
    if scope.kind == "staff":
        where.append(Rating.staff_id == scope.id)
    elif scope.kind == "window":
        where.append(Rating.window_id == scope.id)
    elif scope.kind == "department":
        where.append(queries._department_condition(Rating, {scope.id}))
    if departments is not None:
        where.append(queries._department_condition(Rating, departments))
    rows = dict(db.session.execute(select(Rating.score, func.count()).join(RatingPrompt, RatingPrompt.id == Rating.prompt_id)
                                   .where(*where).group_by(Rating.score)).all())
    out = queries.figures([rows.get(level, 0) for level in queries.LEVELS])
    out["service_item"] = service_item
    return out
