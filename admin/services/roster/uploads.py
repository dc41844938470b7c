"""The parsed upload kept server-side between the preview and the confirm.

The browser only ever holds the id, so what is confirmed is exactly what was uploaded; an upload
is readable by the user who sent it, for a day.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask_babel import gettext as _

from ...data_dir import folder
from ...errors import NotFound
from .reading import Upload

KEEP_SECONDS = 24 * 3600           # stored uploads older than this are removed
IMPORT_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def import_dir() -> Path:
    return folder("imports")


def _purge_old(now: float) -> None:
    for old in import_dir().glob("*.json"):
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink()
        except OSError:
            pass


def store(upload: Upload, owner: str) -> str:
    """Keep the parsed upload server-side; returns the id the preview and confirm pages use."""
    now = time.time()
    _purge_old(now)
    upload.id = secrets.token_urlsafe(24)
    upload.owner = owner
    upload.created_at = now
    target = import_dir() / f"{upload.id}.json"
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(upload.to_json(), fh, ensure_ascii=False)
    tmp.replace(target)
    return upload.id


def load(import_id: str, owner: str) -> Upload:
    """The stored upload, only for the user who uploaded it; ``NotFound`` otherwise or once expired."""
    gone = NotFound(_("This import is no longer available. Upload the file again."))
    if not isinstance(import_id, str) or not IMPORT_ID.match(import_id):
        raise gone
    path = import_dir() / f"{import_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise gone from None
    if raw.get("owner") != owner or time.time() - raw.get("created_at", 0) > KEEP_SECONDS:
        raise gone
    return Upload(**raw)


def discard(import_id: str) -> None:
    if isinstance(import_id, str) and IMPORT_ID.match(import_id):
        try:
            (import_dir() / f"{import_id}.json").unlink()
        except OSError:
            pass
