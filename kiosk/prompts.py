"""One service, one rating: a member starts a prompt for the citizen just served.

The kiosk at the member's window (or the kiosk that asked) shows that member and accepts one
rating for the prompt; the prompt's single-use token is also a QR code for rating by phone.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from liangbiping.admin.errors import NotFound
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, RatingPrompt, Staff
from liangbiping.admin.models.types import utcnow
from liangbiping.admin.services.audit import record
from liangbiping.admin.text import field_text

LIFETIME = timedelta(minutes=10)


def start_prompt(staff: Staff, actor: str, case_no: str = "", kiosk_id: int | None = None, *,
                 window_id: int | None = None, service_item: str = "", service_code: str = "",
                 lifetime: timedelta | None = None) -> RatingPrompt:
    """A new open prompt for ``staff``; the member's earlier open prompts end, so only one is live.

    ``window_id``: where the case was served when a business system says so (else the member's own
    window); ``service_item``/``service_code``: the case's service item; ``lifetime``: how long the
    citizen has to answer (``LIFETIME`` by default)."""
    if staff is None:
        raise NotFound(_("No such staff member."))
    case_no = field_text(case_no, "case_no", max_length=64, multiline=False)
    service_item = field_text(service_item, "service_item", max_length=128, multiline=False)
    service_code = field_text(service_code, "service_code", max_length=64, multiline=False)
    now = utcnow()
    db.session.execute(update(RatingPrompt).where(
        RatingPrompt.staff_id == staff.id, RatingPrompt.used_at.is_(None), RatingPrompt.cancelled_at.is_(None),
        RatingPrompt.expires_at > now).values(cancelled_at=now))
    prompt = RatingPrompt(staff_id=staff.id, window_id=window_id or staff.window_id, kiosk_id=kiosk_id,
                          case_no=case_no, service_item=service_item, service_code=service_code,
                          created_by=actor[:96], created_at=now, expires_at=now + (lifetime or LIFETIME))
    db.session.add(prompt)
    db.session.flush()
    record(actor, "create", "rating_prompt", prompt.id, summary=f"{staff.name} {case_no}".strip())
    db.session.commit()
    push_prompt(prompt)
    return prompt


def cancel_prompt(prompt: RatingPrompt, actor: str) -> None:
    if prompt.cancelled_at is None and prompt.used_at is None:
        prompt.cancelled_at = utcnow()
        record(actor, "cancel", "rating_prompt", prompt.id)
        db.session.commit()
    push_prompt(prompt)


def latest_prompt(staff_id: int) -> RatingPrompt | None:
    return db.session.scalar(select(RatingPrompt).where(RatingPrompt.staff_id == staff_id)
                             .order_by(RatingPrompt.id.desc()).limit(1))


def kiosks_for(prompt: RatingPrompt) -> list[Kiosk]:
    """The kiosks that show this prompt: the one that asked, or those at the member's window."""
    if prompt.kiosk_id is not None:
        kiosk = db.session.get(Kiosk, prompt.kiosk_id)
        return [kiosk] if kiosk else []
    if prompt.window_id is None:
        return []
    return list(db.session.scalars(select(Kiosk).where(Kiosk.window_id == prompt.window_id)))


def push_prompt(prompt: RatingPrompt) -> None:
    """Send fresh state to every kiosk that shows (or showed) the prompt."""
    from .events import push_state

    for kiosk in kiosks_for(prompt):
        push_state(kiosk)
