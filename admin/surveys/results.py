"""A survey round's results: per question and target the distribution, the satisfaction rate with its
Wilson interval, the invited respondents' response rate, the free text (within the reader's scope,
contacts masked), and the comparison with the previous round."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import Rectification, Survey, SurveyInvitation, SurveyResponse
from ..services.scope import Viewer
from ..stats import wilson
from . import questions as q
from . import rounds

BAD_MAX = 2  # an answer of 1–2 on any five-level question may open a ledger entry, like a bad rating
# "年终窗口单位民意调查测评，群众满意率要达到95%以上" (the campaign documents).
YEAR_TARGET = 0.95


def rate_of(distribution: dict) -> dict:
    """n, satisfied (4–5), the rate, its Wilson interval and the low-sample mark."""
    n = sum(distribution.values())
    satisfied = sum(distribution.get(level, 0) for level in q.SATISFIED)
    bounds = wilson.interval(satisfied, n)
    return {"n": n, "distribution": {str(k): distribution.get(k, 0) for k in range(1, 6)}, "satisfied": satisfied,
            "rate": satisfied / n if n else None, "low": bounds[0] if bounds else None,
            "high": bounds[1] if bounds else None, "low_sample": wilson.low_confidence(n)}


def _responses(survey: Survey) -> list[SurveyResponse]:
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                                   .order_by(SurveyResponse.id)))


def headline(survey: Survey, responses: list[SurveyResponse] | None = None) -> dict:
    """The round's one figure: the 总体评价 question when it has one, else every five-level answer."""
    responses = _responses(survey) if responses is None else responses
    ratings = [x for x in survey.questions if x["kind"] == "rating"]
    overall = [x for x in ratings if x.get("dimension") == "overall"] or ratings
    keys = {x["key"] for x in overall}
    counts = Counter(v for r in responses for k, v in r.answers.items() if k in keys)
    return rate_of(counts)


def invited_rate(survey: Survey) -> dict:
    total, used = db.session.execute(select(func.count(SurveyInvitation.id), func.count(SurveyInvitation.used_at))
                                     .where(SurveyInvitation.survey_id == survey.id)).one()
    return {"total": total, "answered": used, "rate": used / total if total else None}


def previous_round(survey: Survey) -> Survey | None:
    """The round before: the latest other opened round of the same kind of target that ended before this one."""
    return db.session.scalar(select(Survey).where(
        Survey.id != survey.id, Survey.status != "draft", Survey.target_kind == survey.target_kind,
        Survey.period_end < survey.period_end).order_by(Survey.period_end.desc(), Survey.id.desc()).limit(1))


def by_dimension(survey: Survey, responses: list[SurveyResponse]) -> dict:
    out = {}
    for question in survey.questions:
        if question["kind"] == "rating" and question.get("dimension"):
            counts = Counter(r.answers[question["key"]] for r in responses if question["key"] in r.answers)
            out[question["dimension"]] = rate_of(counts)
    return out


def _may_read(viewer: Viewer, department_id: int | None) -> bool:
    return viewer.is_admin or viewer.sees_department(department_id)


