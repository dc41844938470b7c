"""ID photos: uploads are proven by decoding, turned upright, cropped to 3:4 and re-encoded.

The uploaded bytes are never served: only the re-encoded JPEG, which carries no EXIF
(location, camera) and no payload a crafted file might have smuggled in.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..data_dir import folder
from ..errors import Invalid
from ..extensions import db
from .audit import record

ALLOWED = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
OUT_SIZE = (600, 800)  # 3:4, enough for a 300 dpi badge photo of 20 x 27 mm


def photo_dir() -> Path:
    return folder("photos")


def decode(data: bytes) -> Image.Image:
    """``data`` as an upright RGB image, or ``Invalid`` when it is not a sound JPEG, PNG or WebP photo.

    The checks every upload goes through (ID photos, rectification evidence): size, format,
    a full decode under the decompression-bomb guard, EXIF orientation, transparency on white.
    """
    if not data:
        raise Invalid(_("The photo is empty."), field="photo")
    if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
        raise Invalid(_("The photo is larger than 10 MB."), field="photo")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat the warning as refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in ALLOWED:
                    raise Invalid(_("Only JPEG, PNG or WebP photos are accepted."), field="photo")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode in ("RGBA", "LA", "P"):
                    img = img.convert("RGBA")
                    white = Image.new("RGB", img.size, (255, 255, 255))
                    white.paste(img, mask=img.split()[-1])
                    img = white
                return img.convert("RGB")
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(_("The photo has too many pixels."), field="photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(_("The file is not a readable JPEG, PNG or WebP image."), field="photo") from None


def encode(img: Image.Image, quality: int = 88) -> bytes:
    """A fresh JPEG with no EXIF: nothing of the uploaded file survives but its pixels."""
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def normalise(data: bytes) -> bytes:
    """The ID photo to store: decoded, upright, cropped to 3:4 around the face, re-encoded."""
    img = decode(data)
    return encode(ImageOps.fit(img, OUT_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35)))


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
