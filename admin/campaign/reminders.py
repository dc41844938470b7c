"""Reminders in the console: overdue ledger entries, reviews to write. One per user, kind and
subject a day (the daily job may run more than once); the text is made when it is shown, in
the reader's language."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Rectification, Reminder, User
from ..models.types import utcnow


def remind(user_id: int, kind: str, subject: str, link: str, entity: str, entity_id, day: date) -> int:
    """Add a reminder unless this user has had the same one today; 1 when added."""
    exists = db.session.scalar(select(Reminder.id).where(
        Reminder.user_id == user_id, Reminder.kind == kind, Reminder.entity_id == str(entity_id), Reminder.day == day))
    if exists is not None:
        return 0
    db.session.add(Reminder(user_id=user_id, kind=kind, text=(subject or "")[:256], link=link[:256], entity=entity,
                            entity_id=str(entity_id), day=day))
    return 1


def recipients_for(entry: Rectification) -> set[int]:
    """The responsible leader and the accounts of the responsible person; else the department's leaders."""
    from ..ledger.autoopen import leaders_of

    users = set()
    if entry.leader_id:
        users.add(entry.leader_id)
    if entry.responsible_id:
        users |= set(db.session.scalars(select(User.id).where(User.staff_id == entry.responsible_id,
                                                               User.active.is_(True))))
    if not users:
        users |= set(leaders_of(db.session.connection(), entry.department_id))
    return users


def remind_overdue(entry: Rectification, today: date) -> int:
    link = f"/admin/ledger/{entry.id}"
    return sum(remind(uid, "ledger_overdue", entry.problem[:120], link, "rectification", entry.id, today)
               for uid in recipients_for(entry))


def text_of(reminder: Reminder) -> str:
    if reminder.kind == "ledger_overdue":
        return _("Rectification #%(id)s is overdue: %(subject)s", id=reminder.entity_id,
                 subject=reminder.text or "—")
    if reminder.kind == "review_due":
        return _("Reviews to write in %(subject)s", subject=reminder.text)
    return reminder.text


def for_user(user_id: int, *, unread_only: bool = False, limit: int = 50) -> list[Reminder]:
    stmt = select(Reminder).where(Reminder.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Reminder.read_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Reminder.id.desc()).limit(limit)))


def mark_read(user_id: int, reminder_id: int | None = None) -> None:
    stmt = select(Reminder).where(Reminder.user_id == user_id, Reminder.read_at.is_(None))
    if reminder_id is not None:
        stmt = stmt.where(Reminder.id == reminder_id)
    for reminder in db.session.scalars(stmt):
        reminder.read_at = utcnow()
    db.session.commit()
