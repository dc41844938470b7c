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
from ..models import Department, Honor, Notice, Pledge, Staff, Standard, Window
from ..models.types import utcnow
from ..services.settings import get_setting
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(now: datetime | None = None, campaign: dict | None = None, satisfaction: dict | None = None) -> HallSnapshot:
    """The hall as screens see it; ``campaign`` and ``satisfaction`` reuse the boards and the
    figures of an earlier snapshot: they are costly and change slowly."""
    from .playlists import load_playlists

    now = now or utcnow()
    today = now.date()
    departments = {d.id: d.name for d in db.session.scalars(select(Department).order_by(Department.sort_order, Department.id))}
    windows = {
        w.id: {"id": w.id, "number": w.number, "name": w.name, "department": departments.get(w.department_id, ""),
               "service_item_ids": []}
        for w in db.session.scalars(select(Window).order_by(Window.number))
    }
    staff = db.session.scalars(select(Staff).order_by(Staff.sort_order, Staff.id)).all()
    members = [member_card(s, departments.get(s.department_id, ""), windows.get(s.window_id)) for s in staff]
    names = {s.id: s.name for s in staff}

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

    pledges = [
        {"id": p.id, "staff_id": p.staff_id, "by": names.get(p.staff_id) if p.staff_id else None, "text": p.text,
         "period_start": _iso(p.period_start), "period_end": _iso(p.period_end)}
        for p in db.session.scalars(select(Pledge).where(Pledge.published.is_(True)).order_by(Pledge.staff_id.is_not(None), Pledge.id))
        if (p.period_end is None or p.period_end >= today) and (p.period_start is None or p.period_start <= today)
    ]
    honors = [
        {"id": h.id, "title": h.title, "staff_id": h.staff_id, "name": names.get(h.staff_id),
         "window": f"{windows[h.window_id]['number']} {windows[h.window_id]['name']}" if h.window_id in windows else None,
         "awarded_on": _iso(h.awarded_on), "issuer": h.issuer}
        for h in db.session.scalars(select(Honor).order_by(Honor.awarded_on.desc(), Honor.id.desc()).limit(40))
    ]
    notices, urgent = [], []
    for n in db.session.scalars(select(Notice).order_by(Notice.id.desc())):
        if (n.starts_at is None or n.starts_at <= now) and (n.ends_at is None or now < n.ends_at):
            item = {"id": n.id, "title": n.title, "text": n.text, "ends_at": _iso(n.ends_at)}
            (urgent if n.priority == "urgent" else notices).append(item)

    return HallSnapshot(
        hall={"name": get_setting("hall_name"), "timezone": get_setting("timezone"), "banner": get_setting("banner")},
        departments=departments, windows=windows, members=members, standards=standards, pledges=pledges,
        honors=honors, notices=notices, urgent=urgent,
        satisfaction=satisfaction if satisfaction is not None else satisfaction_summary(now),
        playlists=load_playlists(), campaign=campaign if campaign is not None else campaign_sections(),
    )


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
    return sections


def digest(sections: dict) -> dict:
    """A short hash per section: equal hashes mean the screen already shows that section."""
    return {name: hashlib.blake2b(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode(),
                                  digest_size=12).hexdigest()
            for name, value in sections.items()}
