"""The console in chromium: create a member with a photo and find them in the staff list."""

from __future__ import annotations

import io

from PIL import Image

from tests.browser.conftest import sign_in


def portrait_png(path) -> str:
    image = Image.new("RGB", (900, 1200), (66, 133, 244))
    for y in range(300, 900):
        for x in range(300, 600, 3):
            image.putpixel((x, y), (240, 200, 170))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_create_a_member_with_a_photo_and_see_them_listed(page, live_server, tmp_path):
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/staff/new")
    page.fill("input[name=name]", "欧阳晓燕")
    page.fill("input[name=employee_no]", "SB2026")
    page.fill("input[name=title]", "综合窗口受理员")
    page.check("input[name=is_party_member]")
    page.check("input[name=designations][value=党员先锋岗]")
    page.set_input_files("input[name=photo]", portrait_png(tmp_path / "photo.png"))
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/admin/staff/")

    row = page.locator("table.grid tr", has_text="欧阳晓燕")
    assert row.count() == 1
    assert "SB2026" in row.inner_text() and "党员先锋岗" in row.inner_text()
    photo = row.locator("img.avatar")
    assert photo.count() == 1
    src = photo.get_attribute("src")
    assert src.startswith("/media/photos/") and src.endswith(".jpg")
    # The served photo is the re-encoded 3:4 JPEG, not the uploaded PNG.
    served = page.request.get(live_server.url + src)
    assert served.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(served.body())).size == (600, 800)
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 600


def test_a_bad_photo_is_refused_on_the_form(page, live_server, tmp_path):
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/staff/new")
    page.fill("input[name=name]", "测试")
    page.fill("input[name=employee_no]", "BAD1")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"not really a png")
    page.set_input_files("input[name=photo]", str(fake))
    page.click("button[type=submit].primary")
    assert page.locator("#f-photo-error").is_visible()
    assert page.input_value("input[name=name]") == "测试"
    page.goto(live_server.url + "/admin/staff/")
    assert page.locator("table.grid tr", has_text="BAD1").count() == 0
