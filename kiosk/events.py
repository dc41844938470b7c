"""Socket.IO for kiosks (``/kiosk``) and for the console's live ratings (``/ratings``).

A kiosk connects with ``auth={"token": ...}``; a bad token is refused. On connect it gets
``state`` (kiosk.state.kiosk_state) and joins the room ``kiosk:<id>``. It sends ``heartbeat``
with its offline queue length, may ask for ``refresh`` (a fresh phone QR code) and may start
or cancel a prompt for the member on duty (the button behind the member's card).

Every event is limited per kiosk token, not per socket, so reconnecting starts nothing afresh
(``KIOSK_*_LIMIT`` in admin/config.py; docs/SECURITY.md, "Limits"). An event over its limit is
answered ``{"ok": False, "error": "too_many_requests", "message": ..., "retry_after": seconds}``
and does nothing; a connection over its limit is refused with ``too_many_requests`` and
``{"retry_after": seconds}``. The console's ``/ratings`` sockets are limited per user.
"""

from __future__ import annotations

import logging
import threading

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room

from liangbiping.admin.push import revocation
from liangbiping.admin.push.hub import Neighbour, hub_for
from liangbiping.admin.extensions import db, socketio
from liangbiping.admin.limits import SettingBuckets, retry_after
from liangbiping.admin.models import Kiosk, Staff
from liangbiping.admin.models.types import utcnow

log = logging.getLogger(__name__)

KIOSK_NS = "/kiosk"
RATINGS_NS = "/ratings"

_sessions: dict[str, int] = {}       # socket id -> kiosk id
_limit_keys: dict[str, str] = {}     # socket id -> its kiosk token's key in the limiters
_console_listeners: dict = {}  # socket id on /ratings -> its user's Viewer (admin.services.scope)
_lock = threading.Lock()

# Per kiosk token (its hash: a re-paired kiosk starts afresh, a reconnecting one does not) and per
# console user; the defaults and why are in admin/config.py.
LIMITERS = {
    "connect": SettingBuckets("KIOSK_CONNECT_LIMIT", "20/0.2"),
    "heartbeat": SettingBuckets("KIOSK_HEARTBEAT_LIMIT", "10/0.5"),
    "refresh": SettingBuckets("KIOSK_REFRESH_LIMIT", "10/0.1"),
    "prompt": SettingBuckets("KIOSK_PROMPT_LIMIT", "12/0.1"),
    "ratings": SettingBuckets("RATINGS_CONNECT_LIMIT", "30/0.5"),
}


def reset_limits() -> None:
    """Forget every bucket (tests)."""
    for limiter in LIMITERS.values():
        limiter.reset()


def _too_many(wait: float) -> dict:
    """The answer to an event over its limit: the kiosk's error answer, with when to try again."""
    return {"ok": False, "error": "too_many_requests", "message": _("Too many requests. Please wait a moment."),
            "retry_after": int(retry_after(wait))}


def _over_limit(kind: str) -> dict | None:
    """None when this socket's kiosk may send one more ``kind`` event now, else the answer."""
    key = _limit_keys.get(request.sid)
    if key is None:
        return None
    wait = LIMITERS[kind].take(key)
    return _too_many(wait) if wait else None


def room(kiosk_id: int) -> str:
    return f"kiosk:{kiosk_id}"


_bases: dict[int, str] = {}  # kiosk id -> the address it connected to (for its QR codes' links)


def push_state(kiosk: Kiosk, view=None, here_only: bool = False) -> None:
    """Emit the kiosk's whole state to it (every tab or device holding its token); ``view``: the
    hall as kiosks see it (kiosk.state.HallView), when already read for several kiosks;
    ``here_only``: to its sockets on this process alone (each process pushes to its own).

    Outside a request (the push hub's worker) the QR links are built on the address the kiosk
    itself connected to, so a kiosk on the hall's LAN gets codes that phones on that LAN open.
    """
    from flask import current_app, has_request_context

    from .state import kiosk_state

    if has_request_context():
        state = kiosk_state(kiosk, view)
    else:
        with current_app.test_request_context(base_url=_bases.get(kiosk.id, "http://localhost/")):
            state = kiosk_state(kiosk, view)
    socketio.emit("state", state, namespace=KIOSK_NS, to=room(kiosk.id), ignore_queue=here_only)


