"""The demo hall for ``liangbiping demo``: a county service centre with staff, standards,
pledges, honors, notices, screens, kiosks and some weeks of ratings.

``seed_if_empty()`` seeds only a database without departments, so re-running the demo on the
same data dir keeps its data; ``describe(base_url)`` is the text the command prints: the console,
the demo sign-in and every screen's and kiosk's URL (with the demo's own device tokens, which
are kept in ``demo-devices.json`` in the data dir, readable by its owner only).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import Kiosk, Screen, User
from ..services.accounts import hash_secret
from ..services.settings import get_setting
from . import hall
from . import seed as seeding
from .seed import DEMO_PASSWORD, DEVICES_FILE, load_device_tokens

__all__ = ["DEMO_PASSWORD", "DEVICES_FILE", "describe", "device_urls", "seed_if_empty"]


def seed_if_empty() -> bool:
    """Seed the demo hall when the database has no departments; True when it did. A demo started
    again during opening hours puts its members back at their windows if nobody is there."""
    if not seeding.is_empty():
        seeding.staff_the_windows()
        return False
    seeding.seed()
    return True


def device_urls(base: str) -> dict:
    """{"screens": [(screen, url)], "kiosks": [(kiosk, url)]}; a URL carries the token when the demo knows it.

    The token goes in the fragment (``#token=``), which browsers never send to the server,
    so it does not end up in access logs.
    """
    base = base.rstrip("/")
    known = load_device_tokens()
    out = {}
    for kind, model, path in (("screens", Screen, "display"), ("kiosks", Kiosk, "kiosk")):
        rows = []
        for device in db.session.scalars(select(model).order_by(model.id)):
            url = f"{base}/{path}/{device.id}"
            token = known[kind].get(device.id)
            if token and hash_secret(token) == device.token_hash:
                url += f"#token={token}"
            else:
                url += "  " + _("(paired elsewhere: token not kept by the demo)")
            rows.append((device, url))
        out[kind] = rows
    return out


def _where(device) -> str:
    if device.window is None:
        return _("on the floor") if isinstance(device, Kiosk) else _("hall")
    return _("window %(number)s", number=device.window.number)


def describe(base: str) -> str:
    """What ``liangbiping demo`` prints: console, sign-in, each screen and each kiosk."""
    base = base.rstrip("/")
    lines = [f"{get_setting('hall_name')} — Liangbiping demo", "",
             _("Console:   %(url)s", url=f"{base}/admin/")]
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    if admin is not None and check_password_hash(admin.password_hash, DEMO_PASSWORD):
        others = ", ".join(name for name, *_rest in hall.DEMO_USERS)
        lines.append(_("Sign in:   admin / %(password)s  (also %(others)s, same password)",
                       password=DEMO_PASSWORD, others=others))
        lines.append(_("           This is the documented demo password: change it before others can reach this server."))
    elif admin is not None:
        lines.append(_("Sign in:   admin (its password was changed since the demo was seeded)"))
    urls = device_urls(base)
    lines += ["", _("Screens:")]
    for screen, url in urls["screens"]:
        lines.append(f"  {screen.name} ({_where(screen)})")
        lines.append(f"    {url}")
    lines += ["", _("Kiosks:")]
    for kiosk, url in urls["kiosks"]:
        lines.append(f"  {kiosk.name} ({_where(kiosk)})")
        lines.append(f"    {url}")
    return "\n".join(lines)
