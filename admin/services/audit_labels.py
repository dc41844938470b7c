"""The audit log for people: what each stored action, record type, field and actor is called.

The log stores identifiers (``view_contact``, ``api_token``, ``user:1 admin``) so that it can be
filtered and read by programs; the console shows these names instead, in the reader's language.
An identifier without a name here is shown as it is stored (tests/test_i18n.py finds them).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Removed"), "cancel": _l("Cancelled"),
    "close": _p("audit", "Closed"), "command": _l("Sent a command"), "decide": _l("Decided"),
    "dismiss": _l("Dismissed"), "verify": _l("Verified"), "start": _l("Rectification started"),
    "complete": _l("Rectified"), "revisit": _l("Revisited"), "reopen": _l("Reopened"), "overdue": _l("Overdue"),
    "import": _l("Imported"), "print": _l("Printed"), "reply": _l("Replied"), "revoke": _l("Revoked"),
    "rotate_badge": _l("Replaced the badge QR codes"), "view_contact": _l("Viewed the contact number"),
    "login": _l("Signed in"), "login_failed": _l("Failed sign-in"), "rebuild": _l("Rebuilt"),
    "reset": _l("Reset"), "replay": _l("Sent again"),
}

ENTITIES = {
    "user": _l("User"), "api_token": _l("API token"), "department": _l("Department"), "window": _l("Window"),
    "standard": _l("Service standard"), "staff": _l("Staff member"), "pledge": _l("Pledge"), "honor": _l("Honor"),
    "notice": _l("Notice"), "screen": _l("Screen"), "kiosk": _l("Kiosk"), "playlist": _l("Playlist"),
    "schedule": _l("Schedule"), "screen_group": _l("Screen group"), "setting": _l("Setting"),
    "rating": _l("Rating"), "rating_prompt": _l("Rating request"), "rectification": _l("Ledger entry"),
    "review_round": _l("Review round"), "review": _l("Review"), "appeal": _l("Appeal"),
    "skill_result": _l("Skill result"), "performance": _l("Performance figures"),
    "campaign_phase": _l("Campaign phase"), "calendar_day": _l("Working-day calendar"),
    "suggestion": _l("Suggestion"), "badges": _l("Badges"), "statistics": _l("Statistics"),
    "webhook": _l("Webhook"), "webhook_delivery": _l("Webhook delivery"),
    "survey": _l("Survey round"), "survey_invitation": _l("Survey invitations"),
    "survey_response": _l("Survey answer"), "wish": _l("Wish"), "supervisor": _l("Conduct supervisor"),
    "symposium": _l("Symposium"), "symposium_problem": _l("Problem raised at a symposium"),
}

FIELDS = {
    "name": _l("Name"), "number": _l("Number"), "title": _l("Title"), "text": _l("Text"),
    "description": _l("Description"), "department_id": _l("Department"), "window_id": _l("Window"),
    "staff_id": _l("Staff member"), "employee_no": _l("Employee number"), "is_party_member": _l("Party member"),
    "party_post": _l("Party post"), "designations": _l("Designations"), "duties": _l("Duties"),
    "on_duty": _l("On duty"), "sort_order": _l("Order"), "photo": _l("Photo"), "badge_version": _l("Badge version"),
    "item_name": _l("Service item"), "kind": _l("Kind"), "steps": _l("Steps"), "time_limit": _l("Time limit"),
    "materials": _l("Materials"), "fees": _l("Fees"), "legal_basis": _l("Legal basis"),
    "service_language": _l("Service language"), "window_ids": _l("Windows"), "service_item_ids": _l("Service items"),
    "period_start": _l("From"), "period_end": _l("Until"), "published": _l("Published"), "awarded_on": _l("Awarded on"),
    "issuer": _l("Awarded by"), "priority": _l("Priority"), "starts_at": _l("Starts"), "ends_at": _l("Ends"),
    "group_id": _l("Screen group"), "playlist_id": _l("Playlist"), "screen_id": _l("Screen"), "slides": _l("Slides"),
    "weekdays": _l("Weekdays"), "start_time": _l("Start time"), "end_time": _l("End time"),
    "start_date": _l("Start date"), "end_date": _l("End date"), "enabled": _l("Enabled"),
    "username": _l("Username"), "display_name": _l("Display name"), "role": _l("Role"), "active": _l("Active"),
    "password": _l("Password"), "departments": _l("Departments"), "day": _l("Day"), "working": _l("Working day"),
    "note": _l("Note"), "state": _l("State"), "status": _l("Status"), "reply": _l("Reply"), "reason": _l("Reason"),
    "dismissed_reason": _l("Reason for dismissing"), "problem": _l("Problem"), "measure": _l("What to fix"),
    "deadline": _l("Deadline"), "leader_id": _l("Responsible leader"), "responsible_id": _l("Responsible person"),
    "overdue": _l("Overdue"), "score": _l("Score"), "award": _l("Award"), "contest": _l("Contest"),
    "handled": _l("Cases handled"), "on_time": _l("On time"), "month": _l("Month"), "upheld": _l("Upheld"),
    "hall_name": _l("Hall name"), "timezone": _l("Time zone"), "banner": _l("Banner"),
    "public_url": _l("Public address"), "satisfied_levels": _l("Levels counted as satisfied"),
    "target_satisfaction": _l("Satisfaction target"), "target_skill_share": _l("Skill target"),
    "low_confidence_below": _l("Low-confidence sample"), "ranking_min_sample": _l("Ranking minimum sample"),
    "composite_weights": _l("Composite weights"), "boards_published": _l("Boards on the hall screens"),
    "board_period": _l("Board period"), "rectification_working_days": _l("Rectification working days"),
    "auto_review_rounds": _l("Review rounds opened automatically"), "review_due_days": _l("Review days"),
    "due_on": _l("Due on"), "pledge_id": _l("Pledge"), "pledges": _l("Pledges kept"), "scores": _l("Scores"),
    "grade": _l("Grade"), "comment": _l("Comment"), "source": _l("Source"), "include_all_staff": _l("Everyone"),
    "subject_id": _l("Member reviewed"), "stage": _l("Stage"), "starts_on": _l("Starts on"), "ends_on": _l("Ends on"),
    "opening_hours": _l("Opening hours"), "photo_url": _l("Photo"), "token": _l("Token"), "queue_length": _l("Waiting ratings"),
    "questions": _l("Questions"), "target_kind": _l("Evaluates"), "target_ids": _l("Evaluated"),
    "open_public": _l("Open to citizens"), "open_invited": _l("Open to invited respondents"),
    "sheets_printed": _l("Sheets printed"), "invitations": _l("Invitations"), "paper_no": _l("Sheet number"),
    "channel": _l("Channel"), "criteria_set": _l("Criteria"), "verdict": _l("Verdict"),
    "term_start": _l("Term from"), "term_end": _l("Term to"), "held_on": _l("Date"), "attendees": _l("Attendees"),
    "rectification_id": _l("Ledger entry"), "unit": _l("Unit"), "contact": _l("Contact"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def entity_label(entity: str) -> str:
    return str(ENTITIES.get(entity, entity))


def field_label(field: str) -> str:
    return str(FIELDS.get(field, field))


def value_label(field: str, value):
    """A stored value as people read it: ledger states, roles and kinds by their names."""
    from ..ledger import labels

    from ..reviews.criteria import SETS

    names = {"state": labels.STATES, "role": ROLES, "source": labels.SOURCES,
             "criteria_set": {k: name for k, (name, _items) in SETS.items()},
             "target_kind": TARGET_KINDS, "channel": ANSWER_CHANNELS, "verdict": labels.VERDICTS,
             "status": {**labels.APPEAL_STATUSES, **SUGGESTION_STATUSES, **ROUND_STATUSES},
             "kind": {**labels.APPEAL_KINDS, **KINDS}, "priority": PRIORITIES}.get(field)
    if names is not None and isinstance(value, str) and value in names:
        return str(names[value])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        # Slides and the like: their names, not their stored shape.
        return [str(SLIDES.get(v.get("kind"), v.get("kind"))) if "kind" in v else "…" for v in value]
    if isinstance(value, dict):
        return [f"{field_label(k)} {v}" for k, v in value.items()]
    return value


def actor_label(actor: str) -> str:
    """``user:1 admin`` → ``admin``; ``token:3 sync`` → ``API token sync``; ``kiosk:2 A01 评价器`` → ``Kiosk A01 评价器``."""
    kind, _sep, rest = (actor or "").partition(":")
    name = rest.partition(" ")[2]
    if kind == "user" and name:
        return name
    if kind == "token" and name:
        return _("API token %(name)s", name=name)
    if kind == "kiosk" and name:
        return _("Kiosk %(name)s", name=name)
    if kind == "anonymous" or actor.startswith("anonymous@"):
        return _("Someone at %(address)s", address=actor.partition("@")[2])
    fixed = {"system": _l("The system"), "scheduler": _l("The scheduler"), "cli": _l("The command line"),
             "citizen": _l("A citizen"),
             "demo": _l("The demo"), "test": _l("A test")}
    return str(fixed.get(actor, actor))


TARGET_KINDS = {"hall": _l("The whole hall"), "department": _l("Departments"), "window": _l("Windows"),
                "staff": _l("Members")}
ANSWER_CHANNELS = {"phone": _l("Phone"), "kiosk": _l("Kiosk"), "invitation": _l("Invitation"),
                   "paper": _l("Paper sheet")}
ROLES = {"admin": _l("Administrator"), "leader": _l("Leader"), "staff": _l("Staff member")}
SUGGESTION_STATUSES = {"new": _l("New"), "replied": _l("Replied"), "handled": _l("Handled")}
KINDS = {"hall": _l("Hall screen"), "window": _l("Window screen"), "suggestion": _l("Suggestion"),
         "complaint": _l("Complaint"), "praise": _l("Praise"), "service_item": _l("Service item"),
         "hall_rule": _l("Hall rule"), "peer": _l("Peer review"), "leader": _l("Leader review")}
PRIORITIES = {"normal": _l("Normal"), "urgent": _l("Urgent")}
ROUND_STATUSES = {"open": _p("round", "Open"), "closed": _p("round", "Closed"), "draft": _l("Draft")}
SLIDES = {"identity_wall": _l("Identity wall"), "member_spotlight": _l("Member spotlight"),
          "standards": _l("Service standards"), "pledges": _l("Pledges"), "honor_board": _l("Honor board"),
          "notices": _l("Notices"), "banner": _l("Campaign banner"), "satisfaction": _l("Satisfaction board"),
          "boards": _l("Comparison boards"), "window": _l("Window screen"), "wishes": _l("Wishes fulfilled"),
          "take_part": _l("Surveys and wishes to scan")}