def push_kiosks(window_id: int | None = None) -> int:
    """Fresh state to the kiosks connected to this process (or those of them at ``window_id`` and
    on the floor); for the push hub, e.g. when a member goes on or off duty or a photo changes.
    Every process hears of the change and does the same for its own (KioskNeighbour): a province's
    kiosks are spread over the processes, and one that is not connected anywhere costs nothing
    (each state draws the kiosk's QR code, milliseconds). Returns how many were sent."""
    from sqlalchemy import or_, select

    with _lock:
        here = set(_sessions.values())
    if not here:
        return 0
    query = select(Kiosk).where(Kiosk.kind == "kiosk", Kiosk.id.in_(here))
    if window_id is not None:
        query = query.where(or_(Kiosk.window_id == window_id, Kiosk.window_id.is_(None)))
    kiosks = list(db.session.scalars(query))
    if kiosks:
        from .state import HallView

        view = HallView()  # the hall read once for all of them
        for kiosk in kiosks:
            push_state(kiosk, view, here_only=True)
    return len(kiosks)


def _kiosk() -> Kiosk | None:
    kiosk_id = _sessions.get(request.sid)
    return db.session.get(Kiosk, kiosk_id) if kiosk_id else None


@socketio.on("connect", namespace=KIOSK_NS)
def kiosk_connect(auth=None):
    from liangbiping.admin.services.accounts import hash_secret
    from liangbiping.admin.services.devices import device_for_token

    from .state import kiosk_state

    token = auth.get("token") if isinstance(auth, dict) else None
    kiosk = device_for_token(Kiosk, token) if isinstance(token, str) else None
    if kiosk is None or kiosk.kind == "device":  # an evaluator device posts ratings, it shows no page
        raise ConnectionRefusedError("invalid kiosk token")
    key = hash_secret(token)
    wait = LIMITERS["connect"].take(key)
    if wait:
        db.session.rollback()
        # Not "invalid kiosk token": the page keeps its token and connects again after retry_after.
        raise ConnectionRefusedError("too_many_requests", {"retry_after": int(retry_after(wait))})
    with _lock:
        _sessions[request.sid] = kiosk.id
        _limit_keys[request.sid] = key
    revocation.register(KIOSK_NS, request.sid, ("kiosk", kiosk.id))
    join_room(room(kiosk.id))
    _bases[kiosk.id] = request.host_url
    state = kiosk_state(kiosk)
    db.session.rollback()
    # Monitoring, written in the hub's batches like a screen's: not a change of the kiosk that
    # every kiosk's state would be pushed again for (a province's kiosks reconnecting at once).
    hub_for().report(Kiosk, kiosk.id, connected=True, user_agent=(request.headers.get("User-Agent") or "")[:200])
    emit("state", state, ignore_queue=True)  # this socket, held here


@socketio.on("disconnect", namespace=KIOSK_NS)
def kiosk_disconnect(*_args):
    revocation.forget(KIOSK_NS, request.sid)
    with _lock:
        kiosk_id = _sessions.pop(request.sid, None)
        _limit_keys.pop(request.sid, None)
        still = kiosk_id in _sessions.values()
    if kiosk_id and not still:
        hub_for().report(Kiosk, kiosk_id, connected=False)


@socketio.on("heartbeat", namespace=KIOSK_NS)
def kiosk_heartbeat(data=None):
    """``{"queue_length": n}`` → stored for the console; answers with the server's time."""
    kiosk = _kiosk()
    if kiosk is None:
        return {"ok": False}
    refused = _over_limit("heartbeat")
    if refused:
        return refused
    fields = {"connected": True}
    queue = data.get("queue_length") if isinstance(data, dict) else None
    if isinstance(queue, int) and not isinstance(queue, bool) and 0 <= queue < 10**6:
        fields["queue_length"] = queue
    hub_for().report(Kiosk, kiosk.id, **fields)  # batched with the screens' acks
    return {"ok": True, "server_time": utcnow().isoformat()}


