"""三比 boards in the console: skills, conduct, performance, satisfaction and the composite, per period;
an administrator publishes any of them to the hall screens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..campaign import boards as campaign_boards
from ..services.settings import get_setting, set_setting
from ..stats import charts
from . import bp
from .access import roles_required
from .campaign_common import period_from_args, today, viewer


@bp.get("/boards/")
@roles_required("admin", "leader", "staff")
def boards():
    key = request.args.get("board") if request.args.get("board") in campaign_boards.BOARDS else "composite"
    default = get_setting("board_period") or "quarter"
    period = period_from_args(default if default in ("month", "quarter", "year") else "quarter",
                              kinds=("month", "quarter", "year"))
    board = campaign_boards.board(key, period)
    ranked = [r for r in board["rows"] if r["rank"] is not None]
    top = max([r["value"] for r in ranked] + [1])
    chart_rows = [{"label": f"{r['rank']}. {r['name']}", "value": r["value"],
                   "text": r["display"] if key == "satisfaction" else f"{r['value']:.1f}"} for r in ranked[:12]]
    chart = charts.hbars(chart_rows, board["title"], as_rate=key == "satisfaction",
                         target=float(get_setting("target_satisfaction") or 0.95) if key == "satisfaction" else None) \
        if chart_rows else None
    return render_template("console/campaign/boards.html", board=board, key=key, period=period, chart=chart,
                           names=campaign_boards.BOARDS, skill=campaign_boards.skill_share(today()), viewer=viewer(),
                           published=campaign_boards.published(), top=top)


@bp.post("/boards/publish")
@roles_required("admin")
def boards_publish():
    """Publish or withdraw one board on the hall screens."""
    key = request.form.get("board")
    if key not in campaign_boards.BOARDS:
        flash(_("Unknown board."), "error")
        return redirect(url_for("console.boards")), 303
    current = campaign_boards.published()
    wanted = [k for k in current if k != key] + ([key] if request.form.get("publish") == "1" else [])
    ordered = [k for k in campaign_boards.BOARDS if k in wanted]
    if ordered != current:
        set_setting("boards_published", ordered, viewer().actor)
    flash(_("Shown on the hall screens.") if key in ordered else _("Withdrawn from the hall screens."), "success")
    return redirect(url_for("console.boards", board=key)), 303
