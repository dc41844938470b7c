"""Uploading a member's ID photo through the API."""

from __future__ import annotations

from flask import g, request

from ..catalog import STAFF
from ..schemas import StaffOut
from ..services import photos, records
from .framework import endpoint

IMAGE_BODY = {
    # Other form fields are ignored, as long as neither their names nor their values hold a NUL.
    "multipart/form-data": {"schema": {"type": "object", "required": ["photo"],
                                       "properties": {"photo": {"type": "string", "format": "binary"}},
                                       "propertyNames": {"pattern": "^[^\\u0000]*$"},
                                       "additionalProperties": {"pattern": "^[^\\u0000]*$"}}},
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/webp": {"schema": {"type": "string", "format": "binary"}},
}


@endpoint("/staff/<int:record_id>/photo", "PUT", summary="Upload a member's photo", tag="staff",
          roles=STAFF.write_roles, response=StaffOut, request_content=IMAGE_BODY,
          description="JPEG, PNG or WebP, at most 10 MB; stored re-encoded as a 3:4 JPEG.")
def staff_photo(record_id):
    member = records.get(STAFF, record_id)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("photo")
        data = upload.read() if upload else b""
    else:  # the raw body, whatever type it claims: `curl --data-binary` says form-urlencoded
        data = request.get_data(cache=False)
    photos.set_photo(member, data, g.actor)
    return member