@socketio.on("refresh", namespace=KIOSK_NS)
def kiosk_refresh(*_args):
    from .state import kiosk_state

    kiosk = _kiosk()
    if kiosk is None:
        return {"ok": False}
    refused = _over_limit("refresh")
    if refused:
        return refused
    emit("state", kiosk_state(kiosk), ignore_queue=True)  # this socket, held here
    return {"ok": True}


@socketio.on("start_prompt", namespace=KIOSK_NS)
def kiosk_start_prompt(data=None):
    """The member taps the button on the kiosk: one rating for the citizen just served."""
    from liangbiping.admin.errors import DomainError

    from .prompts import start_prompt
    from .state import on_duty_member

    kiosk = _kiosk()
    if kiosk is None:
        return {"ok": False}
    refused = _over_limit("prompt")
    if refused:
        return refused
    data = data if isinstance(data, dict) else {}
    named = data.get("staff_id") if isinstance(data.get("staff_id"), int) and not isinstance(data.get("staff_id"), bool) else None
    staff = None
    if kiosk.window_id is not None:
        # At a window with two members on duty, the one who asks taps their own name.
        staff = on_duty_member(kiosk.window_id, named)
    elif named is not None:
        staff = db.session.get(Staff, named)
    if staff is None:
        return {"ok": False, "error": "no_member"}
    case_no = data.get("case_no") if isinstance(data.get("case_no"), str) else ""
    try:
        prompt = start_prompt(staff, f"kiosk:{kiosk.id} {kiosk.name}", case_no,
                              kiosk_id=kiosk.id if kiosk.window_id is None else None)
    except DomainError as exc:
        db.session.rollback()
        return {"ok": False, "error": exc.code}
    return {"ok": True, "prompt_id": prompt.id}


@socketio.on("cancel_prompt", namespace=KIOSK_NS)
def kiosk_cancel_prompt(*_args):
    from .prompts import cancel_prompt
    from .state import open_prompt

    kiosk = _kiosk()
    if kiosk is None:
        return {"ok": False}
    refused = _over_limit("prompt")
    if refused:
        return refused
    prompt = open_prompt(kiosk)
    if prompt is not None:
        cancel_prompt(prompt, f"kiosk:{kiosk.id} {kiosk.name}")
    return {"ok": True}


# --- console: new ratings live -------------------------------------------------------------------

@socketio.on("connect", namespace=RATINGS_NS)
def ratings_connect(auth=None):
    from liangbiping.admin.services.scope import viewer_for_user
    from liangbiping.admin.services.sessions import current_id

    if not current_user.is_authenticated or current_user.role not in ("admin", "leader"):
        raise ConnectionRefusedError("sign in as an administrator or leader")
    wait = LIMITERS["ratings"].take(f"user:{current_user.id}")
    if wait:
        raise ConnectionRefusedError("too_many_requests", {"retry_after": int(retry_after(wait))})
    # Signing out, a deactivation or a password change closes this socket (admin.push.revocation).
    revocation.register(RATINGS_NS, request.sid, ("user", current_user.id), ("session", current_id()))
    viewer = viewer_for_user(current_user)
    # Rooms by scope: a rating taken by any process goes to the rooms of its subject (rating_added).
    if viewer.reads_all or (viewer.is_leader and viewer.departments is None):
        join_room(_ALL_RATINGS)
    elif viewer.is_leader:
        for department_id in viewer.departments:
            join_room(_department_ratings(department_id))
    with _lock:
        _console_listeners[request.sid] = viewer
    bus = hub_for().bus
    if bus is not None:
        bus.keep_present("ratings", lambda: bool(_console_listeners))


@socketio.on("disconnect", namespace=RATINGS_NS)
def ratings_disconnect(*_args):
    revocation.forget(RATINGS_NS, request.sid)
    with _lock:
        _console_listeners.pop(request.sid, None)


