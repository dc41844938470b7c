"""What screens show, in the console: playlists of slides, screen groups and schedules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import catalog
from .. import models as m
from ..services.audit_labels import SLIDES
from .forms import Field, rows, static
from .pages import Column, RecordPage, attr, register

SLIDE_LABELS = static(*SLIDES.items())
# What a hall screen's playlist can hold (a window screen always shows its window).
HALL_SLIDES = static(*[(key, label) for key, label in SLIDE_LABELS() if key != "window"])
WEEKDAYS = static(("0", _l("Mon")), ("1", _l("Tue")), ("2", _l("Wed")), ("3", _l("Thu")), ("4", _l("Fri")),
                  ("5", _l("Sat")), ("6", _l("Sun")))


class PlaylistPage(RecordPage):
    """Slides are chosen by name, one row each, in the order they show."""

    def blank(self) -> dict:
        from .forms import slide_rows

        return {"name": "", "slides": slide_rows([{"kind": k, "duration": d} for k, d in (
            ("identity_wall", 20), ("standards", 20), ("pledges", 15), ("honor_board", 15), ("satisfaction", 15))])}


playlists = register(PlaylistPage(
    catalog.PLAYLISTS,
    new_title=_l("New playlist"), edit_title=_l("Edit playlist"), view_title=_l("Playlist"),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64),
        Field("slides", _l("Slides"), "slides", options=HALL_SLIDES,
              help=_l("The slides in the order they show, each with its seconds; leave a row empty to drop it.")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Slides"), lambda p: " → ".join(str(dict(SLIDE_LABELS()).get(s["kind"], s["kind"]))
                                                   for s in p.slides or []), "long"),
    ],
))

screen_groups = register(RecordPage(
    catalog.SCREEN_GROUPS,
    new_title=_l("New screen group"), edit_title=_l("Edit screen group"), view_title=_l("Screen group"),
    fields=[Field("name", _l("Name"), required=True, maxlength=64)],
    columns=[Column(_l("Name"), attr("name"), sort="name", link=True)],
))


def _weekdays(schedule) -> str:
    names = dict(WEEKDAYS())
    return " ".join(str(names[str(d)]) for d in schedule.weekdays or [])


class SchedulePage(RecordPage):
    """Weekdays are ticked as strings; the schema wants numbers."""

    def raw(self, obj) -> dict:
        raw = super().raw(obj)
        raw["weekdays"] = {str(d) for d in obj.weekdays or []}
        return raw

    def blank(self) -> dict:
        raw = super().blank()
        raw["weekdays"] = {"0", "1", "2", "3", "4"}
        return raw


schedules = register(SchedulePage(
    catalog.SCHEDULES,
    new_title=_l("New schedule"), edit_title=_l("Edit schedule"), view_title=_l("Schedule"),
    intro=_l("A schedule puts a playlist on one screen or one screen group during a time of day, on some "
             "weekdays, within some dates (the hall's local time). The highest priority wins."),
    fields=[
        Field("name", _l("Name"), maxlength=64),
        Field("playlist_id", _l("Playlist"), "select", options=rows(m.Playlist, lambda p: p.name, m.Playlist.name),
              required=True),
        Field("screen_id", _l("Screen"), "select", options=rows(m.Screen, lambda s: s.name, m.Screen.name),
              empty=_l("(none)")),
        Field("group_id", _l("Screen group"), "select",
              options=rows(m.ScreenGroup, lambda g: g.name, m.ScreenGroup.name), empty=_l("(none)")),
        Field("weekdays", _l("Weekdays"), "multi", options=WEEKDAYS),
        Field("start_time", _l("From (HH:MM)"), maxlength=5, help=_l("Empty: from midnight.")),
        Field("end_time", _l("Until (HH:MM)"), maxlength=5, help=_l("Empty: until midnight. Earlier than the start: overnight.")),
        Field("start_date", _l("First day"), "date"),
        Field("end_date", _l("Last day"), "date"),
        Field("priority", _l("Priority"), "number"),
    ],
    columns=[
        Column(_l("Name"), lambda sc: sc.name or f"#{sc.id}", link=True),
        Column(_l("Playlist"), lambda sc: sc.playlist.name if sc.playlist else None),
        Column(_l("Applies to"), lambda sc: sc.screen.name if sc.screen else (sc.group.name if sc.group else None)),
        Column(_l("Weekdays"), _weekdays),
        Column(_l("From (HH:MM)"), attr("start_time")),
        Column(_l("Until (HH:MM)"), attr("end_time")),
        Column(_l("First day"), attr("start_date"), "date"),
        Column(_l("Last day"), attr("end_date"), "date"),
        Column(_l("Priority"), attr("priority"), sort="priority"),
    ],
))
