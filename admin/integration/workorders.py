"""Work orders in: the 12345 hotline or the 好差评 platform sends a problem with its own id.

The first time, it enters the ledger as a new entry with the 四明确 rules of any entry (default
deadline in working days, the department's responsible leader); the same id again updates that
entry instead of adding another. Its steps go back out as ``rectification.changed`` events.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..ledger import service
from ..models import Rectification
from ..services.scope import Viewer

UPDATABLE = ("problem", "measure", "deadline", "leader_id", "responsible_id", "staff_id", "window_id")


def find(external_source: str, external_id: str) -> Rectification | None:
    return db.session.scalar(select(Rectification).where(Rectification.external_source == external_source,
                                                         Rectification.external_id == external_id))


def receive(values: dict, viewer: Viewer) -> tuple[Rectification, bool]:
    """(entry, True) for a new work order; (entry, False) when its id was known and the entry updated."""
    key = {"external_source": values.pop("external_source"), "external_id": values.pop("external_id")}
    existing = find(**key)
    if existing is None:
        try:
            return service.create(values, viewer, external=key), True
        except IntegrityError:  # the same work order, sent twice at once: the other one won
            db.session.rollback()
            existing = find(**key)
            if existing is None:
                raise
    service.get(existing.id, viewer)  # within the caller's scope, or 404
    changes = {k: v for k, v in values.items() if k in UPDATABLE and getattr(existing, k) != v}
    return (service.update(existing, changes, viewer) if changes else existing), False
