"""What a kiosk offers besides the rating (issue 12): an entry to each survey round open to
citizens that concerns it, and one to the wish page.

A round concerns a kiosk at a window when it evaluates the hall, the window's department, the
window, or a member of that window; a kiosk on the floor serves the whole hall and offers every
round open to citizens (admin.surveys.rounds.concerns, which also decides the answers a kiosk may
send). The kiosk's state carries no more than that: a round of another department's window never
reaches it.
"""

from __future__ import annotations

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, Staff, Window
from liangbiping.admin.push.citizen_codes import open_rounds
from liangbiping.admin.surveys import rounds


class OpenRounds:
    """The open rounds and what decides which kiosk sees each, read once for every kiosk."""

    def __init__(self):
        self.rounds = [(s.code, s.title, s.target_kind, frozenset(s.target_ids or ())) for s in open_rounds()]
        self.departments: dict[int, int | None] = {}
        self.members: dict[int, set[int]] = {}
        if any(kind != "hall" for _c, _t, kind, _ids in self.rounds):
            self.departments = dict(db.session.execute(select(Window.id, Window.department_id)).all())
            for staff_id, window_id in db.session.execute(
                    select(Staff.id, Staff.window_id).where(Staff.window_id.is_not(None))):
                self.members.setdefault(window_id, set()).add(staff_id)

    def for_kiosk(self, kiosk: Kiosk) -> list[dict]:
        """[{"code", "title", "url"}]: the kiosk's own survey page of each round that concerns it."""
        return [{"code": code, "title": title, "url": f"/kiosk/{kiosk.id}/survey/{code}"}
                for code, title, kind, ids in self.rounds
                if rounds.concerns(kind, ids, kiosk.window_id, self.departments.get(kiosk.window_id),
                                   self.members.get(kiosk.window_id, set()))]


def wish_url(kiosk: Kiosk) -> str:
    return f"/kiosk/{kiosk.id}/wish"
