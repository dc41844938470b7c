"""The hall's record types, described once for the API, the console and the records service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from . import models as m
from . import schemas as s

READ_ALL = ("admin", "leader", "staff")
MANAGERS = ("admin", "leader")
ADMIN = ("admin",)


@dataclass(frozen=True)
class Resource:
    name: str                      # collection name in URLs: "departments"
    entity: str                    # singular, for the audit log: "department"
    label: Any                     # translated, for people
    model: type
    schema_in: type
    schema_out: type
    read_roles: tuple = READ_ALL
    write_roles: tuple = ADMIN
    references: dict = field(default_factory=dict)   # field -> model the id must exist in
    links: dict = field(default_factory=dict)        # list field -> (relationship, model)
    filters: dict = field(default_factory=dict)      # query parameter -> (type, column)
    search: tuple = ()                               # columns searched by ?q=
    sort: dict = field(default_factory=dict)         # sort key -> column
    default_sort: str = "id"
    unique: dict = field(default_factory=dict)       # field -> column that must not repeat
    prepare: Callable[[dict], dict] | None = None    # last say on input before it is stored
    title: Callable[[Any], str] = lambda obj: str(getattr(obj, "name", obj.id))
    # What a record belongs to, for leaders' writes (admin.services.records): values -> (window id,
    # member id). None: no department owns it, the write roles alone decide.
    owner: Callable[[dict], tuple] | None = None


def _notice_times(data: dict) -> dict:
    """Times without an offset are the hall's local time; stored in UTC."""
    from .timefmt import hall_zone

    for key in ("starts_at", "ends_at"):
        value = data.get(key)
        if isinstance(value, datetime) and value.tzinfo is None:
            data[key] = value = value.replace(tzinfo=hall_zone())
        if isinstance(value, datetime):
            try:
                value.astimezone(timezone.utc)
            except OverflowError:  # e.g. 0001-01-01 in UTC+8: before the first storable time
                from .errors import Invalid
                from flask_babel import gettext as _

                raise Invalid(_("This time is out of range."), field=key) from None
    if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
        from .errors import Invalid
        from flask_babel import gettext as _

        raise Invalid(_("The end must be after the start."), field="ends_at")
    return data


def _hall_screens_only(data: dict) -> dict:
    """Schedules and playlists choose slides for hall screens; a window screen always shows its
    window (member on duty, service items, rating codes). Refuse rather than ignore them."""
    from flask_babel import gettext as _

    from .errors import Invalid
    from .extensions import db

    screen_id = data.get("screen_id")
    if screen_id is not None:
        screen = db.session.get(m.Screen, screen_id)
        if screen is not None and screen.kind == "window":
            raise Invalid(_("A window screen always shows its window: schedules apply to hall screens only."),
                          field="screen_id")
    if data.get("kind") == "window" and data.get("playlist_id") is not None:
        raise Invalid(_("A window screen always shows its window: a playlist applies to hall screens only."),
                      field="playlist_id")
    return data


DEPARTMENTS = Resource(
    "departments", "department", _l("Departments"), m.Department, s.DepartmentIn, s.DepartmentOut,
    search=(m.Department.name,),
    sort={"id": m.Department.id, "name": m.Department.name, "sort_order": m.Department.sort_order},
    default_sort="sort_order",
    unique={"name": m.Department.name},
)

WINDOWS = Resource(
    "windows", "window", _l("Windows"), m.Window, s.WindowIn, s.WindowOut,
    references={"department_id": m.Department},
    links={"service_item_ids": ("service_items", m.Standard)},
    filters={"department_id": (int, m.Window.department_id)},
    search=(m.Window.number, m.Window.name),
    sort={"id": m.Window.id, "number": m.Window.number, "name": m.Window.name},
    default_sort="number",
    unique={"number": m.Window.number},
    title=lambda w: f"{w.number} {w.name}",
)

STAFF = Resource(
    "staff", "staff", _l("Staff"), m.Staff, s.StaffIn, s.StaffOut,
    references={"department_id": m.Department, "window_id": m.Window},
    filters={
        "department_id": (int, m.Staff.department_id),
        "window_id": (int, m.Staff.window_id),
        "is_party_member": (bool, m.Staff.is_party_member),
        "on_duty": (bool, m.Staff.on_duty),
    },
    search=(m.Staff.name, m.Staff.employee_no, m.Staff.title),
    sort={"id": m.Staff.id, "name": m.Staff.name, "employee_no": m.Staff.employee_no,
          "sort_order": m.Staff.sort_order},
    default_sort="sort_order",
    unique={"employee_no": m.Staff.employee_no},
)

