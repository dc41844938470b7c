"""Hall-wide settings in the console: the hall's name, its time zone and its public address
(administrators only)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import Invalid
from ..extensions import db
from ..services.settings import clean_public_url, get_setting, set_setting, stored_setting
from ..text import clean_line
from . import bp
from .access import roles_required
from .forms import Field

HALL_NAME_MAX = 64


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))))


def _zone_options():
    # Mainland halls almost always want Shanghai: keep it first.
    zones = [z for z in _zones() if z != "Asia/Shanghai"]
    return [("Asia/Shanghai", "Asia/Shanghai")] + [(z, z) for z in zones]


FIELDS = [
    Field("hall_name", _l("Hall name"), required=True, maxlength=HALL_NAME_MAX,
          help=_l("Shown on the screens, the kiosks and the badges.")),
    Field("timezone", _l("Time zone"), "select", options=_zone_options,
          help=_l("Every time in the console, on the screens and in the statistics is shown in this zone.")),
    Field("public_url", _l("Public address"), maxlength=200,
          help=_l("The address citizens' phones open from the QR codes on badges, screens and kiosks, e.g. "
                  "http://192.168.1.20:8000 on the hall's network. Empty: LIANGBIPING_PUBLIC_URL, else the "
                  "address the console was opened with.")),
]


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    """Show and change the hall's name, time zone and public address."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {"hall_name": clean_line(request.form.get("hall_name", "")),
                  "timezone": request.form.get("timezone", "").strip(),
                  "public_url": request.form.get("public_url", "").strip()}
        if not values["hall_name"]:
            errors["hall_name"] = [_("This field cannot be empty.")]
        elif len(values["hall_name"]) > HALL_NAME_MAX:
            errors["hall_name"] = [_("At most %(n)s characters.", n=HALL_NAME_MAX)]
        if values["timezone"] not in _zones():
            errors["timezone"] = [_("Choose a time zone from the list.")]
        if values["public_url"]:
            try:
                values["public_url"] = clean_public_url(values["public_url"])
            except Invalid as exc:
                errors["public_url"] = [exc.message]
        else:
            values["public_url"] = None  # back to LIANGBIPING_PUBLIC_URL, if any
        if not errors:
            changed = False
            for key, value in values.items():
                # The public address as set here, not the environment's it falls back to.
                current = stored_setting(key) if key == "public_url" else get_setting(key)
                if current != value:
                    set_setting(key, value, g.actor)
                    changed = True
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("console.settings"))
        db.session.rollback()
        status = 422
    else:
        values = {"hall_name": get_setting("hall_name") or "", "timezone": get_setting("timezone") or "",
                  "public_url": stored_setting("public_url") or ""}
        status = 200
    zone = values["timezone"] if values["timezone"] in _zones() else get_setting("timezone")
    now = datetime.now(timezone.utc).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    return render_template("console/settings.html", fields=FIELDS, values=values, errors=errors, now=now,
                           zone=zone), status
