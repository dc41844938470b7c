"""Which playlist a screen shows now: its schedules (by time of day, weekday and dates in the
hall's zone), else its own playlist, else the default for its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from ..extensions import db
from ..models import Notice, Playlist, Schedule

DEFAULT_HALL = [
    {"kind": "identity_wall", "duration": 20},
    {"kind": "member_spotlight", "duration": 12},
    {"kind": "standards", "duration": 20},
    {"kind": "pledges", "duration": 15},
    {"kind": "honor_board", "duration": 15},
    {"kind": "notices", "duration": 12},
    {"kind": "banner", "duration": 10},
    {"kind": "satisfaction", "duration": 15},
    {"kind": "boards", "duration": 15},  # shown only when a board is published
    {"kind": "wishes", "duration": 12},  # shown only when wishes were fulfilled
    {"kind": "take_part", "duration": 15},  # shown only while a survey round is open to citizens
]
# A window screen is one composed page (member, service items, rating QR), not a rotation.
DEFAULT_WINDOW = [{"kind": "window", "duration": 0}]


@dataclass
class PlaylistBook:
    playlists: dict = field(default_factory=dict)   # id -> slides
    schedules: list = field(default_factory=list)

    def get(self, playlist_id, default=None):
        return self.playlists.get(playlist_id, default)


def load_playlists() -> PlaylistBook:
    book = PlaylistBook()
    for p in db.session.scalars(select(Playlist)):
        book.playlists[p.id] = [dict(s) for s in (p.slides or [])]
    # Plain copies, not rows: a push round keeps the book for later rounds, after its session is gone.
    columns = [c.key for c in Schedule.__table__.columns]
    book.schedules = [SimpleNamespace(**{name: getattr(s, name) for name in columns})
                      for s in db.session.scalars(select(Schedule).order_by(Schedule.priority.desc(), Schedule.id))]
    return book


def _clock(value: str | None, default: time) -> time:
    if not value:
        return default
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def schedule_matches(schedule: Schedule, local: datetime) -> bool:
    day = local.date()
    if schedule.start_date and day < schedule.start_date:
        return False
    if schedule.end_date and day > schedule.end_date:
        return False
    start, end = _clock(schedule.start_time, time(0, 0)), _clock(schedule.end_time, time(23, 59, 59, 999999))
    now = local.time()
    if start <= end:
        weekday = local.weekday()
        in_time = start <= now < end if schedule.end_time else start <= now
    else:  # overnight, e.g. 20:00-07:00: the part after midnight belongs to the day before
        in_time = now >= start or now < end
        weekday = local.weekday() if now >= start else (local.weekday() - 1) % 7
    return in_time and weekday in (schedule.weekdays or [])


def effective_playlist(screen, book: PlaylistBook, now: datetime) -> int | None:
    from ..timefmt import hall_zone

    return playlist_in_force(screen.id, screen.group_id, screen.playlist_id, book, now.astimezone(hall_zone()))


def playlist_in_force(screen_id: int, group_id: int | None, playlist_id: int | None, book: PlaylistBook,
                      local: datetime) -> int | None:
    """The playlist for a screen at hall-local time ``local``, or None for its kind's default."""
    best = None
    for schedule in book.schedules:
        if schedule.screen_id != screen_id and (schedule.group_id is None or schedule.group_id != group_id):
            continue
        if schedule.playlist_id not in book.playlists or not schedule_matches(schedule, local):
            continue
        # Higher priority wins; on a tie a schedule for this very screen beats one for its group.
        rank = (schedule.priority, schedule.screen_id is not None)
        if best is None or rank > best[0]:
            best = (rank, schedule.playlist_id)
    if best:
        return best[1]
    return playlist_id if playlist_id in book.playlists else None


def _boundaries(now: datetime) -> list[datetime]:
    """Every instant from a day before ``now`` to two days after when a schedule or a notice
    starts or ends, or the hall's date changes."""
    from ..timefmt import hall_zone

    zone = hall_zone()
    local = now.astimezone(zone)
    since, until = now - timedelta(days=1), now + timedelta(days=2)
    candidates = []
    for schedule in db.session.scalars(select(Schedule)):
        for clock in (schedule.start_time, schedule.end_time):
            if not clock:
                continue
            for days in (-1, 0, 1):
                candidates.append(datetime.combine(local.date() + timedelta(days=days), _clock(clock, time(0, 0)), zone))
        for day in (schedule.start_date, schedule.end_date and schedule.end_date + timedelta(days=1)):
            if day:
                candidates.append(datetime.combine(day, time(0, 0), zone))
    for days in (0, 1):  # pledges' periods and the month's satisfaction roll over by date
        candidates.append(datetime.combine(local.date() + timedelta(days=days), time(0, 0), zone))
    for notice in db.session.scalars(select(Notice).where(
            Notice.starts_at.between(since, until) | Notice.ends_at.between(since, until))):
        candidates += [at for at in (notice.starts_at, notice.ends_at) if at]
    return [at for at in candidates if since <= at <= until]


def next_boundary(now: datetime) -> datetime | None:
    """The next instant a schedule or a notice starts or ends (UTC), within two days."""
    return min((at for at in _boundaries(now) if at > now), default=None)


def last_boundary(now: datetime) -> datetime | None:
    """The latest such instant at or before ``now``, within a day (the scheduler's catch-up)."""
    return max((at for at in _boundaries(now) if at <= now), default=None)
