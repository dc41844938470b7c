"""Screens and kiosks in the console. A new device gets its token once, or is paired by the
code its own browser shows (then the device collects the token itself and nobody sees it)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import catalog
from ..errors import Invalid, NotFound
from ..services import pairing
from ..services.devices import create_device
from .forms import Field, static
from .hall import window_options
from .pages import Column, RecordPage, attr, register

SCREEN_KINDS = static(("hall", _l("Lobby screen")), ("window", _l("Window screen")))

PAIRING_CODE = Field("code", _l("Pairing code"), maxlength=6,
                     help=_l("The 6-character code the new device shows. Leave empty to get a token to enter by hand."))


class DevicePage(RecordPage):
    """Creating makes a token (shown once) or claims a pairing code."""

    kind = "screen"      # as the pairing service names it
    path = "display"     # where the device's page lives: /display/<id> or /kiosk/<id>

    def form_fields(self, obj):
        return self.fields + [PAIRING_CODE] if obj is None else self.fields

    def create(self, data, raw):
        code = (data.pop("code", "") or "").strip()
        if code:
            try:
                device = pairing.claim(self.kind, code, data, g.actor)
            except NotFound as exc:
                raise Invalid(exc.message, field="code") from None
            device.paired = True
            return device
        device, secret = create_device(self.res, data, g.actor)
        device.token = secret
        return device

    def created(self, obj):
        if getattr(obj, "paired", False):
            flash(_("Paired: %(name)s. The device picks up its token by itself.", name=obj.name), "success")
            return redirect(url_for(f"console.{self.name}_list"))
        # The device page takes its token from the fragment, which the browser never sends to a server.
        address = f"{request.host_url.rstrip('/')}/{self.path}/{obj.id}#token={obj.token}"
        page = render_template("console/secret_once.html", heading=_("Device created"), subject=obj.name,
                               secret=obj.token, secret_label=_("Device token"), address=address,
                               note=_("Open the address once in the device's browser: the device keeps the token "
                                      "and reconnects with it from then on."),
                               back=url_for(f"console.{self.name}_list"))
        # The token is in this answer only: keep it out of every cache and the history's cache.
        return page, 200, {"Cache-Control": "no-store"}


class ScreenPage(DevicePage):
    kind, path = "screen", "display"


class KioskPage(DevicePage):
    kind, path = "kiosk", "kiosk"


screens = register(ScreenPage(
    catalog.SCREENS,
    new_title=_l("New screen"), edit_title=_l("Edit screen"), view_title=_l("Screen"),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64),
        Field("kind", _l("Kind"), "select", options=SCREEN_KINDS),
        Field("window_id", _l("Window"), "select", options=window_options(), empty=_l("(no window)"),
              help=_l("Required for a window screen.")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Kind"), attr("kind"), "choice", choices=SCREEN_KINDS),
        Column(_l("Window"), lambda d: f"{d.window.number} {d.window.name}" if d.window else None),
        Column(_l("Status"), attr("status"), "status"),
        Column(_l("Last seen"), attr("last_seen_at"), "datetime"),
    ],
))

kiosks = register(KioskPage(
    catalog.KIOSKS,
    new_title=_l("New kiosk"), edit_title=_l("Edit kiosk"), view_title=_l("Kiosk"),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64),
        Field("window_id", _l("Window"), "select", options=window_options(), empty=_l("(on the floor: the citizen picks)")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Window"), lambda d: f"{d.window.number} {d.window.name}" if d.window else None),
        Column(_l("Status"), attr("status"), "status"),
        Column(_l("Last seen"), attr("last_seen_at"), "datetime"),
    ],
))
