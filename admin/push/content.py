"""What a screen shows, built from the database: one snapshot of the hall, then a payload per content key.

A content key names everything that decides a screen's content (its kind, its window and
the playlist in force), so screens with equal keys share one payload, built once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Department, Honor, Notice, Pledge, RatingPrompt, Staff, Standard, Window
from ..models.types import utcnow
from ..services.settings import get_setting
from . import citizen_codes
from .cards import member_card
from .playlists import DEFAULT_HALL, DEFAULT_WINDOW, playlist_in_force


def content_keys(screens: list, book, now: datetime) -> dict[int, str]:
    """{screen id: content key} for rows of (id, kind, window_id, group_id, playlist_id).

    Screens differing only in id share a computation unless a schedule names one of them.
    """
    from ..timefmt import hall_zone

    local = now.astimezone(hall_zone())
    named = {s.screen_id for s in book.schedules if s.screen_id is not None}
    memo: dict[tuple, str] = {}
    keys = {}
    for screen_id, kind, window_id, group_id, playlist_id in screens:
        window = window_id if kind == "window" else 0
        signature = (screen_id if screen_id in named else None, kind, window or 0, group_id, playlist_id)
        if signature not in memo:
            in_force = playlist_in_force(screen_id, group_id, playlist_id, book, local)
            memo[signature] = f"{kind}:{window or 0}:{in_force or 0}"
        keys[screen_id] = memo[signature]
    return keys


@dataclass
class HallSnapshot:
    """Everything screens draw from, read once per round."""

    hall: dict
    departments: dict
    windows: dict
    members: list
    standards: list
    pledges: list
    honors: list
    notices: list
    urgent: list
    satisfaction: dict
    playlists: dict
    campaign: dict | None = None  # {"boards": [...], "phase": {...} | None}
    prompts: dict | None = None  # {window id: the newest open prompt there, as its window screen shows it}
    parts: dict | None = None  # what it was read from (read_parts), for the next snapshot to reuse
    roster: tuple = ()  # the members as the boards name them (roster)
    take_part: dict | None = None  # open survey rounds and the wish page, to scan (citizen_codes)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# The parts of a snapshot and the tables each is read from. A round reuses the parts whose
# tables have not changed since they were read (the push hub forgets the others): an edit of one
# member re-reads the staff, not the hall's standards, honors and notices. What depends on the
# clock (notices and pledges in force) is kept whole and filtered by each snapshot.
PART_TABLES = {
    "catalog": {"departments", "windows", "standards", "window_service_items"},
    "members": {"staff", "departments", "windows"},
    "pledges": {"pledges"},
    "honors": {"honors", "windows"},
    "notices": {"notices"},
    "hall": {"settings"},
    "playlists": {"playlists", "schedules"},
    "prompts": {"rating_prompts", "staff", "settings"},  # settings: the public address in the links
    "take_part": citizen_codes.TABLES,
}


def _catalog() -> dict:
    departments = {d.id: d.name for d in db.session.scalars(select(Department).order_by(Department.sort_order, Department.id))}
    windows = {
        w.id: {"id": w.id, "number": w.number, "name": w.name, "department": departments.get(w.department_id, ""),
               "service_item_ids": []}
        for w in db.session.scalars(select(Window).order_by(Window.number))
    }
    standards = []
    for st in db.session.scalars(select(Standard).options(selectinload(Standard.windows))
                                 .order_by(Standard.kind, Standard.sort_order, Standard.id)):
        ids = [w.id for w in st.windows]
        for wid in ids:
            if wid in windows:
                windows[wid]["service_item_ids"].append(st.id)
        standards.append({
            "id": st.id, "kind": st.kind, "item_name": st.item_name, "department": departments.get(st.department_id, ""),
            "department_id": st.department_id, "window_ids": ids, "description": st.description,
            "steps": st.steps or [], "time_limit": st.time_limit, "materials": st.materials or [], "fees": st.fees,
            "legal_basis": st.legal_basis, "service_language": st.service_language,
        })
    return {"departments": departments, "windows": windows, "standards": standards}


def _members() -> dict:
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    windows = {w.id: {"number": w.number, "name": w.name}
               for w in db.session.scalars(select(Window))}
    staff = db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.id)).all()
    return {"members": [member_card(s, departments.get(s.department_id, ""), windows.get(s.window_id)) for s in staff],
            "names": {s.id: s.name for s in staff}}


def _pledges() -> list:
    """Every published pledge with its period (dates), to be filtered by the day; who made it
    (``by``) is named by the snapshot, from the members."""
    return [
        ({"id": p.id, "staff_id": p.staff_id, "by": None, "text": p.text,
          "period_start": _iso(p.period_start), "period_end": _iso(p.period_end)}, p.period_start, p.period_end)
        for p in db.session.scalars(select(Pledge).where(Pledge.published.is_(True))
                                    .order_by(Pledge.staff_id.is_not(None), Pledge.id))
    ]


def _honors() -> list:
    """The latest honors; the member's ``name`` is filled in by the snapshot, from the members."""
    windows = {w.id: f"{w.number} {w.name}" for w in db.session.scalars(select(Window))}
    return [
        {"id": h.id, "title": h.title, "staff_id": h.staff_id, "name": None,
         "window": windows.get(h.window_id), "awarded_on": _iso(h.awarded_on), "issuer": h.issuer}
        for h in db.session.scalars(select(Honor).order_by(Honor.awarded_on.desc(), Honor.id.desc()).limit(40))
    ]


