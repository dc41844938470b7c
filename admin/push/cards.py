"""A member as screens and kiosks show them: one shape for the hall's screens, the window screens,
the kiosks and the phone page, so that a field added for one shows on all."""

from __future__ import annotations


def member_card(staff, department: str = "", window: dict | None = None) -> dict:
    """``staff`` (a Staff row) with its department's name and its window (``{"number", "name"}``)."""
    number, name = (window["number"], window["name"]) if window else ("", "")
    return {
        "id": staff.id, "name": staff.name, "title": staff.title, "photo_url": staff.photo_url,
        "department": department or "",
        "window_id": staff.window_id, "window_number": number, "window_name": name,
        "window": f"{number} {name}" if window else "",
        "is_party_member": staff.is_party_member, "party_post": staff.party_post,
        "designations": list(staff.designations or []), "duties": staff.duties, "on_duty": staff.on_duty,
    }
