"""What a kiosk shows, as one dict: its window, the members on duty, an open prompt, its phone QR code.

``kiosk_state(kiosk)`` is emitted as ``state`` on connect, when a prompt starts or ends, and by
the push hub whenever the data behind it changes (a member going on duty, a new photo).
"""

from __future__ import annotations

import io
import re
import threading
import time
from functools import lru_cache

import qrcode
import qrcode.image.svg
from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.push import cards
from liangbiping.admin.models import Department, Kiosk, Pledge, RatingPrompt, Staff, Window
from liangbiping.admin.models.types import utcnow

from . import entries, qrtokens

_version_lock = threading.Lock()
_last_version = 0


def next_version() -> int:
    """A strictly growing integer (milliseconds since the epoch, bumped on ties)."""
    global _last_version
    with _version_lock:
        _last_version = max(_last_version + 1, int(time.time() * 1000))
        return _last_version


@lru_cache(maxsize=512)
def qr_svg(data: str) -> str:
    """A QR code as an inline SVG that scales to its box (our own markup: safe to insert)."""
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    out = io.BytesIO()
    qr.make_image().save(out)
    svg = out.getvalue().decode()
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r'\1 width="100%" height="100%"', svg, count=1)


def _pledge(staff_id: int) -> str:
    text = db.session.scalar(select(Pledge.text).where(Pledge.staff_id == staff_id, Pledge.published.is_(True))
                             .order_by(Pledge.id.desc()).limit(1))
    return text or ""


def member_card(staff: Staff, with_pledge: bool = False) -> dict:
    """The member as screens show them (admin.push.cards), with their pledge for the phone page."""
    card = cards.member_card(staff, staff.department.name if staff.department else "", window_card(staff.window))
    if with_pledge:
        card["pledge"] = _pledge(staff.id)
    return card


def window_card(window: Window | None) -> dict | None:
    if window is None:
        return None
    return {"id": window.id, "number": window.number, "name": window.name,
            "department": window.department.name if window.department else ""}


def on_duty_members(window_id: int | None) -> list[Staff]:
    """Everyone on duty at a window, in the hall's order (a busy window has two)."""
    if window_id is None:
        return []
    return list(db.session.scalars(select(Staff).where(Staff.window_id == window_id, Staff.on_duty.is_(True))
                                   .order_by(Staff.sort_order, Staff.id)))


def on_duty_member(window_id: int | None, staff_id: int | None = None) -> Staff | None:
    """The member on duty at a window who is meant: ``staff_id`` when that one is on duty there,
    else the only one on duty; None when nobody is, or when several are and none was named."""
    members = on_duty_members(window_id)
    if staff_id is not None:
        return next((m for m in members if m.id == staff_id), None)
    return members[0] if len(members) == 1 else None


def open_prompt(kiosk: Kiosk) -> RatingPrompt | None:
    """The newest open prompt meant for this kiosk, or for the window it stands at."""
    targets = [RatingPrompt.kiosk_id == kiosk.id]
    if kiosk.window_id is not None:
        targets.append((RatingPrompt.window_id == kiosk.window_id) & RatingPrompt.kiosk_id.is_(None))
    from sqlalchemy import or_

    return db.session.scalar(
        select(RatingPrompt).where(or_(*targets), RatingPrompt.used_at.is_(None), RatingPrompt.cancelled_at.is_(None),
                                   RatingPrompt.expires_at > utcnow())
        .order_by(RatingPrompt.id.desc()).limit(1))


def prompt_card(prompt: RatingPrompt) -> dict:
    token = qrtokens.prompt_token(prompt)
    url = qrtokens.phone_url(token)
    return {"id": prompt.id, "token": token, "case_no": prompt.case_no, "service_item": prompt.service_item,
            "member": member_card(prompt.staff), "expires_at": prompt.expires_at.isoformat(),
            "url": url, "qr_svg": qr_svg(url)}


def floor_windows() -> list[dict]:
    """Every window with its members (on duty first), for a kiosk on the floor."""
    windows = db.session.scalars(select(Window).order_by(Window.number)).all()
    staff = db.session.scalars(select(Staff).where(Staff.window_id.is_not(None))
                               .order_by(Staff.on_duty.desc(), Staff.sort_order, Staff.id)).all()
    by_window: dict[int, list] = {}
    for member in staff:
        by_window.setdefault(member.window_id, []).append(member_card(member))
    return [dict(window_card(w), members=by_window.get(w.id, [])) for w in windows]


PHONE_CODE_REUSE = 5 * 60  # seconds; the code is valid for qrtokens.KIOSK_QR_LIFETIME (20 minutes)
_phone_codes: dict[int, tuple[float, str, str]] = {}  # kiosk id -> (issued, url, svg)