def rating_payload(rating) -> dict:
    from types import SimpleNamespace

    from liangbiping.admin.models import Window
    from liangbiping.admin.timefmt import localtime

    from liangbiping.admin.models.rating_terms import FLAGS, REASONS, score_label

    if isinstance(rating, dict):
        rating = SimpleNamespace(**rating)
    staff = db.session.get(Staff, rating.staff_id) if rating.staff_id else None
    window = db.session.get(Window, rating.window_id) if rating.window_id else None
    return {
        "id": rating.id, "score": rating.score, "score_label": score_label(rating.score),
        "staff_id": rating.staff_id, "staff_name": staff.name if staff else "",
        "window_id": rating.window_id, "window": f"{window.number} {window.name}" if window else "",
        "channel": rating.channel, "prompted": rating.prompted,
        "flagged": rating.flagged, "flag_label": str(FLAGS.get(rating.flagged, rating.flagged or "")),
        "reasons": [str(REASONS.get(r, r)) for r in rating.reasons or []],
        "comment": rating.comment or "", "rated_at": localtime(rating.rated_at, "%m-%d %H:%M:%S"),
    }


_ALL_RATINGS = "ratings:all"


def _department_ratings(department_id: int) -> str:
    return f"ratings:department:{department_id}"


def rating_added(rating, prompt=None) -> None:
    """After a rating is committed: the console lists it live; a used prompt leaves its kiosk."""
    bus = hub_for().bus
    if _console_listeners or (bus is not None and bus.anyone_present("ratings")):
        # To the console sockets on every process whose scope holds it (their rooms, as
        # sees_subject decides): a leader of another department never gets this rating's comment.
        from liangbiping.admin.services.scope import subject_department

        get = rating.get if isinstance(rating, dict) else (lambda key: getattr(rating, key))
        department = subject_department(get("window_id"), get("staff_id"))
        rooms = [_ALL_RATINGS] + ([_department_ratings(department)] if department is not None else [])
        socketio.emit("rating", rating_payload(rating), namespace=RATINGS_NS, to=rooms)
    if prompt is not None:
        from .prompts import push_prompt

        push_prompt(prompt)


class KioskNeighbour(Neighbour):
    """What the kiosks add to the push hub's work (attached by the app factory): kiosks show the
    members on duty at their window, with photos and pledges, so they hear when such data changes
    anywhere (console, API, roster import); window screens carry the kiosks' rating codes."""

    TABLES = {"staff", "windows", "pledges", "kiosks", "settings",
              "surveys"}  # a round opening or closing adds or removes its entry (kiosk.entries)

    def tables_changed(self, tables: set[str]) -> None:
        if tables & self.TABLES:
            push_kiosks()

    def round_begins(self) -> None:
        """The rating codes of every member at a window, read once a round (window screens show
        those on duty at theirs)."""
        from sqlalchemy import select

        from liangbiping.admin.services.settings import public_base_url

        from . import qrtokens

        # A path when the hall has no public address: the screen completes it with its own.
        base = public_base_url() or ""
        self._codes = {
            staff_id: {"staff_id": staff_id, "name": name, "url": f"{base}/q/{qrtokens.badge_token_for(staff_id, version)}"}
            for staff_id, name, version in db.session.execute(
                select(Staff.id, Staff.name, Staff.badge_version).where(Staff.window_id.is_not(None)))
        }

    def window_sections(self, window: dict | None, members: list[dict]) -> dict:
        """A window screen's rating QR codes: one per member on duty there (their badge address),
        so each citizen scans the code under the member who served them. ``rating_url`` is the
        first one, for screens that draw a single code."""
        if not window or not members:
            return {"rating_url": None, "rating_codes": []}
        if getattr(self, "_codes", None) is None:
            self.round_begins()
        codes = [self._codes[m["id"]] for m in members if m["id"] in self._codes]
        return {"rating_url": codes[0]["url"] if codes else None, "rating_codes": codes}
