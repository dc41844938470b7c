"""The generic collections: list, create, read, change and remove each record type of the catalog."""

from __future__ import annotations

from typing import Literal, Optional

from flask import g
from pydantic import Field, create_model

from ..catalog import RESOURCES, Resource
from ..schemas import Bool, Id, Int
from ..services import records
from ..services.scope import current_viewer
from .framework import Query, endpoint


def list_query(res: Resource) -> type:
    sort_keys = tuple(res.sort) + tuple("-" + k for k in res.sort)
    fields = {
        "page": (Int, Field(1, ge=1, le=100000)),
        "per_page": (Int, Field(50, ge=1, le=200)),
        "q": (Optional[str], Field(None, max_length=100, description="search text")),
        "sort": (Optional[Literal[sort_keys]], Field(None, description="field, '-' for descending")),
    }
    for key, (kind, _column) in res.filters.items():
        fields[key] = (Optional[{int: Id, bool: Bool}.get(kind, kind)], None)  # ids within the column's range
    return create_model(f"{res.schema_out.__name__[:-3]}ListQuery", __base__=Query, **fields)


def register(res: Resource) -> None:
    base, item = f"/{res.name}", f"/{res.name}/<int:record_id>"
    tag = res.name
    Listing = list_query(res)

    @endpoint(base, "GET", summary=f"List {res.name}", tag=tag, roles=res.read_roles, query=Listing,
              response=res.schema_out, paged=True, name=f"{res.name}_list")
    def listing(query):
        filters = {k: getattr(query, k) for k in res.filters}
        items, total = records.listing(res, filters=filters, q=query.q, sort=query.sort,
                                       page=query.page, per_page=query.per_page)
        return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}

    if res.name not in ("screens", "kiosks"):  # devices are created with a token: see devices.py
        @endpoint(base, "POST", summary=f"Create a {res.entity}", tag=tag, roles=res.write_roles,
                  body=res.schema_in, response=res.schema_out, status=201, name=f"{res.name}_create")
        def create(body):
            return records.create(res, body.model_dump(exclude_unset=True), g.actor, viewer=current_viewer())

    @endpoint(item, "GET", summary=f"Read a {res.entity}", tag=tag, roles=res.read_roles,
              response=res.schema_out, name=f"{res.name}_read")
    def read(record_id):
        return records.get(res, record_id)

    @endpoint(item, "PATCH", summary=f"Change a {res.entity}", tag=tag, roles=res.write_roles,
              response=res.schema_out, name=f"{res.name}_update", changes=res.schema_in,
              description="Send only the fields to change; the result is validated as a whole.")
    def update(record_id):
        from .framework import json_body

        return records.update(res, records.get(res, record_id), json_body(), g.actor, viewer=current_viewer())

    @endpoint(item, "DELETE", summary=f"Remove a {res.entity}", tag=tag, roles=res.write_roles,
              status=204, name=f"{res.name}_delete")
    def remove(record_id):
        records.delete(res, records.get(res, record_id), g.actor, viewer=current_viewer())
        return None


for _res in RESOURCES.values():
    register(_res)
