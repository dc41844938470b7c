"""``/p/<code>``: the one who raised a problem at a symposium follows its ledger entry, as a suggestion's
receipt page shows it (the steps and the hall's answer, nothing personal)."""

from __future__ import annotations

from flask_babel import gettext as _

from . import bp
from .pages import citizen_page, follow_page


@bp.get("/p/<code>")
def follow_problem(code: str):
    from liangbiping.admin.ledger.service import ledger_progress_for_entry
    from liangbiping.admin.symposiums.service import by_follow_code

    def render(problem):
        steps = ledger_progress_for_entry(problem.rectification_id) if problem.rectification_id else []
        return citizen_page("kiosk/follow.html", problem=problem, steps=steps)

    return follow_page(by_follow_code, code, _("No problem has this follow code."), render)
