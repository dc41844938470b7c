"""The hall's simple record types in the console: departments, windows, service standards,
pledges, honors and notices. Each is a column list and a field list for the generic pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import catalog
from .. import models as m
from .forms import COMMON_DESIGNATIONS, Field, rows, static
from .pages import Column, RecordPage, attr, register, related


def department_options():
    return rows(m.Department, lambda d: d.name, m.Department.sort_order, m.Department.name)


def window_options():
    return rows(m.Window, lambda w: f"{w.number} {w.name}", m.Window.number)


def staff_options():
    return rows(m.Staff, lambda s: f"{s.name} ({s.employee_no})", m.Staff.sort_order, m.Staff.name)


def service_item_options():
    """Service items only: the hall-wide rules apply at every window without being linked."""
    return rows(m.Standard, lambda st: st.item_name, m.Standard.sort_order, m.Standard.item_name,
                where=m.Standard.kind == "service_item")


STANDARD_KINDS = static(("service_item", _l("Service item")), ("hall_rule", _l("Hall rule")))
PRIORITIES = static(("normal", _l("Normal")), ("urgent", _l("Urgent")))
NO_DEPARTMENT = _l("(no department)")

SORT_ORDER = Field("sort_order", _l("Sort order"), "number", help=_l("Smaller numbers come first."))


departments = register(RecordPage(
    catalog.DEPARTMENTS,
    new_title=_l("New department"), edit_title=_l("Edit department"), view_title=_l("Department"),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64),
        SORT_ORDER,
        Field("description", _l("Description"), "textarea"),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Description"), attr("description"), "long"),
        Column(_l("Sort order"), attr("sort_order"), sort="sort_order"),
    ],
))

windows = register(RecordPage(
    catalog.WINDOWS,
    new_title=_l("New window"), edit_title=_l("Edit window"), view_title=_l("Window"),
    fields=[
        Field("number", _l("Window number"), required=True, maxlength=16, help=_l("As shown above the counter, e.g. A01.")),
        Field("name", _l("Name"), required=True, maxlength=64),
        Field("department_id", _l("Department"), "select", options=department_options(), empty=NO_DEPARTMENT),
        Field("description", _l("Description"), "textarea"),
        Field("service_item_ids", _l("Service items handled here"), "multi", options=service_item_options()),
    ],
    columns=[
        Column(_l("Number"), attr("number"), sort="number", link=True),
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Department"), related("department")),
        Column(_l("Service items"), lambda w: len(w.service_items)),
    ],
))

standards = register(RecordPage(
    catalog.STANDARDS,
    new_title=_l("New service standard"), edit_title=_l("Edit service standard"), view_title=_l("Service standard"),
    fields=[
        Field("item_name", _l("Service item"), required=True, maxlength=128),
        Field("kind", _l("Kind"), "select", options=STANDARD_KINDS,
              help=_l("A hall rule is a hall-wide rule such as first-inquiry responsibility.")),
        Field("department_id", _l("Department"), "select", options=department_options(), empty=NO_DEPARTMENT),
        Field("time_limit", _l("Time limit"), maxlength=64, help=_l("For example: 3 working days.")),
        Field("fees", _l("Fees"), maxlength=128),
        SORT_ORDER,
        Field("description", _l("Description"), "textarea"),
        Field("steps", _l("Steps"), "lines", help=_l("One step per line.")),
        Field("materials", _l("Required materials"), "lines", help=_l("One item per line.")),
        Field("service_language", _l("Service language"), "textarea"),
        Field("legal_basis", _l("Legal basis"), "textarea"),
        Field("window_ids", _l("Windows"), "multi", options=window_options()),
    ],
    columns=[
        Column(_l("Service item"), attr("item_name"), sort="item_name", link=True),
        Column(_l("Kind"), attr("kind"), "choice", choices=STANDARD_KINDS),
        Column(_l("Department"), related("department")),
        Column(_l("Time limit"), attr("time_limit")),
        Column(_l("Fees"), attr("fees")),
        Column(_l("Windows"), lambda st: " ".join(w.number for w in st.windows)),
        Column(_l("Sort order"), attr("sort_order"), sort="sort_order"),
    ],
))

pledges = register(RecordPage(
    catalog.PLEDGES,
    new_title=_l("New pledge"), edit_title=_l("Edit pledge"), view_title=_l("Pledge"),
    fields=[
        Field("staff_id", _l("Made by"), "select", options=staff_options(), empty=_l("The party organisation"),
              help=_l("Leave empty for the party organisation's pledge.")),
        Field("published", _l("Published on the screens"), "checkbox"),
        Field("period_start", _l("Period from"), "date"),
        Field("period_end", _l("Period until"), "date"),
        Field("text", _l("Pledge"), "textarea", required=True),
    ],
    columns=[
        Column(_l("Made by"), lambda p: p.staff.name if p.staff else _l("The party organisation"), link=True),
        Column(_l("Pledge"), attr("text"), "long"),
        Column(_l("Period from"), attr("period_start"), "date", sort="period_start"),
        Column(_l("Period until"), attr("period_end"), "date"),
        Column(_l("Published"), attr("published"), "bool"),
    ],
))

honors = register(RecordPage(
    catalog.HONORS,
    new_title=_l("New honor"), edit_title=_l("Edit honor"), view_title=_l("Honor"),
    intro=_l("An honor goes to one member or one window."),
    fields=[
        Field("title", _l("Title"), required=True, maxlength=128, suggestions=COMMON_DESIGNATIONS),
        Field("awarded_on", _l("Awarded on"), "date", required=True),
        Field("staff_id", _l("Member"), "select", options=staff_options(), empty=_l("(none)")),
        Field("window_id", _l("Window"), "select", options=window_options(), empty=_l("(none)")),
        Field("issuer", _l("Awarded by"), maxlength=128),
    ],
    columns=[
        Column(_l("Title"), attr("title"), sort="title", link=True),
        Column(_l("Member"), related("staff")),
        Column(_l("Window"), lambda h: f"{h.window.number} {h.window.name}" if h.window else None),
        Column(_l("Awarded on"), attr("awarded_on"), "date", sort="awarded_on"),
        Column(_l("Awarded by"), attr("issuer")),
    ],
))

class NoticePage(RecordPage):
    """An urgent notice's page also lists which screens have shown it."""

    form_template = "console/notices/form.html"

    def form_context(self, obj) -> dict:
        from ..push.acks import urgent_acknowledgements

        return {"acknowledgements": urgent_acknowledgements(obj) if obj is not None else []}


notices = register(NoticePage(
    catalog.NOTICES,
    new_title=_l("New notice"), edit_title=_l("Edit notice"), view_title=_l("Notice"),
    fields=[
        Field("title", _l("Title"), required=True, maxlength=128),
        Field("priority", _l("Priority"), "select", options=PRIORITIES,
              help=_l("An urgent notice takes over every screen while it runs.")),
        Field("starts_at", _l("Shown from"), "datetime", help=_l("In the hall's time zone; empty: from now.")),
        Field("ends_at", _l("Shown until"), "datetime", help=_l("Empty: until removed.")),
        Field("text", _l("Text"), "textarea"),
    ],
    columns=[
        Column(_l("Title"), attr("title"), sort="title", link=True),
        Column(_l("Priority"), attr("priority"), "choice", choices=PRIORITIES),
        Column(_l("Shown from"), attr("starts_at"), "datetime", sort="starts_at"),
        Column(_l("Shown until"), attr("ends_at"), "datetime"),
        Column(_l("Running now"), attr("active"), "bool"),
    ],
))
