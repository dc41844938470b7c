"""Validating the campaign's settings before they are stored (admin.services.settings keeps them)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import Invalid
from ..services.settings import get_setting, set_setting

LEVEL_CHOICES = {"3-5": [3, 4, 5], "4-5": [4, 5]}


def _fraction(raw: str, field: str) -> float:
    try:
        value = float(str(raw).strip().rstrip("%"))
    except ValueError:
        raise Invalid(_("A percentage from 1 to 100 is needed."), field=field) from None
    if not 1 <= value <= 100:
        raise Invalid(_("A percentage from 1 to 100 is needed."), field=field)
    return round(value / 100, 4)


def _whole(raw: str, field: str, low: int, high: int) -> int:
    text = str(raw).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise Invalid(_("A whole number from %(low)s to %(high)s is needed.", low=low, high=high), field=field)
    return int(text)


def parse(form) -> dict:
    """Values to store from the settings form; Invalid names the first bad field."""
    levels = LEVEL_CHOICES.get(form.get("satisfied_levels", ""))
    if levels is None:
        raise Invalid(_("Choose which levels count as satisfied."), field="satisfied_levels")
    weights = {k: _whole(form.get(f"weight_{k}", ""), f"weight_{k}", 0, 100)
               for k in ("satisfaction", "skill", "conduct", "performance")}
    if sum(weights.values()) == 0:
        raise Invalid(_("At least one weight must be above zero."), field="weight_satisfaction")
    period = form.get("board_period", "")
    if period not in ("month", "quarter", "year"):
        raise Invalid(_("Choose a period."), field="board_period")
    return {
        "satisfied_levels": levels,
        "target_satisfaction": _fraction(form.get("target_satisfaction", ""), "target_satisfaction"),
        "target_skill_share": _fraction(form.get("target_skill_share", ""), "target_skill_share"),
        "low_confidence_below": _whole(form.get("low_confidence_below", ""), "low_confidence_below", 1, 10000),
        "ranking_min_sample": _whole(form.get("ranking_min_sample", ""), "ranking_min_sample", 0, 10000),
        "composite_weights": weights,
        "board_period": period,
        "rectification_working_days": _whole(form.get("rectification_working_days", ""),
                                             "rectification_working_days", 1, 60),
        "auto_review_rounds": form.get("auto_review_rounds") == "1",
        "review_due_days": _whole(form.get("review_due_days", ""), "review_due_days", 1, 90),
    }


def save(values: dict, actor: str) -> bool:
    changed = False
    for key, value in values.items():
        if get_setting(key) != value:
            set_setting(key, value, actor)
            changed = True
    return changed


def current() -> dict:
    levels = get_setting("satisfied_levels") or [3, 4, 5]
    return {
        "satisfied_levels": "4-5" if list(levels) == [4, 5] else "3-5",
        "target_satisfaction": f"{float(get_setting('target_satisfaction')) * 100:g}",
        "target_skill_share": f"{float(get_setting('target_skill_share')) * 100:g}",
        "low_confidence_below": str(get_setting("low_confidence_below")),
        "ranking_min_sample": str(get_setting("ranking_min_sample")),
        **{f"weight_{k}": str(v) for k, v in (get_setting("composite_weights") or {}).items()},
        "board_period": get_setting("board_period"),
        "rectification_working_days": str(get_setting("rectification_working_days")),
        "auto_review_rounds": "1" if get_setting("auto_review_rounds") else "",
        "review_due_days": str(get_setting("review_due_days")),
    }