def phone_code(kiosk: Kiosk) -> dict:
    """The kiosk's standing "rate on your phone" link and QR code, reused for a few minutes:
    drawing a QR code costs milliseconds, and a push reaches every kiosk at once."""
    from flask import has_request_context, request

    from liangbiping.admin.services.settings import public_base_url

    now = time.monotonic()
    base = public_base_url() or (request.host_url if has_request_context() else "")
    hit = _phone_codes.get(kiosk.id)
    if hit and now - hit[0] < PHONE_CODE_REUSE and hit[1].startswith(base):
        return {"url": hit[1], "qr_svg": hit[2]}
    url = qrtokens.phone_url(qrtokens.kiosk_token(kiosk))
    _phone_codes[kiosk.id] = (now, url, qr_svg(url))
    return {"url": url, "qr_svg": _phone_codes[kiosk.id][2]}


class HallView:
    """What kiosks show of the hall, read once: a change pushed to every kiosk builds each one's
    state from this one read, not from a read of the hall per kiosk."""

    def __init__(self):
        from liangbiping.admin.services.settings import get_setting
        from liangbiping.admin.timefmt import hall_zone

        departments = dict(db.session.execute(select(Department.id, Department.name)).all())
        self.windows = {w.id: {"id": w.id, "number": w.number, "name": w.name,
                               "department": departments.get(w.department_id, "")}
                        for w in db.session.scalars(select(Window).order_by(Window.number))}
        # On duty first, then the hall's order: the floor kiosk's list; the members on duty at a
        # window keep the hall's order among themselves.
        self.by_window: dict[int, list[dict]] = {}
        for member in db.session.scalars(select(Staff).where(Staff.window_id.is_not(None))
                                         .order_by(Staff.on_duty.desc(), Staff.sort_order, Staff.id)):
            card = cards.member_card(member, departments.get(member.department_id, ""),
                                     self.windows.get(member.window_id))
            self.by_window.setdefault(member.window_id, []).append(card)
        self.prompts = list(db.session.scalars(
            select(RatingPrompt).where(RatingPrompt.used_at.is_(None), RatingPrompt.cancelled_at.is_(None),
                                       RatingPrompt.expires_at > utcnow()).order_by(RatingPrompt.id.desc())))
        self.hall_name = get_setting("hall_name") or ""
        self.timezone = hall_zone().key
        self.rounds = entries.OpenRounds()

    def on_duty(self, window_id: int | None) -> list[dict]:
        return [m for m in self.by_window.get(window_id, []) if m["on_duty"]]

    def floor(self) -> list[dict]:
        return [dict(w, members=self.by_window.get(w["id"], [])) for w in self.windows.values()]

    def prompt_for(self, kiosk: Kiosk) -> RatingPrompt | None:
        """As ``open_prompt``: the newest open prompt for this kiosk, or for its window."""
        return next((p for p in self.prompts if p.kiosk_id == kiosk.id
                     or (p.kiosk_id is None and kiosk.window_id is not None and p.window_id == kiosk.window_id)),
                    None)

    def state(self, kiosk: Kiosk) -> dict:
        """The kiosk's whole content, with a fresh ``version``."""
        window = self.windows.get(kiosk.window_id)
        members = self.on_duty(kiosk.window_id)
        prompt = self.prompt_for(kiosk)
        return {
            "version": next_version(),
            "kiosk": {"id": kiosk.id, "name": kiosk.name, "window_id": kiosk.window_id},
            "hall_name": self.hall_name,
            # The kiosk's clock shows the hall's time, whatever the tablet's own clock and zone say.
            "timezone": self.timezone,
            "server_time": utcnow().isoformat(),
            "mode": "window" if window is not None else "floor",
            "window": window,
            # With two members on duty the citizen picks the one who served them (``members``);
            # ``member`` is set only when there is no choice to make.
            "member": members[0] if len(members) == 1 else None,
            "members": members,
            "windows": self.floor() if window is None else [],
            "prompt": prompt_card(prompt) if prompt else None,
            "phone": phone_code(kiosk),
            # The survey rounds open to citizens that concern this kiosk, and the wish page (entries).
            "surveys": self.rounds.for_kiosk(kiosk),
            "wish_url": entries.wish_url(kiosk),
        }


def kiosk_state(kiosk: Kiosk, view: HallView | None = None) -> dict:
    """The kiosk's whole content, with a fresh ``version`` (``view``: the hall already read)."""
    return (view or HallView()).state(kiosk)
