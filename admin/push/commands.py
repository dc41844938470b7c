"""Remote control of a screen from the console: reload, identify (its name shown large), next slide."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import Invalid
from ..extensions import db, socketio
from ..services.audit import record
from .hub import NAMESPACE, room_for_screen

COMMANDS = ("reload", "identify", "next")


def send(screen, name: str, actor: str) -> None:
    """Audit the command, then send it to every socket of the screen (any server process)."""
    if name not in COMMANDS:
        raise Invalid(_("Unknown command."), field="command")
    record(actor, "command", "screen", screen.id, summary=f"{screen.name}: {name}")
    db.session.commit()
    socketio.emit("command", {"name": name}, to=room_for_screen(screen.id), namespace=NAMESPACE)
