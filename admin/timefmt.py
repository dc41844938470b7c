"""Showing UTC times in the hall's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def hall_zone() -> ZoneInfo:
    from .services.settings import get_setting

    return ZoneInfo(get_setting("timezone") or current_app.config["HALL_TIMEZONE"])


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(hall_zone()).strftime(fmt)