STANDARDS = Resource(
    "standards", "standard", _l("Service standards"), m.Standard, s.StandardIn, s.StandardOut,
    references={"department_id": m.Department},
    links={"window_ids": ("windows", m.Window)},
    filters={"department_id": (int, m.Standard.department_id), "kind": (str, m.Standard.kind)},
    search=(m.Standard.item_name,),
    sort={"id": m.Standard.id, "item_name": m.Standard.item_name, "sort_order": m.Standard.sort_order},
    default_sort="sort_order",
    title=lambda st: st.item_name,
)

PLEDGES = Resource(
    "pledges", "pledge", _l("Pledges"), m.Pledge, s.PledgeIn, s.PledgeOut,
    write_roles=MANAGERS,
    owner=lambda values: (None, values.get("staff_id")),  # the organisation's own pledges: administrators
    references={"staff_id": m.Staff},
    filters={"staff_id": (int, m.Pledge.staff_id), "published": (bool, m.Pledge.published)},
    search=(m.Pledge.text,),
    sort={"id": m.Pledge.id, "period_start": m.Pledge.period_start},
    title=lambda p: p.text[:30],
)

HONORS = Resource(
    "honors", "honor", _l("Honors"), m.Honor, s.HonorIn, s.HonorOut,
    write_roles=MANAGERS,
    owner=lambda values: (values.get("window_id"), values.get("staff_id")),
    references={"staff_id": m.Staff, "window_id": m.Window},
    filters={"staff_id": (int, m.Honor.staff_id), "window_id": (int, m.Honor.window_id)},
    search=(m.Honor.title, m.Honor.issuer),
    sort={"id": m.Honor.id, "awarded_on": m.Honor.awarded_on, "title": m.Honor.title},
    default_sort="-awarded_on",
    title=lambda h: h.title,
)

NOTICES = Resource(
    "notices", "notice", _l("Notices"), m.Notice, s.NoticeIn, s.NoticeOut,
    write_roles=MANAGERS,
    filters={"priority": (str, m.Notice.priority)},
    search=(m.Notice.title, m.Notice.text),
    sort={"id": m.Notice.id, "starts_at": m.Notice.starts_at, "title": m.Notice.title},
    default_sort="-id",
    prepare=_notice_times,
    title=lambda n: n.title,
)

# Screens and kiosks: reading and changing use the generic paths; creating makes a token (devices service).
PLAYLISTS = Resource(
    "playlists", "playlist", _l("Playlists"), m.Playlist, s.PlaylistIn, s.PlaylistOut,
    read_roles=MANAGERS,
    search=(m.Playlist.name,),
    sort={"id": m.Playlist.id, "name": m.Playlist.name},
    unique={"name": m.Playlist.name},
)

SCREEN_GROUPS = Resource(
    "screen-groups", "screen_group", _l("Screen groups"), m.ScreenGroup, s.ScreenGroupIn, s.ScreenGroupOut,
    read_roles=MANAGERS,
    search=(m.ScreenGroup.name,),
    sort={"id": m.ScreenGroup.id, "name": m.ScreenGroup.name},
    unique={"name": m.ScreenGroup.name},
)

SCHEDULES = Resource(
    "schedules", "schedule", _l("Schedules"), m.Schedule, s.ScheduleIn, s.ScheduleOut,
    read_roles=MANAGERS,
    prepare=_hall_screens_only,
    references={"playlist_id": m.Playlist, "screen_id": m.Screen, "group_id": m.ScreenGroup},
    filters={"screen_id": (int, m.Schedule.screen_id), "group_id": (int, m.Schedule.group_id),
             "playlist_id": (int, m.Schedule.playlist_id)},
    search=(m.Schedule.name,),
    sort={"id": m.Schedule.id, "priority": m.Schedule.priority},
    default_sort="-priority",
    title=lambda sc: sc.name or f"#{sc.id}",
)

SCREENS = Resource(
    "screens", "screen", _l("Screens"), m.Screen, s.ScreenIn, s.ScreenOut,
    read_roles=MANAGERS,
    prepare=_hall_screens_only,
    references={"window_id": m.Window, "group_id": m.ScreenGroup, "playlist_id": m.Playlist},
    filters={"kind": (str, m.Screen.kind), "window_id": (int, m.Screen.window_id),
             "group_id": (int, m.Screen.group_id)},
    search=(m.Screen.name,),
    sort={"id": m.Screen.id, "name": m.Screen.name},
)

KIOSKS = Resource(
    "kiosks", "kiosk", _l("Kiosks"), m.Kiosk, s.KioskIn, s.KioskOut,
    read_roles=MANAGERS,
    references={"window_id": m.Window},
    filters={"window_id": (int, m.Kiosk.window_id)},
    search=(m.Kiosk.name,),
    sort={"id": m.Kiosk.id, "name": m.Kiosk.name},
)

RESOURCES = {r.name: r for r in (DEPARTMENTS, WINDOWS, STAFF, STANDARDS, PLEDGES, HONORS, NOTICES,
                                 PLAYLISTS, SCREEN_GROUPS, SCHEDULES, SCREENS, KIOSKS)}
