"""The criteria of self, peer and leader reviews: each round chooses its set. The 五带头 of the
创先争优 campaign, the 五个好 the documents name beside them, the third document's 三评 (评信念信仰 /
评责任担当 / 评遵纪守规), or a set an administrator writes for the round."""

from flask_babel import lazy_gettext as _l

# key -> (Chinese name as the campaign documents say it, English msgid for the console)
FIVE_LEADS = {
    "study": ("带头学习提高", _l("Leads in learning and improving")),
    "achieve": ("带头争创佳绩", _l("Leads in achieving excellent results")),
    "serve": ("带头服务群众", _l("Leads in serving the people")),
    "discipline": ("带头遵纪守法", _l("Leads in observing discipline and the law")),
    "integrity": ("带头弘扬正气", _l("Leads in upholding integrity")),
}
# The documents name the 五个好 beside the 五带头 without listing them; these are the five a service
# window's party member is commonly held to. A hall that counts them otherwise writes its own set.
FIVE_GOODS = {
    "politics": ("政治素质好", _l("Good political quality")),
    "skill": ("业务技能好", _l("Good professional skill")),
    "service": ("服务态度好", _l("Good service attitude")),
    "style": ("工作作风好", _l("Good work style")),
    "results": ("工作业绩好", _l("Good results")),
}
THREE_REVIEWS = {
    "belief": ("评信念信仰", _l("Belief and faith")),
    "responsibility": ("评责任担当", _l("Responsibility")),
    "discipline": ("评遵纪守规", _l("Keeping discipline and rules")),
}
SETS = {
    "five_leads": (_l("The five “take the lead” (五带头)"), FIVE_LEADS),
    "five_goods": (_l("The five goods (五个好)"), FIVE_GOODS),
    "three_reviews": (_l("Belief, responsibility, discipline (三评)"), THREE_REVIEWS),
    "custom": (_l("A set written for this round"), None),
}
CUSTOM_MAX = 10
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


def for_round(rnd) -> dict:
    """{key: (Chinese name, label)} the round's reviews score; the 五带头 for a round of before."""
    chosen = getattr(rnd, "criteria_set", None) or "five_leads"
    if chosen == "custom":
        return {c["key"]: (c["name"], c["name"]) for c in (rnd.custom_criteria or [])}
    return SETS.get(chosen, SETS["five_leads"])[1]


def set_names() -> dict:
    return {key: str(name) for key, (name, _items) in SETS.items()}