def _notices() -> list:
    """Every notice with its times, to be filtered by the clock."""
    return [({"id": n.id, "title": n.title, "text": n.text, "ends_at": _iso(n.ends_at)}, n.starts_at, n.ends_at,
             n.priority == "urgent")
            for n in db.session.scalars(select(Notice).order_by(Notice.id.desc()))]


def _hall() -> dict:
    return {"name": get_setting("hall_name"), "timezone": get_setting("timezone"), "banner": get_setting("banner")}


def _playlists():
    from .playlists import load_playlists

    return load_playlists()


def _prompts() -> list:
    """Every open prompt for a window, newest first, with its end, to be filtered by the clock: the
    window screen shows the newest one still open as a QR code that rates exactly that prompt.
    The link is a path when the hall has no public address: the screen completes it with its own."""
    from liangbiping.kiosk.qrtokens import prompt_token

    from ..services.settings import public_base_url

    base = public_base_url() or ""
    rows = db.session.execute(
        select(RatingPrompt, Staff.name).join(Staff, Staff.id == RatingPrompt.staff_id)
        .where(RatingPrompt.window_id.is_not(None), RatingPrompt.used_at.is_(None),
               RatingPrompt.cancelled_at.is_(None), RatingPrompt.expired_at.is_(None),
               RatingPrompt.expires_at > utcnow())
        .order_by(RatingPrompt.id.desc())).all()
    return [({"id": p.id, "window_id": p.window_id, "case_no": p.case_no, "service_item": p.service_item,
              "member": {"id": p.staff_id, "name": name}, "url": f"{base}/q/{prompt_token(p)}",
              "expires_at": _iso(p.expires_at)}, p.expires_at) for p, name in rows]


def open_prompts(rows: list, now: datetime) -> dict:
    """{window id: the newest prompt there still open at ``now``} from the rows ``_prompts`` read."""
    out: dict = {}
    for card, expires_at in rows:
        if expires_at > now and card["window_id"] not in out:
            out[card["window_id"]] = card
    return out


READERS = {"catalog": _catalog, "members": _members, "pledges": _pledges, "honors": _honors, "notices": _notices,
           "hall": _hall, "playlists": _playlists, "prompts": _prompts, "take_part": citizen_codes.read}


_named: dict[str, tuple] = {}  # part -> (its rows, the names, the rows named): the same objects, the same answer


def _with_names(part: str, rows: list, names: dict, field: str) -> list:
    """``rows`` with ``field`` set to the name of each one's member (``staff_id``), made once for
    a given pair of parts, so that unchanged rows stay the same objects (admin.push.hub hashes
    them once). Rows of a member no longer there are left out: the database deleted them with
    the member (ON DELETE CASCADE), and the part read before does not know it yet."""
    hit = _named.get(part)
    if hit is not None and hit[0] is rows and hit[1] is names:
        return hit[2]
    named = [dict(row, **{field: names[row["staff_id"]] if row["staff_id"] else None}) for row in rows
             if not row["staff_id"] or row["staff_id"] in names]
    _named[part] = (rows, names, named)
    return named


def read_parts(parts: dict | None = None) -> dict:
    """Every part of a snapshot: those in ``parts`` as they are, the others read now."""
    parts = dict(parts or {})
    for name, reader in READERS.items():
        if name not in parts:
            parts[name] = reader()
    return parts


def roster(members: list[dict]) -> tuple:
    """What the 三比 boards take from the members: who they are, their names and departments."""
    return tuple((m["id"], m["name"], m["department"]) for m in members)


def snapshot(now: datetime | None = None, campaign: tuple[dict, tuple] | None = None, satisfaction: dict | None = None,
             parts: dict | None = None) -> HallSnapshot:
    """The hall as screens see it. ``parts`` reuses parts read earlier (``read_parts``; the
    snapshot keeps the ones it used in ``parts``); ``campaign`` (the boards and phase, and the
    roster they were built for) and ``satisfaction`` reuse the boards and the figures of an
    earlier snapshot: they are costly and change slowly. Boards built for another roster are
    built again."""
    now = now or utcnow()
    today = now.date()
    parts = read_parts(parts)
    catalog, people = parts["catalog"], parts["members"]
    in_force = [p for p, start, end in parts["pledges"] if (end is None or end >= today) and (start is None or start <= today)]
    pledges = _with_names("pledges", in_force, people["names"], "by")
    notices, urgent = [], []
    for item, starts, ends, is_urgent in parts["notices"]:
        if (starts is None or starts <= now) and (ends is None or now < ends):
            (urgent if is_urgent else notices).append(item)
    members = roster(people["members"])
    if campaign is not None and campaign[1] != members:
        campaign = None
    snap = HallSnapshot(
        hall=parts["hall"], departments=catalog["departments"], windows=catalog["windows"], members=people["members"],
        standards=catalog["standards"], pledges=pledges, honors=_with_names("honors", parts["honors"], people["names"], "name"), notices=notices, urgent=urgent,
        satisfaction=satisfaction if satisfaction is not None else satisfaction_summary(now),
        playlists=parts["playlists"], campaign=campaign[0] if campaign is not None else campaign_sections(),
        prompts=open_prompts(parts["prompts"], now),
    )
    snap.parts, snap.roster, snap.take_part = parts, members, parts["take_part"]
    return snap


