"""Helpers shared by the API tests: the error shape, sample records, images, registered operations."""

from __future__ import annotations

import io
import re
import tempfile

API = "/api/v1"
ROLES = ("admin", "leader", "staff")


def assert_error(response, status: int | None = None, code: str | None = None) -> dict:
    """The contract's error shape: 4xx and {"error": {"code", "message", "details"?}}; returns the error."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and re.fullmatch(r"[a-z_]+", error["code"]), error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    if "details" in error:
        assert isinstance(error["details"], list), error
        for item in error["details"]:
            assert isinstance(item, dict) and isinstance(item.get("message"), str), error
            assert item.get("field") is None or isinstance(item["field"], str), error
    if code is not None:
        assert error["code"] == code, error
    return error


def fields_of(error: dict) -> set:
    return {d.get("field") for d in error.get("details", [])}


def sample(name: str, hall, i: int = 0, /, **over) -> dict:
    """A valid create body for collection ``name``; ``i`` makes its unique and sortable values differ."""
    n = f"{i:03d}"
    base = {
        "departments": {"name": f"dept-{n}", "description": "desc", "sort_order": i},
        "windows": {"number": f"w{n}", "name": f"window-{n}", "department_id": hall.d1, "description": "desc"},
        "staff": {"name": f"member-{n}", "employee_no": f"X{n}", "title": f"clerk-{n}", "department_id": hall.d1,
                  "window_id": hall.w1, "is_party_member": False, "party_post": "", "designations": ["post"],
                  "duties": "duties", "on_duty": False, "sort_order": i},
        "standards": {"item_name": f"item-{n}", "kind": "service_item", "department_id": hall.d1, "window_ids": [],
                      "steps": ["one", "two"], "materials": ["id card"], "time_limit": "1 day", "fees": "free",
                      "sort_order": i},
        "pledges": {"text": f"pledge-{n}", "staff_id": hall.m1, "period_start": f"2026-01-{i % 28 + 1:02d}",
                    "period_end": "2026-12-31", "published": True},
        "honors": {"title": f"honor-{n}", "staff_id": hall.m1, "awarded_on": f"2025-06-{i % 28 + 1:02d}",
                   "issuer": f"issuer-{n}"},
        "notices": {"title": f"notice-{n}", "text": f"text-{n}", "priority": "normal",
                    "starts_at": f"2026-02-{i % 28 + 1:02d}T09:00:00+08:00"},
        "screens": {"name": f"screen-{n}", "kind": "hall"},
        "playlists": {"name": f"playlist-{n}", "slides": [
            {"kind": "identity_wall", "duration": 10 + i % 50, "options": {"department_id": None, "window_id": None}}]},
        "screen-groups": {"name": f"group-{n}"},
        "schedules": {"name": f"schedule-{n}", "playlist_id": hall.p1 if name == "schedules" else None,
                      "group_id": hall.g1 if name == "schedules" else None, "weekdays": [0, 1, 2, 3, 4],
                      "start_time": "08:00", "end_time": "18:00", "priority": i % 100},
        "kiosks": {"name": f"kiosk-{n}", "window_id": hall.w1},
    }[name]
    base.update(over)
    if name == "honors" and "window_id" in over and "staff_id" not in over:
        base["staff_id"] = None
    if name == "schedules" and "screen_id" in over and "group_id" not in over:
        base["group_id"] = None
    if name == "screens" and over.get("kind") == "window" and "window_id" not in over:
        base["window_id"] = hall.w1
    return base


# A change each collection accepts, for PATCH (idempotent, so it can be sent more than once).
CHANGES = {
    "departments": {"description": "changed"},
    "windows": {"name": "changed window"},
    "staff": {"title": "changed title", "on_duty": True},
    "standards": {"time_limit": "3 working days"},
    "pledges": {"text": "changed pledge"},
    "honors": {"issuer": "changed issuer"},
    "notices": {"text": "changed text", "priority": "urgent"},
    "screens": {"name": "changed screen"},
    "kiosks": {"name": "changed kiosk"},
    "playlists": {"name": "changed playlist"},
    "screen-groups": {"name": "changed group"},
    "schedules": {"priority": -5},
}


def create(client, headers, name: str, body: dict) -> dict:
    response = client.post(f"{API}/{name}", json=body, headers=headers)
    assert response.status_code == 201, (name, body, response.get_data(as_text=True))
    return response.get_json()


def listing(client, headers, name: str, **params) -> dict:
    response = client.get(f"{API}/{name}", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def stored_state(client, headers, path: str) -> dict:
    response = client.get(API + path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def audit_entries(client, headers, **params) -> list[dict]:
    return listing(client, headers, "audit", per_page=200, **params)["items"]


# --- images ---------------------------------------------------------------------------------

def image_bytes(fmt: str, size=(300, 400), color=(200, 30, 30), **save) -> bytes:
    from PIL import Image

    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    img = Image.new(mode, size, color if mode == "RGB" else color + (128,))
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


# --- every registered operation ---------------------------------------------------------------

_operations: list | None = None


def registered_operations() -> list:
    """The operations an app registers (building one app makes every module register its routes)."""
    global _operations
    if _operations is None:
        from liangbiping.admin.api.framework import OPERATIONS
        from liangbiping.admin.app import create_app
        from liangbiping.admin.config import TestingConfig

        with tempfile.TemporaryDirectory() as tmp:
            create_app(TestingConfig.from_env(tmp, SKIP_MIGRATIONS=True))
        _operations = list(OPERATIONS)
    return _operations


def op_id(op) -> str:
    return f"{op.method} {op.rule}"


def fill_rule(rule: str, ids: dict) -> str:
    """The URL of ``rule`` with each <converter:name> replaced by ids[name] (default 1)."""
    return API + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule)
