"""ID photos: uploads are proven by decoding, turned upright, cropped to 3:4 and re-encoded.

The uploaded bytes are never served: only the re-encoded JPEG, which carries no EXIF
(location, camera) and no payload a crafted file might have smuggled in.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ..data_dir import folder
from ..errors import Invalid
from ..extensions import db
from ..offload import run_off_loop
from .audit import record

ALLOWED = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # the default of the PHOTO_MAX_PIXELS setting
OUT_SIZE = (600, 800)  # 3:4, enough for a 300 dpi badge photo of 20 x 27 mm
REDUCING_GAP = 3  # a big non-JPEG is first box-averaged down to at least this many times the size it is scaled to
REDUCIBLE = {"RGB", "RGBA", "L", "LA"}  # modes whose pixels may be averaged (RGBA, LA: premultiplied)
SIDEWAYS = {5, 6, 7, 8}  # EXIF orientations that swap width and height

Image.init()  # every format plugin loaded now, on the loop: a first import inside a worker thread could deadlock


def photo_dir() -> Path:
    return folder("photos")


class Refused(Exception):
    """A photo refused by the code that runs in a worker thread, where no translations are at hand:
    ``reason`` is "pixels", "format" or "unreadable"; ``process`` turns it into ``Invalid``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def max_pixels() -> int:
    return int(current_app.config.get("PHOTO_MAX_PIXELS") or MAX_PIXELS)


def _refusal(reason: str) -> Invalid:
    if reason == "pixels":
        limit = f"{max_pixels() / 1_000_000:g}"
        return Invalid(_("The photo has more than %(limit)s megapixels; please make it smaller and try again.",
                         limit=limit), field="photo")
    if reason == "format":
        return Invalid(_("Only JPEG, PNG or WebP photos are accepted."), field="photo")
    return Invalid(_("The file is not a readable JPEG, PNG or WebP image."), field="photo")


def check(data: bytes) -> None:
    """On the loop, before any decoding: ``Invalid`` unless ``data`` is at most PHOTO_MAX_BYTES and
    its header says JPEG, PNG or WebP of at most PHOTO_MAX_PIXELS. Reads the header only."""
    if not data:
        raise Invalid(_("The photo is empty."), field="photo")
    if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
        raise Invalid(_("The photo is larger than 10 MB."), field="photo")
    try:
        # Pillow's own decompression-bomb guard only warns below twice its limit: refuse then too.
        # (Safe here: nothing switches greenlets inside, and the worker threads never warn.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refusal("pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refusal("unreadable") from None
    if kind not in ALLOWED:
        raise _refusal("format")
    if width * height > max_pixels():
        raise _refusal("pixels")


def process(work, data: bytes) -> bytes:
    """``work(data)``, the decoding and re-encoding of a photo, in a worker thread (admin/offload.py),
    after ``check``; a refusal becomes ``Invalid``. ``work`` gets and returns bytes and uses
    nothing but Pillow: no database, no Flask."""
    check(data)
    try:
        return run_off_loop(work, data)
    except Refused as exc:
        raise _refusal(exc.reason) from None


def decode(data: bytes, box: tuple[int, int] | None = None, cover: bool = False) -> Image.Image:
    """``data`` as an upright RGB image, or ``Refused`` when it is not a sound JPEG, PNG or WebP photo.

    Runs in a worker thread (no Flask here), after ``check``: a full decode, EXIF orientation,
    transparency on white. ``box`` is the upright size the caller scales the image to next (filling
    it when ``cover``, as ImageOps.fit; within it otherwise, as thumbnail): a big JPEG is then
    decoded at 1/2, 1/4 or 1/8 scale and other formats are box-averaged down, never below what the
    scaling needs, which saves most of the time and memory.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED:
                raise Refused("format")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            ratio = _ratio(img, box, cover)
            if img.format == "JPEG" and ratio >= 2:
                # The decoder's own scaling: each side at least size / ratio, so still enough.
                img.draft(None, (math.ceil(img.width / ratio), math.ceil(img.height / ratio)))
            img.load()
            if img.mode not in REDUCIBLE or "transparency" in img.info:
                img = img.convert("RGBA" if img.has_transparency_data else "RGB")
            ratio = _ratio(img, box, cover)  # what is left after a draft
            if ratio >= 2 * REDUCING_GAP:
                img = img.reduce(int(ratio // REDUCING_GAP))
            ImageOps.exif_transpose(img, in_place=True)
            if img.mode in ("RGBA", "LA"):
                white = Image.new("RGB", img.size, (255, 255, 255))
                white.paste(img, mask=img)  # the image's own alpha band
                img = white
            return img.convert("RGB")
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("unreadable") from None


def _ratio(img: Image.Image, box: tuple[int, int] | None, cover: bool) -> float:
    """How many times larger than ``box`` the image is (by its smaller ratio when ``cover``)."""
    if not box:
        return 1.0
    width, height = box
    if img.getexif().get(ExifTags.Base.Orientation) in SIDEWAYS:
        width, height = height, width  # stored sideways: the box too
    ratios = (img.width / width, img.height / height)
    return min(ratios) if cover else max(ratios)


def encode(img: Image.Image, quality: int = 88) -> bytes:
    """A fresh JPEG with no EXIF: nothing of the uploaded file survives but its pixels."""
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def portrait(data: bytes) -> bytes:
    """In a worker thread: the uploaded bytes as the ID photo's JPEG, upright, cropped to 3:4 around the face."""
    img = decode(data, OUT_SIZE, cover=True)
    return encode(ImageOps.fit(img, OUT_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35)))


def normalise(data: bytes) -> bytes:
    """The ID photo to store: checked, then decoded, upright, cropped to 3:4 and re-encoded off the loop."""
    return process(portrait, data)


def set_photo(staff, data: bytes, actor: str) -> str:
    """Store a member's new photo from an upload; committed. Returns the file name."""
    return store(staff, normalise(data), actor)


def store(staff, jpeg: bytes, actor: str, commit: bool = True) -> str:
    """Store a photo ``normalise`` made: the file, then the member's record (audited). The old file
    stays for the audit trail. ``commit=False`` leaves the transaction to the caller."""
    name = f"{staff.id}-{hashlib.sha256(jpeg).hexdigest()[:16]}.jpg"
    target = photo_dir() / name
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(jpeg)
        tmp.replace(target)
    old = staff.photo
    staff.photo = name
    record(actor, "update", "staff", staff.id, summary=staff.name, changes={"photo": [old, name]})
    if commit:
        db.session.commit()
    return name