def satisfaction_summary(now: datetime) -> dict:
    """This month's ratings: count and satisfied share, hall-wide and per window.

    Read from the rating rollups (admin.stats), which leave out flagged ratings and ratings
    removed by an upheld appeal, and count the levels of the ``satisfied_levels`` setting.
    """
    from ..stats import queries
    from ..timefmt import hall_zone

    local = now.astimezone(hall_zone())
    start, end = local.date().replace(day=1), local.date()
    hall = queries.summary(queries.Scope("hall"), start, end, reasons=False)
    windows = []
    for window_id, counts in queries.level_counts_by("window", start, end).items():
        fig = queries.figures(counts)
        if fig["count"]:
            windows.append({"window_id": window_id, "count": fig["count"], "rate": round(fig["rate"], 4)})
    return {
        "month": local.strftime("%Y-%m"), "count": hall["count"], "satisfied": hall["satisfied"],
        "rate": round(hall["rate"], 4) if hall["rate"] is not None else None,
        "windows": sorted(windows, key=lambda w: (-w["rate"], -w["count"])),
    }


def campaign_sections() -> dict:
    """The published 三比 boards and the current campaign phase (admin.campaign.boards).

    A failure here must not blank the screens: they keep everything else and show no boards.
    """
    from ..campaign.boards import boards_for_screens

    try:
        return boards_for_screens()
    except Exception:  # noqa: BLE001
        import logging

        logging.getLogger(__name__).exception("building the campaign boards for screens failed")
        return {"boards": [], "phase": None}


def build(key: str, snap: HallSnapshot, neighbours=()) -> dict:
    """The sections of the payload for one content key; ``neighbours`` (admin.push.hub.Neighbour)
    add theirs to a window screen (the kiosks: the rating codes of the members on duty)."""
    kind, window_id, playlist_id = key.split(":")
    window_id, playlist_id = int(window_id), int(playlist_id)
    playlist = snap.playlists.get(playlist_id) or (DEFAULT_WINDOW if kind == "window" else DEFAULT_HALL)
    sections = {
        "hall": snap.hall,
        "playlist": playlist,
        "notices": snap.notices,
        "urgent": snap.urgent,
    }
    if kind == "window":
        window = snap.windows.get(window_id)
        sections["window"] = window
        sections["members"] = [m for m in snap.members if m["window_id"] == window_id and m["on_duty"]]
        sections["standards"] = [s for s in snap.standards if window_id in s["window_ids"]]
        # A prompt open here (一次一评): its QR code rates exactly that case, on the citizen's phone.
        sections["prompt"] = (snap.prompts or {}).get(window_id)
        for neighbour in neighbours:
            sections.update(neighbour.window_sections(window, sections["members"]))
        return sections
    sections["members"] = [m for m in snap.members if m["on_duty"]]
    sections["all_members"] = snap.members
    sections["windows"] = list(snap.windows.values())
    sections["standards"] = snap.standards
    sections["pledges"] = snap.pledges
    sections["honors"] = snap.honors
    sections["satisfaction"] = snap.satisfaction
    campaign = snap.campaign or {"boards": [], "phase": None}
    sections["boards"] = campaign["boards"]
    sections["phase"] = campaign["phase"]
    sections["wishes"] = campaign.get("wishes")  # admin.wishes: this month's fulfilled wishes, anonymised
    sections["take_part"] = snap.take_part
    return sections


def digest(sections: dict, previous: dict | None = None, kept: dict | None = None) -> dict:
    """A short hash per section: equal hashes mean the screen already shows that section.

    ``previous`` ({id(value): (value, hash)}, the last round's ``kept``) skips hashing a value
    hashed before: the parts a round reuses are the same objects from round to round. Every value
    hashed or reused here goes into ``kept``, for the next round."""
    out = {}
    for name, value in sections.items():
        hit = previous.get(id(value)) if previous else None
        if hit is not None and hit[0] is value:
            out[name] = hit[1]
        else:
            out[name] = hashlib.blake2b(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode(),
                                        digest_size=12).hexdigest()
        if kept is not None:
            kept[id(value)] = (value, out[name])
    return out
