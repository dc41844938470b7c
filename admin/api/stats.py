"""Satisfaction statistics through the API: GET /stats/satisfaction (the contract), trend, ranking."""

from __future__ import annotations

from datetime import date

from flask import jsonify
from flask_babel import gettext as _

from ..campaign.schemas import (RankingOut, RankingQuery, SatisfactionItemQuery, SatisfactionOut, TrendOut,
                                TrendQuery)
from ..services.scope import viewer_for_token
from ..errors import Forbidden, Invalid
from ..stats import periods, queries
from ..stats.queries import Scope
from ..timefmt import hall_zone
from .framework import endpoint

READ_ALL = ("admin", "leader", "staff")
MANAGERS = ("admin", "leader")
MAX_DAYS = 3700  # ten years and change
MAX_POINTS = 1000
# date_range's rule, in the document (see admin/api/openapi_doc.py).
DATE_RANGE = {"x-date-range": {"from": "from", "to": "to", "max_days": MAX_DAYS}}
# Scope.check's rule: a department, a window or a member is named by its id.
SCOPE_ID = {"x-required-when": [{"param": "id", "when": {"scope": ["department", "window", "staff"]}}]}


def date_range(date_from: str | None, date_to: str | None) -> tuple[date, date]:
    """From/to as hall-local dates, inclusive; by default this month up to today."""
    end = periods.parse_date(date_to, "to") or periods.local_today(hall_zone())
    start = periods.parse_date(date_from, "from") or end.replace(day=1)
    if start > end:
        raise Invalid(_("from is after to."), field="from")
    if (end - start).days > MAX_DAYS:
        raise Invalid(_("At most ten years at once."), field="from")
    return start, end


def _scope(query) -> Scope:
    viewer = viewer_for_token()
    scope = Scope(query.scope, query.id).check()
    if viewer.is_staff and scope.kind != "hall":
        raise Forbidden(_("A staff token reads hall-wide figures only."))
    return scope


@endpoint("/stats/satisfaction", "GET", summary="Satisfaction figures for the hall, a department, a window or a member",
          tag="statistics", roles=READ_ALL, query=SatisfactionItemQuery, response=SatisfactionOut,
          name="stats_satisfaction", extensions={**DATE_RANGE, **SCOPE_ID},
          description="`from`/`to` are hall-local dates, inclusive (default: this month so far). Flagged ratings "
                      "and ratings removed by an upheld appeal are not counted; `rate` is null when `count` is 0. "
                      "`satisfied` counts the levels of the `satisfied_levels` setting. `low_confidence` marks rates "
                      "from fewer ratings than the `low_confidence_below` setting (default 30); `wilson` is the "
                      "95% Wilson interval. `service_item`: only the ratings of prompts for that service item "
                      "(counted from the ratings themselves; no reasons).")
def satisfaction(query):
    scope = _scope(query)
    start, end = date_range(query.date_from, query.date_to)
    if query.service_item:
        from ..stats import by_item

        body = by_item.summary(scope, start, end, query.service_item)
    else:
        body = queries.summary(scope, start, end)
    body.update(scope=scope.kind, id=scope.id, date_from=start.isoformat(), date_to=end.isoformat())
    return jsonify(SatisfactionOut.model_validate(body).model_dump(mode="json", by_alias=True)), 200


@endpoint("/stats/trend", "GET", summary="Satisfaction per day, week, month, quarter, half-year or year", tag="statistics",
          roles=READ_ALL, query=TrendQuery, response=TrendOut, name="stats_trend",
          extensions={**SCOPE_ID, "x-date-range": dict(DATE_RANGE["x-date-range"], limits=[
              {"when": {"granularity": "day"}, "max_days": MAX_POINTS - 1}])},
          description="One point per period of `granularity` between `from` and `to` (at most 1000 points).")
def trend(query):
    scope = _scope(query)
    start, end = date_range(query.date_from, query.date_to)
    if query.granularity == "day" and (end - start).days >= MAX_POINTS:
        raise Invalid(_("Too many points: choose a coarser granularity."), field="granularity")
    points = queries.series(scope, start, end, query.granularity)
    return {"scope": scope.kind, "id": scope.id, "granularity": query.granularity, "points": points}


@endpoint("/stats/ranking", "GET", summary="Members, windows or departments by satisfaction rate", tag="statistics",
          roles=MANAGERS, query=RankingQuery, response=RankingOut, name="stats_ranking", extensions=DATE_RANGE,
          description="Rows with fewer ratings than `min_sample` (default: the `ranking_min_sample` setting) are "
                      "listed unranked, after the ranked ones.")
def ranking(query):
    start, end = date_range(query.date_from, query.date_to)
    rows = queries.ranking(query.level, start, end, min_sample=query.min_sample)
    from ..services.settings import get_setting

    body = {"level": query.level, "date_from": start.isoformat(), "date_to": end.isoformat(),
            "min_sample": query.min_sample if query.min_sample is not None else int(get_setting("ranking_min_sample")),
            "rows": rows}
    return jsonify(RankingOut.model_validate(body).model_dump(mode="json", by_alias=True)), 200

