"""The rating intake: every rating from a kiosk, a phone or an evaluator device enters here.

Rules (docs/RATINGS.md says them for people, tests/kiosk/test_abuse.py proves each):

* Idempotent: the client's UUID is the key; the same id again returns the stored rating.
* Only a 2xx means committed: the rating is written and committed before the answer.
* One service, one rating: a prompt's token is used up by the first rating (409 after).
* Repeated presses at one kiosk within ``REPEAT_PRESS`` count once: the later ones are stored,
  flagged ``repeat_press`` and left out of statistics.
* One phone rates one member at most once per 24 h through a badge or kiosk QR code: the same
  phone cookie gets 409; the same address without the cookie is stored flagged ``repeat_address``
  (a hall's Wi-Fi puts many citizens behind one address, so an address alone never refuses).
* Bursts from one source (a kiosk, or an address for phones) get 429 with ``Retry-After``.
* Nothing suspicious is dropped silently: it is stored with a ``flagged`` reason for review.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, exists, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError

from liangbiping.admin.errors import Conflict, DomainError, Invalid, TooManyRequests, Unauthorized
from liangbiping.admin.extensions import db
from liangbiping.admin.limits import TokenBuckets
from liangbiping.admin.models import Kiosk, Rating, RatingPrompt, Staff, Window
from liangbiping.admin.models.rating_terms import mask_contact
from liangbiping.admin.models.types import utcnow

from . import qrtokens
from .group_commit import GroupCommit
from .schemas import RatingIn

log = logging.getLogger(__name__)

REPEAT_PRESS = timedelta(seconds=3)
PHONE_WINDOW = timedelta(hours=24)
FUTURE_SLACK = timedelta(minutes=5)
MAX_AGE = timedelta(days=30)
RATER_COOKIE = "lbp_rater"

# --- privacy helpers -------------------------------------------------------------------------

def keyed_hash(kind: str, value: str | None) -> str | None:
    """An HMAC of a cookie or address under the app's secret: comparable, not reversible."""
    if not value:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_address() -> str:
    return request.remote_addr or ""


# --- burst limits ----------------------------------------------------------------------------

limiter = TokenBuckets(30, 0.5)  # the defaults; _limits() gives each kind's


def _limits(kind: str) -> tuple[float, float]:
    """(capacity, refill per second) for ``kiosk`` or ``address`` sources.

    ``RATING_BURST_<KIND>`` in the app config or ``LIANGBIPING_RATING_BURST_<KIND>`` in the
    environment, as ``"capacity/per_second"``; capacity 0 turns the limit off (benchmarks).
    """
    defaults = {"kiosk": (30.0, 0.5), "address": (20.0, 0.2)}
    raw = current_app.config.get(f"RATING_BURST_{kind.upper()}") or os.environ.get(
        f"LIANGBIPING_RATING_BURST_{kind.upper()}")
    if raw:
        try:
            capacity, rate = (float(x) for x in str(raw).split("/"))
            return capacity, rate
        except ValueError:
            log.warning("ignoring bad RATING_BURST_%s=%r", kind.upper(), raw)
    return defaults[kind]


def check_burst(key: str, kind: str) -> None:
    capacity, rate = _limits(kind)
    wait = limiter.take(key, capacity, rate)
    if wait:
        raise TooManyRequests(_("Too many ratings from here. Please wait a moment."), retry_after=wait)


# --- sources ---------------------------------------------------------------------------------

_kiosk_cache: dict[str, tuple[int, int | None, float]] = {}
KIOSK_CACHE_SECONDS = 10.0


def kiosk_for_token(secret: str) -> tuple[int, int | None] | None:
    """(kiosk id, window id) for a kiosk token, remembered briefly: the intake's hottest lookup.

    A changed window is seen within ``KIOSK_CACHE_SECONDS``; a deleted or disabled kiosk at once,
    in every process (``forget_kiosks``, run on revocation).
    """
    from liangbiping.admin.services.accounts import hash_secret

    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    hit = _kiosk_cache.get(digest)
    now = time.monotonic()
    if hit and now - hit[2] < KIOSK_CACHE_SECONDS:
        return hit[0], hit[1]
    row = db.session.execute(select(Kiosk.id, Kiosk.window_id).where(Kiosk.token_hash == digest,
                                                                     Kiosk.enabled.is_(True))).first()
    if row is None:
        _kiosk_cache.pop(digest, None)
        return None
    if len(_kiosk_cache) > 10_000:
        _kiosk_cache.clear()
    _kiosk_cache[digest] = (row.id, row.window_id, now)
    return row.id, row.window_id


