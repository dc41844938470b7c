"""``/p/<code>``: the one who raised a problem at a symposium follows its ledger entry, as a suggestion's
receipt page shows it (the steps and the hall's answer, nothing personal)."""

from __future__ import annotations

from flask import make_response, render_template
from flask_babel import gettext as _

from liangbiping.admin.client_address import client_address
from liangbiping.admin.errors import TooManyRequests

from . import bp
from .pages import _token_error, receipt_limiter


@bp.get("/p/<code>")
def follow_problem(code: str):
    from liangbiping.admin.ledger.service import ledger_progress_for_entry
    from liangbiping.admin.symposiums.service import by_follow_code

    wait = receipt_limiter.take(client_address() or "?")
    if wait:
        return _token_error(TooManyRequests(_("Too many requests. Please wait a moment."), retry_after=wait))
    problem = by_follow_code(code)
    if problem is None:
        return make_response(render_template("kiosk/token_error.html", status=404,
                                             message=_("No problem has this follow code.")), 404)
    steps = ledger_progress_for_entry(problem.rectification_id) if problem.rectification_id else []
    response = make_response(render_template("kiosk/follow.html", problem=problem, steps=steps))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
