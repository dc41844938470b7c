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
    "public_url": None,  # falls back to LIANGBIPING_PUBLIC_URL (the PUBLIC_URL config)
    "opening_hours": [["08:30", "12:00"], ["13:30", "17:30"]],  # working days, hall-local; admin/services/opening_hours.py
    "banner": "亮身份 亮标准 亮承诺 · 比技能 比作风 比业绩 · 群众评议 党员互评 领导点评",
    # The campaign (三比三评); admin/campaign/settings_form.py validates these.
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


def stored_setting(key: str):
    """The value stored for ``key``, without the defaults and the environment it falls back to."""
    return _stored().get(key)


def get_setting(key: str):
    stored = _stored()
    if stored.get(key) is not None:
        return stored[key]
    if key == "timezone":
        return current_app.config["HALL_TIMEZONE"]
    if key == "public_url":
        return current_app.config.get("PUBLIC_URL") or None
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
    if key == "public_url" and value is not None:
        value = clean_public_url(value)
    g.pop("hall_settings", None)
    row = db.session.get(Setting, key) or Setting(key=key)
    old = row.value
    row.value = value
    db.session.add(row)
    record(actor, "update", "setting", key, changes={key: [old, value]})
    db.session.commit()
    g.pop("hall_settings", None)


def clean_public_url(value: str) -> str:
    """``http(s)://host[:port][/path]`` without a trailing slash, or Invalid: the address every QR
    code carries, so a phone on the hall's network (or the internet) can open it."""
    from urllib.parse import urlsplit

    text = (value or "").strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a bad port
    except ValueError:
        parts, port = None, None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or parts.username or len(text) > 200 or any(c.isspace() for c in text)):
        raise Invalid(_("Write the address people open, like https://zwfw.example.gov.cn or http://192.168.1.20:8000."),
                      field="public_url")
    del port
    return text


def public_base_url() -> str | None:
    """The hall's public address for QR codes (the setting, else LIANGBIPING_PUBLIC_URL), or None."""
    value = get_setting("public_url")
    return value.rstrip("/") if isinstance(value, str) and value.strip() else None


def public_url_problem() -> str | None:
    """Why the QR codes may not open on a citizen's phone: no public address, or a loopback one."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    base = public_base_url()
    if base is None:
        return "unset"
    host = urlsplit(base).hostname or ""
    try:
        loopback = ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    return "loopback" if loopback else None
