"""The 五带头 standard for party members (创先争优): the criteria of self and peer reviews."""

from flask_babel import lazy_gettext as _l

# key -> (Chinese name as the campaign documents say it, English msgid for the console)
FIVE_LEADS = {
    "study": ("带头学习提高", _l("Leads in learning and improving")),
    "achieve": ("带头争创佳绩", _l("Leads in achieving excellent results")),
    "serve": ("带头服务群众", _l("Leads in serving the people")),
    "discipline": ("带头遵纪守法", _l("Leads in observing discipline and the law")),
    "integrity": ("带头弘扬正气", _l("Leads in upholding integrity")),
}
SCORE_MIN, SCORE_MAX = 1, 5
SCORE_LABELS = {5: _l("Excellent"), 4: _l("Good"), 3: _l("Fair"), 2: _l("Weak"), 1: _l("Poor")}
GRADES = {"excellent": _l("Excellent"), "good": _l("Good"), "fair": _l("Fair"), "poor": _l("Poor")}
GRADE_POINTS = {"excellent": 95, "good": 85, "fair": 70, "poor": 50}
ROUND_KINDS = {"peer": _l("Self and peer review"), "leader": _l("Leader review")}
REVIEW_KINDS = {"self": _l("Self review"), "peer": _l("Peer review"), "leader": _l("Leader review")}
MIN_ANONYMOUS = 2  # peer results are shown only when at least this many colleagues reviewed


def label(key: str) -> str:
    name, english = FIVE_LEADS[key]
    return str(english)
