"""Badges: a real QR decoder reads the PNG back to a /q/ URL that opens that member's page; the A4 PDF
sheets: text in the embedded CJK font, codes and cut marks as paths, photos embedded once, every code
read back from a 300 dpi rendering."""

from __future__ import annotations

import io
import math
import re
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


# --- the A4 sheets as a real PDF -------------------------------------------------------------------


def _pdf_parts(data: bytes) -> tuple[dict, dict, list]:
    """(image XObjects, fonts, page sizes in points) of a PDF, each object once however many pages use it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    images, fonts, sizes = {}, {}, []
    for page in reader.pages:
        sizes.append((float(page.mediabox.width), float(page.mediabox.height)))
        resources = page["/Resources"]
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj["/Subtype"] == "/Image":
                images[ref.idnum] = obj
        for ref in (resources.get("/Font") or {}).values():
            fonts[ref.idnum] = ref.get_object()
    return images, fonts, sizes


def _pages_300dpi(data: bytes) -> list:
    """Each page as pdfium draws it at 300 dpi, and its text."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [(page.render(scale=300 / 72).to_pil(), page.get_textpage().get_text_range()) for page in doc]
    finally:
        doc.close()


def _decoded(images) -> list[str]:
    return [c.text for img in images for c in zxingcpp.read_barcodes(img)
            if c.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_demo_halls_sheets_are_text_vectors_and_each_photo_once(demo):
    """Nine badges a page as text in the embedded, subset CJK font, QR codes and cut marks as paths
    (every code read back from a 300 dpi rendering opens its own member), each photo embedded once."""
    from sqlalchemy import select

    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Staff

    with demo.app.test_request_context("/", base_url="http://hall.example:8000"):
        people = list(db.session.scalars(select(Staff).order_by(Staff.id)))
        people += people[:3]  # the same members twice: their photos are still embedded once
        expected = [badges.badge_url(p) for p in people]
        names, photos, hall = [p.name for p in people], {p.photo for p in people}, badges.hall_name()
        data = badges.badges_pdf(people, "全部", str(demo.data_dir))
    assert len(people) > 18 and None not in photos  # the demo hall: every member has a photo
    pages = math.ceil(len(people) / 9)

    images, fonts, sizes = _pdf_parts(data)
    assert len(sizes) == pages and all(abs(w - 595.28) < 0.1 and abs(h - 841.89) < 0.1 for w, h in sizes)  # A4
    # Each photo once, as a JPEG of the size it prints at (not a picture of the page).
    assert len(images) == len(photos)
    assert all(img["/Filter"] == "/DCTDecode" and (img["/Width"], img["/Height"]) == badges.PHOTO_BOX
               for img in images.values())
    # One font a weight, embedded once for the whole file, subset (its name starts with a subset tag).
    assert len(fonts) == 2
    for font in fonts.values():
        assert font["/Subtype"] == "/Type0" and re.match(r"^/[A-Z]{6}\+", font["/BaseFont"])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
        assert embedded is not None and len(embedded.get_object().get_data()) < 300_000  # the .ttc is ~19 MB

    rendered = _pages_300dpi(data)
    text = "\n".join(t for _img, t in rendered)
    for name in names:
        assert name in text
    assert hall in text and "扫码评价" in text and "hall.example:8000" in text and f"全部 · {pages} / {pages}" in text
    codes = _decoded(img for img, _t in rendered)
    assert sorted(codes) == sorted(expected)
    client = demo.app.test_client()
    for url, name in list(zip(expected, names))[:: max(1, len(names) // 4)]:
        page = client.get(urlparse(url).path)
        assert page.status_code == 200 and name in page.get_data(as_text=True)


def test_the_cut_marks_and_codes_are_paths_not_pictures(app, hall):
    """On the page: paths (the QR modules, frames, bands, cut marks) and text; the only pictures are
    the photos, each the photo's size (20.8 x 27.8 mm), and nothing of a page's size."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Staff

    with app.test_request_context("/"):
        people = [db.session.get(Staff, hall.m1), db.session.get(Staff, hall.m2)]
        data = badges.badges_pdf(people, "社会保障科", None)
    doc = pdfium.PdfDocument(data)
    try:
        kinds: dict[int, int] = {}
        for obj in doc[0].get_objects():
            kinds[obj.type] = kinds.get(obj.type, 0) + 1
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                left, bottom, right, top = obj.get_bounds()
                assert abs((right - left) - 246 * 72 / 300) < 0.5 and abs((top - bottom) - 328 * 72 / 300) < 0.5
    finally:
        doc.close()
    assert kinds.get(pdfium_c.FPDF_PAGEOBJ_IMAGE) == 2  # the two photos (here, the silhouette twice)
    assert kinds.get(pdfium_c.FPDF_PAGEOBJ_PATH, 0) > 100  # QR modules, bands, frames, cut marks
    assert kinds.get(pdfium_c.FPDF_PAGEOBJ_TEXT, 0) >= 10
    images, _fonts, _sizes = _pdf_parts(data)
    assert len(images) == 1  # nobody has a photo: one silhouette, embedded once


def test_odd_members_still_print_and_scan(app, client, hall, admin_headers, tmp_path):
    """No photo, a photo file that is not a picture, the longest name, characters the font lacks:
    the sheet is still made, every code still reads back, and the long name is cut with an ellipsis."""
    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Staff

    long_name = "欧阳" + "长" * 30  # 32 characters, the most a name may have
    odd = "😀𠮷é<&>ئابدۇ"
    made = []
    for i, (name, title) in enumerate([(long_name, "综合窗口受理员" * 9), (odd, "A‮B"), ("李\u200d四", "")]):
        body = {"name": name, "title": title[:64], "employee_no": f"ODD-{i}-" + "9" * 24, "department_id": hall.d1,
                "is_party_member": True, "designations": ["党员先锋岗" * 3, "岗位能手", "服务标兵", "青年文明号"]}
        response = client.post("/api/v1/staff", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        made.append(response.get_json()["id"])
    photos = app.config["DATA_DIR"] + "/photos"
    import os

    os.makedirs(photos, exist_ok=True)
    with open(photos + "/broken.jpg", "wb") as f:
        f.write(b"\xff\xd8 not a jpeg at all")
    with app.app_context():
        db.session.get(Staff, made[1]).photo = "broken.jpg"
        db.session.get(Staff, made[2]).photo = "missing.jpg"
        db.session.commit()

    response = client.get(f"/api/v1/badges.pdf?department_id={hall.d1}", headers=admin_headers)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    rendered = _pages_300dpi(response.data)
    assert len(rendered) == 1  # two members of the hall and three odd ones
    text = rendered[0][1]
    assert "欧阳长" in text and long_name not in text and "…" in text
    assert "𠮷" in text and "<&>" in text
    codes = _decoded([rendered[0][0]])
    assert len(codes) == 5 and all(urlparse(c).path.startswith("/q/") for c in codes)
    images, _fonts, _sizes = _pdf_parts(response.data)
    assert len(images) == 1  # no photo, a broken one, a missing one: the one silhouette


def test_progress_tells_badges_and_pages_done(app, hall):
    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Staff

    told = []
    with app.test_request_context("/"):
        people = [db.session.get(Staff, i) for i in (hall.m1, hall.m2, hall.m3, hall.m4)] * 5  # 20: three pages
        out = io.BytesIO()
        pages = badges.write_pdf(people, "全部", None, out, lambda *a: told.append(a))
    assert pages == 3
    assert told[-1] == (20, 20, 3, 3)
    assert [t[0] for t in told] == sorted(t[0] for t in told) and [t[2] for t in told] == sorted(t[2] for t in told)
    assert {t[2] for t in told} == {0, 1, 2, 3} and all(t[1] == 20 and t[3] == 3 for t in told)
    assert len(_pages_300dpi(out.getvalue())) == 3


def test_a_cjk_font_that_is_not_a_collection(monkeypatch, tmp_path, app, hall):
    """LIANGBIPING_CJK_FONT may name a single .otf/.ttf: it is embedded once for both weights."""
    from fontTools.ttLib import TTCollection

    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Staff

    import shutil

    path, index = badges.font_file("Regular")
    single = tmp_path / "sc.otf"
    if path.endswith(".ttc"):  # Debian's fonts-noto-cjk: one face taken out of the collection
        TTCollection(path, lazy=True).fonts[index].save(single)
    else:
        shutil.copy(path, single)
    monkeypatch.setenv("LIANGBIPING_CJK_FONT", str(single))
    badges.font_file.cache_clear()
    badges.font.cache_clear()
    try:
        with app.test_request_context("/"):
            data = badges.badges_pdf([db.session.get(Staff, hall.m1)], "全部", None)
            png = badges.badge_png(db.session.get(Staff, hall.m1), "http://a.example/q/x", "大厅")
    finally:
        badges.font_file.cache_clear()
        badges.font.cache_clear()
    _images, fonts, _sizes = _pdf_parts(data)
    assert len(fonts) == 1  # the bold is the same face: one font
    img, text = _pages_300dpi(data)[0]
    assert "张三" in text and len(_decoded([img])) == 1
    assert len(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))) == 1
