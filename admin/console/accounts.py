"""Console users and API tokens (administrators only)."""

from __future__ import annotations

from flask import flash, g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..catalog import ADMIN, Resource
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import ApiToken, User
from ..schemas import TokenIn, TokenOut, UserIn, UserOut
from ..services import accounts, sessions
from ..validation import parse
from .forms import ROLE_CHOICES, TOKEN_ROLE_CHOICES, Field, rows
from .hall import staff_options
from .pages import Column, RecordPage, attr, register, related

USERS = Resource(
    "users", "user", _l("Users"), User, UserIn, UserOut, read_roles=ADMIN, write_roles=ADMIN,
    filters={"role": (str, User.role), "active": (bool, User.active)},
    search=(User.username, User.display_name),
    sort={"id": User.id, "username": User.username, "display_name": User.display_name,
          "last_login_at": User.last_login_at},
    default_sort="username",
    title=lambda u: u.username,
)

TOKENS = Resource(
    "tokens", "api_token", _l("API tokens"), ApiToken, TokenIn, TokenOut, read_roles=ADMIN, write_roles=ADMIN,
    filters={"role": (str, ApiToken.role)},
    search=(ApiToken.name, ApiToken.prefix),
    sort={"id": ApiToken.id, "name": ApiToken.name, "created_at": ApiToken.created_at,
          "last_used_at": ApiToken.last_used_at},
    default_sort="-id",
    title=lambda t: t.name,
)


def _validated(schema, data: dict, *, password_required: bool) -> dict:
    """``data`` checked by ``schema``, with every field's problem at once (the password's too)."""
    details = []
    password = data.pop("password", None)
    if password or password_required:
        try:
            accounts.check_password(password)
        except Invalid as exc:
            details += exc.details
    try:
        values = parse(schema, data).model_dump(exclude_none=False)
    except Invalid as exc:
        details = exc.details + details
        values = None
    if details:
        raise Invalid(details[0]["message"], details=details)
    values.pop("password", None)
    if password:
        values["password"] = password
    return values


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User)
                             .where(User.role == "admin", User.active.is_(True))) or 0


class UsersPage(RecordPage):
    """Users are stored by the accounts service, which hashes passwords and ends old sessions."""

    def form_fields(self, obj):
        if obj is None:
            password = Field("password", _l("Password"), "password", required=True,
                             help=_l("At least 8 characters."))
        else:
            password = Field("password", _l("New password"), "password",
                             help=_l("Leave empty to keep the current password."))
        return self.fields + [password]

    def create(self, data, raw):
        values = _validated(UserIn, data, password_required=True)
        if not values.get("display_name"):
            values.pop("display_name", None)  # the service then shows the username
        return accounts.save_user(values, g.actor)

    def update(self, obj, data, raw):
        values = _validated(UserIn, data, password_required=False)
        # Whoever is signed in keeps the console: nobody locks the hall out of it by mistake.
        keeps_admin = values["role"] == "admin" and values["active"]
        if obj.role == "admin" and obj.active and not keeps_admin:
            if obj.id == current_user.id:
                raise Invalid(_("You cannot take away your own administrator access."), field="role")
            if _active_admins() <= 1:
                raise Invalid(_("The last active administrator must stay an active administrator."), field="role")
        own = obj.id == current_user.id
        user = accounts.save_user(values, g.actor, obj)
        if own and values.get("password"):
            # A new password ends the user's other sessions; this one continues.
            sessions.begin(user)
        return user

    def may_delete(self, obj) -> bool:
        return obj.id != current_user.id

    def remove(self, obj) -> None:
        if obj.id == current_user.id:
            raise Conflict(_("You cannot delete your own account."))
        accounts.delete_user(obj, g.actor)


users = register(UsersPage(
    USERS,
    new_title=_l("New user"), edit_title=_l("Edit user"),
    fields=[
        Field("username", _l("Username"), required=True, maxlength=64,
              help=_l("Letters, digits and . _ - @ only.")),
        Field("display_name", _l("Display name"), maxlength=64),
        Field("role", _l("Role"), "select", options=ROLE_CHOICES,
              help=_l("Leaders review and sign off; staff members see their own ratings and reviews.")),
        Field("staff_id", _l("Staff member"), "select", options=staff_options(), empty=_l("(none)"),
              help=_l("Required for a staff user: the member whose own view this account opens.")),
        Field("active", _l("Active"), "checkbox", help=_l("An inactive user cannot sign in.")),
    ],
    columns=[
        Column(_l("Username"), attr("username"), sort="username", link=True),
        Column(_l("Display name"), attr("display_name"), sort="display_name"),
        Column(_l("Role"), attr("role"), "choice", choices=ROLE_CHOICES),
        Column(_l("Staff member"), related("staff")),
        Column(_l("Active"), attr("active"), "bool"),
        Column(_l("Last sign-in"), attr("last_login_at"), "datetime", sort="last_login_at"),
    ],
))


class TokensPage(RecordPage):
    """Tokens are made (the secret shown once) and revoked, never edited."""

    editable = False
    delete_label = _l("Revoke")
    delete_action = "revoke"

    def create(self, data, raw):
        values = _validated(TokenIn, data, password_required=False)
        user = db.session.get(User, values["user_id"]) if values.get("user_id") else None
        token, secret = accounts.create_token(values["name"], values["role"], g.actor, created_by=current_user,
                                              user=user)
        token.secret = secret
        return token

    def created(self, obj):
        page = render_template(
            "console/secret_once.html", heading=_("API token created"), subject=obj.name, secret=obj.secret,
            secret_label=_("API token"), back=url_for("console.tokens_list"),
            note=_("Send it with every API request in the header %(header)s.", header="Authorization: Bearer …"),
        )
        return page, 200, {"Cache-Control": "no-store"}

    def may_delete(self, obj) -> bool:
        return obj.revoked_at is None

    def delete_question(self, obj) -> str:
        return _("Revoke %(name)s? Programs using it will be refused at once.", name=obj.name)

    def remove(self, obj) -> None:
        accounts.revoke_token(obj.id, g.actor)

    def removed(self, title: str):
        flash(_("Revoked: %(name)s", name=title), "success")


def user_options():
    return rows(User, lambda u: f"{u.display_name or u.username} ({u.username}, {u.role})", User.username,
                where=User.active.is_(True))


tokens = register(TokensPage(
    TOKENS,
    new_title=_l("New API token"), edit_title=_l("API token"),
    intro=_l("Tokens let other programs use the API with the rights of their role."),
    fields=[
        Field("name", _l("Name"), required=True, maxlength=64, help=_l("What or who uses it, e.g. the sync job.")),
        Field("role", _l("Role"), "select", options=TOKEN_ROLE_CHOICES, empty=_l("(choose a role)"), required=True),
        Field("user_id", _l("Acts for"), "select", options=user_options(), empty=_l("(nobody: a system; admin tokens only)"),
              help=_l("A leader or staff token acts for a user of that role and sees what they see.")),
    ],
    columns=[
        Column(_l("Name"), attr("name"), sort="name"),
        Column(_l("Role"), attr("role"), "choice", choices=TOKEN_ROLE_CHOICES),
        Column(_l("Acts for"), related("user", "username")),
        Column(_l("Starts with"), attr("prefix"), "code"),
        Column(_l("Created"), attr("created_at"), "datetime", sort="created_at"),
        Column(_l("Last used"), attr("last_used_at"), "datetime", sort="last_used_at"),
        Column(_l("Status"), lambda t: "revoked" if t.revoked_at else "active", "status"),
    ],
))
