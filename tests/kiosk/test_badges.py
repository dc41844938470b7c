"""Badges: a real QR decoder reads the PNG back to a /q/ URL that opens that member's page; PDF sheets."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
import zxingcpp
from PIL import Image
from PIL.PdfParser import PdfParser

from liangbiping.kiosk import badges


def test_badge_png_is_300_dpi_id1_portrait_and_its_qr_opens_the_member(client, hall, admin_headers):
    response = client.get(f"/api/v1/staff/{hall.m1}/badge.png", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "image/png"
    img = Image.open(io.BytesIO(response.data))
    assert img.size == (638, 1011)  # 54 x 85.6 mm at 300 dpi
    assert round(img.info["dpi"][0]) == 300
    codes = zxingcpp.read_barcodes(img)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    url = urlparse(codes[0].text)
    assert url.path.startswith("/q/")
    page = client.get(url.path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "张三" in html and "窗口负责人" in html and "李四" not in html


def test_a_rotated_badge_gets_a_friendly_410_page(client, hall, admin_headers):
    png = client.get(f"/api/v1/staff/{hall.m1}/badge.png", headers=admin_headers).data
    path = urlparse(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text).path
    client.post(f"/api/v1/staff/{hall.m1}/badge/rotate", headers=admin_headers)
    page = client.get(path)
    assert page.status_code == 410 and "<html" in page.get_data(as_text=True)
    fresh = client.get(f"/api/v1/staff/{hall.m1}/badge.png", headers=admin_headers).data
    new_path = urlparse(zxingcpp.read_barcodes(Image.open(io.BytesIO(fresh)))[0].text).path
    assert new_path != path and client.get(new_path).status_code == 200


def test_tampered_phone_tokens_get_a_friendly_4xx(client):
    for token in ("nonsense", "eyJiIjoxLCJ2IjoxfQ.forged-signature", "x" * 300):
        page = client.get(f"/q/{token}")
        assert 400 <= page.status_code < 500 and "<html" in page.get_data(as_text=True)


def test_badges_need_a_manager(client, hall, make_token):
    assert client.get(f"/api/v1/staff/{hall.m1}/badge.png").status_code == 401
    assert client.get(f"/api/v1/staff/{hall.m1}/badge.png", headers=make_token("staff")).status_code == 403
    assert client.get("/api/v1/staff/999/badge.png", headers=make_token("leader")).status_code == 404


def test_badges_pdf_is_a_valid_pdf_with_one_page_per_nine_badges(app, client, hall, admin_headers):
    for i in range(9):  # 2 members so far, 11 in all: two pages
        client.post("/api/v1/staff", json={"name": f"成员{i}", "employee_no": f"X{i:03d}", "department_id": hall.d1},
                    headers=admin_headers)
    response = client.get(f"/api/v1/badges.pdf?department_id={hall.d1}", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF")
    pdf = PdfParser(buf=response.data)
    assert len(pdf.pages) == 2
    assert client.get("/api/v1/badges.pdf?department_id=999", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/badges.pdf?department_id=x", headers=admin_headers).status_code == 422


def test_a_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    badges.font_file.cache_clear()
    badges.font.cache_clear()
    monkeypatch.setattr(badges, "FONT_CANDIDATES", [str(tmp_path / "none-{weight}.ttc")])
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match either
    try:
        with pytest.raises(badges.FontMissing, match="fonts-noto-cjk"):
            badges.font_file()
    finally:
        badges.font_file.cache_clear()
        badges.font.cache_clear()
