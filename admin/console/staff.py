"""Staff members in the console: the identity list (亮身份) and a form with the ID photo."""

from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

from .. import catalog
from ..extensions import db
from ..services import photos, records
from ..services.scope import current_viewer
from .forms import COMMON_DESIGNATIONS, Field
from .hall import NO_DEPARTMENT, SORT_ORDER, department_options, window_options
from .pages import Column, RecordPage, attr, register, related


class StaffPage(RecordPage):
    """Staff records plus the photo: a bad photo refuses the whole form, so nothing changes."""

    form_template = "console/staff/form.html"
    multipart = True
    extra_fields = ("photo",)

    def _photo(self) -> bytes | None:
        """The uploaded photo as the JPEG to store, None when none was chosen; Invalid when bad."""
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            return None
        return photos.normalise(upload.read())

    def create(self, data, raw):
        """The record and its photo in one transaction: the photo is decoded and encoded once."""
        jpeg = self._photo()
        member = records.create(self.res, data, g.actor, viewer=current_viewer(), commit=False)
        if jpeg is not None:
            db.session.flush()  # the member's id names the file
            photos.store(member, jpeg, g.actor, commit=False)
        records.commit_changes(self.res)
        return member

    def update(self, obj, data, raw):
        jpeg = self._photo()
        member = records.update(self.res, obj, data, g.actor, viewer=current_viewer(), commit=False)
        if jpeg is not None:
            photos.store(member, jpeg, g.actor, commit=False)
        records.commit_changes(self.res)
        return member


staff = register(StaffPage(
    catalog.STAFF,
    new_title=_l("New staff member"), edit_title=_l("Edit staff member"), view_title=_l("Staff member"),
    fields=[
        Field("name", _p("person", "Name"), required=True, maxlength=32),
        Field("employee_no", _l("Employee number"), required=True, maxlength=32,
              help=_l("Letters, digits, - and _ only.")),
        Field("title", _l("Post"), maxlength=64, help=_l("The post or position, e.g. 窗口受理员.")),
        Field("department_id", _l("Department"), "select", options=department_options(), empty=NO_DEPARTMENT),
        Field("window_id", _l("Window"), "select", options=window_options(), empty=_l("(no window)")),
        SORT_ORDER,
        Field("is_party_member", _l("Party member"), "checkbox"),
        Field("on_duty", _l("On duty"), "checkbox"),
        Field("party_post", _l("Party post"), maxlength=64, help=_l("For example: 支部书记.")),
        Field("designations", _l("Designations"), "tags", suggestions=COMMON_DESIGNATIONS,
              help=_l("Titles shown with the member, such as 党员先锋岗.")),
        Field("duties", _l("Duties"), "textarea"),
    ],
    columns=[
        Column(_l("Photo"), attr("photo_url"), "photo"),
        Column(_p("person", "Name"), attr("name"), sort="name", link=True),
        Column(_l("Employee number"), attr("employee_no"), sort="employee_no"),
        Column(_l("Post"), attr("title")),
        Column(_l("Department"), related("department")),
        Column(_l("Window"), lambda s: f"{s.window.number} {s.window.name}" if s.window else None),
        Column(_l("Party member"), attr("is_party_member"), "party"),
        Column(_l("Designations"), attr("designations"), "tags"),
        Column(_l("On duty"), attr("on_duty"), "bool"),
    ],
))
