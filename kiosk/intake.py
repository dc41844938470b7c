"""The rating intake: every rating from a kiosk, a phone or an evaluator device enters here.

``receive`` checks where the rating comes from (kiosk/sources.py), applies the rules
(kiosk/rules.py), stores it (kiosk/rating_store.py; a kiosk's ratings arriving together in one
batch), and tells the console and the prompt's kiosk. The statistics and the ledger follow the
INSERT itself, in its transaction (admin/campaign/follow_writes.py): a rating that is stored is
counted, and a bad one has its ledger entry, or neither happened.

The rules (docs/RATINGS.md says them for people, tests/kiosk/test_abuse.py proves each):

* Idempotent: the client's UUID is the key; the same id again from the same source (the same
  kiosk, prompt, or badge or kiosk code on the same phone) returns the stored rating; from
  anywhere else it gets 409 ``duplicate_id`` and never sees the rating. Tokens that prove nothing
  get 401 whatever the id.
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

import logging

from flask_babel import gettext as _
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from liangbiping.admin.errors import Conflict, DomainError, Invalid
from liangbiping.admin.extensions import db
from liangbiping.admin.models import RatingPrompt
from liangbiping.admin.models.types import utcnow

from .rating_store import INSERT_KIOSK, RATINGS, kiosk_params, missing_reference, stored_row, batcher, rating_dict
from .rules import CHECK_IN_SQL, check_channel, flag_for, rated_at_from, check_burst, who_is_rated
from .schemas import RatingIn
from .sources import Origin, Source, origin_of, resolve_source, sent_from

log = logging.getLogger(__name__)


def receive(body: RatingIn) -> tuple[dict, bool]:
    """Store a rating; (rating, True) when new, (stored rating, False) for a replayed id.

    Raises a DomainError (4xx) for anything that cannot be stored. Returns only after commit.
    The common case costs one indexed read (the repeat-press rule) and one insert in its own
    transaction; a replayed id is found by the primary key refusing the insert, and any refusal
    but a 401 first checks whether the id was already stored from the same source (a replay is
    answered 200 whatever changed since; another source gets the refusal it earned).
    """
    src = None
    try:
        src = resolve_source(body.kiosk_token, body.qr_token)
        check_channel(body, src)
        if src.kiosk_id is not None:
            check_burst(f"kiosk:{src.kiosk_id}", "kiosk")
        else:
            check_burst(f"address:{src.address_hash}", "address")
        now = utcnow()
        rated_at = rated_at_from(body.rated_at, now)
        staff_id, window_id = who_is_rated(body.staff_id, body.window_id, src)
        flagged = flag_for(src, staff_id, rated_at, now)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 401:
            raise  # tokens that prove nothing: no stored rating is looked for
        stored = stored_row(body.id)
        if stored is not None and sent_from(stored, Origin.of(src) if src else origin_of(body.kiosk_token,
                                                                                              body.qr_token)):
            return rating_dict(stored), False
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
    if src.prompt is not None:
        db.session.info["push_tables"].add("rating_prompts")  # used up: off its window screen
    try:
        if flagged is CHECK_IN_SQL:
            row["flagged"] = conn.execute(INSERT_KIOSK, kiosk_params(row)).scalar()
        else:
            conn.execute(insert(RATINGS), row)
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
        stored = stored_row(body.id)
        if stored is not None:
            if sent_from(stored, Origin.of(src)):
                return rating_dict(stored), False
            raise Conflict(_("This id is already used by a rating sent from elsewhere."),
                           code="duplicate_id", field="id") from None
        missing_reference(staff_id, window_id)
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
