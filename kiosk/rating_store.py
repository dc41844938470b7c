"""Storing ratings: the Core statements of the intake's hot path, the batch a kiosk's ratings are
written in together (kiosk/group_commit.py), and a stored rating in the API's shape."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, exists, insert, literal, null, select

from liangbiping.admin.campaign.follow_writes import deferred_rollups
from liangbiping.admin.errors import Invalid
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating, Staff, Window
from liangbiping.admin.models.rating_terms import mask_contact

from .group_commit import GroupCommit
from .rules import REPEAT_PRESS

RATINGS = Rating.__table__
# Core statements on the hot path: the ORM's unit of work costs more than the SQL here.
PRESS_WINDOW = (exists().where(RATINGS.c.kiosk_id == bindparam("press_kiosk"), RATINGS.c.flagged.is_(None),
                                RATINGS.c.rated_at > bindparam("press_lo", type_=Rating.rated_at.type),
                                RATINGS.c.rated_at < bindparam("press_hi", type_=Rating.rated_at.type)))
# A kiosk's rating checks the repeat-press rule inside its own INSERT: one statement, not two.
INSERT_KIOSK = (insert(RATINGS).values(flagged=case((PRESS_WINDOW, literal("repeat_press")), else_=null()))
                 .returning(RATINGS.c.flagged))
# The same for a batch of kiosk ratings (kiosk/group_commit.py): one statement executed for
# every row in turn (executemany), so each row's check sees the rows before it; the flags are
# read back after.
INSERT_KIOSK_MANY = insert(RATINGS).values(flagged=case((PRESS_WINDOW, literal("repeat_press")), else_=null()))
STORED_FLAGS = select(RATINGS.c.id, RATINGS.c.flagged).where(RATINGS.c.id.in_(bindparam("ids", expanding=True)))


def kiosk_params(row: dict) -> dict:
    params = {key: value for key, value in row.items() if key != "flagged"}
    params.update(press_kiosk=row["kiosk_id"], press_lo=row["rated_at"] - REPEAT_PRESS,
                  press_hi=row["rated_at"] + REPEAT_PRESS)
    return params


def write_batch(rows: list[dict]) -> dict:
    """Store plain kiosk ratings together, in one transaction; {id: flagged}."""
    try:
        conn = db.session.connection()
        db.session.info.setdefault("push_tables", set()).add("ratings")
        params = [kiosk_params(row) for row in rows]
        with deferred_rollups(conn):  # the members' rollup rows locked for the commit alone
            if conn.dialect.use_insertmanyvalues_wo_returning:
                # This driver would fold the rows into one multi-row INSERT, whose repeat-press
                # checks could not see each other: run them one by one (still one transaction).
                for one in params:
                    conn.execute(INSERT_KIOSK_MANY, one)
            else:
                conn.execute(INSERT_KIOSK_MANY, params)  # the driver's executemany: row by row
            flags = dict(conn.execute(STORED_FLAGS, {"ids": [row["id"] for row in rows]}).all())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return flags


batcher = GroupCommit(write_batch)


def rating_dict(rating) -> dict:
    """A stored rating in the API's shape (RatingDetail), from a row or an ORM object."""
    get = rating.get if isinstance(rating, dict) else (lambda key: getattr(rating, key))
    out = {key: get(key) for key in ("id", "score", "staff_id", "window_id", "kiosk_id", "channel", "comment",
                                      "flagged", "prompted", "prompt_id", "rated_at", "received_at")}
    out["reasons"] = list(get("reasons") or [])
    out["contact_masked"] = mask_contact(get("contact"))
    out["prompted"] = bool(out["prompted"])
    return out


def stored_row(rating_id: str) -> Rating | None:
    """The rating stored under this id, if any (a replay: kiosk/sources.sent_from says whether
    the replay may see it)."""
    return db.session.get(Rating, rating_id)


def missing_reference(staff_id: int | None, window_id: int | None) -> None:
    """After a foreign key refused the insert: say which id does not exist."""
    if staff_id is not None and db.session.get(Staff, staff_id) is None:
        raise Invalid(_("staff_id: %(id)s does not exist.", id=staff_id), field="staff_id")
    if window_id is not None and db.session.get(Window, window_id) is None:
        raise Invalid(_("window_id: %(id)s does not exist.", id=window_id), field="window_id")
