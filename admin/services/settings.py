"""Hall-wide settings stored in the database, with defaults."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from ..models import Setting

DEFAULTS = {
    "hall_name": "政务服务中心",
    "timezone": None,  # falls back to the HALL_TIMEZONE config
    "banner": "亮身份 亮标准 亮承诺 · 比技能 比作风 比业绩 · 群众评议 党员互评 领导点评",
    # The campaign (三比三评); admin/campaign/settings.py validates these.
    "satisfied_levels": [3, 4, 5],          # 好差评: 非常满意, 满意, 基本满意; alternative [4, 5]
    "target_satisfaction": 0.95,            # 群众满意率 95% 以上
    "target_skill_share": 0.98,             # 在职党员岗位能手比率 98%
    "low_confidence_below": 30,             # rates from fewer ratings are marked low-confidence
    "ranking_min_sample": 30,               # 比满意度: members with fewer ratings are not ranked
    "composite_weights": {"skill": 20, "conduct": 20, "performance": 20, "satisfaction": 40},
    "boards_published": [],                 # board keys shown on hall screens (opt-in)
    "board_period": "quarter",              # month | quarter | year
    "rectification_working_days": 5,        # default deadline of a new ledger entry
    "auto_review_rounds": True,             # the scheduler opens quarterly / half-yearly rounds
    "review_due_days": 14,
}


def _stored() -> dict:
    """All stored settings, read once per app context (a request, a job run, a push round)."""
    if "hall_settings" not in g:
        g.hall_settings = {row.key: row.value for row in db.session.scalars(select(Setting))}
    return g.hall_settings


def get_setting(key: str):
    stored = _stored()
    if stored.get(key) is not None:
        return stored[key]
    if key == "timezone":
        return current_app.config["HALL_TIMEZONE"]
    return DEFAULTS.get(key)


def set_setting(key: str, value, actor: str) -> None:
    from .audit import record

    if key not in DEFAULTS:
        raise Invalid(_("Unknown setting %(key)s.", key=key), field=key)
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise Invalid(_("Unknown time zone."), field="timezone") from None
    g.pop("hall_settings", None)
    row = db.session.get(Setting, key) or Setting(key=key)
    old = row.value
    row.value = value
    db.session.add(row)
    record(actor, "update", "setting", key, changes={key: [old, value]})
    db.session.commit()
    g.pop("hall_settings", None)
