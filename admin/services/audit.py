"""Writing the audit log. Entries join the caller's transaction, so they commit with the change."""

from __future__ import annotations

from datetime import date, datetime

from ..extensions import db
from ..models import AuditEntry


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(actor: str, action: str, entity: str, entity_id=None, summary: str = "", changes: dict | None = None) -> None:
    db.session.add(AuditEntry(
        actor=actor[:96], action=action, entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        summary=summary[:256],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    ))
