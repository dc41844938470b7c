"""Who sees what of the campaign's data.

* Administrators: everything.
* Leaders: the departments they look after. An administrator lists them per leader
  (``leader_departments``, on the campaign settings page); a leader with no list looks after
  the department of the member their account is linked to; with neither, none.
* Staff: their own data, through the member their account is linked to.

Hall-wide figures (what the lobby screens show anyway) are open to everyone signed in.
API tokens belong to systems, not people: admin and leader tokens read every department,
staff tokens only the hall-wide figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import false, or_, select

from ..extensions import db
from ..models import Staff, User, leader_departments


@dataclass(frozen=True)
class Viewer:
    role: str
    user_id: int | None = None
    staff_id: int | None = None
    departments: frozenset | None = None  # None: every department
    actor: str = "system"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def manages(self) -> bool:
        return self.role in ("admin", "leader")

    def sees_department(self, department_id: int | None) -> bool:
        if self.is_admin or (self.is_leader and self.departments is None):
            return True
        if self.is_leader:
            return department_id in self.departments
        return False

    def sees_member(self, staff: Staff | None) -> bool:
        if staff is None:
            return self.is_admin
        if self.is_staff:
            return staff.id == self.staff_id
        return self.sees_department(staff.department_id)

    def department_filter(self) -> set | None:
        """Departments to restrict queries to (None: no restriction)."""
        if self.is_admin or self.departments is None and self.is_leader:
            return None
        if self.is_leader:
            return set(self.departments)
        return set()

    def ledger_condition(self):
        """SQL condition on Rectification rows this viewer may see."""
        from ..models import Rectification as E

        if self.is_admin or (self.is_leader and self.departments is None):
            return None
        if self.is_leader:
            return or_(E.department_id.in_(sorted(self.departments) or [-1]), E.leader_id == self.user_id)
        if self.staff_id is None:
            return false()
        return or_(E.staff_id == self.staff_id, E.responsible_id == self.staff_id)


def leader_department_ids(user: User) -> frozenset:
    listed = set(db.session.execute(
        select(leader_departments.c.department_id).where(leader_departments.c.user_id == user.id)).scalars())
    if listed:
        return frozenset(listed)
    if user.staff_id:
        dept = db.session.execute(select(Staff.department_id).where(Staff.id == user.staff_id)).scalar()
        if dept:
            return frozenset({dept})
    return frozenset()


def viewer_for_user(user: User) -> Viewer:
    from ..services.accounts import actor_of

    departments = leader_department_ids(user) if user.role == "leader" else None
    if user.role == "staff":
        departments = frozenset()
    return Viewer(role=user.role, user_id=user.id, staff_id=user.staff_id, departments=departments,
                  actor=actor_of(user))


def viewer_for_token() -> Viewer:
    role = g.role
    return Viewer(role=role, departments=None if role in ("admin", "leader") else frozenset(), actor=g.actor)


def current_viewer() -> Viewer:
    """The signed-in console user, else the API token of this request."""
    if has_request_context() and getattr(g, "api_token", None) is not None:
        return viewer_for_token()
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return viewer_for_user(current_user)
    return Viewer(role="none", departments=frozenset())


def set_leader_departments(user: User, department_ids: list[int], actor: str) -> None:
    """Replace the departments a leader looks after; audited, committed."""
    from ..services.audit import record

    old = sorted(db.session.execute(select(leader_departments.c.department_id)
                                    .where(leader_departments.c.user_id == user.id)).scalars())
    new = sorted(set(department_ids))
    if old == new:
        return
    db.session.execute(leader_departments.delete().where(leader_departments.c.user_id == user.id))
    for dept in new:
        db.session.execute(leader_departments.insert().values(user_id=user.id, department_id=dept))
    record(actor, "update", "user", user.id, summary=user.username, changes={"departments": [old, new]})
    db.session.commit()
