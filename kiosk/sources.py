"""Where a rating or suggestion comes from: a paired kiosk's token or a signed QR code (a badge, a
prompt, a kiosk's "rate on your phone"), checked and resolved to what it may rate; and whether a
stored rating was sent from the same place as a replay of its id (``Origin``, ``sent_from``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from liangbiping.admin.client_address import client_address
from liangbiping.admin.errors import Conflict, Unauthorized
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk, RatingPrompt, Staff

from . import qrtokens
from .raters import keyed_hash, rater_cookie

_kiosk_cache: dict[str, tuple[int, int | None, float, str]] = {}
_kiosk_generation = [0]  # bumped by each forgetting: a lookup read before one does not store what it read
# Forgotten on every change that matters (kiosks, revocations), in every process through the change
# bus; the age limit covers what no process can be told: a write from outside the server processes,
# and, shorter, while the bus (Redis) is away or absent (one process: the command line can write).
KIOSK_CACHE_SECONDS = 10.0
KIOSK_CACHE_LISTENING = 60.0  # the caches' one-minute limit (docs/ARCHITECTURE.md, "Caches")


def _cache_seconds() -> float:
    from liangbiping.admin.push.hub import hub_for

    bus = hub_for().bus
    return KIOSK_CACHE_LISTENING if bus is not None and bus.listening else KIOSK_CACHE_SECONDS


def kiosk_for_token(secret: str) -> tuple[int, int | None, str] | None:
    """(kiosk id, window id, kind) for a kiosk or evaluator device token, remembered briefly: the
    intake's hottest lookup. ``kind``: ``kiosk``, or ``device`` for a third-party evaluator.

    A deleted or disabled kiosk is refused at once, in every process (``forget_kiosks``, run on
    revocation); a kiosk moved to another window is seen at once too (``forget_kiosk_routes``,
    run in every process after a commit to ``kiosks``).
    """
    from liangbiping.admin.services.accounts import hash_secret

    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    hit = _kiosk_cache.get(digest)
    now = time.monotonic()
    if hit and now - hit[2] < _cache_seconds():
        return hit[0], hit[1], hit[3]
    generation = _kiosk_generation[0]
    row = db.session.execute(select(Kiosk.id, Kiosk.window_id, Kiosk.kind).where(Kiosk.token_hash == digest,
                                                                                 Kiosk.enabled.is_(True))).first()
    if row is None:
        _kiosk_cache.pop(digest, None)
        return None
    if len(_kiosk_cache) > 10_000:
        _kiosk_cache.clear()
    if generation == _kiosk_generation[0]:
        _kiosk_cache[digest] = (row.id, row.window_id, now, row.kind)
    return row.id, row.window_id, row.kind


def forget_kiosk_routes() -> None:
    """Kiosks changed (a window, a kind): look every token up again."""
    _kiosk_generation[0] += 1
    _kiosk_cache.clear()


def forget_kiosks(principals: set) -> None:
    """Revoked kiosks' tokens are looked up again (and refused) from the next rating on."""
    gone = {pid for kind, pid in principals if kind == "kiosk"}
    if gone:
        _kiosk_generation[0] += 1
        for digest, hit in list(_kiosk_cache.items()):
            if hit[0] in gone:
                _kiosk_cache.pop(digest, None)


class Source:
    """Where a rating or suggestion comes from, once its token is checked."""

    def __init__(self):
        self.kiosk_id: int | None = None
        self.kiosk_window_id: int | None = None
        self.device = False                   # a third-party evaluator device: ratings for its window only
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


def _paired_kiosk(kiosk_token: str | None) -> tuple[int, int | None, str]:
    """(kiosk id, its window id, its kind) of a valid kiosk token; 401 when there is no token at all (nor a
    QR token: the callers ask only then) or a bad one."""
    if not kiosk_token:
        raise Unauthorized(_("A kiosk_token or a qr_token is required."), code="token_required")
    found = kiosk_for_token(kiosk_token)
    if found is None:
        raise Unauthorized(_("The kiosk token is not valid. Pair the kiosk again."), code="invalid_kiosk_token")
    return found


def resolve_source(kiosk_token: str | None, qr_token: str | None, *, for_rating: bool = True) -> Source:
    """Check the tokens; raise 401 (bad), 410 (expired or revoked) or 409 (prompt used)."""
    src = Source()
    if kiosk_token or not qr_token:
        src.kiosk_id, src.kiosk_window_id, kind = _paired_kiosk(kiosk_token)
        src.device = kind == "device"
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


# --- replays ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Who sends a rating, as far as its tokens prove it: a kiosk, or a QR code (its kind and id)
    and, for a phone, its cookie and address as keyed hashes."""

    kiosk_id: int | None = None
    qr_kind: str | None = None
    qr_id: int | None = None
    rater_hash: str | None = None
    address_hash: str | None = None

    @classmethod
    def of(cls, src: Source) -> "Origin":
        token = src.token
        return cls(kiosk_id=src.kiosk_id, qr_kind=token.kind if token else None, qr_id=token.id if token else None,
                   rater_hash=src.rater_hash, address_hash=src.address_hash)


def origin_of(kiosk_token: str | None, qr_token: str | None) -> Origin:
    """The origin a replay proves even when its tokens may no longer rate (a used or expired
    prompt, a rotated badge, an old kiosk code); 401 for tokens that prove nothing, as in
    ``resolve_source``."""
    if kiosk_token or not qr_token:
        return Origin(kiosk_id=_paired_kiosk(kiosk_token)[0])
    token = qrtokens.parse(qr_token, check_age=False)  # 401 when forged
    return Origin(qr_kind=token.kind, qr_id=token.id, rater_hash=keyed_hash("r", rater_cookie()),
                  address_hash=keyed_hash("a", client_address()))


def sent_from(rating, origin: Origin) -> bool:
    """Whether the stored ``rating`` came from ``origin``: the same kiosk; the same prompt; or the
    same badge or kiosk code from the same phone (its cookie, or else its address: a phone whose
    first answer was lost may have lost the new cookie with it)."""
    if origin.kiosk_id is not None:
        return rating.kiosk_id == origin.kiosk_id
    if rating.kiosk_id is not None or origin.qr_kind is None:
        return False
    if origin.qr_kind == "prompt":
        return rating.prompt_id == origin.qr_id
    if rating.prompt_id is not None or (origin.qr_kind == "badge" and rating.staff_id != origin.qr_id):
        return False
    if origin.qr_kind == "kiosk":
        window_id = db.session.scalar(select(Kiosk.window_id).where(Kiosk.id == origin.qr_id))
        if window_id is not None and rating.window_id != window_id:
            return False
    return bool((origin.rater_hash and origin.rater_hash == rating.rater_hash)
                or (origin.address_hash and origin.address_hash == rating.address_hash))
