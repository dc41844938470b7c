"""Screens and kiosks in the console. A new device gets its token once, or is paired by the
code its own browser shows (then the device collects the token itself and nobody sees it)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import catalog
from . import bp
from .access import roles_required
from ..errors import Invalid, NotFound
from ..services import pairing
from ..services.devices import create_device
from .forms import Field, static
from .hall import window_options
from .screen_content import SLIDE_LABELS
from .pages import Column, RecordPage, attr, register, related

SCREEN_KINDS = static(("hall", _l("Lobby screen")), ("window", _l("Window screen")))

PAIRING_CODE = Field("code", _l("Pairing code"), maxlength=6,
                     help=_l("The 6-character code the new device shows. Leave empty to get a token to enter by hand."))


class DevicePage(RecordPage):
    """Creating makes a token (shown once) or claims a pairing code."""

    kind = "screen"      # as the pairing service names it
    path = "display"     # where the device's page lives: /display/<id> or /kiosk/<id>

    def form_fields(self, obj):
        """A new device is enabled; disabling is a change to an existing one."""
        if obj is None:
            return [f for f in self.fields if f.name != "enabled"] + [PAIRING_CODE]
        return self.fields

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
    form_template = "console/screens/form.html"


def short_browser(user_agent: str) -> str:
    """'Chrome 156' or 'Firefox 128' out of a User-Agent header, for a narrow column."""
    import re

    for name, pattern in (("Edge", r"Edg/(\d+)"), ("Chrome", r"Chrom(?:e|ium)/(\d+)"),
                          ("Firefox", r"Firefox/(\d+)"), ("Safari", r"Version/(\d+).*Safari")):
        match = re.search(pattern, user_agent or "")
        if match:
            return f"{name} {match.group(1)}"
    return (user_agent or "")[:24]


def versions(screen) -> str:
    current = screen.current_version
    if current is None:
        return "—"
    return f"{screen.applied_version} / {current}"


def playlist_options():
    from .forms import rows
    from .. import models as m

    return rows(m.Playlist, lambda p: p.name, m.Playlist.name)


def group_options():
    from .forms import rows
    from .. import models as m

    return rows(m.ScreenGroup, lambda g: g.name, m.ScreenGroup.name)


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
        Field("group_id", _l("Screen group"), "select", options=group_options(), empty=_l("(no group)")),
        Field("playlist_id", _l("Playlist"), "select", options=playlist_options(), empty=_l("(the default)"),
              help=_l("Shown when no schedule applies.")),
        Field("enabled", _l("Enabled"), "checkbox",
              help=_l("A disabled screen goes back to its pairing page at once; pair it again to use it.")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Kind"), attr("kind"), "choice", choices=SCREEN_KINDS),
        Column(_l("Window"), lambda d: f"{d.window.number} {d.window.name}" if d.window else None),
        Column(_l("Group"), related("group")),
        Column(_l("Status"), attr("status"), "status"),
        Column(_l("Last seen"), attr("last_seen_at"), "datetime"),
        Column(_l("Version (applied / current)"), versions),
        Column(_l("Current slide"), attr("current_slide"), "choice", choices=SLIDE_LABELS),
        Column(_l("Resolution"), attr("resolution")),
        Column(_l("Browser"), lambda d: short_browser(d.user_agent)),
    ],
))

KIOSK_KINDS = static(("kiosk", _l("Touch kiosk (this system's page)")),
                     ("device", _l("Third-party evaluator device (posts ratings for its window)")))

kiosks = register(KioskPage(
    catalog.KIOSKS,
    new_title=_l("New kiosk"), edit_title=_l("Edit kiosk"), view_title=_l("Kiosk"),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64),
        Field("kind", _l("Kind"), "select", options=KIOSK_KINDS,
              help=_l("A third-party evaluator (评价器) gets a token that may only post ratings for its window, "
                      "channel device: see docs/INTEGRATION.md.")),
        Field("window_id", _l("Window"), "select", options=window_options(), empty=_l("(on the floor: the citizen picks)")),
        Field("enabled", _l("Enabled"), "checkbox",
              help=_l("A disabled kiosk takes no more ratings and goes back to its pairing page at once; "
                      "ratings it holds wait there until it is paired again.")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name", link=True),
        Column(_l("Kind"), attr("kind"), "choice", choices=KIOSK_KINDS),
        Column(_l("Window"), lambda d: f"{d.window.number} {d.window.name}" if d.window else None),
        Column(_l("Status"), attr("status"), "status"),
        Column(_l("Last seen"), attr("last_seen_at"), "datetime"),
    ],
))


@bp.post("/screens/<int:record_id>/command/<name>")
@roles_required("admin", "leader")
def screens_command(record_id: int, name: str):
    """Reload, identify or advance a screen; back to its page with a message."""
    from ..push import commands

    screen = screens.get(record_id)
    try:
        commands.send(screen, name, g.actor)
    except Invalid as exc:
        flash(exc.message, "error")
    else:
        flash(_("Sent to %(name)s.", name=screen.name), "success")
    return redirect(url_for("console.screens_edit", record_id=record_id))
