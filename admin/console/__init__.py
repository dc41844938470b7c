"""The admin console at /admin/: server-rendered pages for administrators, leaders and staff."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/admin")

from . import accounts, audit, auth, badges, dashboard, devices, hall, hall_settings, pairing, ratings, roster, screen_content, staff  # noqa: E402,F401 - views register on import
from . import appeals, boards, calendar, campaign_settings, comparisons, ledger, members, reports, reviews, statistics  # noqa: E402,F401 - the campaign (issue 5)
from . import webhooks  # noqa: E402,F401 - other systems (issue 13)
from . import surveys, symposiums, wishes  # noqa: E402,F401 - survey rounds, wishes and errands (issue 12)
