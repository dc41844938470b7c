"""A hall's real address: every QR code (badges, window screens, kiosks) carries the public address
set in the console or in LIANGBIPING_PUBLIC_URL, never the host someone opened the console with;
the console warns while it is unset or a loopback address."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, Screen, Staff
from tests.factories import csrf_token

LAN = "http://192.168.10.20:8000"


def _save(client, **fields):
    form = {"hall_name": "青溪县政务服务中心", "timezone": "Asia/Shanghai", "public_url": "",
            "csrf_token": csrf_token(client, "/admin/settings"), **fields}
    return client.post("/admin/settings", data=form)


def _codes(app, base_url="http://127.0.0.1:8000/"):
    """(badge QR text, kiosk phone code, window screen codes) as the app makes them now."""
    from liangbiping.admin.push.hub import hub_for
    from liangbiping.kiosk import badges
    from liangbiping.kiosk.state import _phone_codes, kiosk_state

    _phone_codes.clear()
    with app.test_request_context("/", base_url=base_url):
        liu = db.session.scalar(select(Staff).where(Staff.name == "刘晓燕"))
        png = badges.badge_png(liu, badges.badge_url(liu), badges.hall_name(), app.config["DATA_DIR"])
        badge = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
        kiosk = kiosk_state(db.session.scalars(select(Kiosk).where(Kiosk.window_id.is_not(None))).first())
        screen = db.session.scalars(select(Screen).where(Screen.kind == "window")).first()
        hub = hub_for(app)
        hub.round(fresh=True)
        _key, state = hub.state_for(screen)
    return badge, kiosk["phone"]["url"], [c["url"] for c in state["sections"]["rating_codes"]]


def test_every_code_carries_the_public_address_set_in_the_console(demo):
    client = demo.sign_in("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="public-url-warning"' in page  # unset: the console says so
    badge, kiosk, window = _codes(demo.app)
    assert badge.startswith("http://127.0.0.1:8000/q/")  # whatever host the console was opened with

    refused = _save(client, public_url="javascript:alert(1)")
    assert refused.status_code == 422 and "public_url" in refused.get_data(as_text=True)
    assert _save(client, public_url="http://127.0.0.1:8000").status_code == 302
    warned = client.get("/admin/").get_data(as_text=True)
    assert 'id="public-url-warning"' in warned and "http://127.0.0.1:8000" in warned  # loopback: still warned

    assert _save(client, public_url=LAN + "/").status_code == 302
    assert 'id="public-url-warning"' not in client.get("/admin/").get_data(as_text=True)
    badge, kiosk, window = _codes(demo.app)
    assert badge.startswith(LAN + "/q/") and kiosk.startswith(LAN + "/q/")
    assert window and all(url.startswith(LAN + "/q/") for url in window)
    # The code still opens the member's page (the path is the same on any address).
    assert demo.app.test_client().get(badge[len(LAN):]).status_code == 200


def test_the_environment_gives_the_address_when_the_console_does_not(demo):
    demo.app.config["PUBLIC_URL"] = "https://zwfw.example.gov.cn"
    badge, kiosk, _window = _codes(demo.app)
    assert badge.startswith("https://zwfw.example.gov.cn/q/") and kiosk.startswith("https://zwfw.example.gov.cn/q/")
    assert 'id="public-url-warning"' not in demo.sign_in("admin").get("/admin/").get_data(as_text=True)
    client = demo.sign_in("admin")
    assert _save(client, public_url=LAN).status_code == 302  # the console's setting wins
    assert _codes(demo.app)[0].startswith(LAN + "/q/")


def test_the_printed_badge_names_its_address(demo):
    """The host is drawn beside the code: a badge printed for the wrong address shows it."""
    from liangbiping.kiosk import badges

    with demo.app.test_request_context("/"):
        liu = db.session.scalar(select(Staff).where(Staff.name == "刘晓燕"))
        plain = badges.render_badge(liu, "http://a.example/q/x", "大厅")
        other = badges.render_badge(liu, "http://bbbbbbbbbbbbbbbb.example/q/x", "大厅")
    width, height = plain.size
    # Only the text column beside the QR code differs between the two addresses.
    box = (width // 2, height - 260, width, height - 60)
    assert plain.crop(box).tobytes() != other.crop(box).tobytes()
