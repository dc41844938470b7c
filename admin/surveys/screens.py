"""A finished survey round published to the hall screens: one board of the 三比 boards slide, its
targets ranked by satisfaction (or, for a survey of the whole hall, its dimensions)."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Survey
from . import results, rounds

LATEST = 2  # the latest published rounds shown; older ones leave the screens by themselves


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def board(survey: Survey, limit: int) -> dict:
    """The board's shape is the 三比 boards' (admin.campaign.boards), so the screens draw it as one."""
    responses = results._responses(survey)
    headline = results.headline(survey, responses)
    rows = []
    if survey.target_kind == "hall":
        for question in survey.questions:
            if question["kind"] != "rating":
                continue
            fig = results.rate_of(Counter(r.answers[question["key"]] for r in responses
                                                  if question["key"] in r.answers))
            if fig["n"]:
                rows.append({"staff_id": None, "name": question["text"], "department": "", "value": fig["rate"],
                             "display": _pct(fig["rate"]), "sample": fig["n"]})
    else:
        keys = {q["key"] for q in survey.questions if q["kind"] == "rating" and q.get("dimension") == "overall"} or \
            {q["key"] for q in survey.questions if q["kind"] == "rating"}
        labels = {c["id"]: c["label"] for c in rounds.target_choices(survey)}
        for target_id, label in labels.items():
            fig = results.rate_of(Counter(v for r in responses if r.target_id == target_id
                                                  for k, v in r.answers.items() if k in keys))
            if fig["n"]:
                rows.append({"staff_id": target_id if survey.target_kind == "staff" else None, "name": label,
                             "department": "", "value": fig["rate"], "display": _pct(fig["rate"]), "sample": fig["n"]})
    rows.sort(key=lambda r: (-r["value"], -r["sample"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return {"key": f"survey-{survey.id}", "title": survey.title, "short": _("Survey"),
            "period": f"{survey.period_start.isoformat()} – {survey.period_end.isoformat()}", "unit": "%",
            "published": True, "rows": rows[:limit],
            "note": _("Satisfaction %(rate)s of %(n)d answers", rate=_pct(headline["rate"]), n=headline["n"])}


def published_boards(limit: int) -> list[dict]:
    surveys = db.session.scalars(select(Survey).where(Survey.published_at.is_not(None), Survey.status == "closed")
                                 .order_by(Survey.published_at.desc()).limit(LATEST)).all()
    return [board(s, limit) for s in surveys]
