"""REST API v1: JSON over bearer tokens, errors in the contract's shape, documented by OpenAPI."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import accounts, badges, devices, openapi_doc, photos, ratings, records, suggestions  # noqa: E402,F401 - routes register on import
from . import appeals, campaign, rectifications, stats  # noqa: E402,F401 - the campaign (三比三评, issue 5)
from . import prompts, webhooks  # noqa: E402,F401 - other systems (issue 13)
from . import surveys  # noqa: E402,F401 - survey rounds (issue 12)
from . import wishes  # noqa: E402,F401 - wishes and errands (issue 12)
from . import symposiums  # noqa: E402,F401 - supervisors and symposiums (issue 12)