def results(survey: Survey, viewer: Viewer) -> dict:
    responses = _responses(survey)
    labels = {c["id"]: c["label"] for c in rounds.target_choices(survey)}
    departments = {t: rounds.target_department(survey, t) for t in labels}
    entries = dict(db.session.execute(select(Rectification.survey_response_id, Rectification.id).where(
        Rectification.survey_response_id.in_([r.id for r in responses] or [-1]))).all())
    out_questions = []
    for question in survey.questions:
        key = question["key"]
        item = {"key": key, "kind": question["kind"], "text": question["text"], "dimension": question.get("dimension"),
                "options": question["options"]}
        given = [r for r in responses if key in r.answers]
        if question["kind"] == "rating":
            item["all"] = rate_of(Counter(r.answers[key] for r in given))
            per = defaultdict(Counter)
            for r in given:
                per[r.target_id][r.answers[key]] += 1
            item["targets"] = [dict(rate_of(per.get(t, Counter())), target_id=t, label=label)
                               for t, label in labels.items()]
        elif question["kind"] in ("single", "multiple"):
            counts = Counter()
            for r in given:
                for choice in (r.answers[key] if question["kind"] == "multiple" else [r.answers[key]]):
                    counts[choice] += 1
            item["choices"] = [{"option": o, "count": counts.get(i, 0)} for i, o in enumerate(question["options"])]
            item["answered"] = len(given)
        else:
            item["texts"] = [
                {"response_id": r.id, "text": r.answers[key], "target": labels.get(r.target_id, ""),
                 "channel": r.channel, "created_at": r.created_at, "contact_masked": r.contact_masked,
                 "ledger_entry_id": entries.get(r.id)}
                for r in given if _may_read(viewer, departments.get(r.target_id))]
            item["answered"] = len(given)
        out_questions.append(item)
    low = [{"response_id": r.id, "target": labels.get(r.target_id, ""), "channel": r.channel,
            "lowest": min(v for k, v in r.answers.items() if k in _rating_keys(survey)),
            "ledger_entry_id": entries.get(r.id), "created_at": r.created_at}
           for r in responses if bad(survey, r) and _may_read(viewer, departments.get(r.target_id))]
    previous = previous_round(survey)
    mine = by_dimension(survey, responses)
    comparison = None
    if previous is not None:
        theirs = by_dimension(previous, _responses(previous))
        comparison = {"survey_id": previous.id, "title": previous.title,
                      "headline": headline(previous),
                      "dimensions": {d: {"now": mine[d]["rate"], "before": theirs[d]["rate"]}
                                     for d in mine if d in theirs}}
    channels = Counter(r.channel for r in responses)
    return {"survey_id": survey.id, "answers": len(responses), "channels": dict(channels),
            "headline": headline(survey, responses), "invited": invited_rate(survey),
            "dimensions": mine, "questions": out_questions, "low_answers": low, "previous": comparison}


def _rating_keys(survey: Survey) -> set:
    return {x["key"] for x in survey.questions if x["kind"] == "rating"}


def bad(survey: Survey, response: SurveyResponse) -> bool:
    """A 1–2 on any five-level question."""
    keys = _rating_keys(survey)
    return any(isinstance(v, int) and v <= BAD_MAX for k, v in response.answers.items() if k in keys)


def year_figure(year: int) -> dict:
    """The year's 民意调查 figure: every opened round ending in ``year``, their headline answers pooled."""
    total = Counter()
    surveys = db.session.scalars(select(Survey).where(Survey.status != "draft", Survey.period_end >= date(year, 1, 1),
                                                      Survey.period_end <= date(year, 12, 31))).all()
    for survey in surveys:
        h = headline(survey)
        for level, count in h["distribution"].items():
            total[int(level)] += count
    figure = rate_of(total)
    return dict(figure, rounds=len(surveys), target=YEAR_TARGET,
                meets_target=None if figure["rate"] is None else figure["rate"] >= YEAR_TARGET)


def pooled(items: list[dict]) -> dict:
    """The headline answers of several rounds (``in_period``'s items) counted together."""
    total = Counter()
    for item in items:
        for level, count in item["headline"]["distribution"].items():
            total[int(level)] += count
    return rate_of(total)


def in_period(start: date, end: date) -> list[dict]:
    """The opened rounds whose period overlaps ``start``..``end``, with their figures, for reports."""
    out = []
    for survey in db.session.scalars(select(Survey).where(Survey.status != "draft", Survey.period_start <= end,
                                                          Survey.period_end >= start).order_by(Survey.period_start)):
        responses = _responses(survey)
        out.append({"survey": survey, "title": survey.title, "answers": len(responses),
                    "headline": headline(survey, responses), "invited": invited_rate(survey),
                    "dimensions": by_dimension(survey, responses)})
    return out