def forget_kiosks(principals: set) -> None:
    """Revoked kiosks' tokens are looked up again (and refused) from the next rating on."""
    gone = {pid for kind, pid in principals if kind == "kiosk"}
    if gone:
        for digest, hit in list(_kiosk_cache.items()):
            if hit[0] in gone:
                _kiosk_cache.pop(digest, None)


class Source:
    """Where a rating or suggestion comes from, once its token is checked."""

    def __init__(self):
        self.kiosk_id: int | None = None
        self.kiosk_window_id: int | None = None
        self.token: qrtokens.QrToken | None = None
        self.prompt: RatingPrompt | None = None
        self.staff_id: int | None = None      # fixed by a badge or prompt token
        self.window_id: int | None = None     # fixed by a prompt, a bound kiosk or a kiosk QR
        self.qr_window_id: int | None = None  # the window of a bound kiosk whose phone QR was scanned
        self.badge_window_id: int | None = None  # the window of the member whose badge was scanned
        self.rater_hash: str | None = None
        self.address_hash: str | None = None

    @property
    def phone(self) -> bool:
        """A phone that scanned a badge or a kiosk's standing code (not a single-use prompt)."""
        return self.token is not None and self.token.kind in ("badge", "kiosk") and self.kiosk_id is None


def resolve_source(kiosk_token: str | None, qr_token: str | None, *, for_rating: bool = True) -> Source:
    """Check the tokens; raise 401 (bad), 410 (expired or revoked) or 409 (prompt used)."""
    src = Source()
    if not kiosk_token and not qr_token:
        raise Unauthorized(_("A kiosk_token or a qr_token is required."), code="token_required")
    if kiosk_token:
        found = kiosk_for_token(kiosk_token)
        if found is None:
            raise Unauthorized(_("The kiosk token is not valid. Pair the kiosk again."), code="invalid_kiosk_token")
        src.kiosk_id, src.kiosk_window_id = found
        src.window_id = src.kiosk_window_id
    if qr_token:
        token = qrtokens.parse(qr_token)
        src.token = token
        if token.kind == "badge":
            staff = db.session.get(Staff, token.id)
            if staff is None or (staff.badge_version or 1) != token.version:
                raise qrtokens.TokenError(_("This badge's QR code has been withdrawn."), code="token_revoked", status=410)
            src.staff_id = staff.id
            src.badge_window_id = staff.window_id
            src.window_id = src.window_id or staff.window_id
        elif token.kind == "prompt":
            prompt = db.session.get(RatingPrompt, token.id)
            if prompt is None:
                raise qrtokens.TokenError(_("This QR code is not valid. Please scan the code again."))
            if prompt.used_at is not None and for_rating:
                raise Conflict(_("This service has already been rated. Thank you."), code="prompt_used")
            src.staff_id = prompt.staff_id
            src.window_id = prompt.window_id
            if prompt.open or not for_rating:
                src.prompt = prompt
            elif src.kiosk_id is None:
                raise qrtokens.TokenError(_("This rating request has expired."), code="token_expired", status=410)
            # else: a kiosk replaying a rating made offline after its prompt ran out. The citizen
            # did rate this member: keep it, as an unprompted rating, rather than lose it.
        else:
            row = db.session.execute(select(Kiosk.id, Kiosk.window_id).where(Kiosk.id == token.id)).first()
            if row is None:
                raise qrtokens.TokenError(_("This QR code is not valid. Please scan the code again."))
            src.window_id = src.window_id or row.window_id
            src.qr_window_id = row.window_id
    if src.kiosk_id is None:
        src.address_hash = keyed_hash("a", client_address())
        src.rater_hash = keyed_hash("r", rater_cookie())
    return src


