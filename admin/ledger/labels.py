"""Names of the ledger's states, sources, verdicts and appeal kinds, for people (translated)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

STATES = {
    "open": _p("ledger", "Open"),  # in context: a review round is "Open" too, and reads differently
    "verified": _l("Verified"),
    "dismissed": _l("Dismissed"),
    "rectifying": _l("Rectifying"),
    "done": _l("Rectified"),
    "revisited": _l("Revisited"),
}
SOURCES = {"rating": _l("Bad rating"), "suggestion": _l("Complaint"), "manual": _l("Entered by hand"),
           "external": _l("Work order from outside"),
           "survey": _l("Survey answer"), "symposium": _l("Symposium")}
EXTERNAL_SOURCES = {"hotline_12345": _l("12345 hotline"), "platform": _l("好差评 platform"), "other": _l("Other system")}
VERDICTS = {"satisfied": _l("Satisfied"), "basically_satisfied": _l("Basically satisfied"),
            "dissatisfied": _l("Dissatisfied")}
ACTIONS = {
    "open": _l("Opened"), "update": _l("Changed"), "verify": _l("Verified"), "dismiss": _l("Dismissed"),
    "start": _l("Rectification started"), "complete": _l("Rectified"), "revisit": _l("Revisited"),
    "reopen": _l("Reopened"), "overdue": _l("Overdue"),
}
APPEAL_KINDS = {"mistaken": _l("Mistaken rating"), "malicious": _l("Malicious rating")}
APPEAL_STATUSES = {"pending": _l("Pending"), "upheld": _l("Upheld"), "rejected": _l("Rejected")}
# What the citizen sees on the receipt page, step by step.
PUBLIC_STEPS = {
    "open": _l("Received"),
    "verified": _l("Verified; a rectification is planned"),
    "dismissed": _l("Closed after verification"),
    "rectifying": _l("Being rectified"),
    "done": _l("Rectified"),
    "revisited": _l("Called back"),
    "reopen": _l("Reopened for further rectification"),
}
FIELDS = {"problem": _l("Problem"), "measure": _l("What to fix"), "deadline": _l("Deadline"),
          "leader_id": _l("Responsible leader"), "responsible_id": _l("Responsible person"),
          "staff_id": _l("Member concerned"), "window_id": _l("Window")}
