"""Evidence photos of a finished rectification: proven by decoding, re-encoded, never served raw.

The same checks as ID photos (admin.services.photos): only JPEG, PNG or WebP that decode, at
most 10 MB and 40 megapixels; the stored file is a fresh JPEG without EXIF (no location),
at most 1600 px on its long side, in ``<data dir>/evidence``. Files are served to signed-in
console users who may see the entry (admin.console.ledger), never publicly.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Invalid

ALLOWED = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
LONG_SIDE = 1600
NAME = re.compile(r"^\d+-[0-9a-f]{16}\.jpg$")


def evidence_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def normalise(data: bytes) -> bytes:
    if not data:
        raise Invalid(_("The photo is empty."), field="photo")
    if len(data) > current_app.config.get("PHOTO_MAX_BYTES", 10 * 1024 * 1024):
        raise Invalid(_("The photo is larger than 10 MB."), field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED:
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
                img = img.convert("RGB")
                img.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                img.save(out, "JPEG", quality=85, optimize=True)
                return out.getvalue()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid(_("The photo has too many pixels."), field="photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(_("The file is not a readable JPEG, PNG or WebP image."), field="photo") from None


def store(entry_id: int, data: bytes) -> str:
    """Normalise and keep a photo for entry ``entry_id``; returns the file name."""
    jpeg = normalise(data)
    name = f"{entry_id}-{hashlib.sha256(jpeg).hexdigest()[:16]}.jpg"
    target = evidence_dir() / name
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(jpeg)
        tmp.replace(target)
    return name


def valid_name(name: str) -> bool:
    return bool(NAME.match(name or ""))
