"""Lobby and window screens: the pairing page, the screen page, and the /display Socket.IO namespace."""

from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates")

from . import events, views  # noqa: E402,F401 - routes and socket handlers register on import
