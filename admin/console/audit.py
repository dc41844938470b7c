"""The audit log in the console: who changed what and when, newest first (administrators only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..catalog import ADMIN, Resource
from ..extensions import db
from ..models import AuditEntry
from ..schemas import AuditOut
from ..services.audit_labels import action_label, actor_label, entity_label
from .forms import Field
from .pages import Column, RecordPage, attr, register

AUDIT = Resource(
    "audit", "audit", _l("Audit log"), AuditEntry, AuditOut, AuditOut, read_roles=ADMIN, write_roles=(),
    filters={"entity": (str, AuditEntry.entity), "entity_id": (str, AuditEntry.entity_id),
             "action": (str, AuditEntry.action)},
    search=(AuditEntry.summary, AuditEntry.actor),
    sort={"id": AuditEntry.id},
    default_sort="-id",
    title=lambda e: e.summary,
)


def _distinct(column, label):
    """The values a column holds, for a filter box, by their names."""

    def options():
        return [(v, label(v)) for v in db.session.scalars(select(column).distinct().order_by(column)) if v]

    return options


class AuditPage(RecordPage):
    """Read only: the log is append-only."""

    creatable = False
    editable = False
    deletable = False


audit = register(AuditPage(
    AUDIT,
    new_title=_l("Audit log"), edit_title=_l("Audit log"),
    fields=[],
    filter_fields={
        "entity": Field("entity", _l("Record type"), "select", options=_distinct(AuditEntry.entity, entity_label)),
        "action": Field("action", _l("Action"), "select", options=_distinct(AuditEntry.action, action_label)),
    },
    columns=[
        Column(_l("Time"), attr("at"), "datetime", sort="id"),
        Column(_l("Who"), lambda e: actor_label(e.actor)),
        Column(_l("Action"), lambda e: action_label(e.action)),
        Column(_l("Record type"), lambda e: entity_label(e.entity)),
        Column(_l("Record"), attr("entity_id")),
        Column(_l("Summary"), attr("summary"), "long"),
        Column(_l("Changes"), attr("changes"), "changes"),
    ],
))
