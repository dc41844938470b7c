"""Wishes and errands: a citizen asks (kiosk or phone) and gets a receipt code; a member of the
window's department claims it, records what they did and closes it; the citizen confirms on the
receipt page, and 不满意 puts it back among the open ones.

Who works on them: the members of the wish's department (a wish with no window: anyone on staff),
its leaders, administrators. Fulfilled wishes (done and not found wanting) count for the member who
did them in 比业绩 and on their record page.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Staff, Window, Wish
from ..models.types import utcnow
from ..schemas import contact_field
from ..services.audit import record
from ..services.scope import Viewer
from ..text import field_text

TEXT_MAX = 1000
NOTE_MAX = 2000


def _member_department(viewer: Viewer) -> int | None:
    if viewer.staff_id is None:
        return None
    return db.session.scalar(select(Staff.department_id).where(Staff.id == viewer.staff_id))


def submit(*, kind: str, text: str, contact: str | None, window_id: int | None, channel: str,
           kiosk_token: str | None = None, address_hash: str | None = None) -> Wish:
    """Store a citizen's wish or errand with a new receipt code; committed before it returns."""
    from liangbiping.kiosk.rules import check_burst
    from liangbiping.kiosk.sources import kiosk_for_token
    from liangbiping.kiosk.suggestions import new_receipt

    if kind not in ("wish", "errand"):
        raise Invalid(_("Must be one of: %(choices)s", choices="wish, errand"), field="kind")
    kiosk_id = None
    if channel == "kiosk":
        found = kiosk_for_token(kiosk_token) if kiosk_token else None
        if found is None:
            from ..errors import Unauthorized

            raise Unauthorized(_("The kiosk token is not valid. Pair the kiosk again."), code="invalid_kiosk_token")
        kiosk_id, kiosk_window, kind_of_device = found
        if kind_of_device == "device":
            raise Invalid(_("An evaluator device posts ratings only."), code="device_ratings_only", field="kiosk_token")
        window_id = window_id or kiosk_window
        check_burst(f"wish-kiosk:{kiosk_id}", "kiosk")
    else:
        check_burst(f"wish:{address_hash or '?'}", "address")
    text = field_text(text, "text", max_length=TEXT_MAX, required=True)
    contact = contact_field(contact)
    window = db.session.get(Window, window_id) if window_id else None
    if window_id and window is None:
        raise Invalid(_("window_id: %(id)s does not exist.", id=window_id), field="window_id")
    for _attempt in range(5):
        wish = Wish(receipt=new_receipt(), kind=kind, text=text, contact=contact or None, window_id=window_id,
                    department_id=window.department_id if window else None, kiosk_id=kiosk_id, channel=channel,
                    state="open", address_hash=address_hash, created_at=utcnow(), done_note="", reopened=0)
        db.session.add(wish)
        try:
            db.session.commit()
            return wish
        except IntegrityError:  # a receipt code drawn twice: draw again
            db.session.rollback()
    raise Invalid(_("Please try again."))


def by_receipt(code: str) -> Wish | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(Wish).where(Wish.receipt == code))


# --- who sees and works on them ------------------------------------------------------------------

def may_see(wish: Wish, viewer: Viewer) -> bool:
    if viewer.is_admin:
        return True
    if viewer.is_leader:
        return viewer.sees_department(wish.department_id)
    if viewer.is_staff and viewer.staff_id is not None:
        return wish.staff_id == viewer.staff_id or wish.department_id is None or \
            wish.department_id == _member_department(viewer)
    return False


def condition(viewer: Viewer):
    """SQL condition on the wishes ``viewer`` sees (None: all)."""
    if viewer.is_admin or (viewer.is_leader and viewer.departments is None):
        return None
    if viewer.is_leader:
        return Wish.department_id.in_(sorted(viewer.departments) or [-1])
    if viewer.is_staff and viewer.staff_id is not None:
        dept = _member_department(viewer)
        return or_(Wish.staff_id == viewer.staff_id, Wish.department_id.is_(None),
                   Wish.department_id == (dept if dept is not None else -1))
    return Wish.id < 0


def listing(viewer: Viewer, state: str | None = None, limit: int = 200) -> list[Wish]:
    stmt = select(Wish)
    where = condition(viewer)
    if where is not None:
        stmt = stmt.where(where)
    if state:
        stmt = stmt.where(Wish.state == state)
    return list(db.session.scalars(stmt.order_by((Wish.state == "done").asc(), Wish.id.desc()).limit(limit)))


def visible(wish_id: int, viewer: Viewer) -> Wish:
    wish = db.session.get(Wish, wish_id) if 0 < wish_id < 2**31 else None
    if wish is None or not may_see(wish, viewer):
        raise NotFound(_("Wish %(id)s does not exist.", id=wish_id))
    return wish


