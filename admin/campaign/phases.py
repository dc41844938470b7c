"""The campaign calendar: phases such as 动员部署, 扎实推进, 巩固提高, each a range of dates.

The current phase is the one whose dates hold today (hall-local); when phases overlap, the one
that started last. It shows on the console dashboard and, as the ``phase`` section, on hall screens.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import CampaignPhase
from ..services.audit import record
from ..stats.periods import local_today
from ..timefmt import hall_zone

STAGES = {"mobilize": _l("Mobilization and deployment"), "advance": _l("Steady advance"),
          "consolidate": _l("Consolidation and improvement"), "other": _l("Other")}
FIELDS = ("name", "stage", "starts_on", "ends_on", "description")


def today() -> date:
    return local_today(hall_zone())


def listing() -> list[CampaignPhase]:
    return list(db.session.scalars(select(CampaignPhase).order_by(CampaignPhase.starts_on, CampaignPhase.id)))


def current(on: date | None = None) -> CampaignPhase | None:
    on = on or today()
    return db.session.scalars(select(CampaignPhase).where(CampaignPhase.starts_on <= on, CampaignPhase.ends_on >= on)
                              .order_by(CampaignPhase.starts_on.desc(), CampaignPhase.id.desc()).limit(1)).first()


def get(phase_id: int) -> CampaignPhase:
    phase = db.session.get(CampaignPhase, phase_id) if 0 < phase_id < 2**31 else None
    if phase is None:
        raise NotFound(_("Phase %(id)s does not exist.", id=phase_id))
    return phase


def save(phase: CampaignPhase | None, values: dict, actor: str) -> CampaignPhase:
    """Create (``phase`` None) or change a phase from validated ``values``; audited, committed."""
    creating = phase is None
    if creating:
        phase = CampaignPhase(description="")
        db.session.add(phase)
    changes = {}
    for key in FIELDS:
        if key in values and getattr(phase, key, None) != values[key]:
            changes[key] = [None if creating else getattr(phase, key), values[key]]
            setattr(phase, key, values[key])
    db.session.flush()
    if changes:
        record(actor, "create" if creating else "update", "campaign_phase", phase.id, summary=phase.name,
               changes=changes)
    db.session.commit()
    return phase


def delete(phase: CampaignPhase, actor: str) -> None:
    record(actor, "delete", "campaign_phase", phase.id, summary=phase.name)
    db.session.delete(phase)
    db.session.commit()


def add_standard(start: date, actor: str) -> list[CampaignPhase]:
    """Add the campaign documents' three phases from ``start`` (see ``standard``); each audited."""
    return [save(None, item, actor) for item in standard(start)]


def standard(start: date) -> list[dict]:
    """The three phases of the campaign documents, from ``start``: a week of 动员部署, eleven days of
    扎实推进, then 巩固提高 for about eight months (as 9/29–10/5, 10/6–10/16, 10/17–next June)."""
    return [
        {"name": "动员部署阶段", "stage": "mobilize", "starts_on": start, "ends_on": start + timedelta(days=6),
         "description": "深入调查研究，制定工作方案，统一思想，明确目标任务、时序进度、工作责任和保障措施。"},
        {"name": "扎实推进阶段", "stage": "advance", "starts_on": start + timedelta(days=7),
         "ends_on": start + timedelta(days=17),
         "description": "广泛深入开展争创活动，领导班子成员建立窗口联系点，及时开展评议。"},
        {"name": "巩固提高阶段", "stage": "consolidate", "starts_on": start + timedelta(days=18),
         "ends_on": start + timedelta(days=270),
         "description": "回顾总结，查找差距，把行之有效的做法用制度固定下来，建立长效机制。"},
    ]


def phase_dict(phase: CampaignPhase | None, on: date | None = None) -> dict | None:
    """The phase as screens and the dashboard show it."""
    if phase is None:
        return None
    on = on or today()
    total = (phase.ends_on - phase.starts_on).days + 1
    done = min(max((on - phase.starts_on).days + 1, 0), total)
    return {"id": phase.id, "name": phase.name, "stage": phase.stage, "stage_label": str(STAGES.get(phase.stage, "")),
            "starts_on": phase.starts_on.isoformat(), "ends_on": phase.ends_on.isoformat(),
            "description": phase.description, "days_left": max((phase.ends_on - on).days, 0),
            "progress": round(done / total, 3) if total else 1.0}
