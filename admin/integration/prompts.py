"""Prompts started by another system (一次一评): a window's business system or the queue-calling
system names the case, the service item and the member or window; the kiosk there shows it.

A prompt is open until one rating uses it, someone cancels it, or it runs out; an expired prompt is
marked by the scheduler (``expire_due``) and reported as ``prompt.expired``: recorded as not rated,
never counted as satisfied (it is not a rating at all).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Rating, RatingPrompt, Staff, Window
from ..models.types import utcnow
from . import outbox


def _member(values: dict) -> tuple[Staff, int | None]:
    """The member who served, and the window: by id or employee number, else the member on duty
    at the window named (the window's business system may know only its window)."""
    window_id = values.get("window_id")
    if window_id is not None and db.session.get(Window, window_id) is None:
        raise Invalid(_("%(field)s: %(id)s does not exist.", field="window_id", id=window_id), field="window_id")
    staff = None
    if values.get("staff_id") is not None:
        staff = db.session.get(Staff, values["staff_id"])
        if staff is None:
            raise Invalid(_("%(field)s: %(id)s does not exist.", field="staff_id", id=values["staff_id"]),
                          field="staff_id")
    elif values.get("employee_no"):
        staff = db.session.scalar(select(Staff).where(Staff.employee_no == values["employee_no"]))
        if staff is None:
            raise Invalid(_("No member has the employee number %(no)s.", no=values["employee_no"]),
                          field="employee_no")
    elif window_id is not None:
        at_window = db.session.scalars(select(Staff).where(Staff.window_id == window_id)
                                       .order_by(Staff.on_duty.desc(), Staff.id)).all()
        on_duty = [s for s in at_window if s.on_duty]
        staff = on_duty[0] if on_duty else (at_window[0] if len(at_window) == 1 else None)
        if staff is None:
            raise Conflict(_("Nobody is on duty at this window: name the member (staff_id or employee_no)."),
                           code="no_member_at_window", field="window_id")
    else:
        raise Invalid(_("Say who served the citizen: staff_id, employee_no or window_id."), field="staff_id")
    return staff, window_id


def start(values: dict, actor: str) -> RatingPrompt:
    from liangbiping.kiosk.prompts import start_prompt

    staff, window_id = _member(values)
    lifetime = timedelta(seconds=values["expires_in"]) if values.get("expires_in") else None
    return start_prompt(staff, actor, values.get("case_no") or "", window_id=window_id,
                        service_item=values.get("service_item") or "", service_code=values.get("service_code") or "",
                        lifetime=lifetime)


def get(prompt_id: int) -> RatingPrompt:
    prompt = db.session.get(RatingPrompt, prompt_id) if 0 < prompt_id < 2**31 else None
    if prompt is None:
        raise NotFound(_("Prompt %(id)s does not exist.", id=prompt_id))
    return prompt


def cancel(prompt: RatingPrompt, actor: str) -> RatingPrompt:
    from liangbiping.kiosk.prompts import cancel_prompt

    if prompt.used_at is not None:
        raise Conflict(_("This prompt has been rated already."), code="prompt_used")
    cancel_prompt(prompt, actor)
    return prompt


def describe(prompt: RatingPrompt, *, with_link: bool = True) -> dict:
    """The prompt for its caller: state and, once rated, how (rating id and score)."""
    rating = db.session.execute(select(Rating.id, Rating.score, Rating.rated_at, Rating.channel)
                                .where(Rating.prompt_id == prompt.id)).first()
    out = {
        "id": prompt.id, "case_no": prompt.case_no, "service_item": prompt.service_item,
        "service_code": prompt.service_code, "staff_id": prompt.staff_id, "window_id": prompt.window_id,
        "state": prompt.state, "created_at": prompt.created_at, "expires_at": prompt.expires_at,
        "rated_at": rating.rated_at if rating else None, "rating_id": rating.id if rating else None,
        "score": rating.score if rating else None, "channel": rating.channel if rating else None,
        "cancelled_at": prompt.cancelled_at, "expired_at": prompt.expired_at,
    }
    if with_link and prompt.state == "open":
        from liangbiping.kiosk.qrtokens import phone_url, prompt_token

        out["rating_url"] = phone_url(prompt_token(prompt))
    return out


def sms_text(prompt: RatingPrompt, url: str) -> str:
    """A message the business system may send the citizen (Liangbiping sends no SMS itself)."""
    if prompt.case_no:
        return _("Please rate the service for case %(case)s: %(url)s", case=prompt.case_no, url=url)
    return _("Please rate our service: %(url)s", url=url)


def expire_due(now: datetime | None = None) -> int:
    """Mark the open prompts past their time as expired, each with its ``prompt.expired`` event, in
    one transaction; tell their kiosks. Returns how many."""
    from liangbiping.kiosk.prompts import push_prompt

    now = now or utcnow()
    due = db.session.scalars(select(RatingPrompt).where(
        RatingPrompt.used_at.is_(None), RatingPrompt.cancelled_at.is_(None), RatingPrompt.expired_at.is_(None),
        RatingPrompt.expires_at <= now).order_by(RatingPrompt.id).limit(1000)).all()
    if not due:
        return 0
    for prompt in due:
        prompt.expired_at = now
    outbox.write(db.session.connection(), [outbox.event("prompt.expired", prompt_data(p)) for p in due])
    db.session.commit()
    for prompt in due:
        push_prompt(prompt)
    return len(due)


def prompt_data(prompt: RatingPrompt) -> dict:
    return {"id": prompt.id, "case_no": prompt.case_no, "service_item": prompt.service_item,
            "service_code": prompt.service_code, "staff_id": prompt.staff_id, "window_id": prompt.window_id,
            "state": "expired", "created_at": outbox.iso(prompt.created_at), "expires_at": outbox.iso(prompt.expires_at)}