def claim(wish: Wish, viewer: Viewer) -> Wish:
    """A member takes an open wish on."""
    if viewer.staff_id is None:
        raise Forbidden(_("Only a member can take a wish on."), code="not_a_member")
    if wish.state != "open":
        raise Conflict(_("This wish has been taken on already."), code="wish_taken")
    wish.state, wish.staff_id, wish.claimed_at = "claimed", viewer.staff_id, utcnow()
    record(viewer.actor, "update", "wish", wish.id, summary=wish.receipt,
           changes={"state": ["open", "claimed"], "staff_id": [None, viewer.staff_id]})
    db.session.commit()
    return wish


def complete(wish: Wish, viewer: Viewer, note) -> Wish:
    """The member who took it (or a leader of its department, an administrator) records what was done."""
    if wish.state != "claimed":
        raise Conflict(_("Only a wish taken on can be closed."), code="wish_not_claimed")
    if wish.staff_id != viewer.staff_id and not viewer.manages:
        raise Forbidden(_("This wish was taken on by another member."), code="not_yours")
    note = field_text(note, "note", max_length=NOTE_MAX, required=True)
    wish.state, wish.done_note, wish.done_at, wish.verdict, wish.verdict_at = "done", note, utcnow(), None, None
    record(viewer.actor, "update", "wish", wish.id, summary=wish.receipt,
           changes={"state": ["claimed", "done"], "note": [None, note]})
    db.session.commit()
    return wish


def confirm(wish: Wish, verdict: str, actor: str = "citizen") -> Wish:
    """The citizen's word on the receipt page: 满意 keeps it fulfilled, 不满意 opens it again."""
    if verdict not in ("satisfied", "dissatisfied"):
        raise Invalid(_("Must be one of: %(choices)s", choices="satisfied, dissatisfied"), field="verdict")
    if wish.state != "done" or wish.verdict is not None:
        raise Conflict(_("There is nothing to confirm yet."), code="wish_not_done")
    wish.verdict, wish.verdict_at = verdict, utcnow()
    changes = {"verdict": [None, verdict]}
    if verdict == "dissatisfied":
        wish.state, wish.reopened = "open", wish.reopened + 1
        wish.staff_id, wish.claimed_at, wish.done_at = None, None, None
        changes["state"] = ["done", "open"]
    record(actor, "update", "wish", wish.id, summary=wish.receipt, changes=changes)
    db.session.commit()
    return wish


# --- counting them ---------------------------------------------------------------------------------

def _fulfilled():
    return [Wish.state == "done", or_(Wish.verdict.is_(None), Wish.verdict == "satisfied")]


def fulfilled_by_member(lo: datetime, hi: datetime) -> dict[int, int]:
    """{member: wishes fulfilled} done in [lo, hi) (UTC)."""
    rows = db.session.execute(select(Wish.staff_id, func.count()).where(
        *_fulfilled(), Wish.staff_id.is_not(None), Wish.done_at >= lo, Wish.done_at < hi).group_by(Wish.staff_id))
    return {sid: n for sid, n in rows}


def for_screens(lo: datetime, hi: datetime, latest: int = 6) -> dict:
    """What hall screens show: this month's count and the latest fulfilled, anonymised (no contact, no name
    of the citizen; the text shortened)."""
    count = db.session.scalar(select(func.count()).select_from(Wish).where(*_fulfilled(), Wish.done_at >= lo,
                                                                           Wish.done_at < hi)) or 0
    rows = db.session.execute(select(Wish.kind, Wish.text, Wish.done_at, Staff.name).join(
        Staff, Staff.id == Wish.staff_id, isouter=True).where(*_fulfilled()).order_by(Wish.done_at.desc())
        .limit(latest)).all()
    return {"month_count": count,
            "latest": [{"kind": kind, "text": _anonymised(text), "by": name or "",
                        "done_on": done_at.date().isoformat() if done_at else None}
                       for kind, text, done_at, name in rows]}


def _anonymised(text: str) -> str:
    """A wish as the lobby may read it: numbers that could be a phone or an ID hidden, and short."""
    text = re.sub(r"[0-9０-９Xx]{5,}", "****", text)
    return (text[:40] + "…") if len(text) > 40 else text


def member_summary(staff_id: int, since: date | None = None) -> dict:
    stmt = select(Wish).where(*_fulfilled(), Wish.staff_id == staff_id).order_by(Wish.done_at.desc())
    items = list(db.session.scalars(stmt.limit(20)))
    total = db.session.scalar(select(func.count()).select_from(Wish).where(*_fulfilled(), Wish.staff_id == staff_id))
    return {"total": total or 0, "items": items}