# --- the intake ------------------------------------------------------------------------------

def _rated_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        from liangbiping.admin.timefmt import hall_zone

        value = value.replace(tzinfo=hall_zone())
    if value > now + FUTURE_SLACK:
        raise Invalid(_("rated_at is in the future."), field="rated_at")
    if value < now - MAX_AGE:
        raise Invalid(_("rated_at is more than 30 days ago."), field="rated_at")
    return value


def who_is_rated(staff_id: int | None, window_id: int | None, src: Source,
                 required: bool = True) -> tuple[int | None, int | None]:
    """The member and window a rating (or suggestion) is about: the tokens decide, the body may
    only agree or fill gaps, so that a rating always lands on the member who served.

    * a badge or prompt rates its own member, at that member's window: a body naming another
      member or another window is refused;
    * a kiosk standing at a window (or a phone that scanned its code) rates that window, and a
      member picked there must serve at it;
    * a floor kiosk's phone code offers every window: a member picked must serve at the window named.
    """
    if src.staff_id is not None:
        if staff_id is not None and staff_id != src.staff_id:
            raise Invalid(_("staff_id does not match the QR code."), field="staff_id")
        staff_id = src.staff_id
    bound = src.kiosk_window_id if src.kiosk_window_id is not None else src.qr_window_id
    if bound is not None and window_id is not None and window_id != bound:
        raise Invalid(_("This kiosk rates window %(id)s only.", id=bound), field="window_id")
    if src.prompt is not None:
        if window_id is not None and src.prompt.window_id is not None and window_id != src.prompt.window_id:
            raise Invalid(_("The QR code was made for window %(id)s.", id=src.prompt.window_id), field="window_id")
        window_id = src.prompt.window_id
    elif src.token is not None and src.token.kind == "badge":
        own = src.badge_window_id
        if window_id is not None and window_id != own:
            raise Invalid(_("A badge rates its member at their own window only."), field="window_id")
        window_id = own if src.kiosk_window_id is None else src.kiosk_window_id
    window_id = window_id if window_id is not None else src.window_id
    if required and staff_id is None and window_id is None:
        raise Invalid(_("Say who is rated: staff_id or window_id."), field="staff_id")
    picked = staff_id is not None and src.staff_id is None
    if picked and (src.kiosk_id is not None or (src.token is not None and src.token.kind == "kiosk")):
        # A member chosen on a kiosk's screen or on the phone page of its code: only someone
        # serving at that window was offered, so anyone else is a rating the screen never showed.
        if window_id is None:
            raise Invalid(_("Say at which window the member served you: window_id."), field="window_id")
        member = db.session.execute(select(Staff.window_id).where(Staff.id == staff_id)).first()
        if member is not None and member.window_id != window_id:
            raise Invalid(_("This member does not serve at window %(id)s.", id=window_id), field="staff_id")
    return staff_id, window_id


def _channel(body: RatingIn, src: Source) -> None:
    if src.kiosk_id is not None and body.channel not in ("kiosk", "device"):
        raise Invalid(_("A kiosk token goes with the kiosk or device channel."), field="channel")
    if src.kiosk_id is None and body.channel not in ("qr", "web"):
        raise Invalid(_("A QR token goes with the qr or web channel."), field="channel")


def _missing_reference(staff_id: int | None, window_id: int | None) -> None:
    """After a foreign key refused the insert: say which id does not exist."""
    if staff_id is not None and db.session.get(Staff, staff_id) is None:
        raise Invalid(_("staff_id: %(id)s does not exist.", id=staff_id), field="staff_id")
    if window_id is not None and db.session.get(Window, window_id) is None:
        raise Invalid(_("window_id: %(id)s does not exist.", id=window_id), field="window_id")


_RATINGS = Rating.__table__
# Core statements on the hot path: the ORM's unit of work costs more than the SQL here.
_PRESS_WINDOW = (exists().where(_RATINGS.c.kiosk_id == bindparam("press_kiosk"), _RATINGS.c.flagged.is_(None),
                                _RATINGS.c.rated_at > bindparam("press_lo", type_=Rating.rated_at.type),
                                _RATINGS.c.rated_at < bindparam("press_hi", type_=Rating.rated_at.type)))
