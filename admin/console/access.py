"""Who may open which console page."""

from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from ..services.accounts import actor_of


def roles_required(*roles: str):
    """Signed in, and one of ``roles``; also sets ``g.actor`` for the services' audit entries."""

    def deco(fn):
        @wraps(fn)
        @login_required
        def view(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            g.actor = actor_of(current_user)
            return fn(*args, **kwargs)

        return view

    return deco


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, label, section) for the sidebar; pages a role may not open are left out."""
    from flask import current_app
    from flask_babel import gettext as _

    items = [
        ("console.dashboard", _("Dashboard"), "all"),
        ("console.statistics", _("Satisfaction"), "all"),
        ("console.boards", _("Comparison boards"), "all"),
        ("console.ledger", _("Rectification ledger"), "all"),
        ("console.appeals_list", _("Appeals"), "all"),
        ("console.reviews", _("Review rounds"), "all"),
        ("console.surveys", _("Survey rounds"), "managers"),
        ("console.wishes_list", _("Wishes and errands"), "all"),
        ("console.symposiums", _("Symposiums"), "managers"),
        ("console.supervisors", _("Conduct supervisors"), "admin"),
        ("console.my_record", _("My record"), "members"),
        ("console.reports", _("Reports"), "managers"),
        ("console.departments_list", _("Departments"), "all"),
        ("console.windows_list", _("Windows"), "all"),
        ("console.staff_list", _("Staff"), "all"),
        ("console.standards_list", _("Service standards"), "all"),
        ("console.pledges_list", _("Pledges"), "all"),
        ("console.honors_list", _("Honors"), "all"),
        ("console.notices_list", _("Notices"), "all"),
        ("console.ratings_list", _("Ratings"), "managers"),
        ("console.suggestions_list", _("Suggestion box"), "managers"),
        ("console.prompt", _("Ask for a rating"), "all"),
        ("console.badges_print", _("Print badges"), "managers"),
        ("console.roster_import", _("Roster import"), "admin"),
        ("console.screens_list", _("Screens"), "managers"),
        ("console.playlists_list", _("Playlists"), "managers"),
        ("console.schedules_list", _("Schedules"), "managers"),
        ("console.screen-groups_list", _("Screen groups"), "managers"),
        ("console.kiosks_list", _("Kiosks"), "managers"),
        ("console.pairing", _("Pair a device"), "admin"),
        ("console.users_list", _("Users"), "admin"),
        ("console.tokens_list", _("API tokens"), "admin"),
        ("console.webhooks_list", _("Webhooks"), "admin"),
        ("console.audit_list", _("Audit log"), "admin"),
        ("console.settings", _("Settings"), "admin"),
        ("console.campaign_settings", _("Campaign settings"), "admin"),
        ("console.phases", _("Campaign phases"), "managers"),
        ("console.calendar", _("Working-day calendar"), "managers"),
    ]
    allowed = {"all": ("admin", "leader", "staff"), "managers": ("admin", "leader"), "admin": ("admin",),
               "members": ("staff",) if getattr(current_user, "staff_id", None) else ()}
    role = getattr(current_user, "role", None)
    return [(ep, label) for ep, label, who in items
            if ep in current_app.view_functions and role in allowed[who]]
