"""The intake's rules, apart from storing: how many ratings a source may send, when a rating may
have been made, who it is about, which channel goes with which token, and what is flagged.
docs/RATINGS.md says them for people; tests/kiosk/test_abuse.py proves each."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from liangbiping.admin.errors import Conflict, Invalid, TooManyRequests
from liangbiping.admin.extensions import db
from liangbiping.admin.limits import TokenBuckets
from liangbiping.admin.models import Rating, Staff

from .schemas import RatingIn
from .sources import Source

log = logging.getLogger(__name__)

REPEAT_PRESS = timedelta(seconds=3)
PHONE_WINDOW = timedelta(hours=24)
FUTURE_SLACK = timedelta(minutes=5)
MAX_AGE = timedelta(days=30)
CHECK_IN_SQL = object()  # flag_for's answer for a kiosk: the repeat-press rule is decided by the INSERT


# --- bursts ----------------------------------------------------------------------------------

limiter = TokenBuckets(30, 0.5)  # the defaults; _limits() gives each kind's


def _limits(kind: str) -> tuple[float, float]:
    """(capacity, refill per second) for ``kiosk`` or ``address`` sources.

    ``RATING_BURST_<KIND>`` in the app config or ``LIANGBIPING_RATING_BURST_<KIND>`` in the
    environment, as ``"capacity/per_second"``; capacity 0 turns the limit off (benchmarks).
    """
    defaults = {"kiosk": (30.0, 0.5), "address": (20.0, 0.2)}
    raw = current_app.config.get(f"RATING_BURST_{kind.upper()}") or os.environ.get(
        f"LIANGBIPING_RATING_BURST_{kind.upper()}")
    if raw:
        try:
            capacity, rate = (float(x) for x in str(raw).split("/"))
            return capacity, rate
        except ValueError:
            log.warning("ignoring bad RATING_BURST_%s=%r", kind.upper(), raw)
    return defaults[kind]


def check_burst(key: str, kind: str) -> None:
    capacity, rate = _limits(kind)
    wait = limiter.take(key, capacity, rate)
    if wait:
        raise TooManyRequests(_("Too many ratings from here. Please wait a moment."), retry_after=wait)


# --- the rating itself --------------------------------------------------------------------

def rated_at_from(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        from liangbiping.admin.timefmt import hall_zone

        value = value.replace(tzinfo=hall_zone())
    if value > now + FUTURE_SLACK:
        raise Invalid(_("rated_at is in the future."), field="rated_at")
    if value < now - MAX_AGE:
        raise Invalid(_("rated_at is more than 30 days ago."), field="rated_at")
    return value


def who_is_rated(staff_id: int | None, window_id: int | None, src: Source,
                 required: bool = True) -> tuple[int | None, int | None]:
    """The member and window a rating (or suggestion) is about: the tokens decide, the body may
    only agree or fill gaps, so that a rating always lands on the member who served.

    * a badge or prompt rates its own member, at that member's window: a body naming another
      member or another window is refused;
    * a kiosk standing at a window (or a phone that scanned its code) rates that window, and a
      member picked there must serve at it;
    * a floor kiosk's phone code offers every window: a member picked must serve at the window named.
    """
    if src.staff_id is not None:
        if staff_id is not None and staff_id != src.staff_id:
            raise Invalid(_("staff_id does not match the QR code."), field="staff_id")
        staff_id = src.staff_id
    bound = src.kiosk_window_id if src.kiosk_window_id is not None else src.qr_window_id
    if bound is not None and window_id is not None and window_id != bound:
        raise Invalid(_("This kiosk rates window %(id)s only.", id=bound), field="window_id")
    if src.prompt is not None:
        if window_id is not None and src.prompt.window_id is not None and window_id != src.prompt.window_id:
            raise Invalid(_("The QR code was made for window %(id)s.", id=src.prompt.window_id), field="window_id")
        window_id = src.prompt.window_id
    elif src.token is not None and src.token.kind == "badge":
        own = src.badge_window_id
        if window_id is not None and window_id != own:
            raise Invalid(_("A badge rates its member at their own window only."), field="window_id")
        window_id = own if src.kiosk_window_id is None else src.kiosk_window_id
    window_id = window_id if window_id is not None else src.window_id
    if required and staff_id is None and window_id is None:
        raise Invalid(_("Say who is rated: staff_id or window_id."), field="staff_id")
    picked = staff_id is not None and src.staff_id is None
    if picked and (src.kiosk_id is not None or (src.token is not None and src.token.kind == "kiosk")):
        # A member chosen on a kiosk's screen or on the phone page of its code: only someone
        # serving at that window was offered, so anyone else is a rating the screen never showed.
        if window_id is None:
            raise Invalid(_("Say at which window the member served you: window_id."), field="window_id")
        windows = member_windows()
        if staff_id in windows and windows[staff_id] != window_id:
            raise Invalid(_("This member does not serve at window %(id)s.", id=window_id), field="staff_id")
    return staff_id, window_id


def member_windows() -> dict[int, int | None]:
    """{member: the window they serve at}, remembered until a member or a window changes
    (admin.ledger.autoopen.remembered): a busy hall's intake reads it for every kiosk rating."""
    from liangbiping.admin.ledger import autoopen

    return autoopen.remembered(db.engine, ("member_windows",),
                               lambda conn: dict(conn.execute(select(Staff.__table__.c.id, Staff.__table__.c.window_id)).all()),
                               connect=db.session.connection)


def check_channel(body: RatingIn, src: Source) -> None:
    if src.device and body.channel != "device":
        raise Invalid(_("An evaluator device's token goes with the device channel."), field="channel")
    if src.kiosk_id is not None and body.channel not in ("kiosk", "device"):
        raise Invalid(_("A kiosk token goes with the kiosk or device channel."), field="channel")
    if src.kiosk_id is None and body.channel not in ("qr", "web"):
        raise Invalid(_("A QR token goes with the qr or web channel."), field="channel")


def flag_for(src: Source, staff_id: int | None, rated_at: datetime, now: datetime):
    if src.kiosk_id is not None and src.prompt is None:
        return CHECK_IN_SQL  # the repeat-press rule, decided by the insert itself (INSERT_KIOSK)
    if src.phone and staff_id is not None:
        since = now - PHONE_WINDOW
        if src.rater_hash:
            seen = db.session.scalar(select(Rating.id).where(
                Rating.staff_id == staff_id, Rating.rater_hash == src.rater_hash,
                Rating.received_at >= since).limit(1))
            if seen is not None:
                raise Conflict(_("You have already rated this member today. Thank you."), code="already_rated")
        if src.address_hash:
            seen = db.session.scalar(select(Rating.id).where(
                Rating.staff_id == staff_id, Rating.address_hash == src.address_hash,
                Rating.received_at >= since).limit(1))
            if seen is not None:
                return "repeat_address"
    return None
