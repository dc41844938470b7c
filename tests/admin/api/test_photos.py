"""PUT /api/v1/staff/<id>/photo: JPEG, PNG and WebP become an upright 3:4 JPEG without EXIF; anything else is refused."""

import io

import pytest
from PIL import Image

from .support import API, assert_error, audit_entries, fields_of, image_bytes

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _put(client, headers, staff_id, data, content_type="image/jpeg"):
    return client.put(f"{API}/staff/{staff_id}/photo", data=data, content_type=content_type, headers=headers)


def _served(client, url) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    img = Image.open(io.BytesIO(response.data))
    img.load()
    return img


def _assert_clean_portrait(img: Image.Image):
    assert img.format == "JPEG"
    width, height = img.size
    assert width * 4 == height * 3, img.size
    assert not img.getexif() and "exif" not in img.info
    assert img.mode == "RGB"


@pytest.mark.parametrize("fmt,content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_accepted_formats_become_a_clean_jpeg(client, admin_headers, hall, fmt, content_type):
    response = _put(client, admin_headers, hall.m1, image_bytes(fmt, size=(500, 500), color=RED), content_type)
    assert response.status_code == 200, response.get_data(as_text=True)
    member = response.get_json()
    assert member["id"] == hall.m1 and member["photo_url"].endswith(".jpg")
    assert client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json()["photo_url"] == member["photo_url"]
    img = _served(client, member["photo_url"])
    _assert_clean_portrait(img)
    r, g, b = img.getpixel((img.width // 2, img.height // 2))
    assert r > 180 and g < 60 and b < 60


def test_transparent_png_on_white(client, admin_headers, hall):
    response = _put(client, admin_headers, hall.m1, image_bytes("PNG", alpha=True, color=(0, 0, 0)), "image/png")
    assert response.status_code == 200
    img = _served(client, response.get_json()["photo_url"])
    assert min(img.getpixel((10, 10))) > 100  # half-transparent black on white is grey, not black


def test_multipart_upload(client, admin_headers, hall):
    response = client.put(f"{API}/staff/{hall.m2}/photo", headers=admin_headers, content_type="multipart/form-data",
                          data={"photo": (io.BytesIO(image_bytes("JPEG")), "me.jpg", "image/jpeg")})
    assert response.status_code == 200
    _assert_clean_portrait(_served(client, response.get_json()["photo_url"]))


def test_raw_body_whatever_type_it_claims(client, admin_headers, hall):
    """curl --data-binary @photo.jpg sends application/x-www-form-urlencoded; the bytes are still the photo."""
    for content_type in ("application/x-www-form-urlencoded", "application/octet-stream", None):
        response = client.put(f"{API}/staff/{hall.m1}/photo", data=image_bytes("JPEG"), headers=admin_headers,
                              **({"content_type": content_type} if content_type else {}))
        assert response.status_code == 200, (content_type, response.get_data(as_text=True))


def test_exif_orientation_is_applied_and_exif_dropped(client, admin_headers, hall):
    """A camera's landscape frame tagged "rotate 90° clockwise": left half red, right half blue.

    Turned upright, red is on top and blue below; ignoring the tag would leave red on the left.
    """
    img = Image.new("RGB", (400, 300), RED)
    img.paste(BLUE, (200, 0, 400, 300))
    exif = img.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=95)

    response = _put(client, admin_headers, hall.m1, out.getvalue())
    assert response.status_code == 200
    stored = _served(client, response.get_json()["photo_url"])
    _assert_clean_portrait(stored)
    top, bottom = stored.getpixel((stored.width // 2, 20)), stored.getpixel((stored.width // 2, stored.height - 20))
    left_bottom = stored.getpixel((20, stored.height - 20))
    assert top[0] > 180 and top[2] < 80, top
    assert bottom[2] > 180 and bottom[0] < 80, bottom
    assert left_bottom[2] > 180, left_bottom
    assert b"CameraMaker" not in client.get(response.get_json()["photo_url"]).data


def test_a_new_photo_replaces_the_old_one(client, admin_headers, hall):
    first = _put(client, admin_headers, hall.m1, image_bytes("JPEG", color=RED)).get_json()["photo_url"]
    second = _put(client, admin_headers, hall.m1, image_bytes("JPEG", color=BLUE)).get_json()["photo_url"]
    assert first != second
    assert client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json()["photo_url"] == second


def _bomb() -> bytes:
    """A small PNG that decodes to 100 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    return out.getvalue()


def _refusals():
    jpeg = image_bytes("JPEG", size=(600, 800))
    return {
        "gif": (image_bytes("GIF"), "image/gif"),
        "text": (b"hello, this is not a photo\n" * 20, "text/plain"),
        "text as jpeg": (b"hello, this is not a photo\n" * 20, "image/jpeg"),
        "truncated jpeg": (jpeg[: len(jpeg) // 2], "image/jpeg"),
        "jpeg header only": (jpeg[:200], "image/jpeg"),
        "empty": (b"", "image/jpeg"),
        "over 10 MB": (jpeg + b"\0" * (10 * 1024 * 1024), "image/jpeg"),
        "decompression bomb": (_bomb(), "image/png"),
        "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="3" height="4"/>', "image/svg+xml"),
        "bmp": (image_bytes("BMP"), "image/bmp"),
    }


def test_refused_uploads(client, admin_headers, hall):
    before = client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json()
    entries = len(audit_entries(client, admin_headers))
    for label, (data, content_type) in _refusals().items():
        response = _put(client, admin_headers, hall.m1, data, content_type)
        error = assert_error(response, 422, "validation_error")
        assert fields_of(error) == {"photo"}, (label, error)
    multipart_empty = client.put(f"{API}/staff/{hall.m1}/photo", headers=admin_headers,
                                 content_type="multipart/form-data", data={"other": "x"})
    assert_error(multipart_empty, 422, "validation_error")
    assert client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json() == before
    assert len(audit_entries(client, admin_headers)) == entries


def test_bodies_over_the_request_limit(client, admin_headers, hall):
    """Beyond the server's request cap (12 MB) the body is not even read: 413, still in the error shape."""
    response = _put(client, admin_headers, hall.m1, b"\xff\xd8" + b"\0" * (13 * 1024 * 1024))
    assert_error(response, 413)


def test_unknown_member_and_roles(client, admin_headers, role_headers, hall):
    assert_error(_put(client, admin_headers, 999999, image_bytes("JPEG")), 404, "not_found")
    for role in ("leader", "staff"):
        assert_error(_put(client, role_headers[role], hall.m1, image_bytes("JPEG")), 403, "forbidden")
    assert_error(_put(client, {}, hall.m1, image_bytes("JPEG")), 401, "unauthorized")


def test_served_photo_names_are_checked(client):
    for name in ("../secret_key", "..%2Fsecret_key", "x.png", ".hidden.jpg", "nope.jpg"):
        assert client.get(f"/media/photos/{name}").status_code == 404


# --- big photos: the pixel cap, and the shortcuts taken for big ones (admin.services.photos.decode) ----------------

def _png(size, mode="1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_over_the_pixel_cap_is_refused_and_nothing_stored(app, client, admin_headers, hall):
    """7000 x 6000 is 42 megapixels, over the 40 of PHOTO_MAX_PIXELS (a small file, refused before decoding)."""
    from liangbiping.admin.services.photos import photo_dir

    before = client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json()
    entries = len(audit_entries(client, admin_headers))
    with app.app_context():
        files = sorted(photo_dir().iterdir())
    for headers, words in (({"Accept-Language": "en"}, "40 megapixels"), ({"Accept-Language": "zh-CN"}, "40 百万像素")):
        response = _put(client, {**admin_headers, **headers}, hall.m1, _png((7000, 6000)), "image/png")
        error = assert_error(response, 422, "validation_error")
        assert fields_of(error) == {"photo"} and words in error["message"], error
    assert client.get(f"{API}/staff/{hall.m1}", headers=admin_headers).get_json() == before
    assert len(audit_entries(client, admin_headers)) == entries
    with app.app_context():
        assert sorted(photo_dir().iterdir()) == files


def test_the_pixel_cap_is_a_setting(app, client, admin_headers, hall):
    app.config["PHOTO_MAX_PIXELS"] = 1_000_000
    assert _put(client, admin_headers, hall.m1, _png((1000, 1000), "L"), "image/png").status_code == 200
    error = assert_error(_put(client, {**admin_headers, "Accept-Language": "en"}, hall.m1, _png((1001, 1000), "L"),
                              "image/png"), 422)
    assert "more than 1 megapixels" in error["message"], error


def test_a_big_sideways_jpeg_is_decoded_small_and_still_upright(client, admin_headers, hall):
    """4000 x 3000 tagged "rotate 90° clockwise" is decoded at 1/4 scale (JPEG draft): still more than
    the 600 x 800 it becomes, and turned upright (red, on the left as stored, ends up on top)."""
    img = Image.new("RGB", (4000, 3000), RED)
    img.paste(BLUE, (2000, 0, 4000, 3000))
    exif = img.getexif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    response = _put(client, admin_headers, hall.m1, out.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = _served(client, response.get_json()["photo_url"])
    _assert_clean_portrait(stored)
    assert stored.size == (600, 800)
    top, bottom = stored.getpixel((300, 20)), stored.getpixel((300, 780))
    assert top[0] > 180 and top[2] < 80, top
    assert bottom[2] > 180 and bottom[0] < 80, bottom


def test_a_big_transparent_png_is_reduced_and_flattened_on_white(client, admin_headers, hall):
    """4000 x 5000, half-transparent black: box-averaged down before scaling (premultiplied), still grey."""
    response = _put(client, admin_headers, hall.m1, _rgba_png((4000, 5000), (0, 0, 0, 128)), "image/png")
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = _served(client, response.get_json()["photo_url"])
    assert stored.size == (600, 800)
    assert all(110 < v < 145 for v in stored.getpixel((300, 400))), stored.getpixel((300, 400))


def _rgba_png(size, color) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_evidence_over_the_pixel_cap_is_refused_and_nothing_stored(app):
    from liangbiping.admin.errors import Invalid
    from liangbiping.admin.ledger import evidence

    with app.test_request_context("/"):
        with pytest.raises(Invalid) as refused:
            evidence.store(1, _png((7000, 6000)))
        assert refused.value.status == 422 and refused.value.field == "photo"
        assert not list(evidence.evidence_dir().iterdir())
        name = evidence.store(1, _rgba_png((4000, 3000), (0, 0, 0, 0)))  # big, transparent: white, 1600 px wide
        with Image.open(evidence.evidence_dir() / name) as kept:
            assert kept.size == (1600, 1200) and kept.getpixel((800, 600)) == (255, 255, 255)