# A kiosk's rating checks the repeat-press rule inside its own INSERT: one statement, not two.
_INSERT_KIOSK = (insert(_RATINGS).values(flagged=case((_PRESS_WINDOW, literal("repeat_press")), else_=null()))
                 .returning(_RATINGS.c.flagged))
# The same for a batch of kiosk ratings (kiosk/group_commit.py): one statement executed for
# every row in turn (executemany), so each row's check sees the rows before it; the flags are
# read back after.
_INSERT_KIOSK_MANY = insert(_RATINGS).values(flagged=case((_PRESS_WINDOW, literal("repeat_press")), else_=null()))
_FLAGS = select(_RATINGS.c.id, _RATINGS.c.flagged).where(_RATINGS.c.id.in_(bindparam("ids", expanding=True)))
CHECK_IN_SQL = object()


def _kiosk_params(row: dict) -> dict:
    params = {key: value for key, value in row.items() if key != "flagged"}
    params.update(press_kiosk=row["kiosk_id"], press_lo=row["rated_at"] - REPEAT_PRESS,
                  press_hi=row["rated_at"] + REPEAT_PRESS)
    return params


def _write_batch(rows: list[dict]) -> dict:
    """Store plain kiosk ratings together, in one transaction; {id: flagged}."""
    try:
        conn = db.session.connection()
        db.session.info.setdefault("push_tables", set()).add("ratings")
        params = [_kiosk_params(row) for row in rows]
        if conn.dialect.use_insertmanyvalues_wo_returning:
            # This driver would fold the rows into one multi-row INSERT, whose repeat-press
            # checks could not see each other: run them one by one (still one transaction).
            for one in params:
                conn.execute(_INSERT_KIOSK_MANY, one)
        else:
            conn.execute(_INSERT_KIOSK_MANY, params)  # the driver's executemany: row by row
        flags = dict(conn.execute(_FLAGS, {"ids": [row["id"] for row in rows]}).all())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return flags


batcher = GroupCommit(_write_batch)


def _flag(src: Source, staff_id: int | None, rated_at: datetime, now: datetime):
    if src.kiosk_id is not None and src.prompt is None:
        return CHECK_IN_SQL  # the repeat-press rule, decided by the insert itself (_INSERT_KIOSK)
    if src.phone and staff_id is not None:
        since = now - PHONE_WINDOW
        if src.rater_hash:
            seen = db.session.scalar(select(Rating.id).where(
                Rating.staff_id == staff_id, Rating.rater_hash == src.rater_hash,
                Rating.received_at >= since).limit(1))
            if seen is not None:
                raise Conflict(_("You have already rated this member today. Thank you."), code="already_rated")
        if src.address_hash:
            seen = db.session.scalar(select(Rating.id).where(
                Rating.staff_id == staff_id, Rating.address_hash == src.address_hash,
                Rating.received_at >= since).limit(1))
            if seen is not None:
                return "repeat_address"
    return None


def rating_dict(rating) -> dict:
    """A stored rating in the API's shape (RatingDetail), from a row or an ORM object."""
    get = rating.get if isinstance(rating, dict) else (lambda key: getattr(rating, key))
    out = {key: get(key) for key in ("id", "score", "staff_id", "window_id", "kiosk_id", "channel", "comment",
                                      "flagged", "prompted", "prompt_id", "rated_at", "received_at")}
    out["reasons"] = list(get("reasons") or [])
    out["contact_masked"] = mask_contact(get("contact"))
    out["prompted"] = bool(out["prompted"])
    return out


def _stored(rating_id: str) -> dict | None:
    rating = db.session.get(Rating, rating_id)
    return rating_dict(rating) if rating is not None else None


