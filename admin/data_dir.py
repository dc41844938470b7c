"""The data directory's folders: photos, evidence, roster uploads, badge jobs (README, "Running a hall")."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def folder(name: str) -> Path:
    """``<data dir>/<name>``, made on first use."""
    path = Path(current_app.config["DATA_DIR"]) / name
    path.mkdir(parents=True, exist_ok=True)
    return path
