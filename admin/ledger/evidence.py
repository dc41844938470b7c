"""Evidence photos of a finished rectification: proven by decoding, re-encoded, never served raw.

The same checks as ID photos (admin.services.photos): only JPEG, PNG or WebP that decode, at
most 10 MB and 40 megapixels (PHOTO_MAX_PIXELS), decoded and re-encoded in a worker thread; the stored file is a fresh JPEG without EXIF (no location),
at most 1600 px on its long side, in ``<data dir>/evidence``. Files are served to signed-in
console users who may see the entry (admin.console.ledger), never publicly.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from PIL import Image

from ..data_dir import folder
from ..services import photos

LONG_SIDE = 1600
NAME = re.compile(r"^\d+-[0-9a-f]{16}\.jpg$")


def evidence_dir() -> Path:
    return folder("evidence")


def reduced(data: bytes) -> bytes:
    """In a worker thread (admin/offload.py): the uploaded bytes as at most LONG_SIDE px, re-encoded."""
    img = photos.decode(data, (LONG_SIDE, LONG_SIDE))
    img.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    return photos.encode(img, quality=85)


def normalise(data: bytes) -> bytes:
    """The evidence photo to store: the ID photos' checks, then decoded and re-encoded off the loop."""
    return photos.process(reduced, data)


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
