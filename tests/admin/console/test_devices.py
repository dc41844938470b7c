"""Screens and kiosks in the console: the token shown once, pairing by code, edit and delete."""

from __future__ import annotations

import re

from liangbiping.admin import models as m
from liangbiping.admin.extensions import db


def _token(page: str) -> str:
    return re.search(r'id="secret" class="secret" type="text" value="([^"]+)"', page).group(1)


def test_screen_created_with_its_token_shown_once(admin, app, make, fetch):
    admin.english()  # recognises the page by its English message
    window = make("windows", number="A01", name="综合")
    created = admin.post("/admin/screens/new", {"name": "一号窗口屏", "kind": "window", "window_id": str(window)})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    page = created.get_data(as_text=True)
    assert "will not be shown again" in page
    secret = _token(page)

    from liangbiping.admin.services.devices import device_for_token
    with app.app_context():
        screen = device_for_token(m.Screen, secret)
        assert screen is not None and screen.name == "一号窗口屏"
        screen_id = screen.id
    # The address to open once on the screen carries the token in its fragment.
    assert f"/display/{screen_id}#token={secret}" in page

    listing = admin.text("/admin/screens/")
    assert "一号窗口屏" in listing and "A01 综合" in listing and "status-never_seen" in listing
    assert secret not in listing and secret not in admin.text(f"/admin/screens/{screen_id}")

    changed = admin.post(f"/admin/screens/{screen_id}", {"name": "大厅屏", "kind": "hall", "window_id": ""})
    assert changed.status_code == 302
    assert fetch("screens", screen_id)["kind"] == "hall"

    assert admin.post(f"/admin/screens/{screen_id}/delete").status_code == 302
    assert fetch("screens", screen_id) is None


def test_window_screen_needs_a_window(admin, count):
    admin.english()  # recognises the page by its English message
    refused = admin.post("/admin/screens/new", {"name": "窗口屏", "kind": "window", "window_id": ""})
    assert refused.status_code == 422
    assert "A window screen needs a window." in refused.get_data(as_text=True)
    assert count(m.Screen) == 0


def test_kiosk_create_edit_delete(admin, make, fetch):
    admin.english()  # recognises the page by its English message
    window = make("windows", number="A02", name="医保")
    created = admin.post("/admin/kiosks/new", {"name": "评价器1", "window_id": str(window)})
    assert created.status_code == 200 and "will not be shown again" in created.get_data(as_text=True)
    kiosk_id = int(re.search(r'/admin/kiosks/(\d+)"', admin.text("/admin/kiosks/")).group(1))
    assert admin.post(f"/admin/kiosks/{kiosk_id}", {"name": "评价器一", "window_id": ""}).status_code == 302
    assert fetch("kiosks", kiosk_id)["window_id"] is None
    assert "评价器一" in admin.text("/admin/kiosks/?q=评价器")
    assert admin.post(f"/admin/kiosks/{kiosk_id}/delete").status_code == 302
    assert fetch("kiosks", kiosk_id) is None


def test_pairing_by_code(admin, app, count):
    from liangbiping.admin.services import pairing

    with app.app_context():
        code, secret, _expires = pairing.open_code("kiosk")
    wrong = admin.post("/admin/kiosks/new", {"name": "地面评价器", "code": "ZZZZZZ"})
    assert wrong.status_code == 422 and 'id="f-code-error"' in wrong.get_data(as_text=True)
    assert count(m.Kiosk) == 0

    paired = admin.post("/admin/kiosks/new", {"name": "地面评价器", "code": code.lower()})
    assert paired.status_code == 302
    with app.app_context():
        collected = pairing.collect("kiosk", code, secret)
        assert collected and db.session.get(m.Kiosk, collected["id"]).name == "地面评价器"