def receive(body: RatingIn) -> tuple[dict, bool]:
    """Store a rating; (rating, True) when new, (stored rating, False) for a replayed id.

    Raises a DomainError (4xx) for anything that cannot be stored. Returns only after commit.
    The common case costs one indexed read (the repeat-press rule) and one insert in its own
    transaction; a replayed id is found by the primary key refusing the insert, and any refusal
    first checks whether the id was already stored (a replay is answered 200 whatever changed since).
    """
    try:
        src = resolve_source(body.kiosk_token, body.qr_token)
        _channel(body, src)
        if src.kiosk_id is not None:
            check_burst(f"kiosk:{src.kiosk_id}", "kiosk")
        else:
            check_burst(f"address:{src.address_hash}", "address")
        now = utcnow()
        rated_at = _rated_at(body.rated_at, now)
        staff_id, window_id = who_is_rated(body.staff_id, body.window_id, src)
        flagged = _flag(src, staff_id, rated_at, now)
    except DomainError:
        db.session.rollback()
        stored = _stored(body.id)
        if stored is not None:
            return stored, False
        raise
    row = {
        "id": body.id, "score": body.score, "staff_id": staff_id, "window_id": window_id, "kiosk_id": src.kiosk_id,
        "channel": body.channel, "reasons": list(body.reasons), "comment": body.comment, "contact": body.contact,
        "prompted": src.prompt is not None, "flagged": flagged, "rated_at": rated_at, "received_at": now,
        "prompt_id": src.prompt.id if src.prompt else None,
        "rater_hash": src.rater_hash if src.phone else None,
        "address_hash": src.address_hash if src.phone else None,
    }
    if flagged is CHECK_IN_SQL:
        # Hand back this request's connection while it may wait for a batch's leader.
        db.session.close()
        together, row_flag = batcher.submit(row)
        if together:
            row["flagged"] = row_flag
            _announce(row, src)
            return rating_dict(row), True
    conn = db.session.connection()
    # Core statements skip the ORM's flush, so tell the push hub's commit hook what changed.
    db.session.info.setdefault("push_tables", set()).add("ratings")
    try:
        if flagged is CHECK_IN_SQL:
            row["flagged"] = conn.execute(_INSERT_KIOSK, _kiosk_params(row)).scalar()
        else:
            conn.execute(insert(_RATINGS), row)
        if src.prompt is not None:
            used = conn.execute(update(RatingPrompt.__table__).where(
                RatingPrompt.__table__.c.id == src.prompt.id, RatingPrompt.__table__.c.used_at.is_(None)
            ).values(used_at=now))
            if used.rowcount != 1:  # another rating took the prompt a moment ago
                db.session.rollback()
                raise Conflict(_("This service has already been rated. Thank you."), code="prompt_used")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = _stored(body.id)
        if stored is not None:
            return stored, False
        _missing_reference(staff_id, window_id)
        if src.prompt is not None:
            raise Conflict(_("This service has already been rated. Thank you."), code="prompt_used") from None
        raise Invalid(_("The rating refers to records that no longer exist.")) from None
    _announce(row, src)
    return rating_dict(row), True


def _announce(row: dict, src: Source) -> None:
    """After commit: tell the console and the kiosk that showed the prompt. (The statistics and
    the ledger followed the INSERT itself, in its transaction: admin.campaign.follow_writes.)"""
    try:
        from .events import rating_added

        rating_added(row, prompt=src.prompt)
    except Exception:  # noqa: BLE001 - the rating is committed; a failed notice must not turn it into a 5xx
        log.exception("announcing rating %s failed", row.get("id"))


def rater_cookie() -> str:
    """The phone's random id: from its cookie, or a new one that this response will set."""
    from flask import g

    value = request.cookies.get(RATER_COOKIE)
    if not value or len(value) > 64:
        value = g.get("new_rater_cookie")
        if value is None:
            import secrets

            value = g.new_rater_cookie = secrets.token_urlsafe(16)
    return value


def set_rater_cookie(response):
    """Give a phone a random, HttpOnly id that lets the 24 h rule recognise it (nothing personal)."""
    from flask import g

    if not request.cookies.get(RATER_COOKIE) or g.get("new_rater_cookie"):
        response.set_cookie(RATER_COOKIE, rater_cookie(), max_age=400 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response

