"""Routes anyone may reach: health check, uploaded photos, the landing redirect."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, send_from_directory, url_for

from . import __version__
from .database import ping
from .services.photos import photo_dir

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    if not ping():
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok", "database": "ok", "version": __version__})


@bp.get("/media/photos/<name>")
def photo(name: str):
    # Only names the photo service writes: "<id>-<hash>.jpg".
    if not name.endswith(".jpg") or "/" in name or name.startswith("."):
        abort(404)
    response = send_from_directory(photo_dir(), name, mimetype="image/jpeg", max_age=86400 * 30)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
def index():
    return redirect(url_for("console.dashboard"))
