"""Who sees and acts on what: the one scope rule every console page and API operation goes through.

* Administrators: everything.
* Leaders: the departments they look after. An administrator lists them per leader
  (``leader_departments``, on the campaign settings page); a leader with no list looks after
  the department of the member their account is linked to; with neither, none.
* Staff: their own data, through the member their account is linked to.

What belongs to a department: a member (their department); a rating, a suggestion or a ledger
entry (its window's department, else its member's, as the ledger files it). Hall-wide figures
and what the lobby screens show anyway (names, photos, standards, notices) are open to everyone
signed in; raters' data (comments, contacts) never leaves the scope.

API tokens act for the user they were made for, with that user's scope; an admin token may be
made for nobody (a system). A leader or staff token that names no user sees nothing scoped.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import and_, false, or_, select

from ..extensions import db
from ..models import Department, Staff, User, Window, leader_departments


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
    def reads_all(self) -> bool:
        """Reads every rating and ledger entry: an administrator, or a business system's integration
        token (which changes nothing but its prompts)."""
        return self.role in ("admin", "integration")

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

    def manages_member(self, staff: Staff | None) -> bool:
        """May change what is shown of ``staff`` (pledges, honors), print their badge, ask a rating for them."""
        if staff is None:
            return self.is_admin
        return self.is_admin or (self.is_leader and self.sees_department(staff.department_id))

    def sees_subject(self, window_id: int | None, staff_id: int | None, department_id=...) -> bool:
        """May read a rating or a suggestion about this window and member (comments, contacts).
        ``department_id``: the subject's department when the caller has it already."""
        if self.reads_all:
            return True
        if self.is_staff:
            return self.staff_id is not None and staff_id == self.staff_id
        if not self.is_leader:
            return False
        if department_id is ...:
            department_id = subject_department(window_id, staff_id)
        return self.sees_department(department_id)

    def subject_condition(self, model):
        """SQL condition on rows of ``model`` (Rating, Suggestion: ``window_id`` and ``staff_id``)
        this viewer may read; None for no restriction. The same rule as ``sees_subject``."""
        if self.reads_all or (self.is_leader and self.departments is None):
            return None
        if self.is_staff:
            return model.staff_id == self.staff_id if self.staff_id is not None else false()
        if not self.is_leader or not self.departments:
            return false()
        depts = sorted(self.departments)
        windows_in = select(Window.id).where(Window.department_id.in_(depts))
        windowless = or_(model.window_id.is_(None),
                         model.window_id.in_(select(Window.id).where(Window.department_id.is_(None))))
        return or_(model.window_id.in_(windows_in),
                   and_(windowless, model.staff_id.in_(select(Staff.id).where(Staff.department_id.in_(depts)))))

    def member_condition(self):
        """SQL condition on Staff rows this viewer manages (None: all)."""
        if self.is_admin or (self.is_leader and self.departments is None):
            return None
        if self.is_leader:
            return Staff.department_id.in_(sorted(self.departments)) if self.departments else false()
        return Staff.id == self.staff_id if self.staff_id is not None else false()

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

        if self.reads_all or (self.is_leader and self.departments is None):
            return None
        if self.is_leader:
            return or_(E.department_id.in_(sorted(self.departments) or [-1]), E.leader_id == self.user_id)
        if self.staff_id is None:
            return false()
        return or_(E.staff_id == self.staff_id, E.responsible_id == self.staff_id)


def subject_department(window_id: int | None, staff_id: int | None) -> int | None:
    """The department a rating, suggestion or ledger entry belongs to: its window's, else its member's."""
    if window_id:
        dept = db.session.scalar(select(Window.department_id).where(Window.id == window_id))
        if dept:
            return dept
    if staff_id:
        return db.session.scalar(select(Staff.department_id).where(Staff.id == staff_id))
    return None


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
    """The API token of this request: with its user's scope (in the token's role), else a system."""
    token = g.api_token
    user = db.session.get(User, token.user_id) if token.user_id else None
    if user is not None:
        scoped = viewer_for_user(user)
        departments = scoped.departments if token.role == user.role else frozenset()
        return Viewer(role=token.role, user_id=user.id, staff_id=user.staff_id, departments=departments, actor=g.actor)
    return Viewer(role=token.role, departments=None if token.role in ("admin", "integration") else frozenset(),
                  actor=g.actor)


def current_viewer() -> Viewer:
    """The signed-in console user, else the API token of this request."""
    if has_request_context() and getattr(g, "api_token", None) is not None:
        return viewer_for_token()
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return viewer_for_user(current_user)
    return Viewer(role="none", departments=frozenset())


def leader_assignments() -> list[dict]:
    """Every leader account with the departments listed for it and those it looks after in effect
    (the listed ones, else its own member's department)."""
    leaders = db.session.scalars(select(User).where(User.role == "leader").order_by(User.username)).all()
    listed: dict[int, set] = {}
    for row in db.session.execute(select(leader_departments.c.user_id, leader_departments.c.department_id)):
        listed.setdefault(row.user_id, set()).add(row.department_id)
    return [{"user": u, "listed": listed.get(u.id, set()), "effective": leader_department_ids(u)} for u in leaders]


def set_leader_departments(user: User, department_ids: list[int], actor: str) -> None:
    """Replace the departments a leader looks after (ids of no department are dropped); audited, committed."""
    from ..services.audit import record

    old = sorted(db.session.execute(select(leader_departments.c.department_id)
                                    .where(leader_departments.c.user_id == user.id)).scalars())
    known = set(db.session.scalars(select(Department.id).where(Department.id.in_(set(department_ids)))))
    new = sorted(known)
    if old == new:
        return
    db.session.execute(leader_departments.delete().where(leader_departments.c.user_id == user.id))
    for dept in new:
        db.session.execute(leader_departments.insert().values(user_id=user.id, department_id=dept))
    record(actor, "update", "user", user.id, summary=user.username, changes={"departments": [old, new]})
    db.session.commit()
